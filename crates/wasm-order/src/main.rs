//! `whenasync-wasm-order IN.wasm OUT.wasm`: writes IN with every function named by its place in
//! likeness order (see the library). The page's build runs it between two wasm-opt passes
//! (`scripts/trunk-post-build.sh`).

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, output] = args.as_slice() else {
        eprintln!("usage: whenasync-wasm-order IN.wasm OUT.wasm");
        return ExitCode::from(2);
    };
    let wasm = match std::fs::read(input) {
        Ok(wasm) => wasm,
        Err(err) => {
            eprintln!("whenasync-wasm-order: cannot read {input}: {err}");
            return ExitCode::FAILURE;
        }
    };
    let named = match whenasync_wasm_order::name_by_likeness(&wasm) {
        Ok(named) => named,
        Err(err) => {
            eprintln!("whenasync-wasm-order: {input} is not a wasm module we can read: {err}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(err) = std::fs::write(output, named) {
        eprintln!("whenasync-wasm-order: cannot write {output}: {err}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
