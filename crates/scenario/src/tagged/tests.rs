//! The flat reading of models and pools against serde's own reading of the same tagged
//! enums (the format as it was derived before), over every combination of kinds and fields.
//! One difference is meant: serde let a `sync` model carry any other field (its tagged unit
//! variants ignore `deny_unknown_fields`); the format says unknown fields are errors, and the
//! flat reading refuses them.

use serde::Deserialize;

use crate::scenario::{Model, PoolSpec, StartMethod};

/// [`Model`] as serde derives a `kind`-tagged enum: the reference.
#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum RefModel {
    Sync,
    Async {
        #[serde(default)]
        limit: Option<u32>,
    },
    Threads {
        workers: u32,
    },
    Processes {
        workers: u32,
        #[serde(default)]
        start: StartMethod,
    },
    Server {
        workers: u32,
        inner: Box<RefModel>,
    },
}

impl From<RefModel> for Model {
    fn from(m: RefModel) -> Model {
        match m {
            RefModel::Sync => Model::Sync,
            RefModel::Async { limit } => Model::Async { limit },
            RefModel::Threads { workers } => Model::Threads { workers },
            RefModel::Processes { workers, start } => Model::Processes { workers, start },
            RefModel::Server { workers, inner } => Model::Server {
                workers,
                inner: Box::new((*inner).into()),
            },
        }
    }
}

/// [`PoolSpec`] as serde derives it: the reference.
#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum RefPool {
    Thread {
        workers: u32,
    },
    Process {
        workers: u32,
        #[serde(default)]
        start: StartMethod,
    },
}

impl From<RefPool> for PoolSpec {
    fn from(p: RefPool) -> PoolSpec {
        match p {
            RefPool::Thread { workers } => PoolSpec::Thread { workers },
            RefPool::Process { workers, start } => PoolSpec::Process { workers, start },
        }
    }
}

/// Every object with one value (or none: `None`) from each of `fields`' lists.
fn objects(fields: &[(&str, &[Option<&str>])]) -> Vec<String> {
    let mut out = vec![Vec::new()];
    for (name, values) in fields {
        out = out
            .into_iter()
            .flat_map(|parts: Vec<String>| {
                values.iter().map(move |v| {
                    let mut parts = parts.clone();
                    if let Some(v) = v {
                        parts.push(format!("\"{name}\": {v}"));
                    }
                    parts
                })
            })
            .collect();
    }
    out.into_iter()
        .map(|parts| format!("{{{}}}", parts.join(", ")))
        .collect()
}

/// Both readings accept the same objects and read the same values from them, except that the
/// flat reading refuses the objects `stricter` names.
fn same_reading<New, Ref>(objects: &[String], stricter: impl Fn(&str) -> bool) -> (usize, usize)
where
    New: for<'de> Deserialize<'de> + PartialEq + std::fmt::Debug + serde::Serialize,
    Ref: for<'de> Deserialize<'de> + Into<New>,
{
    let mut accepted = 0;
    for json in objects {
        let new = serde_json::from_str::<New>(json);
        let old = serde_json::from_str::<Ref>(json);
        match (new, old) {
            (Ok(n), Ok(o)) => {
                assert_eq!(n, o.into(), "{json}");
                // And it writes back to an object that reads the same.
                let again = serde_json::to_string(&n).expect("writes");
                assert_eq!(
                    serde_json::from_str::<New>(&again).expect("reads"),
                    n,
                    "{again}"
                );
                accepted += 1;
            }
            (Err(_), Err(_)) => {}
            (Err(_), Ok(_)) if stricter(json) => {}
            (n, o) => panic!("{json}: flat {:?}, serde's {}", n, o.is_ok()),
        }
    }
    (accepted, objects.len())
}

#[test]
fn models_read_as_serde_read_them() {
    let objects = objects(&[
        (
            "kind",
            &[
                Some("\"sync\""),
                Some("\"async\""),
                Some("\"threads\""),
                Some("\"processes\""),
                Some("\"server\""),
                Some("\"gpu\""),
                Some("3"),
                None,
            ],
        ),
        ("limit", &[None, Some("null"), Some("4"), Some("\"x\"")]),
        (
            "workers",
            &[None, Some("null"), Some("3"), Some("-1"), Some("2.5")],
        ),
        (
            "start",
            &[
                None,
                Some("\"fork\""),
                Some("\"spawn\""),
                Some("null"),
                Some("\"x\""),
            ],
        ),
        (
            "inner",
            &[
                None,
                Some(r#"{"kind": "sync"}"#),
                Some(r#"{"kind": "threads", "workers": 2}"#),
                Some(r#"{"kind": "threads"}"#),
                Some("null"),
            ],
        ),
        ("extra", &[None, Some("1")]),
    ]);
    // A sync model with any field but its kind.
    let sync_and_more = |json: &str| json.starts_with(r#"{"kind": "sync", "#);
    let (accepted, all) = same_reading::<Model, RefModel>(&objects, sync_and_more);
    assert_eq!(all, 8 * 4 * 5 * 5 * 5 * 2);
    // Every kind is read somewhere in there: sync, async ×2 limits, threads, processes ×2
    // starts and a default, server × 2 inners.
    assert!(accepted >= 9, "{accepted}");
}

#[test]
fn pools_read_as_serde_read_them() {
    let objects = objects(&[
        (
            "kind",
            &[
                Some("\"thread\""),
                Some("\"process\""),
                Some("\"fiber\""),
                None,
            ],
        ),
        ("workers", &[None, Some("null"), Some("3"), Some("-1")]),
        (
            "start",
            &[None, Some("\"forkserver\""), Some("null"), Some("\"x\"")],
        ),
        ("extra", &[None, Some("1")]),
    ]);
    let (accepted, all) = same_reading::<PoolSpec, RefPool>(&objects, |_| false);
    assert_eq!(all, 4 * 4 * 4 * 2);
    assert_eq!(
        accepted, 3,
        "a thread pool, and process pools with and without a start"
    );
}

#[test]
fn a_field_the_kind_does_not_take_is_named() {
    let err = serde_json::from_str::<Model>(r#"{"kind": "sync", "workers": 3}"#)
        .expect_err("sync has no workers");
    assert!(err.to_string().contains("unknown field `workers`"), "{err}");
    let err = serde_json::from_str::<Model>(r#"{"kind": "sync", "wrokers": 3}"#)
        .expect_err("a typo is not ignored");
    assert!(err.to_string().contains("unknown field `wrokers`"), "{err}");
    let err = serde_json::from_str::<PoolSpec>(r#"{"kind": "thread"}"#).expect_err("no workers");
    assert!(err.to_string().contains("missing field `workers`"), "{err}");
    let err = serde_json::from_str::<Model>(r#"{"kind": "threads", "workers": 2, "x": 1}"#)
        .expect_err("no such field");
    assert!(err.to_string().contains("unknown field `x`"), "{err}");
}
