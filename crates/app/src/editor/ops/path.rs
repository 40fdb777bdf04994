//! Where a list of steps lives ([`ListAt`]: a class, then the containers to descend
//! through) and its names: the validator's path, a DOM id, words for screen readers.

use whenasync_sim::Step;

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
