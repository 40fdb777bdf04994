//! Scenario links. A link's fragment carries the whole state of the playground — the
//! scenario (a preset name, or the scenario itself) and the view — and is input from a
//! stranger: decoding never panics, bounds every size before allocating, and names what
//! was wrong.
//!
//! ```text
//! #preset=gather-10-queries&m=1&lanes=task      a preset, shown as model 1, lanes by task
//! #s=1.<base64url(deflate(json))>&m=compare      an edited scenario, link format 1
//! ```
//!
//! Format versions are forever: `tests/golden-links` holds links of every version with the
//! summary each must reproduce.
//!
//! miniz_oxide deflates and inflates here under the `deflate` and `inflate` features (both on
//! by default): `encode` and `decode`. Without them, a caller that compresses elsewhere (the
//! page, with the browser's compression streams: 9 KB less gzipped wasm) encodes in two
//! halves, [`source_param`] (deflating what it asks for and finishing with
//! [`scenario_param`]) and [`fragment`]; and decodes in two, [`parse`] (inflating the
//! [`Payload`] it may leave, within [`MAX_INFLATED_BYTES`]) and [`scenario_from_json`].

#[cfg(feature = "inflate")]
pub mod golden;

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use whenasync_sim::{presets, Scenario, ScenarioError};

/// The link format this build writes (and the newest it reads).
pub const LINK_VERSION: u32 = 1;
/// Longest fragment accepted, in characters.
pub const MAX_LINK_CHARS: usize = 64 * 1024;
/// Largest scenario JSON a link may inflate to, in bytes (a zip bomb stops here).
pub const MAX_INFLATED_BYTES: usize = 512 * 1024;

/// Where the scenario of a link comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// A preset, by name: short, readable links.
    Preset(String),
    /// A scenario carried in the link.
    Scenario(Box<Scenario>),
}

/// How the page shows the scenario. Every field is optional; absent means the default view.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct View {
    /// `None`: compare all models; `Some(i)`: model `i` of the scenario.
    pub model: Option<u32>,
    /// Lanes by task instead of by worker.
    pub by_task: bool,
    /// Visible time window `[start, end)` in ns.
    pub window: Option<(u64, u64)>,
    /// The widget an embed shows (`gantt`, `latency`, `compare`, `summary`, `sweep`).
    pub widget: Option<String>,
}

/// A decoded link.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    /// The scenario.
    pub source: Source,
    /// The view.
    pub view: View,
}

/// Why a link could not be opened. `Display` is one lower-case sentence for the banner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkError {
    /// The fragment is longer than [`MAX_LINK_CHARS`].
    TooLong {
        /// Its length.
        len: usize,
    },
    /// Neither `preset=` nor `s=` is present.
    NoScenario,
    /// `preset=` names no preset.
    UnknownPreset(String),
    /// The link was written by a newer format than this build reads.
    FromTheFuture(String),
    /// The payload is not valid URL-safe base64 (truncated or damaged).
    BadEncoding,
    /// The payload does not inflate (damaged).
    BadCompression,
    /// The payload inflates past [`MAX_INFLATED_BYTES`].
    TooLarge,
    /// Nothing here can inflate the payload: a browser without
    /// `DecompressionStream("deflate-raw")`, which the page inflates with.
    NoInflater,
    /// A view parameter has a bad value.
    BadParameter(String),
    /// The scenario inside is not valid.
    Scenario(ScenarioError),
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkError::TooLong { len } => {
                write!(f, "the link is {len} characters long, over the limit of {MAX_LINK_CHARS}")
            }
            LinkError::NoScenario => write!(f, "the link names no scenario (no preset= or s=)"),
            LinkError::UnknownPreset(name) => write!(f, "the link names a preset that does not exist: {name:?}"),
            LinkError::FromTheFuture(v) => write!(
                f,
                "the link was made by a newer version of whenasync (link format {v}); this version reads format {LINK_VERSION}"
            ),
            LinkError::BadEncoding => write!(f, "the link is damaged or truncated (its scenario is not valid base64)"),
            LinkError::BadCompression => write!(f, "the link is damaged or truncated (its scenario does not decompress)"),
            LinkError::TooLarge => write!(f, "the link's scenario decompresses past the limit of {MAX_INFLATED_BYTES} bytes"),
            LinkError::NoInflater => write!(f, "this browser cannot decompress the link's scenario (it has no DecompressionStream for deflate-raw); a current Chrome, Edge, Firefox or Safari can"),
            LinkError::BadParameter(p) => write!(f, "the link has a bad parameter: {p}"),
            LinkError::Scenario(e) => write!(f, "the link's scenario is invalid: {e}"),
        }
    }
}

impl std::error::Error for LinkError {}

/// Encodes a link as a URL fragment (without the `#`).
#[cfg(feature = "deflate")]
pub fn encode(link: &Link) -> String {
    let source = match source_param(&link.source) {
        SourceParam::Ready(param) => param,
        SourceParam::Deflate(json) => {
            scenario_param(&miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 9))
        }
    };
    fragment(&source, &link.view)
}

/// The scenario half of a link's fragment, as [`source_param`] gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceParam {
    /// Complete: `preset=NAME`.
    Ready(String),
    /// The compact JSON an `s=` parameter carries: raw-deflate it (RFC 1951, as the browser's
    /// `CompressionStream("deflate-raw")` does), then pass the bytes to [`scenario_param`].
    Deflate(String),
}

/// The scenario half of the fragment of a link with this source. An edited preset drops the
/// preset's long texts (restored on decode), so the link stays short.
pub fn source_param(source: &Source) -> SourceParam {
    match source {
        Source::Preset(name) => SourceParam::Ready(format!("preset={}", escape(name))),
        Source::Scenario(sc) => {
            let mut sc = (**sc).clone();
            if let Some(Ok(p)) = presets::get(&sc.name) {
                if p.description == sc.description && p.claim == sc.claim {
                    sc.description.clear();
                    sc.claim.clear();
                }
            }
            SourceParam::Deflate(sc.to_compact_json())
        }
    }
}

/// The `s=` parameter of a scenario whose compact JSON ([`SourceParam::Deflate`]) deflated to
/// `deflated`: the format version, then the bytes in URL-safe base64.
pub fn scenario_param(deflated: &[u8]) -> String {
    format!("s={LINK_VERSION}.{}", URL_SAFE_NO_PAD.encode(deflated))
}

/// The fragment (without the `#`) of a link: its scenario half (`preset=…` or `s=…`), then
/// the view's parameters.
pub fn fragment(source_param: &str, view: &View) -> String {
    let mut parts = vec![source_param.to_owned()];
    parts.push(match view.model {
        None => "m=compare".to_string(),
        Some(i) => format!("m={i}"),
    });
    if view.by_task {
        parts.push("lanes=task".into());
    }
    if let Some((a, b)) = view.window {
        parts.push(format!("t={a}-{b}"));
    }
    if let Some(w) = &view.widget {
        parts.push(format!("w={}", escape(w)));
    }
    parts.join("&")
}

/// The link for a scenario: a preset link when it is an unedited preset, else the scenario.
pub fn link_for(scenario: &Scenario, view: View) -> Link {
    let unedited = presets::get(&scenario.name)
        .and_then(Result::ok)
        .is_some_and(|p| &p == scenario);
    let source = if unedited {
        Source::Preset(scenario.name.clone())
    } else {
        Source::Scenario(Box::new(scenario.clone()))
    };
    Link { source, view }
}

/// Decodes a URL fragment (with or without the leading `#`).
#[cfg(feature = "inflate")]
pub fn decode(fragment: &str) -> Result<Link, LinkError> {
    let parsed = parse(fragment)?;
    let source = match parsed.payload {
        Payload::Ready(source) => source,
        Payload::Deflated(bytes) => {
            let json =
                miniz_oxide::inflate::decompress_to_vec_with_limit(&bytes, MAX_INFLATED_BYTES)
                    .map_err(|e| match e.status {
                        miniz_oxide::inflate::TINFLStatus::HasMoreOutput => LinkError::TooLarge,
                        _ => LinkError::BadCompression,
                    })?;
            Source::Scenario(Box::new(scenario_from_json(&json)?))
        }
    };
    Ok(Link {
        source,
        view: parsed.view,
    })
}

/// A link's fragment, read but for inflating its scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Parsed {
    /// Where the scenario comes from.
    pub payload: Payload,
    /// The view.
    pub view: View,
}

/// The scenario of a [`Parsed`] link.
#[derive(Clone, Debug, PartialEq)]
pub enum Payload {
    /// A preset.
    Ready(Source),
    /// The raw-deflated JSON of an `s=` link: inflate it, stopping past
    /// [`MAX_INFLATED_BYTES`] ([`LinkError::TooLarge`]; damaged bytes are
    /// [`LinkError::BadCompression`]), then read it with [`scenario_from_json`].
    Deflated(Vec<u8>),
}

/// Reads a URL fragment (with or without the leading `#`), all but inflating an `s=` link's
/// scenario. A damaged view parameter is reported before a damaged scenario.
pub fn parse(fragment: &str) -> Result<Parsed, LinkError> {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    if fragment.len() > MAX_LINK_CHARS {
        return Err(LinkError::TooLong {
            len: fragment.len(),
        });
    }
    let mut payload = None;
    let mut view = View::default();
    for pair in fragment.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match key {
            "preset" => {
                let name = unescape(value);
                if presets::get(&name).is_none() {
                    return Err(LinkError::UnknownPreset(name));
                }
                payload = Some(Payload::Ready(Source::Preset(name)));
            }
            "s" => {
                let (version, encoded) = value.split_once('.').ok_or(LinkError::BadEncoding)?;
                if version != LINK_VERSION.to_string() {
                    return Err(
                        if version.chars().all(|c| c.is_ascii_digit()) && !version.is_empty() {
                            LinkError::FromTheFuture(version.to_string())
                        } else {
                            LinkError::BadEncoding
                        },
                    );
                }
                // Base64 of MAX_LINK_CHARS is at most 48 KiB: bounded before decoding.
                let bytes = URL_SAFE_NO_PAD
                    .decode(encoded.trim_end_matches('='))
                    .map_err(|_| LinkError::BadEncoding)?;
                payload = Some(Payload::Deflated(bytes));
            }
            "m" => {
                view.model = match value {
                    "compare" => None,
                    v => Some(
                        v.parse()
                            .map_err(|_| LinkError::BadParameter(format!("m={}", clip(v))))?,
                    ),
                }
            }
            "lanes" => view.by_task = value == "task",
            "t" => {
                let bad = || LinkError::BadParameter(format!("t={}", clip(value)));
                let (a, b) = value.split_once('-').ok_or_else(bad)?;
                let (a, b): (u64, u64) =
                    (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?);
                if a >= b {
                    return Err(bad());
                }
                view.window = Some((a, b));
            }
            "w" => view.widget = Some(unescape(value)),
            // Unknown keys are ignored: a newer build may add view parameters.
            _ => {}
        }
    }
    let payload = payload.ok_or(LinkError::NoScenario)?;
    Ok(Parsed { payload, view })
}

/// The scenario a link names, parsed and validated.
pub fn scenario_of(link: &Link) -> Result<Scenario, LinkError> {
    let sc = match &link.source {
        Source::Preset(name) => match presets::get(name) {
            Some(r) => r.map_err(LinkError::Scenario)?,
            None => return Err(LinkError::UnknownPreset(name.clone())),
        },
        Source::Scenario(sc) => (**sc).clone(),
    };
    whenasync_sim::validate(&sc).map_err(LinkError::Scenario)?;
    if let Some(m) = link.view.model {
        if m as usize >= sc.models.len() {
            return Err(LinkError::BadParameter(format!(
                "m={m}: the scenario has {} models",
                sc.models.len()
            )));
        }
    }
    Ok(sc)
}

/// The scenario of an `s=` link from its inflated JSON ([`Payload::Deflated`]), with an edited
/// preset's texts restored.
pub fn scenario_from_json(json: &[u8]) -> Result<Scenario, LinkError> {
    let text = std::str::from_utf8(json).map_err(|_| LinkError::BadCompression)?;
    let mut sc = Scenario::from_json(text).map_err(LinkError::Scenario)?;
    if let Some(Ok(p)) = presets::get(&sc.name) {
        if sc.description.is_empty() && sc.claim.is_empty() {
            sc.description = p.description;
            sc.claim = p.claim;
        }
    }
    Ok(sc)
}

/// Percent-escapes what may not stand in a fragment value.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~()".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn unescape(s: &str) -> String {
    // Works on bytes: slicing the &str after a '%' could split a character.
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(h * 16 + l);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A bad value, clipped for an error message.
fn clip(v: &str) -> String {
    let c: String = v.chars().take(40).collect();
    if c.len() < v.len() {
        format!("{c}…")
    } else {
        c
    }
}
