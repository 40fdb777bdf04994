//! Tests of the pure edits: lists found by path and named like the validator, conversions that
//! keep what carries over and still validate, moves, parsing, and error messages.

use super::*;
use whenasync_sim::scenario::{Offload, Repeat};
use whenasync_sim::{presets, validate, Dist, Dur, Scenario, ScenarioError, Step, MS};

fn dashboard() -> Scenario {
    Scenario::from_json(
        r#"{"version":1,"workload":{"classes":[{"name":"a","steps":[
            {"cpu":"1ms"},
            {"gather":[[{"io":"30ms"}],[{"io":"80ms"},{"offload":{"steps":[{"cpu":"2ms"}]}}]]},
            {"repeat":{"times":3,"steps":[{"io":{"exp":"5ms"}}]}}
        ]}],"arrivals":{"burst":{"count":2}}}}"#,
    )
    .expect("parses")
}

#[test]
fn lists_are_found_by_path_and_named_like_the_validator() {
    let mut s = dashboard();
    let top = ListAt::class(0);
    assert_eq!(top.get(&s).map(Vec::len), Some(3));
    let branch = top.child(Hop::Gather(1, 1));
    assert_eq!(branch.get(&s).map(Vec::len), Some(2));
    let off = branch.child(Hop::Offload(1));
    assert_eq!(
        off.get(&s),
        Some(&vec![Step::Cpu(Dist::Fixed(Dur(2 * MS)))])
    );
    assert_eq!(
        off.step_field(0),
        "workload.classes[0].steps[1].gather[1][1].offload.steps[0]"
    );
    assert_eq!(off.dom(), "c0-g1x1-o1");
    assert_eq!(off.step_name(0), "step 2.b2.2.1");
    assert_eq!(off.describe(), "Steps inside step 2.b2.2");
    assert_eq!(branch.describe(), "Steps inside step 2 (branch 2)");
    assert_eq!(
        top.child(Hop::Repeat(2)).field(),
        "workload.classes[0].steps[2].repeat.steps"
    );
    // Wrong hops find nothing rather than the wrong list.
    assert_eq!(top.child(Hop::Offload(0)).get(&s), None);
    assert_eq!(ListAt::class(3).get(&s), None);

    // The validator names the same path.
    off.get_mut(&mut s).expect("exists")[0] = Step::Cpu(Dist::Uniform(Dur(3 * MS), Dur(MS)));
    let err = validate(&s).expect_err("reversed bounds");
    let (field, problem) = error_parts(&err);
    assert_eq!(field, format!("{}.cpu", off.step_field(0)));
    assert!(problem.contains("reversed"), "{problem}");
}

#[test]
fn steps_convert_keeping_what_carries_over() {
    let io = Step::Io(Dist::Exp(Dur(20 * MS)));
    assert_eq!(
        convert_step(&io, StepKind::BlockingIo),
        Step::BlockingIo(Dist::Exp(Dur(20 * MS)))
    );
    let off = convert_step(&io, StepKind::Offload);
    assert_eq!(
        off,
        Step::Offload(Offload {
            pool: "default".into(),
            steps: vec![io.clone()]
        })
    );
    assert_eq!(
        convert_step(&off, StepKind::Cpu),
        Step::Cpu(Dist::Exp(Dur(20 * MS)))
    );
    let g = convert_step(&io, StepKind::Gather);
    assert_eq!(g, Step::Gather(vec![vec![io.clone()], vec![io.clone()]]));
    let r = convert_step(&g, StepKind::Repeat);
    assert_eq!(
        r,
        Step::Repeat(Repeat {
            times: 2,
            steps: vec![io.clone()]
        })
    );
    // Every conversion of every preset's steps still validates.
    for preset in presets::all() {
        for kind in StepKind::ALL {
            let mut s = preset.clone();
            let steps = &mut s.workload.classes[0].steps;
            steps[0] = convert_step(&steps[0], kind);
            validate(&s).unwrap_or_else(|e| panic!("{} as {kind:?}: {e}", preset.name));
        }
    }
}

#[test]
fn distributions_convert_around_the_same_value() {
    let f = Dist::Fixed(Dur(10 * MS));
    assert_eq!(
        convert_dist(&f, DistKind::Uniform),
        Dist::Uniform(Dur(5 * MS), Dur(15 * MS))
    );
    let ln = convert_dist(&f, DistKind::LogNormal);
    assert_eq!(central(&ln), Dur(10 * MS));
    assert_eq!(convert_dist(&ln, DistKind::Exp), Dist::Exp(Dur(10 * MS)));
    assert_eq!(central(&Dist::Uniform(Dur(3), Dur(4))), Dur(3));
    assert_eq!(central(&Dist::Uniform(Dur(3), Dur(5))), Dur(4));
    for k in DistKind::ALL {
        assert_eq!(DistKind::from_key(k.key()), Some(k));
    }
    for k in StepKind::ALL {
        assert_eq!(StepKind::from_key(k.key()), Some(k));
    }
}

#[test]
fn moves_rotate_and_refuse_out_of_range() {
    let mut v = vec![0, 1, 2, 3];
    assert!(move_item(&mut v, 0, 2));
    assert_eq!(v, [1, 2, 0, 3]);
    assert!(move_item(&mut v, 3, 0));
    assert_eq!(v, [3, 1, 2, 0]);
    assert!(!move_item(&mut v, 0, 4));
    assert!(!move_item(&mut v, 1, 1));
}

#[test]
fn numbers_parse_with_clear_messages() {
    assert_eq!(parse_count("1_000"), Ok(1000));
    assert_eq!(parse_count(" 10,000 "), Ok(10_000));
    assert_eq!(
        parse_count("abc"),
        Err("\"abc\" is not a whole number".into())
    );
    assert_eq!(parse_count(""), Err("enter a whole number".into()));
    assert!(parse_u32("5000000000").is_err());
    assert_eq!(parse_number("0.5"), Ok(0.5));
    assert!(parse_number("nan").is_err());
    assert_eq!(number_text(1.0), "1");
    assert_eq!(number_text(0.25), "0.25");
    assert_eq!(dur_text(Dur(2_500_000)), "2.5ms");
}

#[test]
fn too_big_errors_read_well_next_to_their_field() {
    let e = ScenarioError::TooBig {
        field: "workload.classes[0].steps (steps in one class)".into(),
        value: 300,
        limit: 256,
    };
    assert_eq!(
        error_parts(&e),
        (
            "workload.classes[0].steps".into(),
            "300 (steps in one class) is over the limit of 256".into()
        )
    );
}
