//! Hostile input: a generated corpus of broken, lying and hostile files, each of which must give
//! its specific error code — never a panic, a hang or a huge allocation. Renamed files, truncated
//! downloads, headers that declare gigantic images (decompression bombs), zero sizes, random bytes
//! and polyglots, in every format the engine accepts (the corpus is in `testing`, so the browser
//! test in tests/web.rs runs the same files through the bindings).

use quantonium_video::decode::decode;
use quantonium_video::testing::{hostile_corpus, valid_files};
use quantonium_video::ErrorCode::CorruptImage;

#[test]
fn every_hostile_file_gives_its_specific_code() {
    for (format, bytes) in valid_files() {
        assert!(decode(&bytes).is_ok(), "the valid {format} decodes");
    }
    let cases = hostile_corpus();
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
