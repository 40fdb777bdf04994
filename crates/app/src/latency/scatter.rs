//! The latency-over-time scatter: the device pixels its points fall on, and a [`Layer`] that
//! paints every series' dots into one image, put on the canvas with one call instead of one
//! `fillRect` per dot (80,000 of them for 100,000 tasks × 4 models).

use std::cell::RefCell;

use wasm_bindgen::{Clamped, JsCast, JsValue};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};
use whenasync_sim::Ns;

use crate::plot::Scale;

/// The device pixels (x, y) of `points` on a `w` × `h` pixel plot, each pixel once, in the
/// order first seen. `x` maps arrival, `y` latency; both as fractions from the scales.
pub fn scatter_pixels(
    points: impl IntoIterator<Item = (Ns, Ns)>,
    x: &Scale,
    y: &Scale,
    w: usize,
    h: usize,
) -> Vec<(u32, u32)> {
    let (w, h) = (w.max(1), h.max(1));
    let mut seen = vec![false; w * h];
    let mut out = Vec::new();
    let x = x.fraction_fn();
    let rows = Rows::new(y, h);
    for (a, l) in points {
        let fx = x(a as f64);
        if !fx.is_finite() {
            continue;
        }
        let px = ((fx * (w - 1) as f64).round().max(0.0) as usize).min(w - 1);
        let py = rows.row(l as f64);
        if !seen[py * w + px] {
            seen[py * w + px] = true;
            out.push((px as u32, py as u32));
        }
    }
    out
}

/// The pixel row of a latency on an `h`-row plot. Row j is `round((1 − fraction) · (h − 1))`:
/// `edges` holds the value where that reaches j + ½, for each j, descending, and a value's row
/// is how many of them it does not exceed — no logarithm per point on a log scale.
///
/// A million tasks × four models make four million lookups, so a binary search is not cheap
/// either. Positive doubles order like their bits, so the top 20 bits of a value (its exponent
/// and 8 bits of mantissa: 256 buckets per power of two) index `first`, the row of the bucket's
/// smallest value; the row of a value in it is that, less the edges between the two, almost
/// always none.
struct Rows {
    edges: Vec<f64>,
    /// Per bucket from `low`, its smallest value's row.
    first: Vec<u32>,
    low: u64,
}

impl Rows {
    /// Buckets past which the table is not worth its memory (a scale over ~250 powers of two).
    const MAX_BUCKETS: u64 = 1 << 16;

    fn new(y: &Scale, h: usize) -> Self {
        let edges: Vec<f64> = (0..h.saturating_sub(1))
            .map(|j| y.value(1.0 - (j as f64 + 0.5) / (h - 1) as f64))
            .collect();
        let usable = edges.iter().all(|e| e.is_finite() && *e > 0.0);
        let (low, high) = match (edges.last(), edges.first()) {
            (Some(lo), Some(hi)) if usable => (Self::bucket(*lo), Self::bucket(*hi)),
            _ => (0, 0),
        };
        let first = if usable && high - low < Self::MAX_BUCKETS {
            (low..=high)
                .map(|b| {
                    let smallest = f64::from_bits(b << Self::SHIFT);
                    edges.partition_point(|&e| e >= smallest) as u32
                })
                .collect()
        } else {
            Vec::new()
        };
        Rows { edges, first, low }
    }

    const SHIFT: u32 = 44;

    fn bucket(v: f64) -> u64 {
        v.to_bits() >> Self::SHIFT
    }

    fn row(&self, v: f64) -> usize {
        let Some(&start) = (v > 0.0)
            .then(|| Self::bucket(v).checked_sub(self.low))
            .flatten()
            .and_then(|i| self.first.get(i as usize))
        else {
            return self.edges.partition_point(|&e| e >= v);
        };
        let mut row = start as usize;
        while row > 0 && self.edges[row - 1] < v {
            row -= 1;
        }
        row
    }
}

/// A `w` × `h` device-pixel image that dots are painted into with source-over, as the
/// canvas's own `fillRect` with a global alpha would paint them, kept premultiplied.
#[derive(Clone)]
pub struct Layer {
    w: usize,
    h: usize,
    /// Premultiplied RGBA.
    rgba: Vec<u8>,
}

impl Layer {
    /// A transparent layer.
    pub fn new(w: usize, h: usize) -> Self {
        let (w, h) = (w.max(1), h.max(1));
        Layer {
            w,
            h,
            rgba: vec![0; w * h * 4],
        }
    }

    /// Paints a `size` × `size` square centred on pixel (`px`, `py`) in `rgb` at `alpha`
    /// (0–255), clipped to the layer.
    pub fn dot(&mut self, px: u32, py: u32, size: usize, rgb: [u8; 3], alpha: u8) {
        let size = size.max(1);
        let half = (size - 1) / 2;
        let (x0, y0) = (
            (px as usize).saturating_sub(half),
            (py as usize).saturating_sub(half),
        );
        let (x1, y1) = (
            (px as usize + size - half).min(self.w),
            (py as usize + size - half).min(self.h),
        );
        let a = u32::from(alpha);
        let src = rgb.map(|c| (u32::from(c) * a + 127) / 255);
        let keep = 255 - a;
        for y in y0..y1 {
            let row = &mut self.rgba[(y * self.w + x0) * 4..(y * self.w + x1) * 4];
            for px in row.chunks_exact_mut(4) {
                for c in 0..3 {
                    px[c] = (src[c] + (u32::from(px[c]) * keep + 127) / 255) as u8;
                }
                px[3] = (a + (u32::from(px[3]) * keep + 127) / 255) as u8;
            }
        }
    }

    /// The layer's RGBA, not premultiplied, as `ImageData` holds it.
    pub fn straight(mut self) -> Vec<u8> {
        for px in self.rgba.chunks_exact_mut(4) {
            let a = u32::from(px[3]);
            if a != 0 && a != 255 {
                for c in &mut px[..3] {
                    *c = ((u32::from(*c) * 255 + a / 2) / a).min(255) as u8;
                }
            }
        }
        self.rgba
    }

    /// Draws the layer onto `ctx` over the CSS-pixel rectangle at (`left`, `top`), `width` ×
    /// `height` (the layer's device pixels), through a scratch canvas kept for the next draw:
    /// `putImageData` would replace the axes under it rather than paint over them.
    pub fn draw(
        self,
        ctx: &CanvasRenderingContext2d,
        left: f64,
        top: f64,
        width: f64,
        height: f64,
    ) -> Result<(), JsValue> {
        thread_local! {
            static SCRATCH: RefCell<Option<(HtmlCanvasElement, CanvasRenderingContext2d)>> =
                const { RefCell::new(None) };
        }
        let (w, h) = (self.w as u32, self.h as u32);
        let scratch = SCRATCH.with(|s| s.borrow().clone());
        let (canvas, sctx) = match scratch {
            Some(pair) => pair,
            None => {
                let canvas: HtmlCanvasElement = web_sys::window()
                    .and_then(|w| w.document())
                    .ok_or_else(|| JsValue::from_str("no document"))?
                    .create_element("canvas")?
                    .dyn_into()
                    .map_err(JsValue::from)?;
                let sctx: CanvasRenderingContext2d = canvas
                    .get_context("2d")?
                    .ok_or_else(|| JsValue::from_str("no 2d context"))?
                    .dyn_into()
                    .map_err(JsValue::from)?;
                SCRATCH.with(|s| *s.borrow_mut() = Some((canvas.clone(), sctx.clone())));
                (canvas, sctx)
            }
        };
        if canvas.width() != w || canvas.height() != h {
            canvas.set_width(w);
            canvas.set_height(h);
        }
        let image = ImageData::new_with_u8_clamped_array_and_sh(Clamped(&self.straight()), w, h)?;
        sctx.put_image_data(&image, 0.0, 0.0)?;
        ctx.draw_image_with_html_canvas_element_and_dw_and_dh(&canvas, left, top, width, height)
    }
}

/// The red, green and blue of a `#rrggbb` colour.
pub fn rgb(hex: &str) -> Option<[u8; 3]> {
    let h = hex.strip_prefix('#').filter(|h| h.len() == 6)?;
    let c = |i: usize| u8::from_str_radix(h.get(i..i + 2)?, 16).ok();
    Some([c(0)?, c(2)?, c(4)?])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scatter_plots_each_pixel_once() {
        let x = Scale::Linear { min: 0.0, max: 9.0 };
        let y = Scale::Linear { min: 0.0, max: 9.0 };
        let pts: Vec<(Ns, Ns)> = (0..100_000).map(|i| (i % 10, i % 10)).collect();
        let px = scatter_pixels(pts.iter().copied(), &x, &y, 10, 10);
        assert_eq!(px.len(), 10);
        assert_eq!(px[0], (0, 9));
        assert_eq!(px[9], (9, 0));
    }

    #[test]
    fn rows_by_binary_search_agree_with_the_formula() {
        // Pseudo-random latencies over five decades, on a log scale and a linear one.
        let mut x = 0x9E37_79B9_7F4A_7C15_u64;
        let pts: Vec<(Ns, Ns)> = (0..20_000)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (i, 1_000 + (x % 100_000_000_000) / (1 + x % 100_000))
            })
            .collect();
        let xs = Scale::Linear {
            min: 0.0,
            max: pts.len() as f64,
        };
        for y in [
            Scale::Log {
                min: 1e3,
                max: 1e11,
            },
            Scale::Linear { min: 0.0, max: 2e9 },
        ] {
            let (w, h) = (50, 300);
            let (fx, fy) = (xs.fraction_fn(), y.fraction_fn());
            let (mut seen, mut want) = (vec![false; w * h], Vec::new());
            for &(a, l) in &pts {
                let px = ((fx(a as f64) * (w - 1) as f64).round().max(0.0) as usize).min(w - 1);
                let py =
                    (((1.0 - fy(l as f64)) * (h - 1) as f64).round().max(0.0) as usize).min(h - 1);
                if !seen[py * w + px] {
                    seen[py * w + px] = true;
                    want.push((px as u32, py as u32));
                }
            }
            assert_eq!(
                scatter_pixels(pts.iter().copied(), &xs, &y, w, h),
                want,
                "{y:?}"
            );
        }
    }

    #[test]
    fn rows_by_bucket_agree_with_a_binary_search() {
        let mut x = 0x2545_F491_4F6C_DD1D_u64;
        let mut values: Vec<f64> = (0..50_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                ((x % 100_000_000_000) / (1 + x % 1_000_000)) as f64
            })
            .collect();
        values.extend([0.0, 1.0, 1e-300, 5e13, f64::MAX, f64::INFINITY]);
        for (y, h) in [
            (
                Scale::Log {
                    min: 1e3,
                    max: 1e11,
                },
                300,
            ),
            (Scale::Log { min: 1e6, max: 2e6 }, 250),
            (Scale::Linear { min: 0.0, max: 2e9 }, 200),
            (Scale::Linear { min: 0.0, max: 7.0 }, 180),
            (Scale::Linear { min: 0.0, max: 1e9 }, 1),
        ] {
            let rows = Rows::new(&y, h);
            if h > 1 {
                assert!(!rows.first.is_empty(), "{y:?}: no table");
            }
            // Values right at the edges, and every value drawn.
            let exact: Vec<f64> = rows
                .edges
                .iter()
                .flat_map(|e| [*e, e.next_down(), e.next_up()])
                .collect();
            for &v in values.iter().chain(&exact) {
                assert_eq!(
                    rows.row(v),
                    rows.edges.partition_point(|&e| e >= v),
                    "{y:?}, {v}"
                );
            }
        }
    }

    #[test]
    fn dots_paint_like_a_canvas_with_global_alpha() {
        let mut layer = Layer::new(4, 3);
        // One dot alone: its colour at 75 % alpha, over a 3 × 3 square clipped at the edge.
        layer.dot(0, 1, 3, [200, 100, 0], 191);
        let px = |l: &Layer, x: usize, y: usize| {
            let s = l.clone().straight();
            let i = (y * 4 + x) * 4;
            [s[i], s[i + 1], s[i + 2], s[i + 3]]
        };
        assert_eq!(px(&layer, 0, 0), [200, 100, 0, 191]);
        assert_eq!(px(&layer, 1, 2), [200, 100, 0, 191]);
        assert_eq!(px(&layer, 2, 1), [0, 0, 0, 0]);
        // A second colour over it: source-over, so the first still shows through a quarter.
        layer.dot(1, 1, 1, [0, 0, 200], 191);
        let [r, g, b, a] = px(&layer, 1, 1);
        assert_eq!(a, 239, "0.75 + 0.75 × 0.25 of 255");
        assert!(
            (38..=42).contains(&r) && (18..=22).contains(&g) && (158..=162).contains(&b),
            "{r} {g} {b}"
        );
        assert_eq!(rgb("#332288"), Some([0x33, 0x22, 0x88]));
        assert_eq!(rgb("332288"), None);
    }
}
