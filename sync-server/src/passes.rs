//! Issuing passes: the academy's private key never leaves the server, so
//! every pass and card is signed here and verified on devices offline.

use tatami_core::api::{CardIssued, ErrorCode, PhonePassIssued};
use tatami_core::doc::{DocKind, student};
use tatami_core::ids::{StudentId, TenantId};
use tatami_core::pass::{KeyId, Pass, PassKind, PassSigner, PhonePass, StudentTag};
use time::OffsetDateTime;

use crate::academies::key_context;
use crate::auth::{Caller, Who};
use crate::db::audit::insert_audit;
use crate::db::projections::{StudentCardRow, select_student_card, select_students_by_tag};
use crate::db::signing_keys::select_current_signing_key;
use crate::db::{self, Tx};
use crate::error::ApiError;
use crate::server_edits;
use crate::state::AppState;

/// Minutes a phone pass lasts.
pub const PHONE_PASS_MINUTES: u8 = 5;

async fn signer(state: &AppState, tx: &mut Tx, tenant: TenantId) -> Result<PassSigner, ApiError> {
    let row = select_current_signing_key(tx, tenant)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NoSigningKey, "this academy has no signing key"))?;
    let key_id = KeyId(u8::try_from(row.key_id).map_err(ApiError::internal)?);
    let secret = state
        .master_key
        .open(&row.secret_sealed, &key_context(tenant, key_id))
        .map_err(ApiError::internal)?;
    let secret: [u8; 32] = secret
        .try_into()
        .map_err(|_| ApiError::internal(std::io::Error::other("a sealed signing key is not 32 bytes")))?;
    Ok(PassSigner::new(tenant, key_id, &secret))
}

/// The student, who must exist here, and whose pass tag must name no one
/// else (a 2^-64 accident, but a pass must never be ambiguous).
async fn student_for_pass(
    tx: &mut Tx,
    tenant: TenantId,
    student: StudentId,
) -> Result<StudentCardRow, ApiError> {
    let row = select_student_card(tx, tenant, *student.as_uuid())
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::UnknownStudent, "there is no such student here"))?;
    let tag = StudentTag::of(student).to_string();
    if select_students_by_tag(tx, tenant, &tag).await?.len() != 1 {
        return Err(ApiError::new(
            ErrorCode::PassTagCollision,
            "this student cannot have a pass: contact support",
        ));
    }
    Ok(row)
}

/// A short-lived pass for a phone, for staff or the student themself.
pub async fn issue_phone_pass(
    state: &AppState,
    caller: &Caller,
    student: StudentId,
) -> Result<PhonePassIssued, ApiError> {
    match caller.who {
        Who::Staff { .. } => {}
        Who::Member { student: own, .. } if own == student => {}
        _ => {
            return Err(ApiError::new(
                ErrorCode::Forbidden,
                "only staff or the student may get this pass",
            ));
        }
    }
    let tenant = caller.tenant.id;
    let mut tx = db::begin(&state.pool, tenant).await?;
    let row = student_for_pass(&mut tx, tenant, student).await?;
    if row.status == "inactive" {
        return Err(ApiError::new(
            ErrorCode::StudentInactive,
            "this student is inactive",
        ));
    }
    let signer = signer(state, &mut tx, tenant).await?;
    tx.commit().await?;
    let now = OffsetDateTime::now_utc();
    let issued = now.replace_nanosecond(0).unwrap_or(now);
    let phone = PhonePass {
        nonce: u16::from_be_bytes(crate::crypto::random_bytes::<2>()),
        issued,
        minutes: PHONE_PASS_MINUTES,
    };
    let expires_at = phone.expires();
    let pass = Pass {
        student: StudentTag::of(student),
        kind: PassKind::Phone(phone),
    };
    Ok(PhonePassIssued {
        pass: signer.sign(&pass).map_err(ApiError::internal)?,
        expires_at,
    })
}

/// The printable member card of a student, for staff and the academy's
/// devices (the desk prints it).
pub async fn card(state: &AppState, caller: &Caller, student: StudentId) -> Result<CardIssued, ApiError> {
    caller.staff_or_device(tatami_core::people::Role::FrontDesk)?;
    let tenant = caller.tenant.id;
    let mut tx = db::begin(&state.pool, tenant).await?;
    let row = student_for_pass(&mut tx, tenant, student).await?;
    let signer = signer(state, &mut tx, tenant).await?;
    tx.commit().await?;
    let version = u16::try_from(row.card_version).map_err(ApiError::internal)?;
    let pass = Pass {
        student: StudentTag::of(student),
        kind: PassKind::Card { version },
    };
    Ok(CardIssued {
        card: signer.sign(&pass).map_err(ApiError::internal)?,
        version,
        student_name: row.name,
        academy_name: caller.tenant.name.clone(),
    })
}

/// Revokes every printed card of a student by bumping the card version,
/// and returns the new card.
pub async fn revoke_card(
    state: &AppState,
    caller: &Caller,
    student: StudentId,
) -> Result<CardIssued, ApiError> {
    caller.staff(tatami_core::people::Role::Admin)?;
    let tenant = caller.tenant.id;
    let version = server_edits::edit(state, tenant, student::doc_id(student), DocKind::Student, |doc| {
        let mut view = student::project(&*doc)?.student;
        view.card_version = view.card_version.checked_add(1).ok_or_else(|| {
            ApiError::new(
                ErrorCode::CardVersionsExhausted,
                "this student has had too many cards",
            )
        })?;
        student::update(doc, &view)?;
        Ok(view.card_version)
    })
    .await?
    .ok_or_else(|| ApiError::new(ErrorCode::UnknownStudent, "there is no such student here"))?;
    let mut tx = db::begin(&state.pool, tenant).await?;
    let detail = serde_json::json!({ "student": student, "card_version": version });
    insert_audit(&mut tx, tenant, caller.actor(), "card_revoked", &detail).await?;
    tx.commit().await?;
    card(state, caller, student).await
}
