//! Rasterising a row: its bars in a window as runs of same-kind device pixels ([`Span`]s), at
//! a cost bounded by the pixels rather than the segments; and the instants drawn on top.

use whenasync_sim::run::KIND_COUNT;
use whenasync_sim::Kind;

use super::{Bar, BarSlice, Row};
use crate::axis::Window;
use crate::theme::{self, Mark};

/// A run of device pixels of one row drawn in one kind's colour: columns `[x0, x1)` of the
/// plot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    /// First column.
    pub x0: u32,
    /// One past the last column.
    pub x1: u32,
    /// The kind drawn.
    pub kind: Kind,
    /// How much of these columns' time is covered at all, 0 (a tenth or less) to 3 (all of
    /// it), for columns crowded with segments: drawn as opacity, so a lane busy 10 % of the
    /// time does not look saturated when zoomed out. A column with one or two segments is
    /// always 3: a lone short event stays vivid.
    pub density: u8,
}

/// The opacity of each [`Span::density`].
pub const DENSITY_ALPHA: [f64; 4] = [0.4, 0.6, 0.8, 1.0];

/// The density level of a column whose time is `covered` (0 to 1) busy.
pub fn density(covered: f64) -> u8 {
    if covered >= 0.75 {
        3
    } else if covered >= 0.4 {
        2
    } else if covered >= 0.15 {
        1
    } else {
        0
    }
}

/// Most bars weighed exactly in one pixel column; denser columns are sampled evenly.
pub const EXACT_PER_PIXEL: usize = 48;

/// The bars of a row in `window`, as `px` columns of pixels: each column shows the kind that
/// covers most of its time (any bar, however short, paints its column), and neighbouring
/// columns of one kind merge into one span. The work is bounded by the pixels (each column
/// costs a binary search and at most [`EXACT_PER_PIXEL`] bars), not by the segments, so a
/// lane with a million segments draws as fast as one with a hundred. Instants
/// ([`Mark::Tick`] kinds) are left to [`instants`].
pub fn raster(bars: BarSlice<'_>, window: Window, px: u32) -> Vec<Span> {
    let mut out: Vec<Span> = Vec::new();
    if px == 0 || bars.is_empty() {
        return out;
    }
    let t0 = window.start as f64;
    let per_px = window.span() as f64 / f64::from(px);
    // The first bar still running at the window's start.
    let mut i = bars.partition_point(|_, end| (end as f64) <= t0);
    let n = bars.len();
    let mut col = 0u32;
    while col < px && i < n {
        let lo = t0 + f64::from(col) * per_px;
        let hi = lo + per_px;
        let first = bars.get(i);
        if first.start as f64 >= hi {
            // Empty columns up to the next bar: jump straight to it.
            col = ((first.start as f64 - t0) / per_px)
                .floor()
                .max(f64::from(col + 1)) as u32;
            continue;
        }
        let mut cover = [0.0_f64; KIND_COUNT];
        let mut touched = false;
        // Bars in this column: from i up to the first that starts at or after hi.
        let mut j = i;
        while j < n && j - i < EXACT_PER_PIXEL {
            let b = bars.get(j);
            if b.start as f64 >= hi {
                break;
            }
            weigh(&mut cover, &mut touched, b, lo, hi);
            j += 1;
        }
        if j < n && j - i == EXACT_PER_PIXEL && (bars.get(j).start as f64) < hi {
            // A dense column: find where it ends and weigh an even sample of it instead.
            let end = bars.partition_point(|start, _| (start as f64) < hi).max(j);
            cover = [0.0; KIND_COUNT];
            let count = end - i;
            for k in 0..EXACT_PER_PIXEL {
                let b = bars.get(i + k * count / EXACT_PER_PIXEL);
                weigh(&mut cover, &mut touched, b, lo, hi);
            }
            // The sample stands for all `count` bars.
            let scale = count as f64 / EXACT_PER_PIXEL as f64;
            for c in &mut cover {
                *c *= scale;
            }
            j = end;
        }
        if touched {
            let kind = dominant(&cover);
            // A lone event stays vivid; a crowd of short ones shows how busy it kept the lane.
            let density = if j - i <= 2 {
                3
            } else {
                density(cover.iter().sum::<f64>() / per_px)
            };
            match out.last_mut() {
                Some(last) if last.kind == kind && last.density == density && last.x1 == col => {
                    last.x1 = col + 1
                }
                _ => out.push(Span {
                    x0: col,
                    x1: col + 1,
                    kind,
                    density,
                }),
            }
        }
        // Bars that end inside this column are done; the last one may run on.
        i = j.saturating_sub(1).max(i);
        while i < n && (bars.get(i).end as f64) <= hi {
            i += 1;
        }
        col += 1;
    }
    out
}

/// Adds the part of `b` inside `[lo, hi)` to its kind's cover. Instants count as a sliver so
/// that a column holding only instants still shows.
fn weigh(cover: &mut [f64; KIND_COUNT], touched: &mut bool, b: Bar, lo: f64, hi: f64) {
    if theme::mark(b.kind) == Mark::Tick {
        return;
    }
    let overlap = (b.end as f64).min(hi) - (b.start as f64).max(lo);
    if overlap > 0.0 || b.start == b.end {
        cover[b.kind as usize] += overlap.max(1e-9);
        *touched = true;
    }
}

/// The kind with the most cover (the earlier kind in legend order on a tie).
fn dominant(cover: &[f64; KIND_COUNT]) -> Kind {
    let mut best = 0;
    for (k, c) in cover.iter().enumerate() {
        if *c > cover[best] {
            best = k;
        }
    }
    Kind::ALL[best]
}

/// The instants of `row` inside `window`.
pub fn instants(row: &Row, window: Window) -> &[Bar] {
    let from = row.instants.partition_point(|b| b.start < window.start);
    let to = row.instants.partition_point(|b| b.start <= window.end);
    &row.instants[from..to.max(from)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::fixtures::{bar, own};

    fn spans(bars: &[Bar], window: Window, px: u32) -> Vec<(u32, u32, Kind)> {
        raster(BarSlice::Own(bars), window, px)
            .into_iter()
            .map(|s| (s.x0, s.x1, s.kind))
            .collect()
    }

    #[test]
    fn raster_shows_how_busy_a_column_is() {
        let w = Window {
            start: 0,
            end: 1_000,
        };
        let sparse: Vec<Bar> = (0..50)
            .map(|i| bar(Kind::Running, i * 20, i * 20 + 2))
            .collect();
        // Five short bars per column, 10 % busy: drawn, but faint.
        let out = raster(BarSlice::Own(&sparse), w, 10);
        assert_eq!(out.len(), 1);
        assert_eq!((out[0].x0, out[0].x1, out[0].density), (0, 10, 0));
        // One short bar alone in its column is an event to see: full strength.
        let lone = [bar(Kind::Blocked, 450, 451)];
        assert_eq!(raster(BarSlice::Own(&lone), w, 10)[0].density, 3);
        let full = [bar(Kind::Running, 0, 1_000)];
        assert_eq!(raster(BarSlice::Own(&full), w, 10)[0].density, 3);
        // Dense columns are sampled, and the sample still reads as busy.
        let dense: Vec<Bar> = (0..100_000u64)
            .map(|i| bar(Kind::Running, i * 10, i * 10 + 9))
            .collect();
        let out = raster(BarSlice::Own(&dense), Window::full(1_000_000), 10);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].density, 3);
        assert_eq!(density(0.5), 2);
        assert_eq!(density(0.2), 1);
    }

    #[test]
    fn raster_merges_columns_of_one_kind_and_keeps_gaps() {
        // 100 ns per pixel over 10 pixels.
        let w = Window {
            start: 0,
            end: 1_000,
        };
        let bars = [
            bar(Kind::Running, 0, 300),
            bar(Kind::IoWait, 300, 600),
            bar(Kind::Running, 800, 1_000),
        ];
        assert_eq!(
            spans(&bars, w, 10),
            vec![
                (0, 3, Kind::Running),
                (3, 6, Kind::IoWait),
                (8, 10, Kind::Running)
            ]
        );
        // Zoomed into the middle: only what is inside, at the new scale.
        let zoomed = Window {
            start: 250,
            end: 350,
        };
        assert_eq!(
            spans(&bars, zoomed, 4),
            vec![(0, 2, Kind::Running), (2, 4, Kind::IoWait)]
        );
    }

    #[test]
    fn raster_shows_a_sliver_and_lets_the_dominant_kind_win() {
        let w = Window {
            start: 0,
            end: 1_000,
        };
        // A 1 ns bar still paints its pixel.
        assert_eq!(
            spans(&[bar(Kind::Blocked, 450, 451)], w, 10),
            vec![(4, 5, Kind::Blocked)]
        );
        // Within one pixel, 70 ns of I/O beat 30 ns of running.
        let mixed = [bar(Kind::Running, 100, 130), bar(Kind::IoWait, 130, 200)];
        assert_eq!(spans(&mixed, w, 10), vec![(1, 2, Kind::IoWait)]);
        // Cancellation ticks are drawn separately, not as bars.
        assert_eq!(spans(&[bar(Kind::Cancelled, 500, 500)], w, 10), vec![]);
    }

    #[test]
    fn raster_of_a_million_segments_is_bounded_by_pixels() {
        // Alternating running / GIL wait, 1 µs each: far narrower than a pixel.
        let bars: Vec<Bar> = (0..1_000_000u64)
            .map(|i| {
                let kind = if i % 4 == 3 {
                    Kind::GilWait
                } else {
                    Kind::Running
                };
                bar(kind, i * 1_000, (i + 1) * 1_000)
            })
            .collect();
        let w = Window::full(1_000_000_000);
        let out = raster(BarSlice::Own(&bars), w, 1_000);
        // One span: running dominates every pixel; and the whole row is covered.
        assert_eq!(
            out,
            vec![Span {
                x0: 0,
                x1: 1_000,
                kind: Kind::Running,
                density: 3
            }]
        );
        // Zoomed in to 100 bars across 1,000 pixels, every bar shows on its own.
        let zoomed = Window {
            start: 500_000_000,
            end: 500_100_000,
        };
        let out = raster(BarSlice::Own(&bars), zoomed, 1_000);
        // Three running bars merge into 30 pixels, then 10 pixels of GIL wait, 25 times.
        assert_eq!(out.len(), 50);
        assert_eq!((out[0].x0, out[0].x1, out[0].kind), (0, 30, Kind::Running));
        assert_eq!((out[1].x0, out[1].x1, out[1].kind), (30, 40, Kind::GilWait));
    }

    #[test]
    fn raster_of_an_empty_or_distant_row_is_empty() {
        let w = Window {
            start: 0,
            end: 1_000,
        };
        assert!(spans(&[], w, 10).is_empty());
        assert!(spans(&[bar(Kind::Running, 5_000, 6_000)], w, 10).is_empty());
        assert!(spans(&[bar(Kind::Running, 0, 100)], w, 0).is_empty());
    }

    #[test]
    fn instants_are_found_once_and_filtered_by_window() {
        let mut row = own(vec![bar(Kind::Running, 0, 10)]);
        row.instants = vec![bar(Kind::Cancelled, 5, 5), bar(Kind::Cancelled, 50, 50)];
        assert_eq!(instants(&row, Window { start: 0, end: 20 }).len(), 1);
        assert_eq!(instants(&row, Window { start: 0, end: 100 }).len(), 2);
        assert_eq!(
            instants(
                &row,
                Window {
                    start: 60,
                    end: 100
                }
            )
            .len(),
            0
        );
    }
}
