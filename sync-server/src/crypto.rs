//! Small cryptographic helpers: randomness, hashing of secrets, and the
//! master key that seals academies' signing keys at rest.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};

/// `N` bytes from the operating system's generator.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    // Without a working OS generator no secret can be made safely.
    getrandom::fill(&mut bytes).unwrap_or_else(|e| panic!("the OS random generator failed: {e}"));
    bytes
}

/// A fresh secret as URL-safe text (32 random bytes).
pub fn random_token() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes::<32>())
}

/// How secrets (refresh tokens, device credentials) are stored: they are
/// long and random, so a fast hash is enough.
pub fn secret_hash(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// Equality that takes as long whatever the inputs share.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[derive(Debug, thiserror::Error)]
pub enum MasterKeyError {
    #[error("the master key must be 32 bytes in base64")]
    Malformed,
    #[error("a sealed key could not be opened: wrong master key or damaged data")]
    Open,
}

/// Seals and opens secrets with XChaCha20-Poly1305. The associated data
/// binds each sealed secret to where it belongs, so a sealed key copied to
/// another academy's row does not open.
#[derive(Clone)]
pub struct MasterKey(XChaCha20Poly1305);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(..)")
    }
}

const NONCE: usize = 24;

impl MasterKey {
    pub fn from_base64(text: &str) -> Result<Self, MasterKeyError> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|_| MasterKeyError::Malformed)?;
        XChaCha20Poly1305::new_from_slice(&bytes)
            .map(Self)
            .map_err(|_| MasterKeyError::Malformed)
    }

    /// A new random key, as base64.
    pub fn generate() -> String {
        STANDARD.encode(random_bytes::<32>())
    }

    /// `nonce ‖ ciphertext`.
    pub fn seal(&self, secret: &[u8], context: &[u8]) -> Vec<u8> {
        let nonce = random_bytes::<NONCE>();
        let sealed = self
            .0
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: secret,
                    aad: context,
                },
            )
            .unwrap_or_else(|_| unreachable!("encryption into a Vec cannot fail"));
        [nonce.as_slice(), &sealed].concat()
    }

    pub fn open(&self, sealed: &[u8], context: &[u8]) -> Result<Vec<u8>, MasterKeyError> {
        if sealed.len() < NONCE {
            return Err(MasterKeyError::Open);
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE);
        let nonce: [u8; NONCE] = nonce.try_into().map_err(|_| MasterKeyError::Open)?;
        self.0
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: ciphertext,
                    aad: context,
                },
            )
            .map_err(|_| MasterKeyError::Open)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_in_their_context() {
        let key = MasterKey::from_base64(&MasterKey::generate()).unwrap();
        let sealed = key.seal(b"signing key", b"tenant-a/1");
        assert_eq!(key.open(&sealed, b"tenant-a/1").unwrap(), b"signing key");
        assert!(key.open(&sealed, b"tenant-b/1").is_err());
        let other = MasterKey::from_base64(&MasterKey::generate()).unwrap();
        assert!(other.open(&sealed, b"tenant-a/1").is_err());
        let mut damaged = sealed.clone();
        damaged[30] ^= 1;
        assert!(key.open(&damaged, b"tenant-a/1").is_err());
        assert!(MasterKey::from_base64("c2hvcnQ=").is_err());
    }

    #[test]
    fn equality_compares_everything() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
