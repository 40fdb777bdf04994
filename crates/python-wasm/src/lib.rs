//! The playground's Python writer, built as a wasm module of its own.
//!
//! The runnable program of a scenario (`whenasync python`, [`whenasync_sim::python`]) is
//! 16 KiB of gzipped wasm that only the "Python" dialog needs, so the page does not carry it.
//! The first time the dialog opens, the page starts one Web Worker on its usual script
//! (`web/whenasync-worker.js`), which imports this module's glue (`whenasync-python.js`) and
//! calls its `whenasync_serve_worker` (`serve`, in wasm builds). The exchange:
//!
//! ```text
//!   page (crates/app/src/python_panel/writer.rs)      worker (this crate)
//!     { glue, module }                           ──▶ instantiates this module, serve()
//!                                                ◀── { ready: true }
//!     { id, scenario: JSON, model: index }       ──▶ write()
//!                                                ◀── { id, program } or { id, error }
//! ```
//!
//! [`write()`] is plain Rust, tested natively; `serve` is the thin wasm glue around it.

use whenasync_sim::{python, validate, Scenario};

/// The program of model `model` (an index into the scenario's models) of the scenario in
/// `scenario` (its JSON, as [`Scenario::to_json`] writes it), or why there is none.
pub fn write(scenario: &str, model: usize) -> Result<String, String> {
    let scenario = Scenario::from_json(scenario).map_err(|e| e.to_string())?;
    let checked = validate(&scenario).map_err(|e| e.to_string())?;
    let model = checked
        .scenario
        .models
        .get(model)
        .ok_or_else(|| format!("the scenario has no model {model}"))?;
    Ok(python::program(&checked, model))
}

#[cfg(target_arch = "wasm32")]
mod shell;
#[cfg(target_arch = "wasm32")]
pub use shell::serve;

#[cfg(test)]
mod tests {
    use super::*;
    use whenasync_sim::presets;

    #[test]
    fn writes_what_the_command_line_writes() {
        let scenario = presets::get("cpu-threads-gil")
            .expect("preset")
            .expect("parses");
        let checked = validate(&scenario).expect("valid");
        for (index, model) in checked.scenario.models.iter().enumerate() {
            let program = write(&scenario.to_json(), index).expect("a program");
            assert_eq!(program, python::program(&checked, model), "model {index}");
        }
    }

    #[test]
    fn says_why_there_is_no_program() {
        assert!(write("{", 0).is_err());
        let json = presets::get("gather-10-queries")
            .expect("preset")
            .expect("parses")
            .to_json();
        let why = write(&json, 99).expect_err("no such model");
        assert_eq!(why, "the scenario has no model 99");
        let newer = write(r#"{"version": 99}"#, 0).expect_err("a newer format");
        assert!(newer.contains("version"), "{newer}");
    }
}
