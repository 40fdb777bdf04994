//! Small text helpers of the generator: exact ms decimals, number and string literals, and
//! `#` comments made safe from whatever the scenario's text holds.

use std::fmt::Write as _;

use crate::duration::Ns;
use crate::scenario::StartMethod;

/// A duration in ms, exactly (a decimal with up to six places: whole nanoseconds).
pub(super) fn ms(ns: Ns) -> String {
    let (whole, frac) = (ns / 1_000_000, ns % 1_000_000);
    if frac == 0 {
        whole.to_string()
    } else {
        let f = format!("{frac:06}");
        format!("{whole}.{}", f.trim_end_matches('0'))
    }
}

/// A string as a JSON literal, which is also a valid Python literal.
pub(super) fn lit(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// Text from the scenario made safe for a `#` comment: no control or line-separator characters.
pub(super) fn clean(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
                ' '
            } else {
                c
            }
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// `text` as `#` comment lines of at most `width` characters, each starting with `prefix`.
pub(super) fn comment(out: &mut String, prefix: &str, text: &str, width: usize) {
    let mut line = String::new();
    for word in clean(text).split(' ').filter(|w| !w.is_empty()) {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            let _ = writeln!(out, "# {prefix}{line}");
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        let _ = writeln!(out, "# {prefix}{line}");
    }
}

/// Python's name of a start method.
pub(super) fn start_name(s: StartMethod) -> &'static str {
    match s {
        StartMethod::Fork => "fork",
        StartMethod::Spawn => "spawn",
        StartMethod::Forkserver => "forkserver",
    }
}

/// A finite number as a short literal (`1`, `0.5`, `1024`).
pub(super) fn num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}
