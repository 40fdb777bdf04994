//! The decoder: the small parts of a run at once, then its big arrays a slice at a time
//! ([`Decoder`]), and the `&'static str` labels interned on the way.

use std::cell::RefCell;

use whenasync_sim::{Insight, Kind, Lane, LaneKind, Run, Segment, Summary, TaskSegment};

use super::reader::{le32, le64, Reader};
use super::{WireError, MAGIC, SEGMENT, TASK_HEAD};

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
pub(super) fn static_str(s: &str) -> &'static str {
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
