//! Pure edits of a [`Scenario`]: where a list of steps lives (and its path in the validator's
//! words), converting a step to another kind or a distribution to another shape, moving steps,
//! and matching a validation error to the field it names. No DOM here: tested natively.

use whenasync_sim::scenario::{Offload, Repeat};
use whenasync_sim::{Dist, Dur, ScenarioError, Step, MS};

/// One level down into a container step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Hop {
    /// The steps of the offload at this index.
    Offload(usize),
    /// The body of the repeat at this index.
    Repeat(usize),
    /// Branch `.1` of the gather at index `.0`.
    Gather(usize, usize),
}

/// Where a list of steps lives: a task class's steps, or a container's steps inside them.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ListAt {
    /// The task class.
    pub class: usize,
    /// The containers to descend through, outermost first.
    pub hops: Vec<Hop>,
}

impl ListAt {
    /// The top-level steps of class `class`.
    pub fn class(class: usize) -> Self {
        ListAt {
            class,
            hops: Vec::new(),
        }
    }

    /// The list inside `hop` of this list.
    pub fn child(&self, hop: Hop) -> Self {
        let mut hops = self.hops.clone();
        hops.push(hop);
        ListAt {
            class: self.class,
            hops,
        }
    }

    /// How many containers deep this list is (0 for a class's own steps).
    pub fn depth(&self) -> usize {
        self.hops.len()
    }

    /// The validator's name for this list: `workload.classes[0].steps[2].offload.steps`.
    pub fn field(&self) -> String {
        let mut f = format!("workload.classes[{}].steps", self.class);
        for hop in &self.hops {
            match *hop {
                Hop::Offload(i) => f.push_str(&format!("[{i}].offload.steps")),
                Hop::Repeat(i) => f.push_str(&format!("[{i}].repeat.steps")),
                Hop::Gather(i, j) => f.push_str(&format!("[{i}].gather[{j}]")),
            }
        }
        f
    }

    /// The validator's name for step `i` of this list.
    pub fn step_field(&self, i: usize) -> String {
        format!("{}[{i}]", self.field())
    }

    /// A DOM id fragment, unique per list: `c0`, `c0-o2-g1x0`.
    pub fn dom(&self) -> String {
        let mut id = format!("c{}", self.class);
        for hop in &self.hops {
            match *hop {
                Hop::Offload(i) => id.push_str(&format!("-o{i}")),
                Hop::Repeat(i) => id.push_str(&format!("-r{i}")),
                Hop::Gather(i, j) => id.push_str(&format!("-g{i}x{j}")),
            }
        }
        id
    }

    /// A human name for step `i` of this list, for screen readers: "step 3", "step 2.1".
    pub fn step_name(&self, i: usize) -> String {
        let mut name = String::from("step ");
        for hop in &self.hops {
            let (at, branch) = match *hop {
                Hop::Offload(i) | Hop::Repeat(i) => (i, None),
                Hop::Gather(i, j) => (i, Some(j)),
            };
            name.push_str(&format!("{}.", at + 1));
            if let Some(j) = branch {
                name.push_str(&format!("b{}.", j + 1));
            }
        }
        name.push_str(&(i + 1).to_string());
        name
    }

    /// What the list is, for screen readers: "Steps", "Steps inside step 2 (branch 1)".
    pub fn describe(&self) -> String {
        let Some((last, outer)) = self.hops.split_last() else {
            return "Steps".to_owned();
        };
        let parent = ListAt {
            class: self.class,
            hops: outer.to_vec(),
        };
        match *last {
            Hop::Offload(i) | Hop::Repeat(i) => format!("Steps inside {}", parent.step_name(i)),
            Hop::Gather(i, j) => {
                format!("Steps inside {} (branch {})", parent.step_name(i), j + 1)
            }
        }
    }

    /// The list in `s`, if it exists.
    pub fn get<'a>(&self, s: &'a whenasync_sim::Scenario) -> Option<&'a Vec<Step>> {
        let mut list = &s.workload.classes.get(self.class)?.steps;
        for hop in &self.hops {
            list = match (*hop, list) {
                (Hop::Offload(i), l) => match l.get(i)? {
                    Step::Offload(o) => &o.steps,
                    _ => return None,
                },
                (Hop::Repeat(i), l) => match l.get(i)? {
                    Step::Repeat(r) => &r.steps,
                    _ => return None,
                },
                (Hop::Gather(i, j), l) => match l.get(i)? {
                    Step::Gather(b) => b.get(j)?,
                    _ => return None,
                },
            };
        }
        Some(list)
    }

    /// The list in `s`, mutably, if it exists.
    pub fn get_mut<'a>(&self, s: &'a mut whenasync_sim::Scenario) -> Option<&'a mut Vec<Step>> {
        let mut list = &mut s.workload.classes.get_mut(self.class)?.steps;
        for hop in &self.hops {
            list = match *hop {
                Hop::Offload(i) => match list.get_mut(i)? {
                    Step::Offload(o) => &mut o.steps,
                    _ => return None,
                },
                Hop::Repeat(i) => match list.get_mut(i)? {
                    Step::Repeat(r) => &mut r.steps,
                    _ => return None,
                },
                Hop::Gather(i, j) => match list.get_mut(i)? {
                    Step::Gather(b) => b.get_mut(j)?,
                    _ => return None,
                },
            };
        }
        Some(list)
    }
}

/// The kinds of step, in the order the editor offers them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StepKind {
    /// `cpu`
    Cpu,
    /// `cpu_nogil`
    CpuNogil,
    /// `io`
    Io,
    /// `blocking_io`
    BlockingIo,
    /// `offload`
    Offload,
    /// `gather`
    Gather,
    /// `repeat`
    Repeat,
}

impl StepKind {
    /// Every kind, in menu order.
    pub const ALL: [StepKind; 7] = [
        StepKind::Cpu,
        StepKind::CpuNogil,
        StepKind::Io,
        StepKind::BlockingIo,
        StepKind::Offload,
        StepKind::Gather,
        StepKind::Repeat,
    ];

    /// The kind of `step`.
    pub fn of(step: &Step) -> StepKind {
        match step {
            Step::Cpu(_) => StepKind::Cpu,
            Step::CpuNogil(_) => StepKind::CpuNogil,
            Step::Io(_) => StepKind::Io,
            Step::BlockingIo(_) => StepKind::BlockingIo,
            Step::Offload(_) => StepKind::Offload,
            Step::Gather(_) => StepKind::Gather,
            Step::Repeat(_) => StepKind::Repeat,
        }
    }

    /// The key in the scenario format (`"cpu_nogil"`), also the menu label.
    pub fn key(self) -> &'static str {
        match self {
            StepKind::Cpu => "cpu",
            StepKind::CpuNogil => "cpu_nogil",
            StepKind::Io => "io",
            StepKind::BlockingIo => "blocking_io",
            StepKind::Offload => "offload",
            StepKind::Gather => "gather",
            StepKind::Repeat => "repeat",
        }
    }

    /// The kind with key `key`.
    pub fn from_key(key: &str) -> Option<StepKind> {
        StepKind::ALL.into_iter().find(|k| k.key() == key)
    }

    /// What the kind is in Python, for tooltips.
    pub fn python(self) -> &'static str {
        match self {
            StepKind::Cpu => "pure-Python CPU work: needs the GIL and a core",
            StepKind::CpuNogil => {
                "C code that releases the GIL (hashlib, zlib, NumPy): needs a core, not the GIL"
            }
            StepKind::Io => {
                "awaited I/O (await asyncio.sleep, asyncpg, httpx.AsyncClient): frees the loop"
            }
            StepKind::BlockingIo => {
                "a blocking call (time.sleep, requests, psycopg2): releases the GIL, blocks its thread and freezes an event loop"
            }
            StepKind::Offload => {
                "asyncio.to_thread / run_in_executor: run these steps on a pool and await them"
            }
            StepKind::Gather => "asyncio.gather of sub-calls: the branches run concurrently",
            StepKind::Repeat => "a for loop: the body N times, each iteration drawn anew",
        }
    }

    /// A leaf kind has a duration distribution; the others contain steps.
    pub fn is_leaf(self) -> bool {
        matches!(
            self,
            StepKind::Cpu | StepKind::CpuNogil | StepKind::Io | StepKind::BlockingIo
        )
    }
}

/// The distribution of a leaf step.
pub fn dist_of(step: &Step) -> Option<&Dist> {
    match step {
        Step::Cpu(d) | Step::CpuNogil(d) | Step::Io(d) | Step::BlockingIo(d) => Some(d),
        _ => None,
    }
}

/// The distribution of a leaf step, mutably.
pub fn dist_mut(step: &mut Step) -> Option<&mut Dist> {
    match step {
        Step::Cpu(d) | Step::CpuNogil(d) | Step::Io(d) | Step::BlockingIo(d) => Some(d),
        _ => None,
    }
}

/// The first leaf distribution in `steps`, depth first.
fn first_dist(steps: &[Step]) -> Option<Dist> {
    steps.iter().find_map(|s| match s {
        Step::Offload(o) => first_dist(&o.steps),
        Step::Repeat(r) => first_dist(&r.steps),
        Step::Gather(b) => b.iter().find_map(|b| first_dist(b)),
        leaf => dist_of(leaf).cloned(),
    })
}

/// The steps a container holds (a gather's first branch).
fn inner_steps(step: &Step) -> Option<Vec<Step>> {
    match step {
        Step::Offload(o) => Some(o.steps.clone()),
        Step::Repeat(r) => Some(r.steps.clone()),
        Step::Gather(b) => b.first().cloned(),
        _ => None,
    }
}

fn leaf(kind: StepKind, d: Dist) -> Step {
    match kind {
        StepKind::CpuNogil => Step::CpuNogil(d),
        StepKind::Io => Step::Io(d),
        StepKind::BlockingIo => Step::BlockingIo(d),
        _ => Step::Cpu(d),
    }
}

/// `step` as a step of kind `to`, keeping what carries over: a leaf keeps its distribution;
/// a leaf made a container becomes its body (`cpu(d)` → `offload([cpu(d)])`, a gather of two
/// copies, a repeat of two); a container made a leaf takes its first leaf's distribution.
pub fn convert_step(step: &Step, to: StepKind) -> Step {
    if StepKind::of(step) == to {
        return step.clone();
    }
    let body = inner_steps(step).unwrap_or_else(|| vec![step.clone()]);
    match to {
        StepKind::Offload => Step::Offload(Offload {
            pool: "default".to_owned(),
            steps: body,
        }),
        StepKind::Repeat => Step::Repeat(Repeat {
            times: 2,
            steps: body,
        }),
        StepKind::Gather => match step {
            Step::Offload(_) | Step::Repeat(_) => Step::Gather(vec![body]),
            _ => Step::Gather(vec![body.clone(), body]),
        },
        leaf_kind => {
            let d = dist_of(step)
                .cloned()
                .or_else(|| first_dist(&body))
                .unwrap_or(Dist::Fixed(Dur(MS)));
            leaf(leaf_kind, d)
        }
    }
}

/// The shapes of a distribution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DistKind {
    /// Always the same.
    Fixed,
    /// Uniform between two bounds.
    Uniform,
    /// Exponential with a mean.
    Exp,
    /// Log-normal with a median and σ.
    LogNormal,
}

impl DistKind {
    /// Every shape, in menu order.
    pub const ALL: [DistKind; 4] = [
        DistKind::Fixed,
        DistKind::Uniform,
        DistKind::Exp,
        DistKind::LogNormal,
    ];

    /// The shape of `d`.
    pub fn of(d: &Dist) -> DistKind {
        match d {
            Dist::Fixed(_) => DistKind::Fixed,
            Dist::Uniform(..) => DistKind::Uniform,
            Dist::Exp(_) => DistKind::Exp,
            Dist::LogNormal { .. } => DistKind::LogNormal,
        }
    }

    /// The menu key.
    pub fn key(self) -> &'static str {
        match self {
            DistKind::Fixed => "fixed",
            DistKind::Uniform => "uniform",
            DistKind::Exp => "exp",
            DistKind::LogNormal => "lognormal",
        }
    }

    /// The shape with key `key`.
    pub fn from_key(key: &str) -> Option<DistKind> {
        DistKind::ALL.into_iter().find(|k| k.key() == key)
    }

    /// What it means, for tooltips.
    pub fn meaning(self) -> &'static str {
        match self {
            DistKind::Fixed => "always exactly this long",
            DistKind::Uniform => "uniform between the bounds",
            DistKind::Exp => "exponential with this mean (samples capped at 20 × the mean)",
            DistKind::LogNormal => {
                "log-normal with this median and shape σ (heavy-tailed, like real latencies)"
            }
        }
    }
}

/// A typical value of `d`: the fixed value, the midpoint, the mean or the median.
pub fn central(d: &Dist) -> Dur {
    match *d {
        Dist::Fixed(v) | Dist::Exp(v) => v,
        Dist::Uniform(a, b) => Dur(a.0 / 2 + b.0 / 2 + (a.0 % 2 + b.0 % 2) / 2),
        Dist::LogNormal { median, .. } => median,
    }
}

/// `d` reshaped to `to` around the same typical value (a uniform spans ±50 %).
pub fn convert_dist(d: &Dist, to: DistKind) -> Dist {
    if DistKind::of(d) == to {
        return d.clone();
    }
    let c = central(d);
    match to {
        DistKind::Fixed => Dist::Fixed(c),
        DistKind::Uniform => Dist::Uniform(Dur(c.0 / 2), Dur(c.0.saturating_add(c.0 / 2))),
        DistKind::Exp => Dist::Exp(c),
        DistKind::LogNormal => Dist::LogNormal {
            median: c,
            sigma: 0.5,
        },
    }
}

/// Moves item `from` to `to` in `list` (both in range, or nothing happens).
pub fn move_item<T>(list: &mut [T], from: usize, to: usize) -> bool {
    if from >= list.len() || to >= list.len() || from == to {
        return false;
    }
    if from < to {
        list[from..=to].rotate_left(1);
    } else {
        list[to..=from].rotate_right(1);
    }
    true
}

/// The field an error names, and what is wrong with it, in words for the spot next to it.
pub fn error_parts(e: &ScenarioError) -> (String, String) {
    match e {
        ScenarioError::Invalid { field, problem } => (field.clone(), problem.clone()),
        ScenarioError::TooBig {
            field,
            value,
            limit,
        } => {
            // "…steps (steps in one class)": the parenthesis says what was counted.
            let (field, what) = match field.split_once(" (") {
                Some((f, rest)) => (f.to_owned(), format!(" ({}", rest)),
                None => (field.clone(), String::new()),
            };
            (field, format!("{value}{what} is over the limit of {limit}"))
        }
        other => (String::new(), other.to_string()),
    }
}

/// Whether an error about `error_field` belongs next to the field called `field`.
pub fn names_field(error_field: &str, field: &str) -> bool {
    error_field == field
}

/// A value as an editor shows it: a duration in the format's own spelling (`2.5ms`).
pub fn dur_text(d: Dur) -> String {
    d.to_string()
}

/// Parses a whole number, allowing `_` and `,` as digit separators.
pub fn parse_count(text: &str) -> Result<u64, String> {
    let t: String = text
        .trim()
        .chars()
        .filter(|c| !matches!(c, '_' | ',' | ' ' | '\u{202f}'))
        .collect();
    if t.is_empty() {
        return Err("enter a whole number".to_owned());
    }
    t.parse::<u64>()
        .map_err(|_| format!("{:?} is not a whole number", text.trim()))
}

/// Parses a whole number that fits in a `u32`.
pub fn parse_u32(text: &str) -> Result<u32, String> {
    let n = parse_count(text)?;
    u32::try_from(n).map_err(|_| format!("{n} is too large (at most {})", u32::MAX))
}

/// Parses a finite decimal number.
pub fn parse_number(text: &str) -> Result<f64, String> {
    let t = text.trim().replace('_', "");
    if t.is_empty() {
        return Err("enter a number".to_owned());
    }
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(format!("{:?} is not a number", text.trim())),
    }
}

/// A number without needless decimals: `1`, `0.5`, `1e-7`.
pub fn number_text(v: f64) -> String {
    format!("{v}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use whenasync_sim::{presets, validate, Scenario};

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
}
