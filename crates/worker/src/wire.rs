//! A [`Run`] as bytes, for the trip from a worker to the page: fixed-width little-endian
//! fields in struct order (a task's times by kind only for the kinds it spent time in), one
//! `Uint8Array` that `postMessage` transfers without a copy.
//!
//! Hand-written rather than derived because `Run` is `Serialize` only (it holds `&'static str`
//! labels), and because a million segments as JS objects would cost far more than the
//! simulation. Decoding a damaged buffer returns an error, never panics; every `Run` field is
//! named in [`decode`], so a field added to the simulator fails to compile here until it is
//! carried.

use std::cell::RefCell;

use whenasync_sim::run::KIND_COUNT;
use whenasync_sim::{
    Insight, Kind, Lane, LaneKind, Ns, Run, Segment, Stats, Summary, TaskRecord, TaskSegment,
};

/// First bytes of every encoded run (and the format's version, last byte).
const MAGIC: [u8; 4] = *b"WAR\x03";

/// Why bytes are not a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WireError(pub String);

impl std::fmt::Display for WireError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "damaged run from the worker: {}", self.0)
    }
}

impl std::error::Error for WireError {}

/// `run` as bytes: the small parts first, then the three big arrays as fixed-width records
/// (so the page can decode them a slice at a time, see [`Decoder`]).
pub fn encode(run: &Run) -> Vec<u8> {
    let mut w = Writer(Vec::with_capacity(
        4096 + (run.segments.len() + run.task_segments.len()) * SEGMENT
            + run.tasks.len() * (TASK_HEAD + 4 * 8),
    ));
    w.0.extend_from_slice(&MAGIC);
    w.str(&run.model);
    w.str(run.family);
    w.u32(run.cores);
    w.u64(run.trace_end.unwrap_or(u64::MAX));
    w.len(run.lanes.len());
    for lane in &run.lanes {
        w.u32(lane.id);
        w.u8(match lane.kind {
            LaneKind::Thread => 0,
            LaneKind::Gil => 1,
            LaneKind::Core => 2,
        });
        w.str(&lane.name);
        w.opt_u32(lane.process);
        w.u8(u8::from(lane.is_loop));
    }
    w.len(run.classes.len());
    for c in &run.classes {
        w.str(c);
    }
    let s = &run.summary;
    w.u64(s.makespan);
    w.f64(s.throughput_per_s);
    w.u64(s.completed);
    w.u64(s.cancelled);
    w.u64(s.timed_out);
    w.u64(s.unfinished);
    w.stats(&s.latency);
    w.f64(s.core_utilisation);
    w.u64(s.gil_wait);
    w.f64(s.gil_contention);
    w.stats(&s.loop_lag);
    for v in s.time_by_kind {
        w.u64(v);
    }
    w.u64(s.events);
    w.len(run.insights.len());
    for i in &run.insights {
        w.str(i.rule);
        w.str(&i.text);
        w.opt_u32(i.task);
        w.opt_u32(i.lane);
        w.u64(i.start);
        w.u64(i.end);
    }
    w.len(run.segments.len());
    for s in &run.segments {
        w.u32(s.lane);
        w.u32(s.task);
        w.u8(s.kind as u8);
        w.u64(s.start);
        w.u64(s.end);
    }
    w.len(run.task_segments.len());
    for s in &run.task_segments {
        w.u32(s.task);
        w.u32(s.branch);
        w.u8(s.kind as u8);
        w.u64(s.start);
        w.u64(s.end);
    }
    w.len(run.tasks.len());
    for t in &run.tasks {
        w.u32(t.id);
        w.u32(t.class);
        w.u64(t.arrival);
        w.u64(t.start.unwrap_or(0));
        w.u64(t.end.unwrap_or(0));
        w.u8(u8::from(t.cancelled)
            | u8::from(t.timed_out) << 1
            | u8::from(t.start.is_some()) << 2
            | u8::from(t.end.is_some()) << 3);
        // Only the kinds the task spent time in: a mask, then those times (a task touches
        // three or four of the eleven kinds, so this halves a million tasks' bytes).
        let mask = t
            .time_by_kind
            .iter()
            .enumerate()
            .filter(|(_, v)| **v != 0)
            .fold(0u16, |m, (k, _)| m | 1 << k);
        w.0.extend_from_slice(&mask.to_le_bytes());
        for v in t.time_by_kind.into_iter().filter(|v| *v != 0) {
            w.u64(v);
        }
    }
    w.0
}

/// The run `bytes` encode, all at once.
pub fn decode(bytes: &[u8]) -> Result<Run, WireError> {
    let mut d = Decoder::new(bytes.to_vec())?;
    while !d.step(usize::MAX)? {}
    d.finish()
}

/// Decodes a run a slice at a time, so the page's main thread can interleave it with frames:
/// [`Decoder::new`] reads the small parts, each [`Decoder::step`] up to a number of records.
pub struct Decoder {
    bytes: Vec<u8>,
    at: usize,
    run: Run,
    /// The big array being read (0: segments, 1: task segments, 2: tasks, 3: done), and how
    /// many of its records are left.
    array: u8,
    left: usize,
}

impl Decoder {
    /// Reads everything but the big arrays.
    pub fn new(bytes: Vec<u8>) -> Result<Self, WireError> {
        let mut r = Reader {
            bytes: &bytes,
            at: 0,
        };
        if r.take(4)? != MAGIC {
            return Err(WireError("not a run of this version".into()));
        }
        let model = r.string()?;
        let family = static_str(&r.string()?);
        let cores = r.u32()?;
        let trace_end = Some(r.u64()?).filter(|&t| t != u64::MAX);
        let lanes = r.many(|r| {
            Ok(Lane {
                id: r.u32()?,
                kind: match r.u8()? {
                    0 => LaneKind::Thread,
                    1 => LaneKind::Gil,
                    2 => LaneKind::Core,
                    k => return Err(WireError(format!("lane kind {k}"))),
                },
                name: r.string()?,
                process: r.opt_u32()?,
                is_loop: r.u8()? != 0,
            })
        })?;
        let classes = r.many(|r| r.string())?;
        let summary = Summary {
            makespan: r.u64()?,
            throughput_per_s: r.f64()?,
            completed: r.u64()?,
            cancelled: r.u64()?,
            timed_out: r.u64()?,
            unfinished: r.u64()?,
            latency: r.stats()?,
            core_utilisation: r.f64()?,
            gil_wait: r.u64()?,
            gil_contention: r.f64()?,
            loop_lag: r.stats()?,
            time_by_kind: r.by_kind()?,
            events: r.u64()?,
        };
        let insights = r.many(|r| {
            Ok(Insight {
                rule: static_str(&r.string()?),
                text: r.string()?,
                task: r.opt_u32()?,
                lane: r.opt_u32()?,
                start: r.u64()?,
                end: r.u64()?,
            })
        })?;
        let left = r.count(SEGMENT)?;
        let at = r.at;
        Ok(Decoder {
            bytes,
            at,
            run: Run {
                model,
                family,
                cores,
                lanes,
                segments: Vec::with_capacity(left),
                task_segments: Vec::new(),
                trace_end,
                tasks: Vec::new(),
                classes,
                summary,
                insights,
            },
            array: 0,
            left,
        })
    }

    /// Reads up to `budget` more records; true when every record has been read.
    pub fn step(&mut self, mut budget: usize) -> Result<bool, WireError> {
        while self.array < 3 && budget > 0 {
            let n = self.left.min(budget);
            let mut r = Reader {
                bytes: &self.bytes,
                at: self.at,
            };
            match self.array {
                0 => r.records::<SEGMENT, _>(n, &mut self.run.segments, |c| {
                    Some(Segment {
                        lane: le32(c, 0),
                        task: le32(c, 4),
                        kind: kind(c[8])?,
                        start: le64(c, 9),
                        end: le64(c, 17),
                    })
                })?,
                1 => r.records::<SEGMENT, _>(n, &mut self.run.task_segments, |c| {
                    Some(TaskSegment {
                        task: le32(c, 0),
                        branch: le32(c, 4),
                        kind: kind(c[8])?,
                        start: le64(c, 9),
                        end: le64(c, 17),
                    })
                })?,
                _ => {
                    for _ in 0..n {
                        let task = r.task()?;
                        self.run.tasks.push(task);
                    }
                }
            }
            budget -= n;
            self.left -= n;
            if self.left == 0 {
                self.array += 1;
                if self.array < 3 {
                    self.left = r.count(if self.array == 1 { SEGMENT } else { TASK_HEAD })?;
                    match self.array {
                        1 => self.run.task_segments.reserve_exact(self.left),
                        _ => self.run.tasks.reserve_exact(self.left),
                    }
                }
            }
            self.at = r.at;
        }
        Ok(self.array >= 3)
    }

    /// Records left to read.
    pub fn remaining(&self) -> usize {
        self.left
    }

    /// The run, once [`Decoder::step`] has returned true.
    pub fn finish(self) -> Result<Run, WireError> {
        if self.array < 3 {
            return Err(WireError("not finished".into()));
        }
        if self.at != self.bytes.len() {
            return Err(WireError(format!(
                "{} bytes left over",
                self.bytes.len() - self.at
            )));
        }
        Ok(self.run)
    }
}

/// Bytes of one encoded segment (and task segment): u32, u32, u8, u64, u64.
const SEGMENT: usize = 25;
/// Bytes of one encoded task record before its times by kind: u32, u32, u64 × 3, u8 flags,
/// and the u16 mask of the kinds whose times follow (8 bytes each).
const TASK_HEAD: usize = 4 + 4 + 8 + 8 + 8 + 1 + 2;
const _: () = assert!(KIND_COUNT <= 16, "the kinds mask is a u16");

fn le32(c: &[u8], at: usize) -> u32 {
    let mut b = [0; 4];
    b.copy_from_slice(&c[at..at + 4]);
    u32::from_le_bytes(b)
}

fn le64(c: &[u8], at: usize) -> u64 {
    let mut b = [0; 8];
    b.copy_from_slice(&c[at..at + 8]);
    u64::from_le_bytes(b)
}

fn kind(k: u8) -> Option<Kind> {
    Kind::ALL.get(usize::from(k)).copied()
}

thread_local! {
    /// Labels that `Run` keeps as `&'static str` (model families, insight rules): a handful of
    /// distinct values, each leaked once.
    static INTERNED: RefCell<Vec<&'static str>> = const { RefCell::new(Vec::new()) };
}

/// `s` as a `&'static str`: a known family name, or interned (each distinct string leaks once;
/// there are a dozen insight rules, so this is bounded).
fn static_str(s: &str) -> &'static str {
    const KNOWN: [&str; 5] = ["sync", "async", "threads", "processes", "server"];
    if let Some(k) = KNOWN.iter().find(|k| **k == s) {
        return k;
    }
    INTERNED.with(|interned| {
        let mut interned = interned.borrow_mut();
        if let Some(k) = interned.iter().find(|k| **k == s) {
            return *k;
        }
        let leaked: &'static str = Box::leak(s.to_owned().into_boxed_str());
        interned.push(leaked);
        leaked
    })
}

struct Writer(Vec<u8>);

impl Writer {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn f64(&mut self, v: f64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn len(&mut self, n: usize) {
        self.u64(n as u64);
    }
    fn str(&mut self, s: &str) {
        self.len(s.len());
        self.0.extend_from_slice(s.as_bytes());
    }
    fn opt_u32(&mut self, v: Option<u32>) {
        match v {
            Some(v) => {
                self.u8(1);
                self.u32(v);
            }
            None => self.u8(0),
        }
    }
    fn stats(&mut self, s: &Stats) {
        self.u64(s.count);
        self.f64(s.mean);
        self.u64(s.p50);
        self.u64(s.p90);
        self.u64(s.p99);
        self.u64(s.max);
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], WireError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(|| WireError(format!("truncated at byte {}", self.at)))?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], WireError> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }
    fn u8(&mut self) -> Result<u8, WireError> {
        Ok(self.array::<1>()?[0])
    }
    fn u32(&mut self) -> Result<u32, WireError> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    fn u64(&mut self) -> Result<u64, WireError> {
        Ok(u64::from_le_bytes(self.array()?))
    }
    fn f64(&mut self) -> Result<f64, WireError> {
        Ok(f64::from_le_bytes(self.array()?))
    }
    /// A length, checked against the bytes left so a damaged one cannot allocate wildly.
    fn len(&mut self) -> Result<usize, WireError> {
        let n = self.u64()?;
        let left = (self.bytes.len() - self.at) as u64;
        if n > left {
            return Err(WireError(format!("length {n} with {left} bytes left")));
        }
        Ok(n as usize)
    }
    fn string(&mut self) -> Result<String, WireError> {
        let n = self.len()?;
        String::from_utf8(self.take(n)?.to_vec()).map_err(|e| WireError(e.to_string()))
    }
    fn opt_u32(&mut self) -> Result<Option<u32>, WireError> {
        Ok(match self.u8()? {
            0 => None,
            _ => Some(self.u32()?),
        })
    }
    fn by_kind(&mut self) -> Result<[Ns; KIND_COUNT], WireError> {
        let mut out = [0; KIND_COUNT];
        for v in &mut out {
            *v = self.u64()?;
        }
        Ok(out)
    }
    fn stats(&mut self) -> Result<Stats, WireError> {
        Ok(Stats {
            count: self.u64()?,
            mean: self.f64()?,
            p50: self.u64()?,
            p90: self.u64()?,
            p99: self.u64()?,
            max: self.u64()?,
        })
    }
    /// One task record (see [`encode`]).
    fn task(&mut self) -> Result<TaskRecord, WireError> {
        let at = self.at;
        let c = self.take(TASK_HEAD)?;
        let flags = c[32];
        let mask = u16::from_le_bytes([c[33], c[34]]);
        if mask >> KIND_COUNT != 0 {
            return Err(WireError(format!("bad task record at byte {at}")));
        }
        let mut time_by_kind = [0; KIND_COUNT];
        for (k, v) in time_by_kind.iter_mut().enumerate() {
            if mask & 1 << k != 0 {
                *v = self.u64()?;
            }
        }
        Ok(TaskRecord {
            id: le32(c, 0),
            class: le32(c, 4),
            arrival: le64(c, 8),
            start: (flags & 4 != 0).then(|| le64(c, 16)),
            end: (flags & 8 != 0).then(|| le64(c, 24)),
            cancelled: flags & 1 != 0,
            timed_out: flags & 2 != 0,
            time_by_kind,
        })
    }

    /// The length of an array of `size`-byte records, checked against the bytes left.
    fn count(&mut self, size: usize) -> Result<usize, WireError> {
        let n = self.u64()?;
        let left = (self.bytes.len() - self.at) as u64;
        if n.checked_mul(size as u64).is_none_or(|b| b > left) {
            return Err(WireError(format!("{n} records with {left} bytes left")));
        }
        Ok(n as usize)
    }

    /// `n` records of `N` bytes, each decoded by `item` (`None`: damaged) onto `out`.
    fn records<const N: usize, T>(
        &mut self,
        n: usize,
        out: &mut Vec<T>,
        item: impl Fn(&[u8]) -> Option<T>,
    ) -> Result<(), WireError> {
        let at = self.at;
        let block = self.take(n * N)?;
        for (i, c) in block.chunks_exact(N).enumerate() {
            match item(c) {
                Some(v) => out.push(v),
                None => return Err(WireError(format!("bad record at byte {}", at + i * N))),
            }
        }
        Ok(())
    }

    /// A length-prefixed list of `item`s.
    fn many<T>(
        &mut self,
        mut item: impl FnMut(&mut Self) -> Result<T, WireError>,
    ) -> Result<Vec<T>, WireError> {
        let n = self.len()?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(item(self)?);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use whenasync_sim::{presets, simulate};

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
        let run = whenasync_sim::simulate_model_within(&ck, model, 1_000, &mut |_| {})
            .expect("simulates");
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
}
