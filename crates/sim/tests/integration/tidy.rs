//! Tidy: invariants of the codebase itself, checked rather than hoped for.

use std::path::Path;

/// The simulator stays pure: no web, wasm, clock, I/O or async dependencies.
#[test]
fn core_dependencies_are_minimal() {
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
            .expect("manifest");
    let deps = manifest
        .split("[dependencies]")
        .nth(1)
        .expect("deps")
        .split("\n[")
        .next()
        .expect("section");
    let names: Vec<&str> = deps
        .lines()
        .filter_map(|l| l.split('=').next())
        .map(str::trim)
        .filter(|n| !n.is_empty() && !n.starts_with('#'))
        .collect();
    assert_eq!(
        names,
        ["serde", "serde_json", "libm", "rand_pcg", "rand_core"],
        "new core dependency: justify it in ARCHITECTURE.md and here"
    );
}

/// Every source file opens with a `//!` line saying why it exists.
#[test]
fn every_file_says_why_it_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut missing = Vec::new();
    let mut stack = vec![root.join("crates")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("read");
                if !text.trim_start().starts_with("//!") {
                    missing.push(path.display().to_string());
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "files without a //! header: {missing:?}"
    );
}

/// The simulator never reads the clock or the environment.
#[test]
fn simulator_reads_no_clock() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut stack = vec![src];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let text = std::fs::read_to_string(&path).expect("read");
                for banned in [
                    "std::time",
                    "Instant::now",
                    "SystemTime",
                    "std::env",
                    "std::fs",
                    "HashMap",
                    "HashSet",
                ] {
                    assert!(!text.contains(banned), "{} uses {banned}", path.display());
                }
            }
        }
    }
}
