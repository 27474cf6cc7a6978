//! The binary layout of a pass, format 1. Every field is fixed-size and
//! big-endian; the Ed25519 signature comes last.
//!
//! ```text
//! byte  0      format (high nibble) | kind (low nibble: 1 phone, 2 card)
//! byte  1      key id
//! bytes 2-3    tenant tag
//! bytes 4-11   student tag
//! phone pass:  bytes 12-13 nonce, 14-17 issued (Unix seconds), 18 lifetime
//!              (minutes), 19-82 signature: 83 bytes
//! card:        bytes 12-13 card version, 14-77 signature: 78 bytes
//! ```

use time::OffsetDateTime;

use super::{KeyId, Malformed, Pass, PassKind, PhonePass, StudentTag, TenantTag};

pub(crate) const FORMAT: u8 = 1;
const KIND_PHONE: u8 = 1;
const KIND_CARD: u8 = 2;
const HEADER: usize = 12;
pub(crate) const SIGNATURE: usize = 64;
pub(crate) const PHONE_LEN: usize = HEADER + 7 + SIGNATURE;
pub(crate) const CARD_LEN: usize = HEADER + 2 + SIGNATURE;

/// A pass as decoded from bytes, before any check of tenant, key or signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unverified<'a> {
    pub key_id: KeyId,
    pub tenant: TenantTag,
    pub pass: Pass,
    /// The bytes the signature covers.
    pub signed: &'a [u8],
    pub signature: [u8; SIGNATURE],
}

/// The bytes of `pass` that get signed (everything but the signature).
pub(crate) fn body(key_id: KeyId, tenant: TenantTag, pass: &Pass) -> Result<Vec<u8>, OutOfRange> {
    let kind = match pass.kind {
        PassKind::Phone(_) => KIND_PHONE,
        PassKind::Card { .. } => KIND_CARD,
    };
    let mut out = Vec::with_capacity(PHONE_LEN);
    out.push(FORMAT << 4 | kind);
    out.push(key_id.0);
    out.extend_from_slice(&tenant.0.to_be_bytes());
    out.extend_from_slice(&pass.student.0);
    match &pass.kind {
        PassKind::Phone(phone) => {
            let issued = u32::try_from(phone.issued.unix_timestamp()).map_err(|_| OutOfRange)?;
            if phone.minutes == 0 {
                return Err(OutOfRange);
            }
            out.extend_from_slice(&phone.nonce.to_be_bytes());
            out.extend_from_slice(&issued.to_be_bytes());
            out.push(phone.minutes);
        }
        PassKind::Card { version } => out.extend_from_slice(&version.to_be_bytes()),
    }
    Ok(out)
}

/// A field that the format cannot carry: an issue time outside 1970–2106 or
/// a zero lifetime.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the pass has a field the pass format cannot carry")]
pub struct OutOfRange;

/// Splits bytes into fields. Lengths are exact: anything else is malformed.
pub(crate) fn parse(bytes: &[u8]) -> Result<Unverified<'_>, Malformed> {
    let (&header, _) = bytes.split_first().ok_or(Malformed::Length)?;
    if header >> 4 != FORMAT {
        return Err(Malformed::UnsupportedFormat(header >> 4));
    }
    let expected = match header & 0x0f {
        KIND_PHONE => PHONE_LEN,
        KIND_CARD => CARD_LEN,
        other => return Err(Malformed::UnknownKind(other)),
    };
    if bytes.len() != expected {
        return Err(Malformed::Length);
    }
    let (signed, signature) = bytes.split_at(expected - SIGNATURE);
    let field = |at: usize, len: usize| &signed[at..at + len];
    let student = StudentTag(field(4, 8).try_into().map_err(|_| Malformed::Length)?);
    let kind = if header & 0x0f == KIND_PHONE {
        let issued = u32::from_be_bytes(field(14, 4).try_into().map_err(|_| Malformed::Length)?);
        let minutes = signed[18];
        if minutes == 0 {
            return Err(Malformed::ZeroLifetime);
        }
        PassKind::Phone(PhonePass {
            nonce: u16::from_be_bytes([signed[12], signed[13]]),
            issued: OffsetDateTime::from_unix_timestamp(i64::from(issued)).map_err(|_| Malformed::Length)?,
            minutes,
        })
    } else {
        PassKind::Card {
            version: u16::from_be_bytes([signed[12], signed[13]]),
        }
    };
    Ok(Unverified {
        key_id: KeyId(signed[1]),
        tenant: TenantTag(u16::from_be_bytes([signed[2], signed[3]])),
        pass: Pass { student, kind },
        signed,
        signature: signature.try_into().map_err(|_| Malformed::Length)?,
    })
}
