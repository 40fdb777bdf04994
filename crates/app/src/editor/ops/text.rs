//! Values as text: parsing what is typed into a number field, with a message when it does not
//! parse, and printing values the way the fields show them.

use whenasync_sim::Dur;

/// A value as an editor shows it: a duration in the format's own spelling (`2.5ms`).
pub fn dur_text(d: Dur) -> String {
    d.to_string()
}

/// Parses a whole number, allowing `_` and `,` as digit separators.
pub fn parse_count(text: &str) -> Result<u64, String> {
    let t: String = text
        .trim()
        .chars()
        .filter(|c| !matches!(c, '_' | ',' | ' ' | '\u{202f}'))
        .collect();
    if t.is_empty() {
        return Err("enter a whole number".to_owned());
    }
    t.parse::<u64>()
        .map_err(|_| format!("{:?} is not a whole number", text.trim()))
}

/// Parses a whole number that fits in a `u32`.
pub fn parse_u32(text: &str) -> Result<u32, String> {
    let n = parse_count(text)?;
    u32::try_from(n).map_err(|_| format!("{n} is too large (at most {})", u32::MAX))
}

/// Parses a finite decimal number.
pub fn parse_number(text: &str) -> Result<f64, String> {
    let t = text.trim().replace('_', "");
    if t.is_empty() {
        return Err("enter a number".to_owned());
    }
    whenasync_sim::number::parse_decimal(&t)
        .ok_or_else(|| format!("{:?} is not a number", text.trim()))
}

/// A number without needless decimals: `1`, `0.5`, `1e-7`.
pub fn number_text(v: f64) -> String {
    format!("{v}")
}
