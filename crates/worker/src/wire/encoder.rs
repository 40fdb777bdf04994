//! The encoder: a [`Run`] written as bytes in one pass, the small parts first and the big
//! arrays as fixed-width records.

use whenasync_sim::{LaneKind, Run, Stats};

use super::{MAGIC, SEGMENT, TASK_HEAD};

/// `run` as bytes: the small parts first, then the three big arrays as fixed-width records
/// (so the page can decode them a slice at a time, see [`Decoder`](super::Decoder)).
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
