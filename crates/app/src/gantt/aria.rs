//! What assistive technology is told about a Gantt chart: its label (the model, its rows and
//! the window shown) and the keys it answers.

use whenasync_sim::Ns;

use crate::axis::Window;
use crate::chart::{Rows, View};
use crate::format;

/// Keys the chart answers, for `aria-keyshortcuts`.
pub(super) const KEYS: &str = "+ - 0 ArrowLeft ArrowRight Home End Enter Escape";

/// The chart's `aria-label`: `model`'s `rows` by `view`, the first few named, the `window`
/// shown of a run lasting `makespan`, and how to zoom, pan and pin.
pub(super) fn label(model: &str, view: View, rows: &Rows, window: Window, makespan: Ns) -> String {
    let names: Vec<&str> = rows.rows.iter().take(6).map(|r| r.label.trim()).collect();
    let more = if rows.rows.len() > 6 { ", …" } else { "" };
    format!(
        "Gantt chart of {}, rows {}: {} rows ({}{more}). Showing {} to {} of {}. \
         Plus and minus zoom, arrow keys pan, 0 resets, Enter pins a time cursor.",
        model,
        view.label(),
        rows.rows.len(),
        names.join(", "),
        if window.start == 0 {
            "0".to_owned()
        } else {
            format::duration(window.start)
        },
        format::duration(window.end),
        format::duration(makespan),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::{Bars, Row};
    use whenasync_sim::{MS, SEC};

    fn rows(labels: &[&str]) -> Rows {
        Rows {
            rows: labels
                .iter()
                .map(|label| Row {
                    label: (*label).to_owned(),
                    group: 0,
                    lane: None,
                    task: None,
                    bars: Bars::Own(Vec::new()),
                    instants: Vec::new(),
                })
                .collect(),
            hidden: 0,
        }
    }

    #[test]
    fn the_label_names_the_rows_and_the_window() {
        let two = rows(&["thread 0", "GIL"]);
        assert_eq!(
            label(
                "asyncio",
                View::Workers,
                &two,
                Window::full(2 * SEC),
                2 * SEC
            ),
            "Gantt chart of asyncio, rows by worker: 2 rows (thread 0, GIL). Showing 0 to 2.00 s \
             of 2.00 s. Plus and minus zoom, arrow keys pan, 0 resets, Enter pins a time cursor."
        );
        let seven = rows(&[
            "task 0",
            "  └ branch 1",
            "task 1",
            "task 2",
            "task 3",
            "task 4",
            "task 5",
        ]);
        let zoomed = Window {
            start: 500 * MS,
            end: SEC,
        };
        let said = label("threads", View::Tasks, &seven, zoomed, 2 * SEC);
        assert!(
            said.starts_with(
                "Gantt chart of threads, rows by task: 7 rows (task 0, └ branch 1, task 1, task 2, \
                 task 3, task 4, …). Showing 500 ms to 1.00 s of 2.00 s."
            ),
            "{said}"
        );
    }
}
