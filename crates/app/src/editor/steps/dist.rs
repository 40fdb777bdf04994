//! Where a distribution lives ([`DistAt`]: a step's duration, a closed loop's think time), its
//! shape menu and the fields of its parameters.

use std::sync::Arc;

use leptos::prelude::*;
use whenasync_sim::{Dist, Dur, Scenario};

use crate::app::Playground;
use crate::editor::edit;
use crate::editor::fields::{field, select, Choice, Spec, DUR, F64};
use crate::editor::ops::{convert_dist, dist_mut, dist_of, DistKind, ListAt};

/// Reads a distribution somewhere in the scenario.
pub type DistGet = Arc<dyn Fn(&Scenario) -> Option<&Dist> + Send + Sync>;
/// Finds a distribution somewhere in the scenario, to change it.
pub type DistGetMut = Arc<dyn Fn(&mut Scenario) -> Option<&mut Dist> + Send + Sync>;

/// Where a distribution lives: a step's duration or a closed loop's think time.
#[derive(Clone)]
pub struct DistAt {
    /// Reads it.
    pub get: DistGet,
    /// Changes it.
    pub get_mut: DistGetMut,
}

impl DistAt {
    /// From two accessors.
    pub fn new<G, M>(get: G, get_mut: M) -> Self
    where
        G: for<'a> Fn(&'a Scenario) -> Option<&'a Dist> + Send + Sync + 'static,
        M: for<'a> Fn(&'a mut Scenario) -> Option<&'a mut Dist> + Send + Sync + 'static,
    {
        DistAt {
            get: Arc::new(get),
            get_mut: Arc::new(get_mut),
        }
    }

    /// The duration of leaf step `i` of `at`.
    pub fn step(at: &ListAt, i: usize) -> Self {
        let (a, b) = (at.clone(), at.clone());
        DistAt::new(
            move |s| a.get(s)?.get(i).and_then(dist_of),
            move |s| b.get_mut(s)?.get_mut(i).and_then(dist_mut),
        )
    }
}

/// The menu of distribution shapes.
fn dist_choices() -> Vec<Choice> {
    DistKind::ALL
        .into_iter()
        .map(|k| (k.key(), k.key().to_owned(), k.meaning().to_owned()))
        .collect()
}

/// The shape menu of the distribution at `d`.
pub fn dist_select(d: DistAt, id: String, aria: String) -> impl IntoView {
    let pg = expect_context::<Playground>();
    let get = d.get.clone();
    let current = move || {
        pg.draft
            .with(|s| s.as_ref().and_then(|s| get(s)).map(DistKind::of))
            .unwrap_or(DistKind::Fixed)
            .key()
            .to_owned()
    };
    let pick = move |key: String| {
        let Some(k) = DistKind::from_key(&key) else {
            return;
        };
        let get_mut = d.get_mut.clone();
        edit(pg, move |s| {
            if let Some(x) = get_mut(s) {
                *x = convert_dist(x, k);
            }
        });
    };
    select(id, aria, dist_choices(), current, pick)
}

/// One duration parameter of the distribution at `d`.
fn dur_param(
    d: &DistAt,
    spec: Spec,
    read: fn(&Dist) -> Option<Dur>,
    write: fn(&mut Dist, Dur),
) -> AnyView {
    let (get, get_mut) = (d.get.clone(), d.get_mut.clone());
    field(
        spec,
        DUR,
        move |s| get(s).and_then(read),
        move |s, v| {
            if let Some(x) = get_mut(s) {
                write(x, v);
            }
        },
    )
}

/// The parameters of the distribution at `d`, which has shape `kind`. The validator's message
/// about the distribution (`field`) is shown after the last parameter.
pub fn dist_params(d: DistAt, kind: DistKind, id: &str, name: &str, field_name: String) -> AnyView {
    let spec = |n: usize, what: &str, last: bool| {
        Spec::new(
            format!("{id}-v{n}"),
            if last {
                field_name.clone()
            } else {
                String::new()
            },
            "w-s",
        )
        .aria(format!("{name} {what}"))
        .placeholder("e.g. 2.5ms")
        .title(format!(
            "{what}: a number and a unit (ns, us, ms, s), e.g. 2.5ms"
        ))
        .mode("decimal")
    };
    match kind {
        DistKind::Fixed => dur_param(
            &d,
            spec(0, "duration", true),
            |x| match x {
                Dist::Fixed(v) => Some(*v),
                _ => None,
            },
            |x, v| {
                if let Dist::Fixed(a) = x {
                    *a = v;
                }
            },
        ),
        DistKind::Uniform => view! {
            {dur_param(
                &d,
                spec(0, "lower bound", false).label("from"),
                |x| match x {
                    Dist::Uniform(a, _) => Some(*a),
                    _ => None,
                },
                |x, v| {
                    if let Dist::Uniform(a, _) = x {
                        *a = v;
                    }
                },
            )}
            {dur_param(
                &d,
                spec(1, "upper bound", true).label("to"),
                |x| match x {
                    Dist::Uniform(_, b) => Some(*b),
                    _ => None,
                },
                |x, v| {
                    if let Dist::Uniform(_, b) = x {
                        *b = v;
                    }
                },
            )}
        }
        .into_any(),
        DistKind::Exp => dur_param(
            &d,
            spec(0, "mean", true).label("mean"),
            |x| match x {
                Dist::Exp(v) => Some(*v),
                _ => None,
            },
            |x, v| {
                if let Dist::Exp(a) = x {
                    *a = v;
                }
            },
        ),
        DistKind::LogNormal => {
            let (get, get_mut) = (d.get.clone(), d.get_mut.clone());
            view! {
                {dur_param(
                    &d,
                    spec(0, "median", false).label("median"),
                    |x| match x {
                        Dist::LogNormal { median, .. } => Some(*median),
                        _ => None,
                    },
                    |x, v| {
                        if let Dist::LogNormal { median, .. } = x {
                            *median = v;
                        }
                    },
                )}
                {field(
                    Spec::new(format!("{id}-v1"), field_name.clone(), "w-xs")
                        .label("σ")
                        .aria(format!("{name} sigma"))
                        .title("σ: the standard deviation of the log, 0 to 4 (1 is heavy-tailed)")
                        .mode("decimal"),
                    F64,
                    move |s| match get(s)? {
                        Dist::LogNormal { sigma, .. } => Some(*sigma),
                        _ => None,
                    },
                    move |s, v| {
                        if let Some(Dist::LogNormal { sigma, .. }) = get_mut(s) {
                            *sigma = v;
                        }
                    },
                )}
            }
            .into_any()
        }
    }
}
