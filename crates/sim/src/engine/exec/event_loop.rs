//! The asyncio event loop, by the numbered rules at the top of `exec.rs`: its iteration and
//! its park in `select()`, items posted to it, the listening socket that server workers share,
//! its timers and I/O completions, and its semaphore.

use std::collections::VecDeque;

use super::{Item, Wait, ACCEPT_BATCH};
use crate::engine::os::{Role, Thread};
use crate::engine::{Engine, Sid, Tid, What};
use crate::run::{Kind, LaneKind};

pub(crate) struct Loop {
    thread: Tid,
    pub(super) proc: u32,
    pub(super) ready: VecDeque<Item>,
    pending: VecDeque<Item>,
    batch: usize,
    parked: bool,
    pub(super) limit: Option<u32>,
    pub(super) in_flight: u32,
    pub(super) sem_waiters: VecDeque<Sid>,
    /// A server worker: it accepts connections from the listening socket the workers share.
    shared_accept: bool,
    /// Awaited `io`s whose timer fell due while the loop slept in `select()` (rule 6): each
    /// strand with the generation of its wait. They run once the loop wakes.
    due: Vec<(Sid, u32)>,
    /// Bumped whenever `due` is emptied, so that a stale `LoopTimer` wakes nobody.
    timer_gen: u32,
}

impl Engine<'_> {
    pub(in crate::engine) fn add_loop(&mut self, proc: u32, limit: Option<u32>, name: &str) -> u32 {
        let lane = self
            .rec
            .add_lane(LaneKind::Thread, name.to_string(), Some(proc), true);
        let t = self.threads.len() as Tid;
        let lp = self.loops.len() as u32;
        self.threads.push(Thread::new(proc, lane, Role::Loop(lp)));
        self.loops.push(Loop {
            thread: t,
            proc,
            ready: VecDeque::new(),
            pending: VecDeque::new(),
            batch: 0,
            parked: true,
            limit,
            in_flight: 0,
            sem_waiters: VecDeque::new(),
            shared_accept: false,
            due: Vec::new(),
            timer_gen: 0,
        });
        lp
    }

    /// `call_soon_threadsafe` / an I/O event: the item joins the loop's next poll.
    pub(in crate::engine) fn post_to_loop(&mut self, lp: u32, item: Item, kind: Kind) {
        if let Item::Create(s) | Item::Resume(s) = item {
            self.strands[s as usize].ready_since = self.now;
            self.strand_state(s, kind);
        }
        let l = &mut self.loops[lp as usize];
        l.pending.push_back(item);
        if l.parked {
            l.parked = false;
            let t = l.thread;
            self.unpark(t);
        }
    }

    pub(in crate::engine) fn on_io_done(&mut self, s: Sid, gen: u32) {
        let st = &self.strands[s as usize];
        if !st.alive || st.gen != gen || st.wait != Wait::Io {
            self.superseded += 1;
            return;
        }
        let lp = st.lp;
        let slack = self.m.gil_timer_slack.0;
        let l = &mut self.loops[lp as usize];
        if l.parked && slack > 0 {
            // The loop sleeps in `select()` until this timer: it wakes the slack late (rule 6).
            // The strand waits on until then.
            if l.due.is_empty() {
                let tg = l.timer_gen;
                self.schedule(self.now + slack, What::LoopTimer(lp, tg));
            }
            self.loops[lp as usize].due.push((s, gen));
            return;
        }
        self.strands[s as usize].wait = Wait::None;
        self.post_to_loop(lp, Item::Resume(s), Kind::LoopBusy);
    }

    /// Loop `lp`'s `select()` timeout fired (the timer slack after its first due timer).
    pub(in crate::engine) fn on_loop_timer(&mut self, lp: u32, timer_gen: u32) {
        let l = &mut self.loops[lp as usize];
        if l.timer_gen != timer_gen || !l.parked {
            // Woken earlier: it has run (or will run) its due timers.
            self.superseded += 1;
            return;
        }
        l.parked = false;
        let t = l.thread;
        self.unpark(t);
    }

    /// A waking loop runs the timers that fell due while it slept, after the I/O callbacks.
    fn run_due_timers(&mut self, lp: u32) {
        let l = &mut self.loops[lp as usize];
        if l.due.is_empty() {
            return;
        }
        l.timer_gen = l.timer_gen.wrapping_add(1);
        let mut due = std::mem::take(&mut l.due);
        for &(s, gen) in &due {
            let st = &mut self.strands[s as usize];
            // A strand cancelled meanwhile has been resumed already (its wait bumped).
            if !st.alive || st.gen != gen || st.wait != Wait::Io {
                continue;
            }
            st.wait = Wait::None;
            st.ready_since = self.now;
            self.strand_state(s, Kind::LoopBusy);
            self.loops[lp as usize].ready.push_back(Item::Resume(s));
        }
        due.clear();
        self.loops[lp as usize].due = due;
    }

    pub(super) fn loop_advance(&mut self, t: Tid, lp: u32) {
        loop {
            if let Some(s) = self.threads[t as usize].strand {
                if self.run_coroutine_step(t, lp, s) {
                    return;
                }
                continue;
            }
            let l = &mut self.loops[lp as usize];
            if l.batch == 0 {
                // A new iteration: poll I/O — a readable listening socket queues its accept
                // callback, completions their callbacks — then run what is ready now.
                if l.shared_accept && !self.backlog.is_empty() {
                    l.ready.push_back(Item::Accept);
                }
                let pending = std::mem::take(&mut l.pending);
                l.ready.extend(pending);
                self.run_due_timers(lp);
                let l = &mut self.loops[lp as usize];
                l.batch = l.ready.len();
                if l.batch == 0 {
                    l.parked = true;
                    self.park(t, None, None);
                    return;
                }
            }
            let l = &mut self.loops[lp as usize];
            l.batch -= 1;
            let Some(item) = l.ready.pop_front() else {
                continue;
            };
            match item {
                Item::Create(s) => {
                    let lag = self.now - self.strands[s as usize].ready_since;
                    self.loop_lags.push(lag);
                    self.threads[t as usize].strand = Some(s);
                    let task = self.strands[s as usize].task;
                    if self.tasks[task as usize].start.is_none() {
                        self.tasks[task as usize].start = Some(self.now);
                    }
                    let cost = self.m.task_create.0;
                    if cost > 0 {
                        self.compute(t, cost, true, Kind::Overhead);
                        return;
                    }
                }
                Item::Accept => self.accept(lp),
                Item::Resume(s) => {
                    if !self.strands[s as usize].alive {
                        continue;
                    }
                    let lag = self.now - self.strands[s as usize].ready_since;
                    self.loop_lags.push(lag);
                    self.threads[t as usize].strand = Some(s);
                    let cost = self.m.await_overhead.0;
                    if cost > 0 {
                        self.compute(t, cost, true, Kind::Overhead);
                        return;
                    }
                }
            }
        }
    }

    /// Marks loops as server workers sharing one listening socket.
    pub(in crate::engine) fn share_accept(&mut self, lps: &[u32]) {
        for &lp in lps {
            self.loops[lp as usize].shared_accept = true;
        }
    }

    /// A client connects to the server's listening socket (rule 5): the connection waits in
    /// the backlog. Every worker parked in `select()` wakes and races to accept it; the winner
    /// is the first parked one after the last worker to accept. Only the winner is woken here:
    /// the others would find the backlog empty and park again, at no cost in the model. Busy
    /// workers see the connection at their next poll.
    pub(in crate::engine) fn connect(&mut self, s: Sid) {
        self.strands[s as usize].ready_since = self.now;
        self.strand_state(s, Kind::Queued);
        self.backlog.push_back(s);
        let n = self.loops.len();
        let winner = (0..n)
            .map(|i| (self.accept_from + i) % n)
            .find(|&i| self.loops[i].shared_accept && self.loops[i].parked);
        if let Some(i) = winner {
            self.loops[i].parked = false;
            let t = self.loops[i].thread;
            self.unpark(t);
        }
    }

    /// Loop `lp`'s accept callback runs (rule 5): it accepts the waiting connections, oldest
    /// first and at most [`ACCEPT_BATCH`], and creates their tasks now, in accept order, before
    /// the rest of the iteration (`create_task` runs inside the callback).
    fn accept(&mut self, lp: u32) {
        let k = self.backlog.len().min(ACCEPT_BATCH);
        let mut took = false;
        for i in (0..k).rev() {
            let s = self.backlog[i];
            if !self.strands[s as usize].alive {
                self.free_strands.push(s); // its caller gave up while it waited
                continue;
            }
            took = true;
            self.strands[s as usize].lp = lp;
            self.strand_state(s, Kind::LoopBusy);
            let l = &mut self.loops[lp as usize];
            l.ready.push_front(Item::Create(s));
            l.batch += 1;
        }
        self.backlog.drain(..k);
        if took {
            self.accept_from = lp as usize + 1;
        }
    }

    /// A task on loop `lp` finished: its semaphore slot goes to the next waiter.
    pub(super) fn sem_release(&mut self, lp: u32) {
        let l = &mut self.loops[lp as usize];
        if l.limit.is_none() {
            return;
        }
        match l.sem_waiters.pop_front() {
            Some(w) => {
                l.ready.push_back(Item::Resume(w));
                self.strands[w as usize].wait = Wait::None;
                self.strands[w as usize].ready_since = self.now;
                self.strand_state(w, Kind::LoopBusy);
            }
            None => l.in_flight = l.in_flight.saturating_sub(1),
        }
    }
}
