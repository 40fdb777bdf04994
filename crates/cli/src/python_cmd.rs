//! `whenasync python`: the equivalent runnable Python program of a scenario under one model.

use clap::Args;
use whenasync_sim::{python, validate};

use crate::{load, select, Fail};

/// Arguments of `whenasync python`.
#[derive(Args)]
pub struct PythonArgs {
    /// A scenario file (`.json`) or a preset name.
    scenario: String,
    /// The model: a family (`sync`, `async`, `threads`, `processes`, `server`) or a label
    /// like `threads(8)`; it must name one model.
    #[arg(long)]
    model: String,
    /// Override the scenario's seed.
    #[arg(long)]
    seed: Option<u64>,
    /// Override the machine's cores (the program pins itself to that many CPUs).
    #[arg(long)]
    cores: Option<u32>,
    /// Write the program to this file instead of stdout.
    #[arg(short, long)]
    output: Option<String>,
}

/// Prints (or writes) the program.
pub fn run(args: PythonArgs) -> Result<(), Fail> {
    let mut sc = load(&args.scenario)?;
    if let Some(seed) = args.seed {
        sc.seed = seed;
    }
    if let Some(cores) = args.cores {
        sc.machine.cores = cores;
    }
    let ck = validate(&sc)?;
    // An exact label wins over a family (`async` when there is also `async(limit 4)`).
    let models = match ck.scenario.models.iter().find(|m| m.label() == args.model) {
        Some(m) => vec![m.clone()],
        None => select(&ck, &args.model)?,
    };
    let [model] = models.as_slice() else {
        let labels: Vec<String> = models.iter().map(|m| m.label()).collect();
        return Err(Fail(format!(
            "--model {:?} matches {} models ({}); name one",
            args.model,
            models.len(),
            labels.join(", ")
        )));
    };
    let text = python::program(&ck, model);
    match args.output {
        Some(path) => {
            std::fs::write(&path, text).map_err(|e| Fail(format!("cannot write {path}: {e}")))
        }
        None => {
            print!("{text}");
            Ok(())
        }
    }
}
