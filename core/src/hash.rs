//! Domain-separated SHA-256, for tags and derived ids that every device
//! must compute identically.

use sha2::{Digest, Sha256};

/// SHA-256 of `domain` then each part, in order.
pub(crate) fn tagged(domain: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut hasher = Sha256::new().chain_update(domain);
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize().into()
}
