//! The page's build (the `split` feature) links the app's wasm with the linker's relocations
//! kept: the splitter needs them to cut the chunks out (crates/wasm-split). Only this binary:
//! the Python writer's module and the tests are linked as usual.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let split = std::env::var_os("CARGO_FEATURE_SPLIT").is_some();
    let wasm = std::env::var("CARGO_CFG_TARGET_ARCH").is_ok_and(|a| a == "wasm32");
    if split && wasm {
        println!("cargo::rustc-link-arg-bins=--emit-relocs");
    }
}
