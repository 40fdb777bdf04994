//! Numbers as people type them into a field (`2`, `-0.5`, `.5`, `5.`, `+1e3`, `007`), read by
//! serde_json like every number in a scenario file: a value typed in the editor is the value
//! its link and its JSON carry, and the page needs no second decimal reader (core's, whose
//! table of powers of five is 10 KB of wasm).

/// The finite number `text` spells in decimal, or `None`: `inf`, `NaN`, `0x10`, `1,5`, `1e999`
/// and the empty string are not numbers here. Surrounding whitespace is ignored.
pub fn parse_decimal(text: &str) -> Option<f64> {
    let t = text.trim();
    let (negative, t) = match t.as_bytes().first()? {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t),
    };
    let (mantissa, exponent) = match t.find(['e', 'E']) {
        Some(at) => (&t[..at], Some(&t[at + 1..])),
        None => (t, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || !digits(frac) || int.len() + frac.len() == 0 {
        return None;
    }
    // JSON's spelling of the same number: no `+`, no leading zeros, digits on both sides of
    // the point.
    let mut json = String::with_capacity(t.len() + 4);
    if negative {
        json.push('-');
    }
    let int = int.trim_start_matches('0');
    json.push_str(if int.is_empty() { "0" } else { int });
    if !frac.is_empty() {
        json.push('.');
        json.push_str(frac);
    }
    if let Some(e) = exponent {
        let unsigned = e.strip_prefix(['+', '-']).unwrap_or(e);
        if unsigned.is_empty() || !digits(unsigned) {
            return None;
        }
        json.push('e');
        json.push_str(e);
    }
    serde_json::from_str::<f64>(&json)
        .ok()
        .filter(|v| v.is_finite())
}

#[cfg(test)]
mod tests {
    use super::parse_decimal;

    #[test]
    fn what_people_type() {
        let cases = [
            ("2", 2.0),
            (" 2.5 ", 2.5),
            ("-0.5", -0.5),
            (".5", 0.5),
            ("5.", 5.0),
            ("+1e3", 1000.0),
            ("1E-3", 0.001),
            ("1e+2", 100.0),
            ("007", 7.0),
            ("0", 0.0),
            ("-0", -0.0),
            ("0.1", 0.1),
            ("300", 300.0),
        ];
        for (text, want) in cases {
            assert_eq!(parse_decimal(text), Some(want), "{text:?}");
        }
    }

    #[test]
    fn what_is_not_a_number() {
        for text in [
            "", " ", "-", "+", ".", "-.", "e5", "1e", "1e+", "1e-", "1.2.3", "1,5", "0x10", "inf",
            "-inf", "NaN", "1e999", "--1", "+-1", "1 2", "1e1.5", "١٢",
        ] {
            assert_eq!(parse_decimal(text), None, "{text:?}");
        }
    }

    /// The numbers a person types agree with core's reader (which is correctly rounded).
    #[test]
    fn agrees_with_core_on_typed_numbers() {
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..100_000 {
            let int = next() % 1_000_000;
            let frac = next() % 1_000_000;
            let places = (next() % 7) as usize;
            let text = if places == 0 {
                format!("{int}")
            } else {
                format!("{int}.{:0places$}", frac % 10u64.pow(places as u32))
            };
            let core: f64 = text.parse().expect("a decimal");
            assert_eq!(parse_decimal(&text), Some(core), "{text}");
        }
    }
}
