//! The format documentation and its examples: `examples/*.json` run and the scenarios in
//! `docs/scenario-format.md` parse.

use std::path::Path;

use whenasync_sim::{simulate, Scenario};

/// Every `examples/*.json` the format documentation points at parses, validates and runs.
#[test]
fn example_files_run() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir)
        .expect("examples/ directory")
        .flatten()
    {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read example");
        let sc = Scenario::from_json(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned());
        assert_eq!(
            Some(sc.name.clone()),
            stem,
            "{}: name differs from the file name",
            path.display()
        );
        assert!(
            !sc.description.is_empty(),
            "{}: say what it shows",
            path.display()
        );
        for run in simulate(&sc).unwrap_or_else(|e| panic!("{}: {e}", path.display())) {
            assert_eq!(
                run.summary.unfinished,
                0,
                "{} / {}",
                path.display(),
                run.model
            );
        }
        n += 1;
    }
    assert!(n >= 2, "the format documentation needs its examples");
}

/// Every complete scenario in `docs/scenario-format.md` (a ```json block with a `version`)
/// parses and validates, so the documentation cannot drift from the format.
#[test]
fn documented_scenarios_parse() {
    let doc = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/scenario-format.md"),
    )
    .expect("docs/scenario-format.md");
    let mut n = 0;
    for block in doc.split("```json").skip(1) {
        let body = block.split("```").next().unwrap_or_default();
        if !body.contains("\"version\"") {
            continue; // a fragment, such as the `pools` object
        }
        let sc = Scenario::from_json(body)
            .unwrap_or_else(|e| panic!("documented scenario: {e}\n{body}"));
        whenasync_sim::validate(&sc).unwrap_or_else(|e| panic!("documented scenario: {e}\n{body}"));
        n += 1;
    }
    assert!(n >= 2, "the two worked examples");
}
