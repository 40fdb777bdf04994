//! Numbers as people read them: durations with a unit and three significant figures,
//! percentages, rates. Pure functions, tested natively.

use whenasync_sim::{Ns, MS, SEC, US};

/// A duration with its unit and about three significant figures: `1.00 s`, `102 ms`,
/// `10.3 ms`, `250 µs`, `40 ns`.
pub fn duration(ns: Ns) -> String {
    if ns < US {
        return format!("{ns} ns");
    }
    let (value, unit) = scaled(ns);
    format!("{} {unit}", three_figures(value))
}

/// The unit a duration reads best in, and the duration in it.
fn scaled(ns: Ns) -> (f64, &'static str) {
    let v = ns as f64;
    if ns >= SEC {
        (v / SEC as f64, "s")
    } else if ns >= MS {
        (v / MS as f64, "ms")
    } else {
        (v / US as f64, "µs")
    }
}

fn three_figures(v: f64) -> String {
    if v == 0.0 {
        "0".to_owned()
    } else if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// A label for an axis tick at `ns`, in the unit that suits the tick `step`, without
/// needless decimals: `0`, `250 ms`, `1.5 s`.
pub fn tick(ns: Ns, step: Ns) -> String {
    if ns == 0 {
        return "0".to_owned();
    }
    let (scale, unit) = if step >= SEC {
        (SEC, "s")
    } else if step >= MS {
        (MS, "ms")
    } else if step >= US {
        (US, "µs")
    } else {
        (1, "ns")
    };
    // Decimals enough to tell neighbouring ticks apart: a step of 0.25 s needs two.
    let mut decimals = 0;
    let mut unit_step = scale;
    while !step.is_multiple_of(unit_step) && decimals < 3 {
        unit_step /= 10;
        decimals += 1;
    }
    format!("{:.*} {unit}", decimals, ns as f64 / scale as f64)
}

/// A fraction as a percentage, with one decimal below 10 %: `0.256` → `26 %`,
/// `0.0007` → `0.1 %`.
pub fn percent(fraction: f64) -> String {
    let p = fraction * 100.0;
    if !p.is_finite() {
        "–".to_owned()
    } else if p > 0.0 && p < 9.95 {
        format!("{p:.1} %")
    } else {
        format!("{p:.0} %")
    }
}

/// Tasks per second with three significant figures: `9.97 /s`.
pub fn rate(per_s: f64) -> String {
    if per_s.is_finite() {
        format!("{} /s", three_figures(per_s))
    } else {
        "–".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_have_a_unit_and_three_figures() {
        assert_eq!(duration(0), "0 ns");
        assert_eq!(duration(40), "40 ns");
        assert_eq!(duration(250 * US), "250 µs");
        assert_eq!(duration(10_300 * US), "10.3 ms");
        assert_eq!(duration(102_315_000), "102 ms");
        assert_eq!(duration(1_003_200_000), "1.00 s");
        assert_eq!(duration(12 * SEC), "12.0 s");
    }

    #[test]
    fn ticks_use_the_step_unit_and_just_enough_decimals() {
        assert_eq!(tick(0, 200 * MS), "0");
        assert_eq!(tick(200 * MS, 200 * MS), "200 ms");
        assert_eq!(tick(SEC, 500 * MS), "1000 ms");
        assert_eq!(tick(3 * SEC, SEC), "3 s");
        assert_eq!(tick(2_500 * MS, 2_500 * MS), "2.5 s");
        assert_eq!(tick(20 * US, 5 * US), "20 µs");
    }

    #[test]
    fn percent_and_rate() {
        assert_eq!(percent(0.256), "26 %");
        assert_eq!(percent(0.0007), "0.1 %");
        assert_eq!(percent(0.0), "0 %");
        assert_eq!(percent(f64::NAN), "–");
        assert_eq!(rate(9.968), "9.97 /s");
        assert_eq!(rate(123.4), "123 /s");
    }
}
