//! The event queue: events in `(time, sequence number)` order, one `u128` key each.
//!
//! The queue is usually short (about one event per thread, task arrival and loop): a vector
//! kept sorted, latest first, so the next event is the last one, and an event due soon (most
//! are) is inserted near the end. It holds at most [`NEAR`] events; past that (ten thousand
//! connections each waiting for its own I/O) the latest go to a binary heap, so an insertion
//! never costs more than a heap's `O(log n)` plus a short shift. Events scheduled with the same delay come due in the order they
//! were scheduled (time never goes back, the sequence number only grows), so two FIFOs take
//! them, pushed at the back and taken from the front: one for GIL waiters' timed waits (always
//! one switch interval plus the timer slack), one for blocking calls while their duration
//! repeats (it takes the duration of the first call made while it is empty). The next event
//! is the least of the vector's last and the FIFOs' fronts, so the order is exactly one
//! queue's: which structure holds an event never shows. A GIL waiter handed the GIL has its
//! timed wait cancelled if that wait is the timeouts FIFO's front, as it nearly always is (the
//! GIL goes to its longest waiter); a stale event anywhere else comes due and does nothing.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use super::What;
use crate::duration::Ns;

/// The most events the sorted vector holds.
const NEAR: usize = 64;

/// An event in the queue.
#[derive(Clone, Copy)]
struct Ev {
    /// The time in the high 64 bits, the scheduling order among equal times in the low ones:
    /// one comparison orders events.
    key: u128,
    what: What,
}

impl PartialEq for Ev {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for Ev {}

impl PartialOrd for Ev {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// By key alone: every event has its own.
impl Ord for Ev {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key.cmp(&other.key)
    }
}

/// No event: the front key of an empty FIFO.
const EMPTY: u128 = u128::MAX;

/// Events of one delay, oldest first.
struct Fifo {
    /// The events are `evs[head..]`.
    evs: Vec<Ev>,
    head: usize,
    /// The first event's key, `EMPTY` when there is none.
    front: u128,
    /// The delay of its events (while it has any).
    delay: Ns,
}

impl Fifo {
    fn new() -> Self {
        Fifo {
            evs: Vec::with_capacity(16),
            head: 0,
            front: EMPTY,
            delay: 0,
        }
    }

    #[inline]
    fn push(&mut self, ev: Ev) {
        debug_assert!(self.evs[self.head..].last().is_none_or(|b| b.key < ev.key));
        if self.front == EMPTY {
            self.front = ev.key;
        }
        self.evs.push(ev);
    }

    /// Takes the first event (there is one).
    #[inline]
    fn pop(&mut self) -> Ev {
        let ev = self.evs[self.head];
        self.head += 1;
        if self.head == self.evs.len() {
            self.evs.clear();
            self.head = 0;
            self.front = EMPTY;
        } else {
            if self.head >= 64 && self.head * 2 >= self.evs.len() {
                // Never empty for long: drop the taken events.
                self.evs.drain(..self.head);
                self.head = 0;
            }
            self.front = self.evs[self.head].key;
        }
        ev
    }
}

pub(super) struct Queue {
    /// Sorted by key, latest first; at most [`NEAR`].
    sorted: Vec<Ev>,
    /// The events that did not fit in `sorted`.
    far: BinaryHeap<Reverse<Ev>>,
    /// GIL waiters' timed waits.
    timeouts: Fifo,
    /// Blocking calls of the FIFO's delay.
    sleeps: Fifo,
    seq: u64,
}

impl Queue {
    pub fn new() -> Self {
        Queue {
            sorted: Vec::with_capacity(NEAR),
            far: BinaryHeap::new(),
            timeouts: Fifo::new(),
            sleeps: Fifo::new(),
            seq: 0,
        }
    }

    #[inline]
    fn ev(&mut self, at: Ns, what: What) -> Ev {
        self.seq += 1;
        Ev {
            key: (at as u128) << 64 | self.seq as u128,
            what,
        }
    }

    /// Schedules `what` at `at`.
    #[inline]
    pub fn schedule(&mut self, at: Ns, what: What) {
        let ev = self.ev(at, what);
        self.insert(ev);
    }

    #[inline]
    fn insert(&mut self, ev: Ev) {
        if self.sorted.len() >= NEAR && self.spill(ev) {
            return;
        }
        let v = &mut self.sorted;
        // Past the events due before it (the end of the vector).
        let mut i = v.len();
        while i > 0 && v[i - 1].key < ev.key {
            i -= 1;
        }
        v.insert(i, ev);
    }

    /// The vector is full: the later of its latest and `ev` goes to the heap. Whether that
    /// was `ev`.
    #[cold]
    #[inline(never)]
    fn spill(&mut self, ev: Ev) -> bool {
        if ev.key > self.sorted[0].key {
            self.far.push(Reverse(ev));
            return true;
        }
        self.far.push(Reverse(self.sorted.remove(0)));
        false
    }

    /// Schedules `what` at `at` among the GIL waiters' timed waits: every one comes with the
    /// same delay.
    #[inline]
    pub fn schedule_timeout(&mut self, at: Ns, what: What) {
        let ev = self.ev(at, what);
        self.timeouts.push(ev);
    }

    /// Drops the first of the GIL waiters' timed waits if `stale` says it is one that would
    /// do nothing: its waiter was handed the GIL, and a wait that is signalled fires no timer.
    /// Any other stale wait is left to come due and find itself stale. Whether it was dropped.
    #[inline]
    pub fn cancel_timeout(&mut self, stale: impl FnOnce(What) -> bool) -> bool {
        let f = &mut self.timeouts;
        if f.front != EMPTY && stale(f.evs[f.head].what) {
            f.pop();
            return true;
        }
        false
    }

    /// Schedules `what` at `at`, `delay` after now: the end of a blocking call.
    #[inline]
    pub fn schedule_sleep(&mut self, at: Ns, delay: Ns, what: What) {
        let ev = self.ev(at, what);
        let f = &mut self.sleeps;
        if f.front == EMPTY {
            f.delay = delay;
        } else if f.delay != delay {
            self.insert(ev);
            return;
        }
        f.push(ev);
    }

    /// Takes the next event: its time and what it is.
    #[inline]
    pub fn next(&mut self) -> Option<(Ns, What)> {
        let last = self.sorted.last().map_or(EMPTY, |ev| ev.key);
        let far = self.far.peek().map_or(EMPTY, |ev| ev.0.key);
        let (t, s) = (self.timeouts.front, self.sleeps.front);
        let ev = if t < last && t < s && t < far {
            self.timeouts.pop()
        } else if s < last && s < far {
            self.sleeps.pop()
        } else if far < last {
            self.far.pop()?.0
        } else {
            self.sorted.pop()?
        };
        Some(((ev.key >> 64) as Ns, ev.what))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// One step of a test: schedule (plainly, as a timeout or as a sleep) `delay` after the
    /// current time, take the next event, or cancel a pending timeout (the `k`-th scheduled
    /// event if it is one; even `k`: the first pending timeout).
    #[derive(Clone, Debug)]
    enum Op {
        Schedule(Ns),
        Timeout,
        Sleep(Ns),
        Next,
        Cancel(u32),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (0..50u64).prop_map(Op::Schedule),
            1 => Just(Op::Timeout),
            2 => prop_oneof![Just(5), 0..50u64].prop_map(Op::Sleep),
            3 => Just(Op::Next),
            1 => (0..600u32).prop_map(Op::Cancel),
        ]
    }

    proptest! {
        /// Whichever structure holds them (the vector, its overflow heap or a FIFO), events
        /// come out in time order, and in the order they were scheduled among equal times:
        /// exactly a single priority queue's order. Hundreds pending exercise the heap.
        #[test]
        fn events_come_due_in_time_then_schedule_order(ops in prop::collection::vec(op(), 1..600)) {
            let mut q = Queue::new();
            // The model: (time, schedule number), sorted on demand; and the timeouts pending,
            // oldest first.
            let mut model: Vec<(Ns, u32)> = Vec::new();
            let mut timeouts: Vec<u32> = Vec::new();
            let (mut now, mut n) = (0, 0u32);
            let check_next = |q: &mut Queue, model: &mut Vec<(Ns, u32)>, now: &mut Ns| {
                model.sort_unstable();
                let want = (!model.is_empty()).then(|| model.remove(0));
                let got = q.next().map(|(at, what)| match what {
                    What::Arrival(n) => (at, n),
                    _ => unreachable!("only arrivals are scheduled"),
                });
                prop_assert_eq!(got, want);
                if let Some((at, _)) = got {
                    *now = at;
                }
                Ok(())
            };
            for op in ops {
                match op {
                    Op::Schedule(d) => q.schedule(now + d, What::Arrival(n)),
                    Op::Timeout => q.schedule_timeout(now + 7, What::Arrival(n)),
                    Op::Sleep(d) => q.schedule_sleep(now + d, d, What::Arrival(n)),
                    Op::Next => {
                        check_next(&mut q, &mut model, &mut now)?;
                        timeouts.retain(|k| model.iter().any(|&(_, m)| m == *k));
                        continue;
                    }
                    Op::Cancel(k) => {
                        // Only the first pending timeout can go, and only if it is the one.
                        let first = timeouts.first().copied();
                        let target = if k % 2 == 0 { first.unwrap_or(k) } else { k };
                        let dropped =
                            q.cancel_timeout(|what| matches!(what, What::Arrival(x) if x == target));
                        prop_assert_eq!(dropped, first == Some(target));
                        if dropped {
                            timeouts.remove(0);
                            model.retain(|&(_, m)| m != target);
                        }
                        continue;
                    }
                }
                let at = match op {
                    Op::Schedule(d) | Op::Sleep(d) => now + d,
                    _ => now + 7,
                };
                if let Op::Timeout = op {
                    timeouts.push(n);
                }
                model.push((at, n));
                n += 1;
            }
            while !model.is_empty() {
                check_next(&mut q, &mut model, &mut now)?;
            }
            prop_assert!(q.next().is_none());
        }
    }
}
