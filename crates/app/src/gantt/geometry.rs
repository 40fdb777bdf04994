//! Where things go in a Gantt chart, in CSS pixels: the label column, row tops and groups, the
//! axis, and the mapping between x and time (and y and row) both ways.

use whenasync_sim::Ns;

use crate::axis::Window;
use crate::chart::Rows;

/// Where things go in a chart, in CSS pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Geometry {
    /// Width of the label column left of the plot.
    pub label_width: f64,
    /// Space above the first row.
    pub top: f64,
    /// Distance between the tops of neighbouring rows.
    pub pitch: f64,
    /// Height of a full bar.
    pub bar: f64,
    /// Extra space between row groups (workers, cores).
    pub group_gap: f64,
    /// Height of the time axis under the rows.
    pub axis: f64,
    /// Space right of the plot, so the last tick label fits.
    pub right: f64,
}

/// The geometry every chart uses.
pub const GEOMETRY: Geometry = Geometry {
    label_width: 124.0,
    top: 6.0,
    pitch: 18.0,
    bar: 13.0,
    group_gap: 8.0,
    axis: 26.0,
    right: 18.0,
};

/// The label column on a narrow (phone) screen.
const NARROW_LABEL_WIDTH: f64 = 84.0;

impl Geometry {
    /// This geometry for a chart `width` CSS pixels wide: a narrower label column on phones.
    pub fn for_width(width: f64) -> Self {
        let mut g = GEOMETRY;
        if width < 560.0 {
            g.label_width = NARROW_LABEL_WIDTH;
        }
        g
    }

    /// The top of each row, and the total height of the chart.
    pub fn row_tops(&self, rows: &Rows) -> (Vec<f64>, f64) {
        let mut y = self.top;
        let mut tops = Vec::with_capacity(rows.rows.len());
        let mut group = rows.rows.first().map(|r| r.group);
        for row in &rows.rows {
            if Some(row.group) != group {
                y += self.group_gap;
                group = Some(row.group);
            }
            tops.push(y);
            y += self.pitch;
        }
        (tops, y + self.axis)
    }

    /// Width of the plot area of a chart `width` CSS pixels wide.
    pub fn plot_width(&self, width: f64) -> f64 {
        (width - self.label_width - self.right).max(1.0)
    }

    /// The x of time `t` in `window` on a chart `width` CSS pixels wide.
    pub fn x(&self, t: Ns, window: Window, width: f64) -> f64 {
        self.label_width + self.plot_width(width) * window.fraction(t)
    }

    /// The time at x (inverse of [`Geometry::x`]), if x is over the plot.
    pub fn t(&self, x: f64, window: Window, width: f64) -> Option<Ns> {
        let f = (x - self.label_width) / self.plot_width(width);
        (0.0..=1.0).contains(&f).then(|| window.at(f))
    }

    /// The row under y, if any.
    pub fn row_at(&self, tops: &[f64], y: f64) -> Option<usize> {
        let i = tops.iter().rposition(|top| y >= top - 2.0)?;
        (y < tops[i] + self.pitch - 2.0).then_some(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use whenasync_sim::MS;

    #[test]
    fn x_and_t_are_inverse_in_any_window() {
        let g = GEOMETRY;
        let w = Window {
            start: 200 * MS,
            end: 700 * MS,
        };
        let width = 1_000.0;
        assert_eq!(g.x(200 * MS, w, width), g.label_width);
        assert_eq!(g.x(700 * MS, w, width), g.label_width + g.plot_width(width));
        let x = g.x(450 * MS, w, width);
        assert_eq!(g.t(x, w, width), Some(450 * MS));
        assert_eq!(g.t(g.label_width - 5.0, w, width), None);
    }

    #[test]
    fn rows_are_found_under_the_pointer() {
        let g = GEOMETRY;
        let tops = [6.0, 24.0, 50.0];
        assert_eq!(g.row_at(&tops, 10.0), Some(0));
        assert_eq!(g.row_at(&tops, 30.0), Some(1));
        assert_eq!(g.row_at(&tops, 45.0), None);
        assert_eq!(g.row_at(&tops, 2.0), None);
    }
}
