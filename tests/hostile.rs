//! Hostile input: a generated corpus of broken, lying and hostile files, each of which must give
//! its specific error code — never a panic, a hang or a huge allocation. Renamed files, truncated
//! downloads, headers that declare gigantic images (decompression bombs), zero sizes, random bytes
//! and polyglots, in every format the engine accepts.

use quantonium_video::decode::decode;
use quantonium_video::encode::jpeg::JpegFrameEncoder;
use quantonium_video::testing::{gradient, png_bytes};
use quantonium_video::ErrorCode::{self, CorruptImage, ImageTooLarge, UnsupportedFormat};

/// A named file and the code it must give.
struct Case {
    name: String,
    bytes: Vec<u8>,
    code: ErrorCode,
}

fn case(name: impl Into<String>, bytes: Vec<u8>, code: ErrorCode) -> Case {
    Case { name: name.into(), bytes, code }
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A PNG whose header declares `width x height` (RGBA, 8 bits), with one tiny IDAT and IEND.
fn png_declaring(width: u32, height: u32) -> Vec<u8> {
    let chunk = |kind: &[u8], data: &[u8]| {
        let mut c = (data.len() as u32).to_be_bytes().to_vec();
        let body = [kind, data].concat();
        c.extend_from_slice(&body);
        c.extend_from_slice(&crc32(&body).to_be_bytes());
        c
    };
    let ihdr = [&width.to_be_bytes()[..], &height.to_be_bytes(), &[8, 6, 0, 0, 0]].concat();
    // zlib stream of a few zero bytes (stored block).
    let idat = [0x78, 0x01, 0x01, 0x04, 0x00, 0xFB, 0xFF, 0, 0, 0, 0, 0x00, 0x00, 0x00, 0x01];
    [&b"\x89PNG\r\n\x1a\n"[..], &chunk(b"IHDR", &ihdr), &chunk(b"IDAT", &idat), &chunk(b"IEND", &[])].concat()
}

/// A GIF whose logical screen and only image declare `width x height`.
fn gif_declaring(width: u16, height: u16) -> Vec<u8> {
    let (w, h) = (width.to_le_bytes(), height.to_le_bytes());
    let mut g = b"GIF89a".to_vec();
    g.extend_from_slice(&[w[0], w[1], h[0], h[1], 0x80, 0, 0]); // global colour table of 2
    g.extend_from_slice(&[0, 0, 0, 255, 255, 255]);
    g.extend_from_slice(&[0x2C, 0, 0, 0, 0, w[0], w[1], h[0], h[1], 0]); // image descriptor
    g.extend_from_slice(&[2, 2, 0x4C, 0x01, 0, 0x3B]); // tiny LZW data, trailer
    g
}

/// A 24-bit BMP whose header declares `width x height` and carries almost no pixels.
fn bmp_declaring(width: i32, height: i32) -> Vec<u8> {
    let mut b = b"BM".to_vec();
    b.extend_from_slice(&(54u32 + 16).to_le_bytes());
    b.extend_from_slice(&[0, 0, 0, 0]);
    b.extend_from_slice(&54u32.to_le_bytes());
    b.extend_from_slice(&40u32.to_le_bytes());
    b.extend_from_slice(&width.to_le_bytes());
    b.extend_from_slice(&height.to_le_bytes());
    b.extend_from_slice(&1u16.to_le_bytes());
    b.extend_from_slice(&24u16.to_le_bytes());
    b.extend_from_slice(&[0; 24]);
    b.extend_from_slice(&[0; 16]);
    b
}

/// A baseline JPEG header whose frame declares `width x height`, followed by nothing useful.
fn jpeg_declaring(width: u16, height: u16) -> Vec<u8> {
    let mut j = vec![0xFF, 0xD8];
    let (w, h) = (width.to_be_bytes(), height.to_be_bytes());
    j.extend_from_slice(&[0xFF, 0xC0, 0, 17, 8, h[0], h[1], w[0], w[1], 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0]);
    j.extend_from_slice(&[0xFF, 0xD9]);
    j
}

/// A lossless WebP header declaring `width x height` (each 1..=16384).
fn webp_declaring(width: u32, height: u32) -> Vec<u8> {
    let bits = (width - 1) | ((height - 1) << 14);
    let mut vp8l = vec![0x2F];
    vp8l.extend_from_slice(&bits.to_le_bytes());
    vp8l.extend_from_slice(&[0; 16]);
    let mut w = b"RIFF".to_vec();
    w.extend_from_slice(&((4 + 8 + vp8l.len()) as u32).to_le_bytes());
    w.extend_from_slice(b"WEBPVP8L");
    w.extend_from_slice(&(vp8l.len() as u32).to_le_bytes());
    w.extend_from_slice(&vp8l);
    w
}

fn encode_with(img: &quantonium_video::image::Rgba8Image, format: image::ImageFormat) -> Vec<u8> {
    let buffer = image::RgbaImage::from_raw(img.width(), img.height(), img.data().to_vec()).expect("size");
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgba8(buffer).to_rgb8().write_to(&mut out, format).expect("encode");
    out.into_inner()
}

/// Valid files of every accepted format, to be broken.
fn valid_files() -> Vec<(&'static str, Vec<u8>)> {
    let img = gradient(64, 48);
    vec![
        ("png", png_bytes(&img)),
        ("jpeg", JpegFrameEncoder::new(85).encode(&img).expect("jpeg")),
        ("gif", encode_with(&img, image::ImageFormat::Gif)),
        ("bmp", encode_with(&img, image::ImageFormat::Bmp)),
        ("webp", encode_with(&img, image::ImageFormat::WebP)),
    ]
}

fn corpus() -> Vec<Case> {
    let mut cases = Vec::new();
    for (format, bytes) in valid_files() {
        assert!(decode(&bytes).is_ok(), "the valid {format} decodes");
        // Truncated downloads: just past the magic, a third, two thirds.
        for cut in [16, bytes.len() / 3, 2 * bytes.len() / 3] {
            cases.push(case(format!("{format} truncated at {cut}"), bytes[..cut].to_vec(), CorruptImage));
        }
        // Renamed or damaged: the first byte changed.
        let mut wrong = bytes.clone();
        wrong[0] ^= 0x55;
        cases.push(case(format!("{format} with a wrong first byte"), wrong, UnsupportedFormat));
    }
    // Bombs: tiny files declaring gigantic images.
    cases.push(case("png declaring 100000 x 100000", png_declaring(100_000, 100_000), ImageTooLarge));
    cases.push(case("png declaring 16000 x 16000 (1 GB of pixels)", png_declaring(16_000, 16_000), ImageTooLarge));
    cases.push(case("gif declaring 65535 x 65535", gif_declaring(65_535, 65_535), ImageTooLarge));
    cases.push(case("bmp declaring 100000 x 100000", bmp_declaring(100_000, 100_000), ImageTooLarge));
    cases.push(case("bmp declaring 30000 x -30000 (top-down)", bmp_declaring(30_000, -30_000), ImageTooLarge));
    cases.push(case("jpeg declaring 65500 x 65500", jpeg_declaring(65_500, 65_500), ImageTooLarge));
    cases.push(case("webp declaring 16384 x 16384 (1 GiB of pixels)", webp_declaring(16_384, 16_384), ImageTooLarge));
    // Zero sizes.
    cases.push(case("png declaring 0 x 10", png_declaring(0, 10), CorruptImage));
    cases.push(case("gif declaring 0 x 0", gif_declaring(0, 0), CorruptImage));
    cases.push(case("bmp declaring 0 x 0", bmp_declaring(0, 0), CorruptImage));
    cases.push(case("jpeg declaring 0 x 0", jpeg_declaring(0, 0), CorruptImage));
    // Random bytes and empty files.
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    for n in [1usize, 7, 100, 4096, 100_000] {
        let bytes = (0..n)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        cases.push(case(format!("{n} random bytes"), bytes, UnsupportedFormat));
    }
    cases.push(case("an empty file", Vec::new(), UnsupportedFormat));
    // Polyglots: one format's magic, another's body.
    let files = valid_files();
    let body = |i: usize| files[i].1.clone();
    cases.push(case("png magic on a jpeg", [&b"\x89PNG\r\n\x1a\n"[..], &body(1)].concat(), CorruptImage));
    cases.push(case("jpeg magic on a png", [&[0xFF, 0xD8, 0xFF][..], &body(0)].concat(), CorruptImage));
    // Its screen size is read from the BMP's bytes: 19778 px wide.
    cases.push(case("gif magic on a bmp", [&b"GIF89a"[..], &body(3)].concat(), ImageTooLarge));
    cases.push(case("BM on a png", [&b"BM"[..], &body(0)].concat(), CorruptImage));
    cases.push(case("a RIFF/WEBP header on a gif", [&b"RIFF\0\0\0\0WEBP"[..], &body(2)].concat(), CorruptImage));
    cases
}

#[test]
fn every_hostile_file_gives_its_specific_code() {
    let cases = corpus();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    let mut wrong = Vec::new();
    for c in &cases {
        match decode(&c.bytes) {
            Ok(img) => wrong.push(format!("{}: decoded as {}x{}", c.name, img.width(), img.height())),
            Err(e) if e.code != c.code => {
                wrong.push(format!("{}: {} ({}), want {}", c.name, e.code, e.message, c.code))
            }
            Err(_) => {}
        }
    }
    assert!(wrong.is_empty(), "{} of {} cases wrong:\n{}", wrong.len(), cases.len(), wrong.join("\n"));
}

#[test]
fn headers_of_valid_files_declare_their_real_size() {
    use quantonium_video::decode::sniff;
    use quantonium_video::header::declared_size;
    for (format, bytes) in valid_files() {
        let declared = declared_size(&bytes, sniff(&bytes).expect("known")).expect("valid header");
        assert_eq!(declared, Some((64, 48)), "{format}");
    }
    // A JPEG that is complete but has bytes after its end is fine; one cut before its end is not.
    let jpeg = &valid_files()[1].1;
    assert!(decode(&[jpeg.as_slice(), b"trailing bytes"].concat()).is_ok());
    let cut = decode(&jpeg[..jpeg.len() - 2]).map(|_| ()).unwrap_err();
    assert_eq!(cut.code, CorruptImage);
    assert!(cut.message.contains("truncated"), "{}", cut.message);
}
