//! What the codes say: real Tatami passes signed by a seeded academy, and the
//! foreign or malformed codes a door is also shown.

use qrcode::types::QrError;
use qrcode::{Color, EcLevel, QrCode, Version};
use serde::Serialize;
use tatami_core::ids::{StudentId, TenantId};
use tatami_core::pass::{KeyId, OutOfRange, Pass, PassKind, PassSigner, PhonePass, StudentTag, TrustedKeys};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::rng::Rng;

/// What a frame's code holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PayloadKind {
    PhonePass,
    MemberCard,
    /// Some other QR code: a URL, Wi-Fi settings, another academy's pass.
    Foreign,
    /// Pass-like text that is not a valid pass.
    Malformed,
    /// No code in the frame.
    None,
}

/// Around when the phone passes were issued.
const ISSUED: OffsetDateTime = datetime!(2026-11-23 18:00 UTC);

/// The academy whose key signs the corpus's passes.
#[derive(Debug)]
pub(crate) struct Academy {
    tenant: TenantId,
    signer: PassSigner,
}

/// What a verifier needs to check the corpus's passes.
#[derive(Debug, Clone, Serialize)]
pub struct AcademyKeys {
    pub tenant: String,
    pub key_id: u8,
    /// Ed25519 public key, hex.
    pub public_key: String,
    /// A time at which every phone pass of the corpus is valid.
    #[serde(with = "time::serde::rfc3339")]
    pub valid_at: OffsetDateTime,
    #[serde(skip)]
    trusted: TrustedKeys,
}

impl AcademyKeys {
    /// The keys a door of this academy trusts.
    pub fn trusted(&self) -> &TrustedKeys {
        &self.trusted
    }
}

impl Academy {
    pub(crate) fn new(rng: &mut Rng) -> Self {
        let tenant = TenantId::from_uuid(uuid(rng));
        let mut secret = [0u8; 32];
        for byte in &mut secret {
            *byte = rng.next_u64().to_le_bytes()[0];
        }
        Self {
            tenant,
            signer: PassSigner::new(tenant, KeyId(1), &secret),
        }
    }

    pub(crate) fn keys(&self) -> AcademyKeys {
        AcademyKeys {
            tenant: self.tenant.to_string(),
            key_id: self.signer.key_id().0,
            public_key: self
                .signer
                .public_key()
                .iter()
                .flat_map(|b| [b >> 4, b & 0xf])
                .map(|nibble| char::from(b"0123456789abcdef"[usize::from(nibble)]))
                .collect(),
            valid_at: ISSUED + Duration::minutes(1),
            trusted: self.signer.trusted_keys(),
        }
    }

    pub(crate) fn phone_pass(&self, rng: &mut Rng) -> Result<String, OutOfRange> {
        self.signer.sign(&Pass {
            student: student(rng),
            kind: PassKind::Phone(PhonePass {
                nonce: rng.next_u64().to_le_bytes()[0].into(),
                issued: ISSUED - Duration::seconds(rng.range(0.0, 50.0) as i64),
                minutes: 5,
            }),
        })
    }

    pub(crate) fn member_card(&self, rng: &mut Rng) -> Result<String, OutOfRange> {
        self.signer.sign(&Pass {
            student: student(rng),
            kind: PassKind::Card {
                version: 1 + rng.below(4) as u16,
            },
        })
    }

    /// A code a door may be shown that is no pass of this academy.
    pub(crate) fn foreign(rng: &mut Rng) -> Result<String, OutOfRange> {
        let tag = rng.next_u64();
        Ok(match rng.below(5) {
            0 => format!("https://example.org/timetable?week={}&ref={tag:016x}", tag % 52),
            1 => format!("WIFI:T:WPA;S:Dojo Guest;P:{:010x};;", tag >> 24),
            2 => format!("MECARD:N:Front Desk;TEL:+1555{:07};;", tag % 10_000_000),
            3 => format!("{:013}", tag % 10_000_000_000_000),
            _ => Academy::new(rng).phone_pass(rng)?,
        })
    }

    /// Text that looks like a pass of this academy and is not one.
    pub(crate) fn malformed(&self, rng: &mut Rng) -> Result<String, OutOfRange> {
        let mut pass = self.member_card(rng)?;
        Ok(match rng.below(3) {
            // One character off: a bad signature.
            0 => {
                let at = 20 + rng.below(pass.len() - 20);
                let old = pass.as_bytes()[at];
                let new = if old == b'7' { "8" } else { "7" };
                pass.replace_range(at..=at, new);
                pass
            }
            1 => pass[..pass.len() - 4].to_owned(),
            _ => pass.to_lowercase(),
        })
    }
}

fn uuid(rng: &mut Rng) -> Uuid {
    Uuid::from_u64_pair(rng.next_u64(), rng.next_u64())
}

fn student(rng: &mut Rng) -> StudentTag {
    StudentTag::of(StudentId::from_uuid(uuid(rng)))
}

/// QR error correction level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Ec {
    L,
    M,
    Q,
    H,
}

impl From<Ec> for EcLevel {
    fn from(ec: Ec) -> Self {
        match ec {
            Ec::L => EcLevel::L,
            Ec::M => EcLevel::M,
            Ec::Q => EcLevel::Q,
            Ec::H => EcLevel::H,
        }
    }
}

/// A QR code's modules, dark or light.
#[derive(Debug, Clone)]
pub(crate) struct Matrix {
    pub(crate) size: usize,
    pub(crate) version: i16,
    dark: Vec<bool>,
}

impl Matrix {
    /// The smallest version that holds `text` at `ec`, as an app would draw it.
    pub(crate) fn encode(text: &str, ec: Ec) -> Result<Self, QrError> {
        let code = QrCode::with_error_correction_level(text.as_bytes(), ec.into())?;
        let version = match code.version() {
            Version::Normal(v) | Version::Micro(v) => v,
        };
        Ok(Self {
            size: code.width(),
            version,
            dark: code.to_colors().into_iter().map(|c| c == Color::Dark).collect(),
        })
    }

    /// Whether the module at (x, y) is dark; outside the code is quiet zone.
    pub(crate) fn dark(&self, x: i64, y: i64) -> bool {
        match (usize::try_from(x), usize::try_from(y)) {
            (Ok(x), Ok(y)) if x < self.size && y < self.size => self.dark[y * self.size + x],
            _ => false,
        }
    }
}
