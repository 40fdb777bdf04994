//! Insights as links into the chart: each insight names a task, a lane and a span
//! ([`whenasync_sim::Insight`]); clicking it zooms the shared window to the span and
//! highlights the row ([`crate::gantt::ChartState::point_at`]).

use wasm_bindgen::JsCast;
use whenasync_sim::Insight;

use crate::format;
use crate::gantt::Highlight;

/// What `insight` of `model`'s run points at, if it points anywhere.
pub fn target(insight: &Insight, model: &str) -> Option<Highlight> {
    let nowhere =
        insight.task.is_none() && insight.lane.is_none() && insight.start == 0 && insight.end == 0;
    (!nowhere).then(|| Highlight {
        model: model.to_owned(),
        lane: insight.lane,
        task: insight.task,
        start: insight.start.min(insight.end),
        end: insight.start.max(insight.end),
    })
}

/// Where `insight` points, in words: `task 3, 1.20 s to 1.40 s`.
pub fn describe(insight: &Insight) -> String {
    let span = if insight.end > insight.start {
        format!(
            "{} to {}",
            format::duration(insight.start),
            format::duration(insight.end)
        )
    } else {
        format!("at {}", format::duration(insight.start))
    };
    match insight.task {
        Some(t) => format!("task {t}, {span}"),
        None => span,
    }
}

/// Brings the chart of the panel holding the clicked element into view and focuses it, so
/// the keyboard can zoom and pan from there.
pub fn reveal_chart(ev: &web_sys::MouseEvent) {
    let Some(el) = ev
        .current_target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    else {
        return;
    };
    let canvas = el
        .closest(".run")
        .ok()
        .flatten()
        .and_then(|panel| {
            panel
                .query_selector("[data-testid=gantt-canvas]")
                .ok()
                .flatten()
        })
        .and_then(|c| c.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(canvas) = canvas {
        let options = web_sys::ScrollIntoViewOptions::new();
        options.set_block(web_sys::ScrollLogicalPosition::Nearest);
        canvas.scroll_into_view_with_scroll_into_view_options(&options);
        let _ = canvas.focus();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use whenasync_sim::MS;

    fn insight(task: Option<u32>, lane: Option<u32>, start: u64, end: u64) -> Insight {
        Insight {
            rule: "test",
            text: "why".into(),
            task,
            lane,
            start,
            end,
        }
    }

    #[test]
    fn an_insight_points_at_its_task_lane_and_span() {
        let h = target(&insight(Some(3), Some(0), 200 * MS, 400 * MS), "async").expect("a target");
        assert_eq!(
            (h.model.as_str(), h.task, h.lane, h.start, h.end),
            ("async", Some(3), Some(0), 200 * MS, 400 * MS)
        );
        assert_eq!(
            describe(&insight(Some(3), None, 200 * MS, 400 * MS)),
            "task 3, 200 ms to 400 ms"
        );
        assert_eq!(
            describe(&insight(None, Some(1), 5 * MS, 5 * MS)),
            "at 5.00 ms"
        );
    }

    #[test]
    fn an_insight_about_nothing_in_particular_is_not_a_link() {
        assert!(target(&insight(None, None, 0, 0), "sync").is_none());
        // A reversed span is put right.
        let h = target(&insight(None, Some(1), 9, 3), "sync").expect("a target");
        assert_eq!((h.start, h.end), (3, 9));
    }
}
