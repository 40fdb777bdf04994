//! The bounds-checked reader under the decoder: fixed-width fields, lengths checked against
//! the bytes left, and whole records, each failure a [`WireError`] rather than a panic.

use whenasync_sim::run::KIND_COUNT;
use whenasync_sim::{Ns, Stats, TaskRecord};

use super::{WireError, TASK_HEAD};

pub(super) fn le32(c: &[u8], at: usize) -> u32 {
    let mut b = [0; 4];
    b.copy_from_slice(&c[at..at + 4]);
    u32::from_le_bytes(b)
}

pub(super) fn le64(c: &[u8], at: usize) -> u64 {
    let mut b = [0; 8];
    b.copy_from_slice(&c[at..at + 8]);
    u64::from_le_bytes(b)
}

pub(super) struct Reader<'a> {
    pub(super) bytes: &'a [u8],
    pub(super) at: usize,
}

impl<'a> Reader<'a> {
    pub(super) fn take(&mut self, n: usize) -> Result<&'a [u8], WireError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(|| WireError(format!("truncated at byte {}", self.at)))?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], WireError> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }
    pub(super) fn u8(&mut self) -> Result<u8, WireError> {
        Ok(self.array::<1>()?[0])
    }
    pub(super) fn u32(&mut self) -> Result<u32, WireError> {
        Ok(u32::from_le_bytes(self.array()?))
    }
    pub(super) fn u64(&mut self) -> Result<u64, WireError> {
        Ok(u64::from_le_bytes(self.array()?))
    }
    pub(super) fn f64(&mut self) -> Result<f64, WireError> {
        Ok(f64::from_le_bytes(self.array()?))
    }
    /// A length, checked against the bytes left so a damaged one cannot allocate wildly.
    fn len(&mut self) -> Result<usize, WireError> {
        let n = self.u64()?;
        let left = (self.bytes.len() - self.at) as u64;
        if n > left {
            return Err(WireError(format!("length {n} with {left} bytes left")));
        }
        Ok(n as usize)
    }
    pub(super) fn string(&mut self) -> Result<String, WireError> {
        let n = self.len()?;
        String::from_utf8(self.take(n)?.to_vec()).map_err(|e| WireError(e.to_string()))
    }
    pub(super) fn opt_u32(&mut self) -> Result<Option<u32>, WireError> {
        Ok(match self.u8()? {
            0 => None,
            _ => Some(self.u32()?),
        })
    }
    pub(super) fn by_kind(&mut self) -> Result<[Ns; KIND_COUNT], WireError> {
        let mut out = [0; KIND_COUNT];
        for v in &mut out {
            *v = self.u64()?;
        }
        Ok(out)
    }
    pub(super) fn stats(&mut self) -> Result<Stats, WireError> {
        Ok(Stats {
            count: self.u64()?,
            mean: self.f64()?,
            p50: self.u64()?,
            p90: self.u64()?,
            p99: self.u64()?,
            max: self.u64()?,
        })
    }
    /// One task record (see [`encode`](super::encode)).
    pub(super) fn task(&mut self) -> Result<TaskRecord, WireError> {
        let at = self.at;
        let c = self.take(TASK_HEAD)?;
        let flags = c[32];
        let mask = u16::from_le_bytes([c[33], c[34]]);
        if mask >> KIND_COUNT != 0 {
            return Err(WireError(format!("bad task record at byte {at}")));
        }
        let mut time_by_kind = [0; KIND_COUNT];
        for (k, v) in time_by_kind.iter_mut().enumerate() {
            if mask & 1 << k != 0 {
                *v = self.u64()?;
            }
        }
        Ok(TaskRecord {
            id: le32(c, 0),
            class: le32(c, 4),
            arrival: le64(c, 8),
            start: (flags & 4 != 0).then(|| le64(c, 16)),
            end: (flags & 8 != 0).then(|| le64(c, 24)),
            cancelled: flags & 1 != 0,
            timed_out: flags & 2 != 0,
            time_by_kind,
        })
    }

    /// The length of an array of `size`-byte records, checked against the bytes left.
    pub(super) fn count(&mut self, size: usize) -> Result<usize, WireError> {
        let n = self.u64()?;
        let left = (self.bytes.len() - self.at) as u64;
        if n.checked_mul(size as u64).is_none_or(|b| b > left) {
            return Err(WireError(format!("{n} records with {left} bytes left")));
        }
        Ok(n as usize)
    }

    /// `n` records of `N` bytes, each decoded by `item` (`None`: damaged) onto `out`.
    pub(super) fn records<const N: usize, T>(
        &mut self,
        n: usize,
        out: &mut Vec<T>,
        item: impl Fn(&[u8]) -> Option<T>,
    ) -> Result<(), WireError> {
        let at = self.at;
        let block = self.take(n * N)?;
        for (i, c) in block.chunks_exact(N).enumerate() {
            match item(c) {
                Some(v) => out.push(v),
                None => return Err(WireError(format!("bad record at byte {}", at + i * N))),
            }
        }
        Ok(())
    }

    /// A length-prefixed list of `item`s.
    pub(super) fn many<T>(
        &mut self,
        mut item: impl FnMut(&mut Self) -> Result<T, WireError>,
    ) -> Result<Vec<T>, WireError> {
        let n = self.len()?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(item(self)?);
        }
        Ok(out)
    }
}
