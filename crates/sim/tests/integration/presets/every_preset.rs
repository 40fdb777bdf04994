//! Every preset: the registry matches `presets/`, every file is well formed, and every model
//! of every preset runs to the end, the same way twice.

use std::collections::BTreeSet;

use whenasync_sim::{presets, simulate, Scenario};

use super::helpers::{load, presets_dir};

/// The registry and the `presets/` directory agree, name for name, and the gallery has every
/// preset the product links to.
#[test]
fn registry_matches_preset_files() {
    let files: BTreeSet<String> = std::fs::read_dir(presets_dir())
        .expect("presets/ directory")
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.strip_suffix(".json").map(str::to_string)
        })
        .collect();
    let registered: Vec<&str> = presets::names().collect();
    let unique: BTreeSet<String> = registered.iter().map(|n| n.to_string()).collect();
    assert_eq!(
        unique.len(),
        registered.len(),
        "a preset is registered twice"
    );
    assert_eq!(unique, files, "presets/*.json and presets::PRESETS differ");
    for linked in [
        "gather-10-queries",
        "dashboard-gather",
        "cpu-in-async-handler",
        "time-sleep-in-async",
        "sync-db-in-async-route",
        "offload-to-thread",
        "cpu-threads-gil",
        "cpu-process-pool",
        "async-overhead-cpu",
        "c10k-slow-requests",
        "uvicorn-workers",
        "wait-timeout-cancel",
        "pbkdf2-releases-gil",
        "gil-convoy",
        "sync-crud-is-fine",
    ] {
        assert!(unique.contains(linked), "preset {linked:?} is missing");
    }
    // The compiled-in text is the file on disk.
    for (name, json) in presets::PRESETS {
        let on_disk = std::fs::read_to_string(presets_dir().join(format!("{name}.json")))
            .expect("preset file");
        assert_eq!(
            *json, on_disk,
            "{name}: compiled-in text differs from the file"
        );
    }
}

/// Every preset parses, validates, is named after its file, says what it shows, and survives a
/// round trip through the file format.
#[test]
fn every_preset_is_well_formed() {
    for (name, json) in presets::PRESETS {
        let sc = Scenario::from_json(json).unwrap_or_else(|e| panic!("{name}: {e}"));
        whenasync_sim::validate(&sc).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            sc.name, *name,
            "{name}: the name field differs from the file name"
        );
        let title = sc.title.trim();
        assert!(!title.is_empty(), "{name}: no title");
        assert!(
            title.chars().count() <= 70,
            "{name}: title too long for a card: {title:?}"
        );
        assert!(!sc.description.trim().is_empty(), "{name}: no description");
        assert!(!sc.claim.trim().is_empty(), "{name}: no claim");
        assert!(
            sc.claim.chars().any(|c| c.is_ascii_digit()),
            "{name}: the claim should carry its numbers"
        );
        assert!(
            sc.models.len() >= 2,
            "{name}: a preset compares at least two models"
        );
        let again = Scenario::from_json(&sc.to_json()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(again, sc, "{name}: does not survive a round trip");
    }
}

/// Every preset runs each of its models to the end: no error, no unfinished task, every task
/// accounted for, and the same run twice.
#[test]
fn every_preset_runs_every_model() {
    for sc in presets::all() {
        let runs = simulate(&sc).unwrap_or_else(|e| panic!("{}: {e}", sc.name));
        assert_eq!(runs.len(), sc.models.len(), "{}", sc.name);
        let count = u64::from(sc.workload.arrivals.count());
        for (run, model) in runs.iter().zip(&sc.models) {
            let s = &run.summary;
            assert_eq!(run.model, model.label(), "{}", sc.name);
            assert_eq!(
                s.unfinished, 0,
                "{} / {}: unfinished tasks",
                sc.name, run.model
            );
            assert_eq!(
                s.completed + s.cancelled + s.timed_out,
                count,
                "{} / {}",
                sc.name,
                run.model
            );
            assert!(s.makespan > 0, "{} / {}", sc.name, run.model);
        }
    }
    // Runs are deterministic (checked on the presets small enough to run twice cheaply).
    for name in [
        "gather-10-queries",
        "cpu-in-async-handler",
        "wait-timeout-cancel",
        "gil-convoy",
    ] {
        let sc = load(name);
        assert_eq!(simulate(&sc), simulate(&sc), "{name}: two runs differ");
    }
}
