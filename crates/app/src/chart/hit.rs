//! Hit-testing rows: the bar under a time (by binary search), what every row was doing at an
//! instant, and a bar's tooltip.

use whenasync_sim::{Ns, Run};

use super::{Bar, BarSlice, Row, Rows, View};

/// The bar under time `t`, if any (the last one drawn wins, as on screen). Binary search:
/// fast on a lane with a million segments.
pub fn bar_at(bars: BarSlice<'_>, t: Ns) -> Option<Bar> {
    // Bars are in time order and do not overlap: the candidates end after t.
    let from = bars.partition_point(|_, end| end <= t);
    let to = bars.partition_point(|start, _| start <= t);
    (from..to.max(from))
        .rev()
        .map(|i| bars.get(i))
        .find(|b| b.start <= t && t < b.end.max(b.start + 1))
}

/// A tooltip for `bar` of `row`: a headline (who, doing what, for how long) and its timing.
pub fn describe(row: &Row, bar: &Bar, view: View) -> (String, String) {
    let mut headline = row.label.trim().to_owned();
    if view == View::Workers && bar.task != whenasync_sim::NO_TASK {
        headline.push_str(&format!(" · task {}", bar.task));
    }
    headline.push_str(&format!(
        " · {} · {}",
        bar.kind.label(),
        crate::format::duration(bar.end - bar.start)
    ));
    let timing = format!(
        "from {} to {}",
        crate::format::duration(bar.start),
        crate::format::duration(bar.end)
    );
    (headline, timing)
}

/// What every row was doing at `t`: the bar under it, or nothing (idle).
pub fn states_at<'a>(run: &'a Run, rows: &'a Rows, t: Ns) -> Vec<(&'a Row, Option<Bar>)> {
    rows.rows
        .iter()
        .map(|row| (row, bar_at(row.bars(run), t)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::axis::Window;
    use crate::chart::fixtures::{bar, landing_runs, own};
    use crate::chart::{rows, Bars};
    use whenasync_sim::Kind;

    #[test]
    fn bar_at_finds_the_bar_under_a_time() {
        let row = own(vec![
            bar(Kind::Running, 0, 10),
            bar(Kind::IoWait, 10, 20),
            bar(Kind::Running, 30, 40),
        ]);
        let run = &landing_runs()[0];
        let at = |t| bar_at(row.bars(run), t).map(|b| b.kind);
        assert_eq!(at(0), Some(Kind::Running));
        assert_eq!(at(10), Some(Kind::IoWait));
        assert_eq!(at(25), None);
        assert_eq!(at(39), Some(Kind::Running));
        assert_eq!(at(40), None);
    }

    #[test]
    fn tooltips_name_the_task_once() {
        let b = Bar {
            kind: Kind::IoWait,
            task: 4,
            start: 1_120_000,
            end: 101_120_000,
        };
        let row = |label: &str| Row {
            label: label.into(),
            group: 0,
            lane: None,
            task: None,
            bars: Bars::Own(vec![b]),
            instants: Vec::new(),
        };
        assert_eq!(
            describe(&row("task 4"), &b, View::Tasks),
            (
                "task 4 · I/O wait · 100 ms".to_owned(),
                "from 1.12 ms to 101 ms".to_owned()
            )
        );
        assert_eq!(
            describe(&row("thread 2"), &b, View::Workers).0,
            "thread 2 · task 4 · I/O wait · 100 ms"
        );
    }

    #[test]
    fn states_at_name_what_every_row_did() {
        let run = &landing_runs()[0];
        let r = rows(run, View::Workers, Window::full(run.summary.makespan));
        let states = states_at(run, &r, 50_000_000);
        assert_eq!(states.len(), r.rows.len());
        // The sync thread is waiting on the first query 50 ms in.
        assert_eq!(states[0].1.map(|b| b.kind), Some(Kind::IoWait));
    }
}
