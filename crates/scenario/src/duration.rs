//! Durations as integer nanoseconds, written in scenario files as `"2.5ms"`, and the
//! distributions a step's duration is drawn from.
//!
//! Parsing is exact decimal arithmetic (no floats), so `"0.1ms"` is 100 000 ns on every
//! platform.

use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Simulated time and durations: integer nanoseconds.
pub type Ns = u64;

/// Nanoseconds in one microsecond.
pub const US: Ns = 1_000;
/// Nanoseconds in one millisecond.
pub const MS: Ns = 1_000_000;
/// Nanoseconds in one second.
pub const SEC: Ns = 1_000_000_000;

/// A duration written as a number with a unit: `"100ms"`, `"2.5ms"`, `"40us"`, `"1s"`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Dur(pub Ns);

impl Dur {
    /// Parses `"<decimal><unit>"` with unit `ns`, `us` (or `µs`), `ms` or `s`.
    pub fn parse(text: &str) -> Result<Dur, String> {
        let t = text.trim();
        let split = t
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(|| format!("duration {t:?} has no unit (use ns, us, ms or s)"))?;
        let (num, unit) = t.split_at(split);
        let scale: Ns = match unit.trim() {
            "ns" => 1,
            "us" | "µs" => US,
            "ms" => MS,
            "s" => SEC,
            other => {
                return Err(format!(
                    "duration {t:?} has unknown unit {other:?} (use ns, us, ms or s)"
                ))
            }
        };
        let (int, frac) = num.split_once('.').unwrap_or((num, ""));
        if int.is_empty() && frac.is_empty() {
            return Err(format!("duration {t:?} has no number"));
        }
        let bad = || format!("duration {t:?} is not a valid number or is too large");
        let int_v: Ns = if int.is_empty() {
            0
        } else {
            int.parse().map_err(|_| bad())?
        };
        let mut ns = int_v.checked_mul(scale).ok_or_else(bad)?;
        // Fractional digits, exact: each digit is worth scale / 10^k.
        let mut place = scale;
        for c in frac.chars() {
            let d = c.to_digit(10).ok_or_else(bad)? as Ns;
            place /= 10;
            if place == 0 {
                if d != 0 {
                    return Err(format!("duration {t:?} is finer than one nanosecond"));
                }
                continue;
            }
            ns = ns.checked_add(d * place).ok_or_else(bad)?;
        }
        Ok(Dur(ns))
    }
}

impl fmt::Display for Dur {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ns = self.0;
        for (scale, unit) in [(SEC, "s"), (MS, "ms"), (US, "us")] {
            if ns >= scale {
                let whole = ns / scale;
                let rest = ns % scale;
                if rest == 0 {
                    return write!(f, "{whole}{unit}");
                }
                // Exact decimal, trailing zeros trimmed.
                let digits = scale.ilog10() as usize;
                let frac = format!("{rest:0digits$}");
                return write!(f, "{whole}.{}{unit}", frac.trim_end_matches('0'));
            }
        }
        write!(f, "{ns}ns")
    }
}

impl Serialize for Dur {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Dur {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Dur, D::Error> {
        let s = String::deserialize(d)?;
        Dur::parse(&s).map_err(de::Error::custom)
    }
}

/// Where a step's duration comes from. In a scenario file: a plain duration (`"100ms"`),
/// or one of `{"uniform": ["50ms", "150ms"]}`, `{"exp": "100ms"}` (mean),
/// `{"lognormal": {"median": "100ms", "sigma": 0.5}}`.
#[derive(Clone, Debug, PartialEq)]
pub enum Dist {
    /// Always this long.
    Fixed(Dur),
    /// Uniform between the two bounds (inclusive of the low one).
    Uniform(Dur, Dur),
    /// Exponential with this mean (samples capped at 20 × the mean).
    Exp(Dur),
    /// Log-normal with this median and shape `sigma` (samples capped at 20 × the median × e^σ²).
    LogNormal {
        /// The median duration.
        median: Dur,
        /// The shape parameter: the standard deviation of the log.
        sigma: f64,
    },
}

impl Dist {
    /// The expected value in nanoseconds (before capping), for estimates and insights.
    pub fn mean(&self) -> f64 {
        match *self {
            Dist::Fixed(d) => d.0 as f64,
            Dist::Uniform(a, b) => (a.0 as f64 + b.0 as f64) / 2.0,
            Dist::Exp(m) => m.0 as f64,
            Dist::LogNormal { median, sigma } => median.0 as f64 * libm::exp(sigma * sigma / 2.0),
        }
    }

    /// The largest value a sample can take.
    pub fn max(&self) -> Ns {
        match *self {
            Dist::Fixed(d) => d.0,
            Dist::Uniform(a, b) => a.0.max(b.0),
            Dist::Exp(m) => m.0.saturating_mul(20),
            Dist::LogNormal { median, sigma } => {
                let cap = median.0 as f64 * 20.0 * libm::exp(sigma * sigma);
                if cap >= u64::MAX as f64 {
                    u64::MAX
                } else {
                    cap as Ns
                }
            }
        }
    }
}

impl Serialize for Dist {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match self {
            Dist::Fixed(d) => d.serialize(s),
            Dist::Uniform(a, b) => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("uniform", &[a, b])?;
                m.end()
            }
            Dist::Exp(mean) => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("exp", mean)?;
                m.end()
            }
            Dist::LogNormal { median, sigma } => {
                #[derive(Serialize)]
                struct Ln<'a> {
                    median: &'a Dur,
                    sigma: f64,
                }
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry(
                    "lognormal",
                    &Ln {
                        median,
                        sigma: *sigma,
                    },
                )?;
                m.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Dist {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Dist, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Dist;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(r#"a duration like "100ms", or {"uniform": [lo, hi]}, {"exp": mean}, {"lognormal": {"median": m, "sigma": s}}"#)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Dist, E> {
                Dur::parse(v).map(Dist::Fixed).map_err(E::custom)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Dist, A::Error> {
                #[derive(Deserialize)]
                #[serde(deny_unknown_fields)]
                struct Ln {
                    median: Dur,
                    sigma: f64,
                }
                let key: String = map
                    .next_key()?
                    .ok_or_else(|| de::Error::custom("empty distribution object"))?;
                let dist = match key.as_str() {
                    "uniform" => {
                        let [a, b]: [Dur; 2] = map.next_value()?;
                        Dist::Uniform(a, b)
                    }
                    "exp" => Dist::Exp(map.next_value()?),
                    "lognormal" => {
                        let ln: Ln = map.next_value()?;
                        Dist::LogNormal {
                            median: ln.median,
                            sigma: ln.sigma,
                        }
                    }
                    other => {
                        return Err(de::Error::unknown_variant(
                            other,
                            &["uniform", "exp", "lognormal"],
                        ))
                    }
                };
                if map.next_key::<String>()?.is_some() {
                    return Err(de::Error::custom(
                        "a distribution object has exactly one key",
                    ));
                }
                Ok(dist)
            }
        }
        d.deserialize_any(V)
    }
}

/// A duration for people: `"200 ms"`, `"4.9 ms"`, `"45 µs"`, `"1.25 s"` (3 significant figures).
pub fn human(ns: Ns) -> String {
    let v = ns as f64;
    if ns >= 100 * SEC {
        format!("{:.0} s", v / 1e9)
    } else if ns >= 10 * SEC {
        format!("{:.1} s", v / 1e9)
    } else if ns >= SEC {
        format!("{:.2} s", v / 1e9)
    } else if ns >= 100 * MS {
        format!("{:.0} ms", v / 1e6)
    } else if ns >= 10 * MS {
        format!("{:.1} ms", v / 1e6)
    } else if ns >= MS {
        format!("{:.2} ms", v / 1e6)
    } else if ns >= US {
        format!("{:.0} µs", v / 1e3)
    } else {
        format!("{ns} ns")
    }
}

/// A whole number with thousands separators: `100,000`.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_exactly() {
        assert_eq!(Dur::parse("100ms"), Ok(Dur(100 * MS)));
        assert_eq!(Dur::parse("2.5ms"), Ok(Dur(2_500_000)));
        assert_eq!(Dur::parse("0.1ms"), Ok(Dur(100_000)));
        assert_eq!(Dur::parse("40us"), Ok(Dur(40_000)));
        assert_eq!(Dur::parse("1s"), Ok(Dur(SEC)));
        assert_eq!(Dur::parse(".5s"), Ok(Dur(SEC / 2)));
        assert_eq!(Dur::parse("7ns"), Ok(Dur(7)));
    }

    #[test]
    fn rejects_bad_durations_with_a_reason() {
        for bad in [
            "",
            "ms",
            "12",
            "12xs",
            "1.2.3ms",
            "0.5ns",
            "99999999999999999999s",
            "-1ms",
        ] {
            let err = Dur::parse(bad).expect_err(bad);
            assert!(err.contains("duration"), "{bad}: {err}");
        }
    }

    #[test]
    fn display_round_trips() {
        for ns in [
            0,
            1,
            999,
            1_000,
            1_500,
            2_500_000,
            100 * MS,
            SEC,
            3 * SEC + 1,
        ] {
            let d = Dur(ns);
            assert_eq!(Dur::parse(&d.to_string()), Ok(d), "{d}");
        }
    }

    #[test]
    fn human_keeps_about_three_digits() {
        let cases = [
            (750, "750 ns"),
            (2_500, "2 µs"),
            (2_500_000, "2.50 ms"),
            (97_400_000, "97.4 ms"),
            (250 * MS, "250 ms"),
            (3 * SEC + 456 * MS, "3.46 s"),
            (33_600 * MS, "33.6 s"),
            (1_951_860 * MS, "1952 s"),
        ];
        for (ns, text) in cases {
            assert_eq!(human(ns), text);
        }
    }

    #[test]
    fn dist_json_forms() {
        let d: Dist = serde_json::from_str(r#""5ms""#).expect("fixed");
        assert_eq!(d, Dist::Fixed(Dur(5 * MS)));
        let d: Dist = serde_json::from_str(r#"{"uniform":["1ms","3ms"]}"#).expect("uniform");
        assert_eq!(d, Dist::Uniform(Dur(MS), Dur(3 * MS)));
        let d: Dist =
            serde_json::from_str(r#"{"lognormal":{"median":"1ms","sigma":0.5}}"#).expect("ln");
        assert_eq!(
            serde_json::to_string(&d).expect("ser"),
            r#"{"lognormal":{"median":"1ms","sigma":0.5}}"#
        );
        assert!(serde_json::from_str::<Dist>(r#"{"gauss":"1ms"}"#).is_err());
        assert!(serde_json::from_str::<Dist>(r#"{"exp":"1ms","x":1}"#).is_err());
    }
}
