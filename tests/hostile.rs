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

/// Writes the corpus to `target/tmp/hostile-corpus/` (one file per case and a `manifest.json` of
/// names, files and codes), so the end-to-end tests run the very same files through the real
/// worker in headless Chromium.
#[test]
fn corpus_is_written_for_the_browser_tests() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("hostile-corpus");
    let _ = std::fs::remove_dir_all(&dir); // stale files from an older corpus
    std::fs::create_dir_all(&dir).expect("create the corpus directory");
    let json_string = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    let mut entries = Vec::new();
    for (i, c) in hostile_corpus().iter().enumerate() {
        let file = format!("{i:02}.bin");
        std::fs::write(dir.join(&file), &c.bytes).expect("write a corpus file");
        entries.push(format!(
            "{{\"name\":{},\"file\":{},\"code\":{}}}",
            json_string(&c.name),
            json_string(&file),
            json_string(c.code.as_str())
        ));
    }
    let manifest = format!("[\n{}\n]\n", entries.join(",\n"));
    std::fs::write(dir.join("manifest.json"), manifest).expect("write the manifest");
    // And the valid files, as seeds for the fuzzer (scripts/fuzz.sh).
    let valid = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("valid-images");
    std::fs::create_dir_all(&valid).expect("create the valid-images directory");
    for (format, bytes) in valid_files() {
        std::fs::write(valid.join(format!("valid.{format}")), bytes).expect("write a valid file");
    }
    assert_eq!(std::fs::read_dir(&dir).expect("read back").count(), entries.len() + 1);
}
