//! Splits the page's wasm, as cargo links it, into the module the page loads and chunks it
//! loads on first use.
//!
//! The app marks its split points with `wasm_split_helpers` (crates/app/src/deferred.rs): each
//! marked function becomes an import from a placeholder module. [`split`] runs the splitter
//! (`wasm_split_cli_support`, the one `cargo leptos --split` runs) on cargo's output, which must
//! be linked with `--emit-relocs`, and names its files for the build:
//!
//! ```text
//! cargo's wasm ──split──▶ main.wasm ──wasm-bindgen──▶ the page's wasm and JS glue
//!                   ├───▶ __wasm_split-<build>.js   imported by the glue; loads the chunks
//!                   └───▶ <chunk>-<build>.wasm      fetched by that JS, beside it
//! ```
//!
//! `<build>` is a hash of cargo's wasm: every file of one build carries it, so a browser never
//! pairs a cached chunk with another build's page. (`scripts/wasm-bindgen` runs this; the page
//! build's post-build hook ships the files.)

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// The module the split points import from until the splitter resolves them. A wasm that still
/// imports it cannot be instantiated: it was built with split points but not split.
pub const PLACEHOLDER_MODULE: &str = "__wasm_split_placeholder__";

/// Whether `wasm` has split points left to split (it imports from [`PLACEHOLDER_MODULE`]).
pub fn has_split_points(wasm: &[u8]) -> bool {
    let needle = PLACEHOLDER_MODULE.as_bytes();
    wasm.windows(needle.len()).any(|w| w == needle)
}

/// The hash that names one build's files: the first 16 hex digits of cargo's wasm's SHA-256.
pub fn build_id(wasm: &[u8]) -> String {
    Sha256::digest(wasm)
        .iter()
        .take(8)
        .fold(String::with_capacity(16), |mut id, b| {
            let _ = write!(id, "{b:02x}");
            id
        })
}

/// What [`split`] wrote.
#[derive(Debug)]
pub struct Split {
    /// The main module, for wasm-bindgen.
    pub main: PathBuf,
    /// The JS that loads the chunks (`__wasm_split-<build>.js`): the glue imports it from
    /// beside itself.
    pub loader: PathBuf,
    /// The chunks (`<chunk>-<build>.wasm`), which the loader fetches from beside itself.
    pub chunks: Vec<PathBuf>,
}

/// Splits `wasm` into `out_dir` (emptied first). `main_module` is the path by which the loader
/// imports wasm-bindgen's JS glue, relative to itself: `./<out-name>.js`.
pub fn split(wasm: &[u8], out_dir: &Path, main_module: &str) -> Result<Split, String> {
    if out_dir.exists() {
        std::fs::remove_dir_all(out_dir)
            .map_err(|e| format!("cannot empty {}: {e}", out_dir.display()))?;
    }
    std::fs::create_dir_all(out_dir)
        .map_err(|e| format!("cannot create {}: {e}", out_dir.display()))?;
    let id = build_id(wasm);
    let link_name = format!("./__wasm_split-{id}.js");
    let main = out_dir.join("main.wasm");
    let done = wasm_split_cli_support::transform({
        let mut opts = wasm_split_cli_support::Options::new(wasm);
        opts.output_dir = out_dir;
        opts.main_out_path = &main;
        opts.main_module = main_module;
        opts.link_name = &link_name;
        opts
    })
    .map_err(|e| format!("the splitter failed: {e:#}"))?;
    let loader = out_dir.join(&link_name[2..]);
    let mut js = std::fs::read_to_string(&loader)
        .map_err(|e| format!("cannot read the splitter's {}: {e}", loader.display()))?;
    let mut chunks = Vec::new();
    for path in done.split_modules {
        let (next, renamed) = with_build_id(&js, &path, &id)?;
        std::fs::rename(&path, &renamed)
            .map_err(|e| format!("cannot rename {}: {e}", path.display()))?;
        js = next;
        chunks.push(renamed);
    }
    std::fs::write(&loader, js).map_err(|e| format!("cannot write {}: {e}", loader.display()))?;
    Ok(Split {
        main,
        loader,
        chunks,
    })
}

/// The loader's JS with the chunk at `path` named `<stem>-<id>.wasm`, and that new path. The
/// loader names each chunk exactly once, as `"./<stem>.wasm"`; anything else is an error.
pub fn with_build_id(js: &str, path: &Path, id: &str) -> Result<(String, PathBuf), String> {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .ok_or_else(|| format!("a chunk without a name: {}", path.display()))?;
    let old = format!("\"./{stem}.wasm\"");
    let new_name = format!("{stem}-{id}.wasm");
    match js.matches(&old).count() {
        1 => Ok((
            js.replacen(&old, &format!("\"./{new_name}\""), 1),
            path.with_file_name(new_name),
        )),
        n => Err(format!(
            "the loader names the chunk {old} {n} times, not once: the splitter's output changed"
        )),
    }
}

#[cfg(test)]
mod tests;
