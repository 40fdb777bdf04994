//! Machine settings: every [`Machine`] field with its default and where that default comes
//! from, on hover. The sources are those of `docs/model.md` ("Machine defaults", measured by
//! `bench/cpython/`), kept in one table here: [`FIELDS`]. The default *values* are read from
//! [`Machine::default`], so they can never disagree with the simulator.

use leptos::prelude::*;
use whenasync_sim::{Dur, Machine};

use crate::app::Playground;
use crate::editor::edit;
use crate::editor::fields::{field, icon_button, Spec, DUR, F64, U32};

/// A machine field's value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value {
    /// A count (cores).
    Count(u32),
    /// A duration.
    Dur(Dur),
    /// A factor.
    Number(f64),
    /// On or off.
    Flag(bool),
}

/// One row of the machine settings.
#[derive(Clone, Copy, Debug)]
pub struct MachineField {
    /// The key in the scenario format (`switch_interval`).
    pub key: &'static str,
    /// The label on screen.
    pub label: &'static str,
    /// What it is.
    pub meaning: &'static str,
    /// Where the default comes from (docs/model.md, "Machine defaults").
    pub source: &'static str,
    /// The allowed range, as the validator checks it.
    pub range: &'static str,
    /// Reads the field.
    pub get: fn(&Machine) -> Value,
    /// Writes the field (a value of the same variant).
    pub set: fn(&mut Machine, Value),
}

macro_rules! dur_field {
    ($key:ident, $label:expr, $meaning:expr, $source:expr, $range:expr) => {
        MachineField {
            key: stringify!($key),
            label: $label,
            meaning: $meaning,
            source: $source,
            range: $range,
            get: |m| Value::Dur(m.$key),
            set: |m, v| {
                if let Value::Dur(d) = v {
                    m.$key = d;
                }
            },
        }
    };
}

/// Every machine field, in the order of `docs/scenario-format.md`, with the source of its
/// default from `docs/model.md` ("Machine defaults") and `bench/cpython/`.
pub const FIELDS: &[MachineField] = &[
    MachineField {
        key: "cores",
        label: "cores",
        meaning: "CPU cores shared by every thread and process",
        source: "a typical laptop or small VM; set it to your machine (the measuring one has 2) — docs/model.md",
        range: "1 to 256",
        get: |m| Value::Count(m.cores),
        set: |m, v| {
            if let Value::Count(c) = v {
                m.cores = c;
            }
        },
    },
    dur_field!(
        switch_interval,
        "switch interval",
        "sys.getswitchinterval(): how long a GIL waiter waits before asking the holder to drop it",
        "sys.getswitchinterval(); the convoy fit gives 1.007 × interval per GIL re-acquisition (bench/cpython/gil_convoy.py) — docs/model.md",
        "1 µs to 1 s"
    ),
    dur_field!(
        gil_timer_slack,
        "Timer slack",
        "how late the kernel fires a timer: a GIL waiter's timed wait, a sleep, an idle loop's next timer",
        "/proc/self/timerslack_ns; the convoy's constant term is 59–107 µs = slack + hand-off (bench/cpython/gil_convoy.py) — docs/model.md",
        "0 to 100 ms"
    ),
    dur_field!(
        await_overhead,
        "await overhead",
        "loop CPU to resume one coroutine (one suspend/resume round trip)",
        "4.76 µs per await asyncio.sleep(≈0) round trip with 100 tasks (bench/cpython/await_overhead.py) — docs/model.md",
        "0 to 100 ms"
    ),
    dur_field!(
        task_create,
        "task create",
        "loop CPU to create one task (create_task, one gather argument)",
        "2.4 µs per task at N = 1,000, 3.5 µs at N = 10,000 inside asyncio.gather (bench/cpython/task_create.py) — docs/model.md",
        "0 to 100 ms"
    ),
    dur_field!(
        thread_switch,
        "thread switch",
        "CPU to hand a work item to a pool thread and wake it",
        "21 µs per ThreadPoolExecutor submit → result, ≈ 10.6 µs per hand-off (bench/cpython/thread_switch.py) — docs/model.md",
        "0 to 100 ms"
    ),
    dur_field!(
        gil_handoff,
        "GIL hand-off",
        "delay between a GIL release and the next holder running",
        "median 21 µs from the old holder's last instruction to the new holder's first at forced switches; bimodal 3–5 µs / 40–70 µs (bench/cpython/gil_convoy.py) — docs/model.md",
        "0 to 100 ms"
    ),
    dur_field!(
        process_start_fork,
        "start-up: fork",
        "CPU to start one worker process with fork",
        "2.8 ms from first submit to result minus a warm call (bench/cpython/process_start.py) — docs/model.md",
        "0 to 60 s"
    ),
    dur_field!(
        process_start_spawn,
        "start-up: spawn",
        "CPU to start one worker process with spawn (a fresh interpreter)",
        "54 ms, almost all CPU in the child re-importing __main__ (bench/cpython/process_start.py) — docs/model.md",
        "0 to 60 s"
    ),
    dur_field!(
        process_start_forkserver,
        "start-up: forkserver",
        "CPU to start one worker process with forkserver",
        "21 ms (the fork server itself costs ≈ 68 ms once) (bench/cpython/process_start.py) — docs/model.md",
        "0 to 60 s"
    ),
    dur_field!(
        ipc_fixed,
        "IPC per task",
        "fixed cost of sending a task to a worker process and its result back",
        "least-squares fit 186 µs (208 µs in another quiet run) over 0–1,000 KB payloads (bench/cpython/ipc.py) — docs/model.md",
        "0 to 100 ms"
    ),
    dur_field!(
        ipc_per_kb,
        "IPC per KB",
        "pickling and pipe cost per KB of a class's payload",
        "fit 2.03 µs per KB each way (bench/cpython/ipc.py) — docs/model.md",
        "0 to 100 ms"
    ),
    dur_field!(
        os_time_slice,
        "OS time slice",
        "how long the OS runs a thread before preempting it when more are runnable than cores",
        "3 CPU-bound processes pinned to one core ran 3.97 ms between preemptions, CONFIG_HZ=250 (bench/cpython/os_time_slice.py) — docs/model.md",
        "100 µs to 1 s"
    ),
    MachineField {
        key: "free_threaded",
        label: "free-threaded",
        meaning: "free-threaded CPython (3.13t, PEP 703): no GIL at all",
        source: "off: the default CPython build has a GIL — docs/model.md",
        range: "on or off",
        get: |m| Value::Flag(m.free_threaded),
        set: |m, v| {
            if let Value::Flag(b) = v {
                m.free_threaded = b;
            }
        },
    },
    MachineField {
        key: "free_threaded_slowdown",
        label: "free-threaded slowdown",
        meaning: "single-thread slowdown of cpu steps on the free-threaded build (1 = none)",
        source: "not measurable here (no 3.13t build); the CPython 3.13 free-threading HOWTO's \"about 40 %\" single-thread overhead (3.14t: ≈ 1.08) — docs/model.md",
        range: "0.5 to 4",
        get: |m| Value::Number(m.free_threaded_slowdown),
        set: |m, v| {
            if let Value::Number(x) = v {
                m.free_threaded_slowdown = x;
            }
        },
    },
];

/// A value as the page shows it: `5 ms`, `4`, `1.1×`, `on`.
pub fn show(v: Value) -> String {
    match v {
        Value::Count(c) => c.to_string(),
        Value::Dur(d) => exact(d),
        Value::Number(x) => format!("{x}×"),
        Value::Flag(b) => if b { "on" } else { "off" }.to_owned(),
    }
}

/// A duration exactly as the format spells it, spaced for reading: `5 ms`, `15 µs`.
pub fn exact(d: Dur) -> String {
    let text = d.to_string();
    let split = text
        .find(|c: char| c.is_ascii_alphabetic())
        .unwrap_or(text.len());
    let (num, unit) = text.split_at(split);
    let unit = if unit == "us" { "µs" } else { unit };
    format!("{num} {unit}")
}

/// The tooltip of a field: what it is, its default, where the default comes from, its range.
pub fn tooltip(f: &MachineField) -> String {
    format!(
        "{}\nDefault: {} — {}\nRange: {}",
        f.meaning,
        show((f.get)(&Machine::default())),
        f.source,
        f.range
    )
}

/// One field: its input, its default, a reset button when it differs from the default.
fn machine_row(f: &'static MachineField) -> impl IntoView {
    let pg = expect_context::<Playground>();
    let default = (f.get)(&Machine::default());
    let id = format!("ed-machine-{}", f.key);
    let path = format!("machine.{}", f.key);
    let changed = Memo::new(move |_| {
        pg.draft
            .with(|d| d.as_ref().map(|s| (f.get)(&s.machine) != default))
            .unwrap_or(false)
    });
    let tip = tooltip(f);
    let spec = Spec::new(id.clone(), path, "w-s")
        .aria(format!("{} (default {})", f.label, show(default)))
        .placeholder(show(default))
        .title(tip.clone());
    let input = match default {
        Value::Count(_) => field(
            spec.mode("numeric"),
            U32,
            move |s| match (f.get)(&s.machine) {
                Value::Count(c) => Some(c),
                _ => None,
            },
            move |s, v| (f.set)(&mut s.machine, Value::Count(v)),
        ),
        Value::Dur(_) => field(
            spec.mode("decimal"),
            DUR,
            move |s| match (f.get)(&s.machine) {
                Value::Dur(d) => Some(d),
                _ => None,
            },
            move |s, v| (f.set)(&mut s.machine, Value::Dur(v)),
        ),
        Value::Number(_) => field(
            spec.mode("decimal"),
            F64,
            move |s| match (f.get)(&s.machine) {
                Value::Number(x) => Some(x),
                _ => None,
            },
            move |s, v| (f.set)(&mut s.machine, Value::Number(v)),
        ),
        Value::Flag(_) => view! {
            <span class="fld" title=tip.clone()>
                <input
                    id=id.clone()
                    type="checkbox"
                    class="check"
                    prop:checked=move || {
                        pg.draft
                            .with(|d| d.as_ref().map(|s| (f.get)(&s.machine) == Value::Flag(true)))
                            .unwrap_or(false)
                    }
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        edit(pg, |s| (f.set)(&mut s.machine, Value::Flag(on)));
                    }
                />
            </span>
        }
        .into_any(),
    };
    let reset = move || edit(pg, |s| (f.set)(&mut s.machine, default));
    view! {
        <div class="m-row" class:changed=move || changed.get() data-key=f.key>
            <label class="m-label" for=id.clone() title=tip.clone()>
                {f.label}
                <span class="m-default">{format!("default {}", show(default))}</span>
            </label>
            <span class="m-input">
                {input}
                <Show when=move || changed.get()>
                    {icon_button(
                        None,
                        "↺",
                        format!("Reset {} to its default, {}", f.label, show(default)),
                        false,
                        reset,
                    )}
                </Show>
            </span>
            // Shown while the field has focus: touch screens have no hover.
            <span class="m-source">{format!("{}. Source: {}", f.meaning, f.source)}</span>
        </div>
    }
}

/// Every machine field, with a reset-all button.
#[component]
pub fn MachineEditor() -> impl IntoView {
    let pg = expect_context::<Playground>();
    let any_changed = Memo::new(move |_| {
        pg.draft
            .with(|d| d.as_ref().is_some_and(|s| s.machine != Machine::default()))
    });
    view! {
        <section class="ed-group" aria-labelledby="ed-machine-h">
            <h3 id="ed-machine-h">"Machine and interpreter"</h3>
            <p class="ed-hint">
                "Defaults are measurements of real CPython (bench/cpython, docs/model.md); hover or focus a field for its source."
            </p>
            <div class="m-grid">{FIELDS.iter().map(machine_row).collect_view()}</div>
            <button
                type="button"
                class="add"
                disabled=move || !any_changed.get()
                on:click=move |_| edit(pg, |s| s.machine = Machine::default())
            >
                "Reset all to defaults"
            </button>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn the_table_covers_every_machine_field_once() {
        // Serialising the default machine lists every field the format has.
        let json = serde_json_keys(&Machine::default());
        let table: BTreeSet<String> = FIELDS.iter().map(|f| f.key.to_owned()).collect();
        assert_eq!(table.len(), FIELDS.len(), "a field is listed twice");
        assert_eq!(json, table);
        for f in FIELDS {
            assert!(f.source.contains("docs/model.md"), "{}: no source", f.key);
            // Writing a field's own default back leaves the machine unchanged.
            let mut m = Machine::default();
            (f.set)(&mut m, (f.get)(&Machine::default()));
            assert_eq!(m, Machine::default());
        }
        assert!(tooltip(&FIELDS[1]).contains("Default: 5 ms"));
        assert_eq!(exact(Dur(15_000)), "15 µs");
        assert_eq!(exact(Dur(2_500_000)), "2.5 ms");
    }

    #[test]
    fn defaults_and_sources_agree_with_docs_model_md() {
        let doc = include_str!("../../../docs/model.md");
        let table = &doc[doc.find("## Machine defaults").expect("the section")..];
        let mut rows = 0;
        for line in table.lines().filter(|l| l.starts_with("| `")) {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let key = cells[1].trim_matches('`');
            let f = FIELDS
                .iter()
                .find(|f| f.key == key)
                .unwrap_or_else(|| panic!("{key} is in docs/model.md but not in FIELDS"));
            let shown = show((f.get)(&Machine::default()));
            assert_eq!(shown.trim_end_matches('×'), cells[2], "default of {key}");
            // The measurement's script, if the table names one, is cited on hover too.
            if let Some(script) = cells[3].split('`').find(|w| w.ends_with(".py")) {
                assert!(f.source.contains(script), "{key}: source lacks {script}");
            }
            rows += 1;
        }
        assert!(
            rows >= FIELDS.len() - 1,
            "only {rows} rows in docs/model.md"
        );
    }

    /// The keys of the `machine` object in the scenario format's JSON.
    fn serde_json_keys(m: &Machine) -> BTreeSet<String> {
        let text = whenasync_sim::Scenario {
            machine: m.clone(),
            ..crate::gallery::all()[0].clone()
        }
        .to_json();
        let start = text.find("\"machine\": {").expect("a machine object") + 12;
        let body = &text[start..start + text[start..].find('}').expect("its end")];
        body.lines()
            .filter_map(|l| l.trim().strip_prefix('"')?.split_once('"'))
            .map(|(k, _)| k.to_owned())
            .collect()
    }
}
