//! `whenasync`: the simulator on the command line. Run a scenario file or preset, print a
//! summary with insights or JSON, export a Perfetto trace or CSV, and benchmark the engine.

mod bench;
mod fidelity;
mod python_cmd;
mod report;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use whenasync_sim::{
    presets, simulate_model, validate, Checked, Model, Run, Scenario, ScenarioError,
};

#[derive(Parser)]
#[command(
    name = "whenasync",
    version,
    about = "Sync or async? Simulate how CPython runs a task mix."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the presets: name and title.
    Presets,
    /// Simulate a scenario file or preset and print a summary with insights.
    Run {
        /// A scenario file (`.json`) or a preset name.
        scenario: String,
        /// sync, async, threads, processes, server, all (default), or a label like `threads(8)`.
        #[arg(long, default_value = "all")]
        model: String,
        /// Print JSON instead of the readable summary.
        #[arg(long)]
        json: bool,
        /// Override the scenario's seed.
        #[arg(long)]
        seed: Option<u64>,
    },
    /// Write a Chrome trace-event JSON of one model's run (opens in Perfetto UI).
    Trace {
        /// A scenario file or preset name.
        scenario: String,
        /// The model to trace.
        #[arg(long)]
        model: String,
        /// Output file.
        #[arg(short, long)]
        output: String,
    },
    /// Write per-task records of one model's run as CSV (stdout, or `-o`).
    Csv {
        /// A scenario file or preset name.
        scenario: String,
        /// The model.
        #[arg(long)]
        model: String,
        /// Output file.
        #[arg(short, long)]
        output: Option<String>,
    },
    /// Print the equivalent runnable Python program of one model (Python 3.11+, stdlib only).
    Python(python_cmd::PythonArgs),
    /// Run every preset's programs under the local python3 and compare with the simulator.
    Fidelity(fidelity::FidelityArgs),
    /// Benchmark the engine: events per second and peak memory.
    Bench {
        /// Requests in the benchmark scenario.
        #[arg(long, default_value_t = 100_000)]
        tasks: u32,
        /// Repetitions (the best is reported).
        #[arg(long, default_value_t = 3)]
        repeat: u32,
        /// Time only the figures-only run (for profiling it).
        #[arg(long)]
        figures_only: bool,
    },
}

/// A failure to report: one line, exit code 2.
struct Fail(String);

impl From<ScenarioError> for Fail {
    fn from(e: ScenarioError) -> Self {
        Fail(e.to_string())
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Fail(msg)) => {
            eprintln!("whenasync: {msg}");
            ExitCode::from(2)
        }
    }
}

fn run(cmd: Command) -> Result<(), Fail> {
    match cmd {
        Command::Presets => {
            for sc in presets::all() {
                println!("{:<24} {}", sc.name, sc.title);
            }
            Ok(())
        }
        Command::Run {
            scenario,
            model,
            json,
            seed,
        } => {
            let mut sc = load(&scenario)?;
            if let Some(seed) = seed {
                sc.seed = seed;
            }
            let ck = validate(&sc)?;
            let runs = runs_for(&ck, &model)?;
            let verdict = whenasync_sim::insights::verdict(&runs, &ck);
            if json {
                let v = whenasync_sim::export::runs_json(&runs, verdict.as_deref());
                println!(
                    "{}",
                    serde_json::to_string_pretty(&v).map_err(|e| Fail(e.to_string()))?
                );
            } else {
                print!("{}", report::text(&ck, &runs, verdict.as_deref()));
            }
            Ok(())
        }
        Command::Trace {
            scenario,
            model,
            output,
        } => {
            let run = one_run(&scenario, &model)?;
            let trace = whenasync_sim::export::chrome_trace(&run);
            std::fs::write(&output, trace)
                .map_err(|e| Fail(format!("cannot write {output}: {e}")))?;
            eprintln!(
                "wrote {output}: {} slices on {} lanes; open it at ui.perfetto.dev",
                run.segments.len(),
                run.lanes.len()
            );
            Ok(())
        }
        Command::Csv {
            scenario,
            model,
            output,
        } => {
            let run = one_run(&scenario, &model)?;
            let csv = whenasync_sim::export::tasks_csv(&run);
            match output {
                Some(path) => std::fs::write(&path, csv)
                    .map_err(|e| Fail(format!("cannot write {path}: {e}")))?,
                None => print!("{csv}"),
            }
            Ok(())
        }
        Command::Python(args) => python_cmd::run(args),
        Command::Fidelity(args) => fidelity::run(args),
        Command::Bench {
            tasks,
            repeat,
            figures_only,
        } => bench::run(tasks, repeat.max(1), !figures_only).map_err(Fail::from),
    }
}

/// Reads a scenario file, or a preset when no such file exists and the name is a preset.
fn load(arg: &str) -> Result<Scenario, Fail> {
    let path = std::path::Path::new(arg);
    if path.exists() {
        let text =
            std::fs::read_to_string(path).map_err(|e| Fail(format!("cannot read {arg}: {e}")))?;
        return Scenario::from_json(&text).map_err(|e| Fail(format!("{arg}: {e}")));
    }
    match presets::get(arg) {
        Some(sc) => Ok(sc?),
        None => Err(Fail(format!(
            "no scenario file or preset named {arg:?}; presets: {}",
            presets::names().collect::<Vec<_>>().join(", ")
        ))),
    }
}

/// The models selected by `--model`: a family picks the scenario's models of that family (or a
/// sensible default when it has none), `all` picks every model, a label picks that one.
fn select(ck: &Checked, which: &str) -> Result<Vec<Model>, Fail> {
    let models = &ck.scenario.models;
    if which == "all" {
        return Ok(models.clone());
    }
    let by_family: Vec<Model> = models
        .iter()
        .filter(|m| m.family() == which)
        .cloned()
        .collect();
    if !by_family.is_empty() {
        return Ok(by_family);
    }
    if let Some(m) = models.iter().find(|m| m.label() == which) {
        return Ok(vec![m.clone()]);
    }
    let cores = ck.scenario.machine.cores;
    let default = match which {
        "sync" => Model::Sync,
        "async" => Model::Async { limit: None },
        "threads" => Model::Threads {
            workers: (cores + 4).min(32),
        },
        "processes" => Model::Processes {
            workers: cores,
            start: Default::default(),
        },
        "server" => Model::Server {
            workers: cores,
            inner: Box::new(Model::Async { limit: None }),
        },
        _ => {
            let labels: Vec<String> = models.iter().map(|m| m.label()).collect();
            return Err(Fail(format!(
                "unknown model {which:?}: use sync, async, threads, processes, server, all, or one of {}",
                labels.join(", ")
            )));
        }
    };
    Ok(vec![default])
}

fn runs_for(ck: &Checked, which: &str) -> Result<Vec<Run>, Fail> {
    select(ck, which)?
        .iter()
        .map(|m| simulate_model(ck, m).map_err(Fail::from))
        .collect()
}

fn one_run(scenario: &str, model: &str) -> Result<Run, Fail> {
    let ck = validate(&load(scenario)?)?;
    let mut runs = runs_for(&ck, model)?;
    if runs.len() != 1 {
        return Err(Fail(format!(
            "--model {model:?} matches {} models; name one, like {}",
            runs.len(),
            runs[0].model
        )));
    }
    Ok(runs.remove(0))
}
