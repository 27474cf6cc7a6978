//! Member cards. Only the server holds the academy's signing key, so a
//! card is fetched from it; the card is kept here, and printed again
//! offline while the student's card version has not moved on.

use serde::Serialize;
use tatami_core::api::ErrorCode;
use tatami_core::doc::student;
use tatami_core::ids::StudentId;
use tatami_core::pass::{PassKind, StudentTag};
use tatami_core::people::Role;
use time::OffsetDateTime;

use super::Engine;
use crate::academy::Academy;
use crate::error::EngineError;
use crate::remote::RemoteError;
use crate::store::{cards, docs};

/// A student's member card, ready to print.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MemberCard {
    /// What the QR code holds.
    pub card: String,
    /// Printed cards with an older version are refused at the door.
    pub version: u16,
    pub student_name: String,
    pub academy_name: String,
}

impl Engine {
    /// The student's current card: from the server when it can be reached,
    /// else the one kept here if it is still current.
    pub async fn member_card(&self, id: StudentId) -> Result<MemberCard, EngineError> {
        self.actor(Role::FrontDesk)?;
        let academy = self.require_academy()?;
        let (doc, kept, remote) = self
            .blocking(move |engine| {
                let (doc, kept) = engine.with_store(|store| {
                    Ok((
                        docs::load(store.read(), student::doc_id(id))?,
                        cards::card(store.read(), id)?,
                    ))
                })?;
                Ok((doc, kept, engine.remote()))
            })
            .await?;
        let record = student::project(&doc.ok_or(EngineError::NotFound("student"))?)?.student;
        let (remote, credential) = remote?;
        let card = |text: String, version| MemberCard {
            card: text,
            version,
            student_name: record.name.to_string(),
            academy_name: academy.view.name.to_string(),
        };
        match remote.card(&credential, id).await {
            Ok(text) => {
                let version = card_version(&academy, id, &text, self.now()).ok_or_else(|| {
                    EngineError::Invalid(
                        "the server's card is signed by a key this device does not know yet: sync, then try again"
                            .into(),
                    )
                })?;
                let keep = text.clone();
                self.blocking(move |engine| {
                    engine.with_store(|store| store.write(|tx| cards::keep_card(tx, id, &keep)))
                })
                .await?;
                Ok(card(text, version))
            }
            Err(RemoteError::Unreachable(why)) => kept
                .filter(|text| card_version(&academy, id, text, self.now()) == Some(record.card_version))
                .map(|text| card(text, record.card_version))
                .ok_or_else(|| {
                    EngineError::Remote(RemoteError::Unreachable(format!(
                        "{why}; the card is signed by the server: print it once this device is online"
                    )))
                }),
            Err(RemoteError::Refused {
                code: Some(ErrorCode::UnknownStudent),
                ..
            }) => Err(EngineError::Invalid(
                "this student has not reached the server yet: sync, then try again".into(),
            )),
            Err(other) => Err(other.into()),
        }
    }
}

/// The version of `text` if it is a card of this academy for `student`.
fn card_version(academy: &Academy, student: StudentId, text: &str, now: OffsetDateTime) -> Option<u16> {
    let verified = academy.keys.verify(text, now).ok()?;
    match verified.pass.kind {
        PassKind::Card { version } if verified.pass.student == StudentTag::of(student) => Some(version),
        _ => None,
    }
}
