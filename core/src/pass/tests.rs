use super::*;
use proptest::prelude::*;
use time::macros::datetime;

const NOW: OffsetDateTime = datetime!(2026-11-22 18:00 UTC);

fn signer(tenant: TenantId, key_id: u8, seed: u8) -> PassSigner {
    PassSigner::new(tenant, KeyId(key_id), &[seed; 32])
}

fn trusting(signers: &[&PassSigner]) -> TrustedKeys {
    TrustedKeys::new(
        signers[0].tenant,
        signers.iter().map(|s| (s.key_id, s.public_key())),
    )
    .unwrap()
}

fn phone(student: StudentId, issued: OffsetDateTime, minutes: u8) -> Pass {
    Pass {
        student: StudentTag::of(student),
        kind: PassKind::Phone(PhonePass {
            nonce: 7,
            issued,
            minutes,
        }),
    }
}

fn card(student: StudentId, version: u16) -> Pass {
    Pass {
        student: StudentTag::of(student),
        kind: PassKind::Card { version },
    }
}

#[test]
fn a_phone_pass_verifies_while_valid() {
    let s = signer(TenantId::new(), 1, 9);
    let pass = phone(StudentId::new(), NOW, 5);
    let text = s.sign(&pass).unwrap();
    let keys = trusting(&[&s]);
    assert_eq!(keys.verify(&text, NOW).unwrap().pass, pass);
    assert!(
        keys.verify(&text, NOW + Duration::minutes(6)).is_ok(),
        "within the skew"
    );
    assert_eq!(
        keys.verify(&text, NOW + Duration::minutes(7)),
        Err(PassError::Expired {
            expired_at: NOW + Duration::minutes(5)
        })
    );
    assert_eq!(
        keys.verify(&text, NOW - Duration::minutes(3)),
        Err(PassError::NotYetValid { valid_from: NOW })
    );
}

#[test]
fn a_device_clock_years_off_gets_a_clear_error_and_cards_still_work() {
    let s = signer(TenantId::new(), 1, 9);
    let keys = trusting(&[&s]);
    let student = StudentId::new();
    let phone_text = s.sign(&phone(student, NOW, 5)).unwrap();
    let card_text = s.sign(&card(student, 3)).unwrap();
    let behind = NOW - Duration::days(3 * 365);
    assert!(matches!(
        keys.verify(&phone_text, behind),
        Err(PassError::NotYetValid { .. })
    ));
    assert!(matches!(
        keys.verify(&phone_text, NOW + Duration::days(3 * 365)),
        Err(PassError::Expired { .. })
    ));
    assert!(keys.verify(&card_text, behind).is_ok());
}

#[test]
fn a_scanner_knows_a_signed_pass_at_any_time_and_nothing_else() {
    let s = signer(TenantId::new(), 1, 9);
    let keys = s.trusted_keys();
    let expired = s
        .sign(&phone(StudentId::new(), NOW - Duration::days(2), 5))
        .unwrap();
    assert!(keys.is_signed(&expired), "expired, but read as printed");
    let foreign = signer(TenantId::new(), 1, 9)
        .sign(&card(StudentId::new(), 3))
        .unwrap();
    assert!(!keys.is_signed(&foreign));
    let mut misread = s.sign(&card(StudentId::new(), 3)).unwrap();
    let last = misread.pop().unwrap();
    misread.push(if last == '0' { '1' } else { '0' });
    assert!(!keys.is_signed(&misread));
    assert!(!keys.is_signed("https://example.com"));
}

#[test]
fn another_academys_pass_is_refused() {
    let ours = signer(TenantId::new(), 1, 9);
    let theirs = signer(TenantId::new(), 1, 9);
    let text = theirs.sign(&card(StudentId::new(), 1)).unwrap();
    let err = trusting(&[&ours]).verify(&text, NOW).unwrap_err();
    // Same key bytes and id, different academy: never valid. A 2-byte tag
    // collision would still fail on the signature, which binds the full id.
    assert!(
        matches!(err, PassError::WrongTenant | PassError::BadSignature),
        "{err:?}"
    );
}

#[test]
fn rotated_keys_verify_by_key_id() {
    let tenant = TenantId::new();
    let (old, new) = (signer(tenant, 1, 1), signer(tenant, 2, 2));
    let keys = trusting(&[&old, &new]);
    for s in [&old, &new] {
        assert!(
            keys.verify(&s.sign(&card(StudentId::new(), 1)).unwrap(), NOW)
                .is_ok()
        );
    }
    let unknown = signer(tenant, 3, 3).sign(&card(StudentId::new(), 1)).unwrap();
    assert_eq!(
        keys.verify(&unknown, NOW),
        Err(PassError::UnknownKey { key_id: KeyId(3) })
    );
    // A key id the device knows, but signed by another key: forged.
    let impostor = signer(tenant, 2, 99).sign(&card(StudentId::new(), 1)).unwrap();
    assert_eq!(keys.verify(&impostor, NOW), Err(PassError::BadSignature));
}

#[test]
fn malformed_codes_say_why() {
    let keys = trusting(&[&signer(TenantId::new(), 1, 9)]);
    let malformed = |text: &str| match keys.verify(text, NOW) {
        Err(PassError::Malformed { reason }) => reason,
        other => panic!("{text:?} gave {other:?}"),
    };
    assert_eq!(malformed(""), Malformed::Length);
    assert_eq!(malformed("https://example.com/"), Malformed::Length);
    assert_eq!(malformed(&"a".repeat(122)), Malformed::Character);
    assert_eq!(malformed(&":".repeat(122)), Malformed::Overflow);
    let mut bytes = vec![0u8; layout::CARD_LEN];
    bytes[0] = 2 << 4 | 2;
    assert_eq!(malformed(&alnum::encode(&bytes)), Malformed::UnsupportedFormat(2));
    bytes[0] = 1 << 4 | 9;
    assert_eq!(malformed(&alnum::encode(&bytes)), Malformed::UnknownKind(9));
    // A card header in a phone-length code.
    let mut bytes = vec![0u8; layout::PHONE_LEN];
    bytes[0] = 1 << 4 | 2;
    assert_eq!(malformed(&alnum::encode(&bytes)), Malformed::Length);
}

#[test]
fn signing_refuses_what_the_format_cannot_carry() {
    let s = signer(TenantId::new(), 1, 9);
    assert!(s.sign(&phone(StudentId::new(), NOW, 0)).is_err());
    assert!(
        s.sign(&phone(StudentId::new(), datetime!(1969-12-31 0:00 UTC), 5))
            .is_err()
    );
    assert!(
        s.sign(&phone(StudentId::new(), datetime!(2107-01-01 0:00 UTC), 5))
            .is_err()
    );
}

#[test]
fn error_codes_match_their_json() {
    let errors = [
        PassError::from(Malformed::Length),
        PassError::WrongTenant,
        PassError::UnknownKey { key_id: KeyId(1) },
        PassError::BadSignature,
        PassError::Expired { expired_at: NOW },
        PassError::NotYetValid { valid_from: NOW },
    ];
    for error in errors {
        let json = serde_json::to_value(&error).unwrap();
        assert_eq!(json["code"], error.code());
    }
}

/// The sizes we promise: both kinds fit QR version 5 at error correction M.
#[test]
fn passes_fit_qr_version_5_at_ecc_m() {
    use qrcode::{EcLevel, QrCode, Version};
    let s = signer(TenantId::new(), 255, 9);
    let widest_phone = phone(StudentId::new(), datetime!(2106-01-01 0:00 UTC), 255);
    for (pass, chars) in [(widest_phone, 122), (card(StudentId::new(), u16::MAX), 115)] {
        let text = s.sign(&pass).unwrap();
        assert_eq!(text.len(), chars);
        let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).unwrap();
        assert!(
            matches!(code.version(), Version::Normal(v) if v <= 5),
            "{:?} for {chars} characters",
            code.version()
        );
    }
}

fn arb_pass() -> impl Strategy<Value = Pass> {
    let phone = (any::<u16>(), 0u32..=u32::MAX, 1u8..=255).prop_map(|(nonce, issued, minutes)| {
        PassKind::Phone(PhonePass {
            nonce,
            issued: OffsetDateTime::from_unix_timestamp(i64::from(issued)).unwrap(),
            minutes,
        })
    });
    let card = any::<u16>().prop_map(|version| PassKind::Card { version });
    (any::<[u8; 8]>(), prop_oneof![phone, card]).prop_map(|(tag, kind)| Pass {
        student: StudentTag(tag),
        kind,
    })
}

/// A moment when `pass` is valid.
fn valid_at(pass: &Pass) -> OffsetDateTime {
    match &pass.kind {
        PassKind::Phone(phone) => phone.issued,
        PassKind::Card { .. } => NOW,
    }
}

proptest! {
    #[test]
    fn round_trip(pass in arb_pass(), key_id in any::<u8>(), seed in any::<[u8; 32]>()) {
        let tenant = TenantId::new();
        let s = PassSigner::new(tenant, KeyId(key_id), &seed);
        let text = s.sign(&pass).unwrap();
        let verified = trusting(&[&s]).verify(&text, valid_at(&pass)).unwrap();
        prop_assert_eq!(verified, VerifiedPass { key_id: KeyId(key_id), pass });
    }

    /// Every single-byte change anywhere in a pass makes it fail.
    #[test]
    fn every_single_byte_tampering_fails(pass in arb_pass(), position in any::<prop::sample::Index>(), flip in 1u8..=255) {
        let s = signer(TenantId::new(), 4, 4);
        let keys = trusting(&[&s]);
        let text = s.sign(&pass).unwrap();
        let mut bytes = text_to_bytes(&text).unwrap();
        let at = position.index(bytes.len());
        bytes[at] ^= flip;
        let result = keys.verify(&alnum::encode(&bytes), valid_at(&pass));
        prop_assert!(result.is_err(), "byte {} ^ {:#x} still verified", at, flip);
    }

    /// Every single-character change of the text makes it fail.
    #[test]
    fn every_single_character_tampering_fails(pass in arb_pass(), position in any::<prop::sample::Index>(), replacement in "[0-9A-Z$%*+\\-./: a-z]") {
        let s = signer(TenantId::new(), 4, 4);
        let keys = trusting(&[&s]);
        let text = s.sign(&pass).unwrap();
        let at = position.index(text.len());
        prop_assume!(text[at..=at] != replacement);
        let tampered = format!("{}{}{}", &text[..at], replacement, &text[at + 1..]);
        prop_assert!(keys.verify(&tampered, valid_at(&pass)).is_err());
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        let keys = trusting(&[&signer(TenantId::new(), 1, 1)]);
        let _ = keys.verify(&text, NOW);
    }
}
