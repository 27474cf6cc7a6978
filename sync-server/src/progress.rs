//! A student's standing and belt eligibility as the server sees them, by
//! the same core rules every device applies to its own copy: once all have
//! synced, instructors get one answer wherever they ask.

use serde::Serialize;
use tatami_core::api::ErrorCode;
use tatami_core::belt::{Eligibility, Standing, eligibility};
use tatami_core::calendar::academy_time;
use tatami_core::doc::{DocKind, student, tenant};
use tatami_core::ids::{DocId, StudentId, TenantId};
use tatami_core::people::Role;
use time::{Date, OffsetDateTime};

use crate::auth::Caller;
use crate::db::{self, Tx};
use crate::error::ApiError;
use crate::state::AppState;
use crate::sync::stored::Stored;

#[derive(Debug, Clone, Serialize)]
pub struct Progress {
    pub standing: Standing,
    /// `None` while concurrent edits leave the belt system inconsistent.
    pub eligibility: Option<Eligibility>,
}

async fn document(
    tx: &mut Tx,
    tenant: TenantId,
    id: DocId,
    kind: DocKind,
) -> Result<Option<automerge::AutoCommit>, ApiError> {
    match Stored::find(tx, tenant, id).await? {
        Some(stored) => stored.open_as(kind).map_err(ApiError::internal),
        None => Ok(None),
    }
}

/// Instructors and above: the student's grade and what the next one needs.
pub async fn progress(state: &AppState, caller: &Caller, id: StudentId) -> Result<Progress, ApiError> {
    caller.staff(Role::Instructor)?;
    let tenant = caller.tenant.id;
    let mut tx = db::begin(&state.pool, tenant).await?;
    let record = document(&mut tx, tenant, student::doc_id(id), DocKind::Student)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::UnknownStudent, "there is no such student here"))?;
    let academy = document(&mut tx, tenant, DocId::from_uuid(tenant.into()), DocKind::Tenant)
        .await?
        .ok_or_else(|| ApiError::internal(std::io::Error::other("an academy without its document")))?;
    let attended = sqlx::query_scalar!(
        "SELECT held_on FROM attendance WHERE tenant_id = $1 AND student_id = $2 AND voided_at IS NULL",
        tenant.as_uuid(),
        id.as_uuid()
    )
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;

    let record = student::project(&record)?;
    let academy = tenant::project(&academy)?;
    let standing = record.standing();
    let today: Date = academy_time(OffsetDateTime::now_utc(), &academy.timezone).date();
    let eligibility = academy
        .belt_system()
        .ok()
        .map(|belts| eligibility(&belts, &standing, record.student.born_on, &attended, today));
    Ok(Progress {
        standing,
        eligibility,
    })
}
