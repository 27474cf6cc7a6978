//! Any bytes a camera might hand over as a pass. Verifying must never panic,
//! and the only text that verifies is the exact text the key signed (no
//! second spelling of a pass, which would dodge single use). The seed corpus
//! holds a phone pass and a card signed by this key, valid at `now`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tatami_core::ids::TenantId;
use tatami_core::pass::{KeyId, PassSigner, TrustedKeys};
use time::OffsetDateTime;
use uuid::Uuid;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let tenant = TenantId::from_uuid(Uuid::from_u128(7));
    let signer = PassSigner::new(tenant, KeyId(1), &[9; 32]);
    let Ok(keys) = TrustedKeys::new(tenant, [(KeyId(1), signer.public_key())]) else { return };
    let now = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    if let Ok(verified) = keys.verify(text, now) {
        assert_eq!(signer.sign(&verified.pass).ok().as_deref(), Some(text), "a second spelling verified");
    }
});
