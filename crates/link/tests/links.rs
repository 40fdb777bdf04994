//! Links as strangers send them: round trips, hostile input, and the golden links of every
//! format version.
#![cfg(all(feature = "deflate", feature = "inflate"))]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use proptest::prelude::*;
use whenasync_link::*;
use whenasync_sim::{presets, Scenario};

fn edited(name: &str) -> Scenario {
    let mut sc = presets::get(name).expect("preset").expect("valid");
    sc.seed += 1;
    sc
}

#[test]
fn preset_links_are_short_and_readable() {
    let sc = presets::get("gather-10-queries")
        .expect("preset")
        .expect("valid");
    let link = link_for(&sc, View::default());
    assert_eq!(encode(&link), "preset=gather-10-queries&m=compare");
    assert_eq!(decode("#preset=gather-10-queries&m=compare"), Ok(link));
}

#[test]
fn every_preset_edited_once_round_trips_and_stays_short() {
    for name in presets::names() {
        let sc = edited(name);
        let view = View {
            model: Some(1),
            by_task: true,
            window: Some((5, 1_000_000)),
            widget: Some("gantt".into()),
        };
        let link = link_for(&sc, view.clone());
        let text = encode(&link);
        // Typical scenarios must paste into chat: under 1,000 characters.
        assert!(text.len() < 1000, "{name}: {} characters", text.len());
        let back = decode(&text).expect("decodes");
        assert_eq!(back.view, view);
        assert_eq!(scenario_of(&back).expect("valid"), sc, "{name}");
    }
}

#[test]
fn hostile_links_are_refused_with_a_reason() {
    let cases: Vec<(String, &str)> = vec![
        ("".into(), "names no scenario"),
        ("m=1".into(), "names no scenario"),
        (
            "preset=<script>alert(1)</script>".into(),
            "preset that does not exist",
        ),
        (
            "s=9.AAAA".into(),
            "newer version of whenasync (link format 9)",
        ),
        ("s=1.!!!!".into(), "not valid base64"),
        ("s=1.".into(), "does not decompress"),
        ("s=1.AAAA".into(), "damaged or truncated"),
        ("s=x.AAAA".into(), "not valid base64"),
        (
            "preset=gather-10-queries&t=9-3".into(),
            "bad parameter: t=9-3",
        ),
        (
            "preset=gather-10-queries&m=many".into(),
            "bad parameter: m=many",
        ),
        (
            format!("s=1.{}", "A".repeat(MAX_LINK_CHARS)),
            "over the limit",
        ),
    ];
    for (link, needle) in cases {
        let err = decode(&link)
            .and_then(|l| scenario_of(&l).map(|_| l))
            .expect_err(&link);
        let msg = err.to_string();
        assert!(msg.contains(needle), "{link:.60}: {msg}");
    }
}

#[test]
fn a_truncated_link_is_an_error_not_a_panic() {
    let text = encode(&link_for(&edited("cpu-in-async-handler"), View::default()));
    for cut in (5..text.len()).step_by(7) {
        let _ = decode(&text[..cut]).map(|l| scenario_of(&l));
    }
    let truncated = &text[..text.find('&').unwrap_or(text.len()) - 10];
    let err = decode(truncated)
        .and_then(|l| scenario_of(&l))
        .expect_err("truncated");
    assert!(err.to_string().contains("damaged or truncated"), "{err}");
}

#[test]
fn a_zip_bomb_stops_at_the_limit() {
    let bomb = vec![b' '; 20 * 1024 * 1024];
    let packed = URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(&bomb, 9));
    assert!(
        packed.len() < MAX_LINK_CHARS,
        "the bomb fits in a link: {}",
        packed.len()
    );
    assert_eq!(decode(&format!("s=1.{packed}")), Err(LinkError::TooLarge));
}

fn pack_json(json: &str) -> String {
    format!(
        "s=1.{}",
        URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 9))
    )
}

#[test]
fn deep_nesting_and_absurd_values_are_refused() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(matches!(
        decode(&pack_json(&deep)),
        Err(LinkError::Scenario(_))
    ));
    let nested = |levels: usize| {
        let mut nest = String::from(r#"{"cpu":"1ms"}"#);
        for _ in 0..levels {
            nest = format!(r#"{{"gather":[[{nest}]]}}"#);
        }
        let json = format!(
            r#"{{"version":1,"workload":{{"classes":[{{"name":"a","steps":[{nest}]}}],"arrivals":{{"burst":{{"count":1}}}}}}}}"#
        );
        decode(&pack_json(&json))
            .and_then(|l| scenario_of(&l))
            .expect_err("nested")
            .to_string()
    };
    // Past the model's limit: named by the validator.
    let err = nested(12);
    assert!(
        err.contains("nesting depth") && err.contains("limit of 8"),
        "{err}"
    );
    // Past JSON's own: refused by the parser before anything recurses deeply.
    let err = nested(200);
    assert!(err.contains("recursion limit exceeded"), "{err}");
    let huge = r#"{"version":1,"workload":{"classes":[{"name":"a","steps":[{"cpu":"1ms"}]}],"arrivals":{"burst":{"count":4000000000}}}}"#;
    let err = decode(&pack_json(huge))
        .and_then(|l| scenario_of(&l))
        .expect_err("huge");
    assert!(
        err.to_string().contains("over the limit of 1000000"),
        "{err}"
    );
    let future = r#"{"version":2,"workload":{}}"#;
    let err = decode(&pack_json(future)).expect_err("future scenario");
    assert!(
        err.to_string().contains("unsupported scenario version 2"),
        "{err}"
    );
    let bad_model = "preset=gather-10-queries&m=99";
    let err = decode(bad_model)
        .and_then(|l| scenario_of(&l))
        .expect_err("model index");
    assert!(err.to_string().contains("m=99"), "{err}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// Arbitrary text never panics the decoder.
    #[test]
    fn any_text_decodes_or_errs(s in ".{0,300}") {
        let _ = decode(&s).map(|l| scenario_of(&l));
    }

    /// Arbitrary bytes behind a valid prefix and valid compression never panic either.
    #[test]
    fn any_compressed_bytes_decode_or_err(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let packed = URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(&bytes, 1));
        let _ = decode(&format!("s=1.{packed}")).map(|l| scenario_of(&l));
        let _ = decode(&format!("s=1.{}", URL_SAFE_NO_PAD.encode(&bytes)));
    }

    /// Views round-trip exactly.
    #[test]
    fn views_round_trip(model in prop::option::of(0u32..4), by_task: bool, window in prop::option::of((0u64..1_000_000, 1u64..1_000_000)), widget in prop::option::of("[a-z ()×/#?&=%]{0,12}")) {
        let window = window.map(|(a, d)| (a, a + d));
        let view = View { model, by_task, window, widget };
        let link = Link { source: Source::Preset("gather-10-queries".into()), view: view.clone() };
        prop_assert_eq!(decode(&encode(&link)).map(|l| l.view), Ok(view));
    }
}

/// `tests/golden-links`: links of every format version, each with the summary it must
/// reproduce. A change that breaks one fails here. `UPDATE_GOLDEN=1` rewrites the summaries
/// (never the links) after a deliberate model change.
#[test]
fn golden_links_keep_opening() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/golden-links");
    let text = std::fs::read_to_string(&path).expect("tests/golden-links");
    let out = whenasync_link::golden::recompute(&text).unwrap_or_else(|e| panic!("{e}"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &out).expect("write golden");
        return;
    }
    assert_eq!(text, out, "a golden link no longer reproduces its summary (UPDATE_GOLDEN=1 after a deliberate change)");
}
