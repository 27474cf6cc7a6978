//! What the shell adds to the engine's own types: the state the app opens
//! on, a staff member without their PIN verifier, a promotion and a
//! report's period as the screens ask for them, a member card drawn.

use base64::Engine as _;
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};
use serde::{Deserialize, Serialize};
use tatami_client::sync::SyncStatus;
use tatami_client::{Engine, EngineError, Enrolment, MemberCard};
use tatami_core::belt::Grade;
use tatami_core::doc::tenant::TenantView;
use tatami_core::ids::{StaffId, StudentId};
use tatami_core::people::{Role, Staff};
use ts_rs::TS;

/// Everything the app needs to pick its first screen.
#[derive(Debug, Clone, Serialize, TS)]
pub(crate) struct DeviceState {
    /// `None` until the device is enrolled (the first-run screen).
    pub enrolment: Option<Enrolment>,
    pub academy: Option<TenantView>,
    /// Who unlocked the device; `None` shows the PIN screen.
    pub staff: Option<StaffMember>,
    /// The role their edits are made with here: the lesser of theirs and
    /// the device's (what the screens offer follows it).
    pub acting_role: Option<Role>,
    pub status: SyncStatus,
    pub students: u64,
    /// A server address to offer on the first-run screen.
    pub server_hint: Option<String>,
}

impl DeviceState {
    pub(crate) fn of(engine: &Engine, server_hint: Option<String>) -> Result<Self, EngineError> {
        Ok(Self {
            enrolment: engine.enrolment(),
            academy: engine.academy().map(|a| a.view.clone()),
            staff: engine.unlocked().as_ref().map(StaffMember::from),
            acting_role: engine.acting_role(),
            status: engine.status(),
            students: engine.student_count()?,
            server_hint,
        })
    }
}

/// A member of staff as the screens show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub(crate) struct StaffMember {
    pub id: StaffId,
    pub name: String,
    pub email: String,
    pub role: Role,
}

impl From<&Staff> for StaffMember {
    fn from(staff: &Staff) -> Self {
        Self {
            id: staff.id,
            name: staff.name.as_str().to_owned(),
            email: staff.email.as_str().to_owned(),
            role: staff.role,
        }
    }
}

/// A promotion to record.
#[derive(Debug, Clone, Deserialize, TS)]
pub(crate) struct PromotionRequest {
    pub student: StudentId,
    pub to: Grade,
    /// The day it took effect, ISO 8601.
    #[ts(type = "string")]
    pub on: time::Date,
    pub notes: String,
}

/// Days from `from` to `to`, both included, ISO 8601.
#[derive(Debug, Clone, Copy, Deserialize, TS)]
pub(crate) struct Period {
    #[ts(type = "string")]
    pub from: time::Date,
    #[ts(type = "string")]
    pub to: time::Date,
}

/// A member card with its QR code drawn, for the screen and the printer.
#[derive(Debug, Clone, Serialize, TS)]
pub(crate) struct PrintableCard {
    pub card: MemberCard,
    /// The QR code as an SVG data URL: sharp at any print size.
    pub qr: String,
}

impl PrintableCard {
    pub(crate) fn of(card: MemberCard) -> Result<Self, EngineError> {
        // Every pass fits QR version 5 at this level (core tests it).
        let code = QrCode::with_error_correction_level(card.card.as_bytes(), EcLevel::M)
            .map_err(|e| EngineError::Invalid(format!("the card's QR code: {e}")))?;
        let image = code.render::<svg::Color>().quiet_zone(true).build();
        let qr = format!(
            "data:image/svg+xml;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(image)
        );
        Ok(Self { card, qr })
    }
}
