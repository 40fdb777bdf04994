//! Tidy: invariants of the codebase itself, checked rather than hoped for.

use std::path::Path;

/// The dependencies named in the `[dependencies]` section of `crate_dir`'s manifest.
fn dependencies(crate_dir: &Path) -> Vec<String> {
    let manifest = std::fs::read_to_string(crate_dir.join("Cargo.toml")).expect("manifest");
    let deps = manifest
        .split("[dependencies]")
        .nth(1)
        .expect("deps")
        .split("\n[")
        .next()
        .expect("section")
        .to_string();
    deps.lines()
        .filter_map(|l| l.split('=').next())
        .map(str::trim)
        .filter(|n| !n.is_empty() && !n.starts_with('#'))
        .map(String::from)
        .collect()
}

/// The simulator and its scenario format stay pure: no web, wasm, clock, I/O or async
/// dependencies.
#[test]
fn core_dependencies_are_minimal() {
    let sim = Path::new(env!("CARGO_MANIFEST_DIR"));
    assert_eq!(
        dependencies(sim),
        [
            "whenasync-scenario",
            "serde",
            "serde_json",
            "libm",
            "rand_pcg",
            "rand_core"
        ],
        "new core dependency: justify it in ARCHITECTURE.md and here"
    );
    assert_eq!(
        dependencies(&sim.join("../scenario")),
        ["serde", "serde_json", "libm"],
        "new dependency of the scenario format: justify it in ARCHITECTURE.md and here"
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

/// The simulator and its scenario format never read the clock or the environment.
#[test]
fn simulator_reads_no_clock() {
    let sim = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut stack = vec![sim.join("src"), sim.join("../scenario/src")];
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
