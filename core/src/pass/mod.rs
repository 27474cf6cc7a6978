//! Passes: the QR payloads students show at the door.
//!
//! A pass is signed with the academy's Ed25519 key and verified offline with
//! its public key. Two kinds exist: a phone pass (valid for minutes, single
//! use per nonce) and a printed member card (long-lived, revoked by bumping
//! the student's card version).
//!
//! To fit QR version 5 at error correction M (122 alphanumeric characters,
//! about 83 bytes) next to a 64-byte signature, a pass names the student by
//! an 8-byte tag (a hash of the student id) and the academy by a 2-byte tag.
//! The signature covers the academy's full id, so a pass of another academy
//! can never verify, whatever its tag.

mod alnum;
mod layout;

use std::collections::BTreeMap;
use std::fmt;

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::hash::tagged;
use crate::ids::{StudentId, TenantId};
pub use layout::OutOfRange;

/// How far a device clock may drift from the server's before a phone pass
/// reads as expired or not yet valid.
pub const CLOCK_SKEW: Duration = Duration::minutes(2);

/// Which of an academy's signing keys signed a pass (keys rotate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(transparent)]
pub struct KeyId(pub u8);

/// A short fingerprint of an academy id, to tell a foreign pass apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TenantTag(u16);

impl TenantTag {
    pub fn of(tenant: TenantId) -> Self {
        let digest = tagged(b"tatami/tenant-tag/v1", &[tenant.as_bytes()]);
        Self(u16::from_be_bytes([digest[0], digest[1]]))
    }
}

/// The student a pass is for: the first 8 bytes of a hash of the student id.
/// Devices index students by it; 64 bits keep collisions out of reach for
/// any academy's roster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StudentTag([u8; 8]);

impl StudentTag {
    pub fn of(student: StudentId) -> Self {
        let digest = tagged(b"tatami/student-tag/v1", &[student.as_bytes()]);
        let mut tag = [0u8; 8];
        tag.copy_from_slice(&digest[..8]);
        Self(tag)
    }
}

/// 16 lowercase hex digits, as stores index it.
impl fmt::Display for StudentTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

/// What a pass says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pass {
    pub student: StudentTag,
    pub kind: PassKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PassKind {
    Phone(PhonePass),
    Card { version: u16 },
}

/// A short-lived pass shown on a phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhonePass {
    /// Tells apart passes issued to one student in the same second.
    pub nonce: u16,
    /// Whole seconds; sub-second parts are not carried.
    pub issued: OffsetDateTime,
    /// Lifetime in minutes, 1 to 255.
    pub minutes: u8,
}

impl PhonePass {
    pub fn expires(&self) -> OffsetDateTime {
        self.issued + Duration::minutes(i64::from(self.minutes))
    }
}

/// Why a scanned code is not a valid pass here and now. Each has a stable
/// code for the UI to translate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum PassError {
    #[error("not a Tatami pass: {reason}")]
    Malformed { reason: Malformed },
    #[error("this pass belongs to another academy")]
    WrongTenant,
    #[error("this pass was signed with key {key_id:?}, which this device does not know")]
    UnknownKey { key_id: KeyId },
    #[error("this pass has been altered or forged")]
    BadSignature,
    #[error("this pass expired at {expired_at}")]
    Expired {
        #[serde(with = "time::serde::rfc3339")]
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        expired_at: OffsetDateTime,
    },
    #[error("this pass is valid only from {valid_from}: check this device's clock")]
    NotYetValid {
        #[serde(with = "time::serde::rfc3339")]
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        valid_from: OffsetDateTime,
    },
}

impl PassError {
    /// The stable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            PassError::Malformed { .. } => "malformed",
            PassError::WrongTenant => "wrong_tenant",
            PassError::UnknownKey { .. } => "unknown_key",
            PassError::BadSignature => "bad_signature",
            PassError::Expired { .. } => "expired",
            PassError::NotYetValid { .. } => "not_yet_valid",
        }
    }
}

/// What is wrong with a code that is not a pass at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Malformed {
    #[error("wrong length")]
    Length,
    #[error("a character outside the pass alphabet")]
    Character,
    #[error("a number too large for a pass")]
    Overflow,
    #[error("pass format {0} is not supported")]
    UnsupportedFormat(u8),
    #[error("unknown pass kind {0}")]
    UnknownKind(u8),
    #[error("a phone pass with no lifetime")]
    ZeroLifetime,
}

impl From<Malformed> for PassError {
    fn from(reason: Malformed) -> Self {
        PassError::Malformed { reason }
    }
}

/// Splits pass text into its bytes; the length says which kind it is.
fn text_to_bytes(text: &str) -> Result<Vec<u8>, Malformed> {
    let len = [layout::PHONE_LEN, layout::CARD_LEN]
        .into_iter()
        .find(|&bytes| alnum::text_len(bytes) == text.len())
        .ok_or(Malformed::Length)?;
    alnum::decode(text, len).map_err(|e| match e {
        alnum::AlnumError::Character(_) => Malformed::Character,
        alnum::AlnumError::Overflow => Malformed::Overflow,
    })
}

/// The message a signature covers: a domain, the academy's full id, the body.
fn signed_message(tenant: TenantId, body: &[u8]) -> Vec<u8> {
    let mut message = Vec::with_capacity(16 + 16 + body.len());
    message.extend_from_slice(b"tatami/pass/v1\0\0");
    message.extend_from_slice(tenant.as_bytes());
    message.extend_from_slice(body);
    message
}

/// A pass that verified: its signer and content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedPass {
    pub key_id: KeyId,
    pub pass: Pass,
}

/// A public key that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("key {key_id:?} is not a usable Ed25519 public key")]
pub struct BadPublicKey {
    pub key_id: KeyId,
}

/// The public keys an academy's devices trust.
#[derive(Debug, Clone)]
pub struct TrustedKeys {
    tenant: TenantId,
    tag: TenantTag,
    keys: BTreeMap<KeyId, VerifyingKey>,
}

impl TrustedKeys {
    /// Refuses malformed and weak (small-order) keys.
    pub fn new(
        tenant: TenantId,
        keys: impl IntoIterator<Item = (KeyId, [u8; 32])>,
    ) -> Result<Self, BadPublicKey> {
        let keys = keys
            .into_iter()
            .map(|(key_id, bytes)| {
                VerifyingKey::from_bytes(&bytes)
                    .ok()
                    .filter(|k| !k.is_weak())
                    .map(|k| (key_id, k))
                    .ok_or(BadPublicKey { key_id })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            tenant,
            tag: TenantTag::of(tenant),
            keys,
        })
    }

    /// Checks, in order: shape, academy, key, signature, and for a phone
    /// pass its validity period at `now` (allowing [`CLOCK_SKEW`]).
    pub fn verify(&self, text: &str, now: OffsetDateTime) -> Result<VerifiedPass, PassError> {
        let verified = self.signed(text)?;
        if let PassKind::Phone(phone) = &verified.pass.kind {
            if now + CLOCK_SKEW < phone.issued {
                return Err(PassError::NotYetValid {
                    valid_from: phone.issued,
                });
            }
            if now - CLOCK_SKEW >= phone.expires() {
                return Err(PassError::Expired {
                    expired_at: phone.expires(),
                });
            }
        }
        Ok(verified)
    }

    /// True when `text` is a pass this academy signed, valid now or not:
    /// a scanner knows then that not a bit of it was misread.
    pub fn is_signed(&self, text: &str) -> bool {
        self.signed(text).is_ok()
    }

    /// Shape, academy, key and signature.
    fn signed(&self, text: &str) -> Result<VerifiedPass, PassError> {
        let bytes = text_to_bytes(text)?;
        let unverified = layout::parse(&bytes)?;
        if unverified.tenant != self.tag {
            return Err(PassError::WrongTenant);
        }
        let key = self.keys.get(&unverified.key_id).ok_or(PassError::UnknownKey {
            key_id: unverified.key_id,
        })?;
        let signature = Signature::from_bytes(&unverified.signature);
        key.verify_strict(&signed_message(self.tenant, unverified.signed), &signature)
            .map_err(|_| PassError::BadSignature)?;
        Ok(VerifiedPass {
            key_id: unverified.key_id,
            pass: unverified.pass,
        })
    }
}

/// Signs passes for one academy. Lives on the server only.
pub struct PassSigner {
    tenant: TenantId,
    key_id: KeyId,
    key: SigningKey,
}

impl fmt::Debug for PassSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PassSigner")
            .field("tenant", &self.tenant)
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

impl PassSigner {
    pub fn new(tenant: TenantId, key_id: KeyId, secret: &[u8; 32]) -> Self {
        Self {
            tenant,
            key_id,
            key: SigningKey::from_bytes(secret),
        }
    }

    pub fn key_id(&self) -> KeyId {
        self.key_id
    }

    pub fn public_key(&self) -> [u8; 32] {
        self.key.verifying_key().to_bytes()
    }

    /// The keys that verify this signer's passes.
    pub fn trusted_keys(&self) -> TrustedKeys {
        TrustedKeys {
            tenant: self.tenant,
            tag: TenantTag::of(self.tenant),
            keys: BTreeMap::from([(self.key_id, self.key.verifying_key())]),
        }
    }

    /// The pass as QR alphanumeric text.
    pub fn sign(&self, pass: &Pass) -> Result<String, OutOfRange> {
        let mut bytes = layout::body(self.key_id, TenantTag::of(self.tenant), pass)?;
        let signature = self.key.sign(&signed_message(self.tenant, &bytes));
        bytes.extend_from_slice(&signature.to_bytes());
        Ok(alnum::encode(&bytes))
    }
}

#[cfg(test)]
mod tests;
