//! Models and pools are objects tagged by `kind` (`{"kind": "threads", "workers": 8}`). serde's
//! own reading of such an enum buffers the whole object into an intermediate tree before it
//! looks at `kind`, and that machinery was 10 KB of the page's gzipped wasm. Here each object
//! is read flat instead, into a struct with every field any kind may have, and then checked
//! against its kind: the same JSON is accepted and the same values come out (a test compares
//! the two readings over every combination of kinds and fields), and a field the kind does not
//! take is still an error that names it. Writing keeps serde's derived tagged form.

use serde::{Deserialize, Deserializer};

use crate::scenario::{Model, PoolSpec, StartMethod};

/// A field given in the object (even as `null`), whatever its value: `Some`. Missing: `None`.
fn given<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// The kinds of [`Model`].
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
enum ModelKind {
    Sync,
    Async,
    Threads,
    Processes,
    Server,
}

/// A model object as written: its kind and every field some kind takes.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawModel {
    kind: ModelKind,
    #[serde(default, deserialize_with = "given")]
    limit: Option<Option<u32>>,
    #[serde(default, deserialize_with = "given")]
    workers: Option<u32>,
    #[serde(default, deserialize_with = "given")]
    start: Option<StartMethod>,
    #[serde(default, deserialize_with = "given")]
    inner: Option<Box<Model>>,
}

/// Refuses the first field that was given although the kind does not take it.
fn refuse(kind: &str, fields: &[(&str, bool)]) -> Result<(), String> {
    match fields.iter().find(|(_, given)| *given) {
        Some((name, _)) => Err(format!("unknown field `{name}` for kind `{kind}`")),
        None => Ok(()),
    }
}

/// A field the kind needs.
fn needed<T>(field: Option<T>, name: &str) -> Result<T, String> {
    field.ok_or_else(|| format!("missing field `{name}`"))
}

impl TryFrom<RawModel> for Model {
    type Error = String;

    fn try_from(m: RawModel) -> Result<Self, String> {
        let (limit, workers) = (
            ("limit", m.limit.is_some()),
            ("workers", m.workers.is_some()),
        );
        let (start, inner) = (("start", m.start.is_some()), ("inner", m.inner.is_some()));
        Ok(match m.kind {
            ModelKind::Sync => {
                refuse("sync", &[limit, workers, start, inner])?;
                Model::Sync
            }
            ModelKind::Async => {
                refuse("async", &[workers, start, inner])?;
                Model::Async {
                    limit: m.limit.flatten(),
                }
            }
            ModelKind::Threads => {
                refuse("threads", &[limit, start, inner])?;
                Model::Threads {
                    workers: needed(m.workers, "workers")?,
                }
            }
            ModelKind::Processes => {
                refuse("processes", &[limit, inner])?;
                Model::Processes {
                    workers: needed(m.workers, "workers")?,
                    start: m.start.unwrap_or_default(),
                }
            }
            ModelKind::Server => {
                refuse("server", &[limit, start])?;
                Model::Server {
                    workers: needed(m.workers, "workers")?,
                    inner: needed(m.inner, "inner")?,
                }
            }
        })
    }
}

/// The kinds of [`PoolSpec`].
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
enum PoolKind {
    Thread,
    Process,
}

/// A pool object as written: its kind and every field some kind takes.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPool {
    kind: PoolKind,
    #[serde(default, deserialize_with = "given")]
    workers: Option<u32>,
    #[serde(default, deserialize_with = "given")]
    start: Option<StartMethod>,
}

impl TryFrom<RawPool> for PoolSpec {
    type Error = String;

    fn try_from(p: RawPool) -> Result<Self, String> {
        let workers = needed(p.workers, "workers")?;
        Ok(match p.kind {
            PoolKind::Thread => {
                refuse("thread", &[("start", p.start.is_some())])?;
                PoolSpec::Thread { workers }
            }
            PoolKind::Process => PoolSpec::Process {
                workers,
                start: p.start.unwrap_or_default(),
            },
        })
    }
}

#[cfg(test)]
mod tests;
