//! The one place colours are defined: the Okabe–Ito palette for segment kinds, and the page
//! and chart chrome for light and dark mode. Every chart, legend and the page's CSS custom
//! properties read from here, so a kind has the same colour everywhere.
//!
//! Okabe & Ito, "Color Universal Design" (2008): eight colours that stay distinct under the
//! common forms of colour blindness. Eleven kinds need more than eight, so the neutral kinds
//! (queued, overhead, awaiting, cancelled) are greys that also differ in *shape*
//! ([`Mark`]): a full bar, a thin bar, or a tick.

use whenasync_sim::Kind;

/// Light or dark mode, following `prefers-color-scheme`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// Dark text on a light page.
    #[default]
    Light,
    /// Light text on a dark page.
    Dark,
}

/// Okabe–Ito colours, by their published names.
pub mod okabe_ito {
    /// Orange.
    pub const ORANGE: &str = "#E69F00";
    /// Sky blue.
    pub const SKY_BLUE: &str = "#56B4E9";
    /// Bluish green.
    pub const BLUISH_GREEN: &str = "#009E73";
    /// Yellow.
    pub const YELLOW: &str = "#F0E442";
    /// Blue.
    pub const BLUE: &str = "#0072B2";
    /// Vermillion.
    pub const VERMILLION: &str = "#D55E00";
    /// Reddish purple.
    pub const REDDISH_PURPLE: &str = "#CC79A7";
}

/// How a segment of a kind is drawn, so that kinds sharing a grey still differ in shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    /// A bar filling the lane's height.
    Bar,
    /// A thin bar through the middle of the lane: the task exists but does nothing itself.
    Thin,
    /// A vertical tick at the start of the segment: an instant.
    Tick,
}

/// The shape segments of `kind` are drawn with.
pub fn mark(kind: Kind) -> Mark {
    match kind {
        Kind::Awaiting => Mark::Thin,
        Kind::Cancelled => Mark::Tick,
        _ => Mark::Bar,
    }
}

/// The fill colour of `kind` in `scheme` (a CSS colour).
pub fn kind_color(kind: Kind, scheme: Scheme) -> &'static str {
    use okabe_ito::*;
    let dark = scheme == Scheme::Dark;
    match kind {
        Kind::Running => BLUE,
        Kind::RunningNoGil => SKY_BLUE,
        Kind::IoWait => BLUISH_GREEN,
        Kind::Blocked => VERMILLION,
        Kind::GilWait => ORANGE,
        Kind::CoreWait => YELLOW,
        Kind::LoopBusy => REDDISH_PURPLE,
        Kind::Queued if dark => "#5F6368",
        Kind::Queued => "#C4C7CB",
        Kind::Overhead if dark => "#F2F2F2",
        Kind::Overhead => "#000000",
        Kind::Awaiting => "#8D9399",
        Kind::Cancelled if dark => "#FFFFFF",
        Kind::Cancelled => "#000000",
    }
}

/// Colours of everything that is not data: page, cards, text, grid lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chrome {
    /// Page background.
    pub page: &'static str,
    /// Card (panel) background; charts are drawn on it.
    pub surface: &'static str,
    /// Alternate lane background, a hint of stripe.
    pub stripe: &'static str,
    /// Body text.
    pub text: &'static str,
    /// Secondary text: labels, units, captions.
    pub muted: &'static str,
    /// Grid lines.
    pub grid: &'static str,
    /// Borders and axis lines.
    pub border: &'static str,
    /// Links, focus rings, the selected tab.
    pub accent: &'static str,
}

/// Chrome in light mode.
pub const LIGHT: Chrome = Chrome {
    page: "#F4F5F7",
    surface: "#FFFFFF",
    stripe: "#F7F8FA",
    text: "#1C2128",
    muted: "#5B6570",
    grid: "#E3E6EA",
    border: "#D5DAE0",
    accent: okabe_ito::BLUE,
};

/// Chrome in dark mode.
pub const DARK: Chrome = Chrome {
    page: "#0F1216",
    surface: "#181C21",
    stripe: "#1D2228",
    text: "#E4E7EB",
    muted: "#9AA3AD",
    grid: "#2A3038",
    border: "#323942",
    accent: okabe_ito::SKY_BLUE,
};

/// The chrome of `scheme`.
pub fn chrome(scheme: Scheme) -> &'static Chrome {
    match scheme {
        Scheme::Light => &LIGHT,
        Scheme::Dark => &DARK,
    }
}

/// The CSS custom properties the stylesheet reads (`var(--page)`, …), so the page and the
/// canvas charts share one definition of every colour.
pub fn css_vars(scheme: Scheme) -> Vec<(&'static str, &'static str)> {
    let c = chrome(scheme);
    let mut vars = vec![
        ("--page", c.page),
        ("--surface", c.surface),
        ("--stripe", c.stripe),
        ("--text", c.text),
        ("--muted", c.muted),
        ("--grid", c.grid),
        ("--border", c.border),
        ("--accent", c.accent),
    ];
    for kind in Kind::ALL {
        vars.push((css_var_name(kind), kind_color(kind, scheme)));
    }
    for (i, name) in SERIES_VARS.iter().enumerate() {
        vars.push((name, series_color(i, scheme)));
    }
    vars
}

/// The name of the CSS custom property holding `kind`'s colour (`--kind-io_wait`).
pub fn css_var_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Running => "--kind-running",
        Kind::RunningNoGil => "--kind-running_no_gil",
        Kind::IoWait => "--kind-io_wait",
        Kind::Blocked => "--kind-blocked",
        Kind::GilWait => "--kind-gil_wait",
        Kind::CoreWait => "--kind-core_wait",
        Kind::Queued => "--kind-queued",
        Kind::LoopBusy => "--kind-loop_busy",
        Kind::Overhead => "--kind-overhead",
        Kind::Awaiting => "--kind-awaiting",
        Kind::Cancelled => "--kind-cancelled",
    }
}

/// Paul Tol's "muted" scheme (Tol, *Colour Schemes*, SRON/EPS/TN/09-002, 2021): colour-blind
/// safe, and a different palette from the segment kinds', so a model's line on a latency or
/// sweep plot is never mistaken for a kind of segment.
pub mod tol_muted {
    /// Indigo.
    pub const INDIGO: &str = "#332288";
    /// Cyan.
    pub const CYAN: &str = "#88CCEE";
    /// Teal.
    pub const TEAL: &str = "#44AA99";
    /// Olive.
    pub const OLIVE: &str = "#999933";
    /// Sand.
    pub const SAND: &str = "#DDCC77";
    /// Rose.
    pub const ROSE: &str = "#CC6677";
    /// Wine.
    pub const WINE: &str = "#882255";
    /// Purple.
    pub const PURPLE: &str = "#AA4499";
    /// Pale grey (Tol's colour for "no data"; here the eighth series in dark mode).
    pub const PALE_GREY: &str = "#DDDDDD";
}

/// Series colours for models in light mode, in model order: the darker Tol muted colours
/// first, for contrast on a white card.
pub const SERIES_LIGHT: [&str; 8] = {
    use tol_muted::*;
    [INDIGO, ROSE, TEAL, WINE, OLIVE, PURPLE, CYAN, SAND]
};

/// Series colours for models in dark mode: the lighter Tol muted colours first.
pub const SERIES_DARK: [&str; 8] = {
    use tol_muted::*;
    [CYAN, ROSE, TEAL, SAND, PURPLE, OLIVE, PALE_GREY, WINE]
};

/// The CSS custom properties holding the series colours (`var(--series-0)`, …).
pub const SERIES_VARS: [&str; 8] = [
    "--series-0",
    "--series-1",
    "--series-2",
    "--series-3",
    "--series-4",
    "--series-5",
    "--series-6",
    "--series-7",
];

/// The colour of model `index`'s series (latency plots, sweeps), the same in every plot.
pub fn series_color(index: usize, scheme: Scheme) -> &'static str {
    let palette = match scheme {
        Scheme::Light => &SERIES_LIGHT,
        Scheme::Dark => &SERIES_DARK,
    };
    palette[index % palette.len()]
}

/// The dash pattern of model `index`'s lines (empty: solid), so series also differ without
/// colour.
pub fn series_dash(index: usize) -> &'static [f64] {
    const DASHES: [&[f64]; 4] = [&[], &[7.0, 3.0], &[2.0, 2.5], &[8.0, 3.0, 2.0, 3.0]];
    DASHES[index % DASHES.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_looks_different_in_both_schemes() {
        for scheme in [Scheme::Light, Scheme::Dark] {
            for (i, a) in Kind::ALL.iter().enumerate() {
                for b in &Kind::ALL[i + 1..] {
                    let same_colour = kind_color(*a, scheme) == kind_color(*b, scheme);
                    let same_shape = mark(*a) == mark(*b);
                    assert!(
                        !(same_colour && same_shape),
                        "{a:?} and {b:?} are indistinguishable in {scheme:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn css_var_names_follow_kind_names() {
        for kind in Kind::ALL {
            assert_eq!(css_var_name(kind), format!("--kind-{}", kind.name()));
        }
    }

    #[test]
    fn series_colours_are_distinct_and_not_kind_colours() {
        for scheme in [Scheme::Light, Scheme::Dark] {
            let series: Vec<&str> = (0..8).map(|i| series_color(i, scheme)).collect();
            for (i, a) in series.iter().enumerate() {
                assert!(!series[i + 1..].contains(a), "{a} repeats in {scheme:?}");
                for kind in Kind::ALL {
                    assert_ne!(*a, kind_color(kind, scheme), "{a} is {kind:?}'s colour");
                }
            }
        }
        assert_eq!(series_dash(0), &[] as &[f64]);
        assert_ne!(series_dash(1), series_dash(2));
    }

    /// The `--name: value;` declarations of the first rule that `start` opens in `css`.
    fn declarations<'a>(css: &'a str, start: &str) -> Vec<(&'a str, &'a str)> {
        let from = css
            .find(start)
            .unwrap_or_else(|| panic!("no {start:?} in style.css"));
        let block = &css[from + start.len()..];
        let block = &block[..block.find('}').expect("the rule's end")];
        block
            .split(';')
            .filter_map(|d| d.trim().split_once(':'))
            .map(|(name, value)| (name.trim(), value.trim()))
            .collect()
    }

    /// The loading screen paints before the app writes these colours: the stylesheet's
    /// defaults must be this module's, so nothing changes colour when the app takes over.
    #[test]
    fn the_stylesheets_defaults_are_these_colours() {
        let css = include_str!("../../../web/style.css");
        let light = declarations(css, "\n:root {");
        let dark = declarations(css, "@media (prefers-color-scheme: dark) {\n  :root {");
        assert!(light.len() >= 8, "{light:?}");
        assert!(dark.len() >= 5, "{dark:?}");
        for (scheme, overrides) in [(Scheme::Light, &[][..]), (Scheme::Dark, &dark[..])] {
            let vars = css_vars(scheme);
            for (name, value) in &light {
                // In dark mode, what the media query does not override stays the light value.
                let value = overrides
                    .iter()
                    .find(|(n, _)| n == name)
                    .map_or(*value, |d| d.1);
                let ours = vars.iter().find(|(n, _)| n == name);
                let ours = ours.unwrap_or_else(|| panic!("{name} is not one of css_vars"));
                assert_eq!(value, ours.1, "{name} in {scheme:?}");
            }
        }
        assert!(dark.iter().all(|(n, _)| light.iter().any(|(l, _)| l == n)));
    }
}
