//! The naming of a build's files, and refusals. (The split itself is the page's: the
//! end-to-end suite loads its chunks in Chromium, web/e2e/deferred.test.mjs.)

use super::*;

#[test]
fn a_chunk_is_renamed_once_in_the_loader() {
    let js =
        "const a = makeLoad(() => fetch(new URL(\"./split_editor.wasm\", import.meta.url)));\n\
              const b = makeLoad(() => fetch(new URL(\"./chunk_2.wasm\", import.meta.url)));";
    let (js, path) =
        with_build_id(js, Path::new("out/split_editor.wasm"), "0123abcd").expect("renamed");
    assert_eq!(path, Path::new("out/split_editor-0123abcd.wasm"));
    assert!(js.contains("\"./split_editor-0123abcd.wasm\""));
    assert!(
        js.contains("\"./chunk_2.wasm\""),
        "another chunk is untouched"
    );
    assert!(!js.contains("\"./split_editor.wasm\""));
}

#[test]
fn a_chunk_the_loader_does_not_name_once_is_refused() {
    let twice = "\"./chunk_1.wasm\" \"./chunk_1.wasm\"";
    let err = with_build_id(twice, Path::new("chunk_1.wasm"), "00").expect_err("twice");
    assert!(err.contains("2 times"), "{err}");
    let err = with_build_id("", Path::new("chunk_1.wasm"), "00").expect_err("absent");
    assert!(err.contains("0 times"), "{err}");
    // A prefix of another chunk's name is not that chunk.
    let err =
        with_build_id("\"./chunk_10.wasm\"", Path::new("chunk_1.wasm"), "00").expect_err("prefix");
    assert!(err.contains("0 times"), "{err}");
}

#[test]
fn the_build_id_follows_the_bytes() {
    let a = build_id(b"\0asm one build");
    assert_eq!(a.len(), 16);
    assert!(a.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(
        a,
        build_id(b"\0asm one build"),
        "the same bytes, the same id"
    );
    assert_ne!(a, build_id(b"\0asm another build"));
}

#[test]
fn split_points_are_found_by_their_placeholder_import() {
    let mut wasm = b"\0asm\x01\0\0\0 ... ".to_vec();
    assert!(!has_split_points(&wasm));
    wasm.extend_from_slice(PLACEHOLDER_MODULE.as_bytes());
    assert!(has_split_points(&wasm));
}

#[test]
fn what_is_not_wasm_is_refused_and_the_directory_left_usable() {
    let dir = std::env::temp_dir().join(format!("whenasync-wasm-split-{}", std::process::id()));
    let err = split(b"not wasm", &dir, "./main.js").expect_err("not wasm");
    assert!(err.contains("splitter"), "{err}");
    assert!(dir.is_dir());
    let _ = std::fs::remove_dir_all(&dir);
}
