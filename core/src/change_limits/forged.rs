//! Changes forged byte by byte, as a hostile device would send them: for
//! the tests and fuzzing of every crate that takes changes from outside.
//! Their checksums are not made; [`super::measure`] refuses them first.

use std::io::Write;

use super::{CHANGE, COMPRESSED_CHANGE, MAGIC};

/// An unsigned LEB128 number.
pub fn uleb(mut n: u64) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let byte = (n & 0x7f).to_le_bytes()[0];
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return out;
        }
        out.push(byte | 0x80);
    }
}

/// A signed LEB128 number.
pub fn sleb(mut n: i64) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let byte = (n & 0x7f).to_le_bytes()[0];
        n >>= 7;
        let done = (n == 0 && byte & 0x40 == 0) || (n == -1 && byte & 0x40 != 0);
        out.push(if done { byte } else { byte | 0x80 });
        if done {
            return out;
        }
    }
}

/// A change chunk of one actor holding `columns`, each `(spec, data)`.
pub fn with_columns(columns: &[(u64, Vec<u8>)]) -> Vec<u8> {
    let mut body = [
        uleb(0),
        uleb(1),
        vec![7],
        uleb(1),
        uleb(1),
        sleb(0),
        uleb(0),
        uleb(0),
    ]
    .concat();
    body.extend(uleb(columns.len() as u64));
    for (spec, data) in columns {
        body.extend(uleb(*spec));
        body.extend(uleb(data.len() as u64));
    }
    for (_, data) in columns {
        body.extend(data);
    }
    chunk(CHANGE, &body)
}

/// A change of a few bytes whose action column claims `count` operations.
pub fn claiming_ops(count: i64) -> Vec<u8> {
    with_columns(&[((4 << 4) | 2, [sleb(count), uleb(1)].concat())])
}

/// A compressed change of a few KiB that inflates to `bytes` and more.
pub fn inflating_to(bytes: usize) -> Vec<u8> {
    let inner = with_columns(&[((5 << 4) | 6, vec![0; bytes])]);
    let mut encoder = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    encoder
        .write_all(&inner[9 + uleb(inner.len() as u64 - 9).len()..])
        .and_then(|()| encoder.finish())
        .map(|deflated| chunk(COMPRESSED_CHANGE, &deflated))
        .unwrap_or_default()
}

/// A chunk of `kind` around `body`.
pub fn chunk(kind: u8, body: &[u8]) -> Vec<u8> {
    [&MAGIC[..], &[0; 4], &[kind], &uleb(body.len() as u64), body].concat()
}
