//! Class sessions and attendance, projected from rolls: the busiest write.

use tatami_core::ids::TenantId;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::Tx;

/// Attendance rows to upsert, one entry per column.
#[derive(Debug, Default)]
pub struct AttendanceRows {
    pub sessions: Vec<Uuid>,
    pub students: Vec<Uuid>,
    pub class_refs: Vec<String>,
    pub dates: Vec<Date>,
    pub checked_in_at: Vec<OffsetDateTime>,
    pub checked_in_by: Vec<Uuid>,
    pub devices: Vec<Uuid>,
    pub methods: Vec<String>,
    pub voided_at: Vec<Option<OffsetDateTime>>,
    pub voided_by: Vec<Option<Uuid>>,
}

/// Sessions to record, one entry per column.
#[derive(Debug, Default)]
pub struct SessionRows {
    pub docs: Vec<Uuid>,
    pub class_refs: Vec<String>,
    pub dates: Vec<Date>,
}

/// Records new sessions and upserts attendance: one statement.
pub async fn record(
    tx: &mut Tx,
    tenant: TenantId,
    sessions: &SessionRows,
    rows: &AttendanceRows,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "WITH sessions AS (
             INSERT INTO class_sessions (tenant_id, doc_id, class_ref, held_on)
             SELECT $1, * FROM UNNEST($2::uuid[], $3::text[], $4::date[]) ON CONFLICT DO NOTHING
         )
         INSERT INTO attendance (tenant_id, session_doc_id, student_id, class_ref, held_on, checked_in_at,
                                 checked_in_by, device_id, method, voided_at, voided_by)
         SELECT $1, * FROM UNNEST($5::uuid[], $6::uuid[], $7::text[], $8::date[], $9::timestamptz[],
                                  $10::uuid[], $11::uuid[], $12::text[], $13::timestamptz[], $14::uuid[])
         ON CONFLICT (tenant_id, session_doc_id, student_id) DO UPDATE SET
             checked_in_at = EXCLUDED.checked_in_at, checked_in_by = EXCLUDED.checked_in_by,
             device_id = EXCLUDED.device_id, method = EXCLUDED.method,
             voided_at = EXCLUDED.voided_at, voided_by = EXCLUDED.voided_by",
        tenant.as_uuid(),
        &sessions.docs,
        &sessions.class_refs,
        &sessions.dates,
        &rows.sessions,
        &rows.students,
        &rows.class_refs,
        &rows.dates,
        &rows.checked_in_at,
        &rows.checked_in_by,
        &rows.devices,
        &rows.methods,
        &rows.voided_at as &[Option<OffsetDateTime>],
        &rows.voided_by as &[Option<Uuid>]
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}
