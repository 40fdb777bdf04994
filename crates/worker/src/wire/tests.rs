//! Tests of the wire format: every preset's run survives the trip, whole or a slice at a
//! time, and damaged bytes are an error, never a panic.

use super::decoder::static_str;
use super::*;
use whenasync_sim::{presets, simulate, Kind};

#[test]
fn a_task_claiming_a_kind_that_does_not_exist_is_an_error() {
    let mut scenario = presets::bench_scenario(3);
    scenario.models.truncate(1);
    let run = simulate(&scenario).expect("simulates").remove(0);
    let mut bytes = encode(&run);
    // The last task's record: its head, then its mask (two bytes), then its times.
    let times = run.tasks[2]
        .time_by_kind
        .iter()
        .filter(|v| **v != 0)
        .count();
    let mask_at = bytes.len() - 8 * times - 2;
    bytes[mask_at + 1] |= 0x80;
    let e = decode(&bytes).expect_err("kind 15 does not exist");
    assert!(e.0.contains("bad task record"), "{e}");
}

#[test]
fn every_preset_run_survives_the_trip() {
    for scenario in presets::all() {
        for run in simulate(&scenario).expect("presets simulate") {
            let bytes = encode(&run);
            assert_eq!(decode(&bytes).as_ref(), Ok(&run), "{}", scenario.name);
        }
    }
}

#[test]
fn a_cut_trace_survives_the_trip() {
    let ck = whenasync_sim::validate(&presets::bench_scenario(2_000)).expect("valid");
    let model = &ck.scenario.models[0];
    let run =
        whenasync_sim::simulate_model_within(&ck, model, 1_000, &mut |_| {}).expect("simulates");
    assert!(run.trace_end.is_some());
    assert_eq!(decode(&encode(&run)).as_ref(), Ok(&run));
}

#[test]
fn kinds_are_encoded_by_their_legend_index() {
    for (i, kind) in Kind::ALL.iter().enumerate() {
        assert_eq!(*kind as usize, i);
    }
}

#[test]
fn damaged_bytes_are_an_error_not_a_panic() {
    let scenario = presets::get("gather-10-queries")
        .expect("exists")
        .expect("parses");
    let run = simulate(&scenario).expect("simulates").remove(2);
    let bytes = encode(&run);
    assert!(decode(&[]).is_err());
    assert!(decode(b"nope").is_err());
    for cut in [5, bytes.len() / 3, bytes.len() - 1] {
        assert!(decode(&bytes[..cut]).is_err(), "cut at {cut}");
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(decode(&longer).is_err());
    // Flip bytes all over: whatever comes out, nothing panics.
    for i in (0..bytes.len()).step_by(7) {
        let mut b = bytes.clone();
        b[i] ^= 0xA5;
        let _ = decode(&b);
    }
}

#[test]
fn a_run_decodes_the_same_a_slice_at_a_time() {
    let scenario = presets::get("gil-convoy").expect("exists").expect("parses");
    for run in simulate(&scenario).expect("simulates") {
        let mut d = Decoder::new(encode(&run)).expect("a header");
        let mut steps = 0;
        while !d.step(7).expect("records") {
            steps += 1;
        }
        assert!(steps > 3, "{steps}");
        assert_eq!(d.remaining(), 0);
        assert_eq!(d.finish().as_ref(), Ok(&run));
    }
}

#[test]
fn labels_are_interned_once() {
    let a = static_str("loop_blocked_test_rule");
    let b = static_str("loop_blocked_test_rule");
    assert!(std::ptr::eq(a, b));
    assert_eq!(static_str("threads"), "threads");
}
