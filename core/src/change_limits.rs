//! The size of an Automerge change, read from its bytes before Automerge
//! decodes it. Decoding costs what the change *claims*: a compressed
//! change inflates to whatever it says, and a run-length column of a few
//! bytes can claim 2^62 operations. So a change from outside is measured
//! here first, in time and memory bounded by the limits themselves, and
//! refused when it claims more than they allow.
//!
//! The layout read is Automerge's binary format: a chunk header (magic,
//! checksum, type, length), then for a change its dependencies, actor,
//! sequence number, first operation, time, message, other actors, the
//! column directory, the columns and any extra bytes.

use std::io::Read;

/// The most bytes one change may hold, inflated.
pub const MAX_CHANGE_BYTES: usize = 256 * 1024;
/// The most operations (rows of any column) one change may hold.
pub const MAX_CHANGE_OPS: u64 = 10_000;
/// The most columns a change may declare (Automerge writes 14).
const MAX_COLUMNS: u64 = 64;

const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
const CHANGE: u8 = 1;
const COMPRESSED_CHANGE: u8 = 2;
const HASH_BYTES: u64 = 32;

/// What a change holds, as measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChangeSize {
    /// Its bytes, inflated.
    pub bytes: usize,
    /// Rows of its longest column: its operations, or more when an
    /// operation overwrites several concurrent values.
    pub rows: u64,
}

/// Why a change was refused before decoding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChangeLimitError {
    #[error("not an Automerge change: {0}")]
    Malformed(&'static str),
    #[error("the change holds more than {max} bytes")]
    TooLarge { max: usize },
    #[error("the change holds more than {max} operations")]
    TooManyOps { max: u64 },
}

use ChangeLimitError::{Malformed, TooLarge};

/// Measures `bytes`, one change as sent, inflating at most `max_bytes`.
pub fn measure(bytes: &[u8], max_bytes: usize) -> Result<ChangeSize, ChangeLimitError> {
    let too_large = TooLarge { max: max_bytes };
    if bytes.len() > max_bytes {
        return Err(too_large);
    }
    let mut header = Reader(bytes);
    if header.take(4)? != MAGIC {
        return Err(Malformed("it does not start as a chunk"));
    }
    header.take(4)?; // checksum: Automerge verifies it
    let kind = header.take(1)?[0];
    let length = header.uleb()?;
    let body = header.0;
    if u64::try_from(body.len()).ok() != Some(length) {
        return Err(Malformed("its length does not match its bytes"));
    }
    let header_len = bytes.len() - body.len();
    match kind {
        CHANGE => Ok(ChangeSize {
            bytes: bytes.len(),
            rows: count_rows(body, max_bytes)?,
        }),
        COMPRESSED_CHANGE => {
            let budget = max_bytes.saturating_sub(header_len);
            let mut inflated = Vec::new();
            flate2::read::DeflateDecoder::new(body)
                .take(u64::try_from(budget).unwrap_or(u64::MAX).saturating_add(1))
                .read_to_end(&mut inflated)
                .map_err(|_| Malformed("its compressed bytes do not inflate"))?;
            if inflated.len() > budget {
                return Err(too_large);
            }
            // As the uncompressed chunk Automerge makes of it: the same
            // header, with the inflated length.
            let length_bytes = u64::try_from(inflated.len().max(1)).unwrap_or(u64::MAX).ilog2() / 7 + 1;
            Ok(ChangeSize {
                bytes: 9 + length_bytes as usize + inflated.len(),
                rows: count_rows(&inflated, max_bytes)?,
            })
        }
        _ => Err(Malformed("it is not a change chunk")),
    }
}

/// The rows of the longest column of a change body, checked against
/// [`MAX_CHANGE_OPS`]; the text its string columns expand to, against
/// `max_bytes`.
fn count_rows(body: &[u8], max_bytes: usize) -> Result<u64, ChangeLimitError> {
    let mut r = Reader(body);
    let deps = r.uleb()?;
    r.skip(
        deps.checked_mul(HASH_BYTES)
            .ok_or(Malformed("too many dependencies"))?,
    )?;
    r.skip_prefixed()?; // actor
    r.uleb()?; // seq
    r.uleb()?; // start op
    r.sleb()?; // time
    r.skip_prefixed()?; // message
    let others = r.uleb()?;
    for _ in 0..others {
        r.skip_prefixed()?;
    }
    let columns = r.uleb()?;
    if columns > MAX_COLUMNS {
        return Err(Malformed("too many columns"));
    }
    let mut directory = Vec::new();
    for _ in 0..columns {
        directory.push((r.uleb()?, r.uleb()?));
    }
    let mut counter = Counter {
        max_bytes: u64::try_from(max_bytes).unwrap_or(u64::MAX),
        text: 0,
        rows: 0,
    };
    for (spec, len) in directory {
        let data = Reader(r.take(len)?);
        if spec & 0b1000 != 0 {
            return Err(Malformed("a change's columns are never compressed"));
        }
        counter.column(spec & 0b111, data)?;
    }
    Ok(counter.rows)
}

/// Counts rows per column as their runs declare them, without expanding.
struct Counter {
    max_bytes: u64,
    /// Bytes the string columns expand to.
    text: u64,
    /// The longest column so far.
    rows: u64,
}

impl Counter {
    fn rows(&mut self, rows: u64) -> Result<(), ChangeLimitError> {
        if rows > MAX_CHANGE_OPS {
            return Err(ChangeLimitError::TooManyOps { max: MAX_CHANGE_OPS });
        }
        self.rows = self.rows.max(rows);
        Ok(())
    }

    fn text(&mut self, bytes: u64) -> Result<(), ChangeLimitError> {
        self.text = self.text.saturating_add(bytes);
        if self.text > self.max_bytes {
            return Err(TooLarge {
                max: usize::try_from(self.max_bytes).unwrap_or(usize::MAX),
            });
        }
        Ok(())
    }

    /// One column of type `kind`: 0 group, 1 actor, 2 integer, 3 delta,
    /// 4 boolean, 5 string, 6 value metadata, 7 raw values.
    fn column(&mut self, kind: u64, mut data: Reader<'_>) -> Result<(), ChangeLimitError> {
        match kind {
            4 => {
                // Alternating run lengths of false and true.
                let mut rows = 0u64;
                while !data.0.is_empty() {
                    rows = rows.saturating_add(data.uleb()?);
                    self.rows(rows)?;
                }
                Ok(())
            }
            7 => Ok(()),
            _ => self.runs(kind, data),
        }
    }

    /// A run-length column: a positive count repeats one value, a negative
    /// one lists that many values, zero is followed by a count of nulls. A
    /// group column's values count the rows of the columns it groups.
    fn runs(&mut self, kind: u64, mut data: Reader<'_>) -> Result<(), ChangeLimitError> {
        let (mut rows, mut grouped) = (0u64, 0u64);
        while !data.0.is_empty() {
            let count = data.sleb()?;
            let (repeats, values) = match count {
                0 => (data.uleb()?, 0),
                c if c > 0 => (c.unsigned_abs(), 1),
                c => (1, c.unsigned_abs()),
            };
            rows = rows.saturating_add(repeats.saturating_mul(values.max(1)));
            self.rows(rows)?;
            for _ in 0..values {
                let value = match kind {
                    5 => {
                        let len = data.uleb()?;
                        data.skip(len)?;
                        self.text(len.saturating_mul(repeats))?;
                        0
                    }
                    3 => {
                        data.sleb()?;
                        0
                    }
                    _ => data.uleb()?,
                };
                if kind == 0 {
                    grouped = grouped.saturating_add(value.saturating_mul(repeats));
                    self.rows(grouped)?;
                }
            }
        }
        Ok(())
    }
}

/// Bytes read front to back; running out is a malformed change.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: u64) -> Result<&'a [u8], ChangeLimitError> {
        let n = usize::try_from(n).map_err(|_| Malformed("it ends early"))?;
        if n > self.0.len() {
            return Err(Malformed("it ends early"));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn skip(&mut self, n: u64) -> Result<(), ChangeLimitError> {
        self.take(n).map(drop)
    }

    fn skip_prefixed(&mut self) -> Result<(), ChangeLimitError> {
        let len = self.uleb()?;
        self.skip(len)
    }

    /// An unsigned LEB128 number of at most 64 bits.
    fn uleb(&mut self) -> Result<u64, ChangeLimitError> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.take(1)?[0];
            let bits = u64::from(byte & 0x7f);
            if shift == 63 && bits > 1 {
                break;
            }
            value |= bits << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(Malformed("a number is too long"))
    }

    /// A signed LEB128 number of at most 64 bits.
    fn sleb(&mut self) -> Result<i64, ChangeLimitError> {
        let mut value = 0i64;
        for shift in (0..64).step_by(7) {
            let byte = self.take(1)?[0];
            value |= i64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                if shift < 57 && byte & 0x40 != 0 {
                    value |= -1i64 << (shift + 7);
                }
                return Ok(value);
            }
        }
        Err(Malformed("a number is too long"))
    }
}

pub mod forged;
#[cfg(test)]
mod tests;
