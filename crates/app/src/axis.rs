//! Time axes: where the ticks go. Round steps (1, 2 or 5 × 10ⁿ ns) so labels read as
//! `0, 200 ms, 400 ms`, never `0, 187 ms`.

use whenasync_sim::Ns;

/// Tick positions along a time axis.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ticks {
    /// Distance between neighbouring ticks, ns.
    pub step: Ns,
    /// Tick positions from 0 up to the axis end, inclusive where one falls on it.
    pub values: Vec<Ns>,
}

/// Ticks for an axis from 0 to `end`, at most `max_ticks` intervals apart (at least 1).
pub fn ticks(end: Ns, max_ticks: u32) -> Ticks {
    let end = end.max(1);
    let max_ticks = Ns::from(max_ticks.max(1));
    let mut magnitude: Ns = 1;
    let step = 'search: loop {
        for m in [1, 2, 5] {
            let step = magnitude.saturating_mul(m);
            if end.div_ceil(step) <= max_ticks {
                break 'search step;
            }
        }
        match magnitude.checked_mul(10) {
            Some(next) => magnitude = next,
            None => break end,
        }
    };
    let values = (0..=end / step).map(|i| i * step).collect();
    Ticks { step, values }
}

#[cfg(test)]
mod tests {
    use super::*;
    use whenasync_sim::MS;

    #[test]
    fn round_steps_within_the_budget() {
        let t = ticks(1_003 * MS, 8);
        assert_eq!(t.step, 200 * MS);
        assert_eq!(
            t.values,
            vec![0, 200 * MS, 400 * MS, 600 * MS, 800 * MS, 1_000 * MS]
        );
        assert_eq!(ticks(102 * MS, 10).step, 20 * MS);
        assert_eq!(ticks(100 * MS, 10).step, 10 * MS);
    }

    #[test]
    fn degenerate_axes_do_not_panic() {
        assert_eq!(ticks(0, 5).values, vec![0, 1]);
        assert!(!ticks(Ns::MAX, 0).values.is_empty());
        assert!(ticks(7, 100).step >= 1);
    }
}
