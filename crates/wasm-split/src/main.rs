//! `whenasync-wasm-split IN.wasm OUT_DIR MAIN_MODULE`: splits cargo's wasm into OUT_DIR (see
//! the library) and prints the main module's path, for wasm-bindgen. `scripts/wasm-bindgen`
//! runs it.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, out_dir, main_module] = args.as_slice() else {
        eprintln!("usage: whenasync-wasm-split IN.wasm OUT_DIR ./GLUE.js");
        return ExitCode::from(2);
    };
    let wasm = match std::fs::read(input) {
        Ok(wasm) => wasm,
        Err(err) => {
            eprintln!("whenasync-wasm-split: cannot read {input}: {err}");
            return ExitCode::FAILURE;
        }
    };
    match whenasync_wasm_split::split(&wasm, out_dir.as_ref(), main_module) {
        Ok(split) => {
            println!("{}", split.main.display());
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("whenasync-wasm-split: {input}: {err}");
            ExitCode::FAILURE
        }
    }
}
