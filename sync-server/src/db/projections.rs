//! Rows projected from academy, student and staff documents. Each document
//! rewrites its own rows in the transaction that appends its changes.

use tatami_core::doc::student::StudentView;
use tatami_core::doc::tenant::TenantView;
use tatami_core::ids::TenantId;
use tatami_core::pass::StudentTag;
use tatami_core::people::Staff;
use tatami_core::text::{Color, Email, Label, Phone};
use uuid::Uuid;

use super::Tx;

fn json(value: &impl serde::Serialize) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or_default()
}

pub async fn replace_academy(tx: &mut Tx, tenant: TenantId, view: &TenantView) -> Result<(), sqlx::Error> {
    let t = tenant.as_uuid();
    sqlx::query!(
        "INSERT INTO academies (tenant_id, name, slug, timezone, theme, checkin) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (tenant_id) DO UPDATE SET name = EXCLUDED.name, slug = EXCLUDED.slug,
             timezone = EXCLUDED.timezone, theme = EXCLUDED.theme, checkin = EXCLUDED.checkin",
        t,
        view.name.as_str(),
        view.slug.as_str(),
        view.timezone.as_str(),
        json(&view.theme),
        json(&view.checkin)
    )
    .execute(&mut **tx)
    .await?;

    sqlx::query!("DELETE FROM belt_ranks WHERE tenant_id = $1", t)
        .execute(&mut **tx)
        .await?;
    for (position, rank) in (0i32..).zip(&view.ranks) {
        sqlx::query!(
            "INSERT INTO belt_ranks (tenant_id, id, position, name, color, stripes, requirements, stripe_requirements)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            t,
            rank.id.as_uuid(),
            position,
            rank.name.as_str(),
            rank.color.as_str(),
            i16::from(rank.stripes),
            json(&rank.requirements),
            json(&rank.stripe_requirements)
        )
        .execute(&mut **tx)
        .await?;
    }

    for class in &view.classes {
        sqlx::query!(
            "INSERT INTO classes (tenant_id, id, name, color) VALUES ($1, $2, $3, $4)
             ON CONFLICT (tenant_id, id) DO UPDATE SET name = EXCLUDED.name, color = EXCLUDED.color",
            t,
            class.id.as_uuid(),
            class.name.as_str(),
            class.color.as_ref().map(Color::as_str)
        )
        .execute(&mut **tx)
        .await?;
    }

    sqlx::query!("DELETE FROM schedule_slots WHERE tenant_id = $1", t)
        .execute(&mut **tx)
        .await?;
    for slot in &view.slots {
        sqlx::query!(
            "INSERT INTO schedule_slots (tenant_id, id, class_id, weekday, starts, minutes) VALUES ($1, $2, $3, $4, $5, $6)",
            t,
            slot.id.as_uuid(),
            slot.class.as_uuid(),
            i16::from(slot.weekday.number_from_monday()),
            slot.starts,
            i16::try_from(slot.minutes).unwrap_or(i16::MAX)
        )
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

pub async fn replace_student(tx: &mut Tx, tenant: TenantId, view: &StudentView) -> Result<(), sqlx::Error> {
    let t = tenant.as_uuid();
    let s = &view.student;
    let standing = view.standing();
    sqlx::query!(
        "INSERT INTO students (tenant_id, id, name, email, phone, born_on, joined_on, status, paid_until,
                               card_version, pass_tag, rank_id, stripes, grade_since, rank_since)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
         ON CONFLICT (tenant_id, id) DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email,
             phone = EXCLUDED.phone, born_on = EXCLUDED.born_on, joined_on = EXCLUDED.joined_on,
             status = EXCLUDED.status, paid_until = EXCLUDED.paid_until, card_version = EXCLUDED.card_version,
             rank_id = EXCLUDED.rank_id, stripes = EXCLUDED.stripes, grade_since = EXCLUDED.grade_since,
             rank_since = EXCLUDED.rank_since",
        t,
        s.id.as_uuid(),
        s.name.as_str(),
        s.email.as_ref().map(Email::as_str),
        s.phone.as_ref().map(Phone::as_str),
        s.born_on,
        s.joined_on,
        s.status.as_str(),
        s.paid_until,
        i32::from(s.card_version),
        StudentTag::of(s.id).to_string(),
        standing.grade.rank.as_uuid(),
        i16::from(standing.grade.stripes),
        standing.grade_since,
        standing.rank_since
    )
    .execute(&mut **tx)
    .await?;

    sqlx::query!(
        "DELETE FROM guardians WHERE tenant_id = $1 AND student_id = $2",
        t,
        s.id.as_uuid()
    )
    .execute(&mut **tx)
    .await?;
    for g in &view.guardians {
        sqlx::query!(
            "INSERT INTO guardians (tenant_id, id, student_id, name, relation, phone, email)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            t,
            g.id.as_uuid(),
            s.id.as_uuid(),
            g.name.as_str(),
            g.relation.as_ref().map(Label::as_str),
            g.phone.as_ref().map(Phone::as_str),
            g.email.as_ref().map(Email::as_str)
        )
        .execute(&mut **tx)
        .await?;
    }

    // Promotions and notes are never rewritten, only added.
    for p in &view.promotions {
        sqlx::query!(
            "INSERT INTO promotions (tenant_id, id, student_id, from_rank, from_stripes, to_rank, to_stripes,
                                     awarded_on, awarded_by, notes, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING",
            t,
            p.id.as_uuid(),
            s.id.as_uuid(),
            p.from.rank.as_uuid(),
            i16::from(p.from.stripes),
            p.to.rank.as_uuid(),
            i16::from(p.to.stripes),
            p.on,
            p.by.as_uuid(),
            p.notes.as_str(),
            p.recorded_at
        )
        .execute(&mut **tx)
        .await?;
    }
    for n in &view.notes {
        sqlx::query!(
            "INSERT INTO student_notes (tenant_id, id, student_id, written_at, written_by, body)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            t,
            n.id.as_uuid(),
            s.id.as_uuid(),
            n.at,
            n.by.as_uuid(),
            n.text.as_str()
        )
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

pub async fn replace_staff(tx: &mut Tx, tenant: TenantId, staff: &Staff) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO staff (tenant_id, id, name, email, role, active) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (tenant_id, id) DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email,
             role = EXCLUDED.role, active = EXCLUDED.active",
        tenant.as_uuid(),
        staff.id.as_uuid(),
        staff.name.as_str(),
        staff.email.as_str(),
        staff.role.as_str(),
        staff.active
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The students whose pass tag is `tag` (two only in a 2^-64 accident).
pub async fn select_students_by_tag(
    tx: &mut Tx,
    tenant: TenantId,
    tag: &str,
) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT id FROM students WHERE tenant_id = $1 AND pass_tag = $2",
        tenant.as_uuid(),
        tag
    )
    .fetch_all(&mut **tx)
    .await
}

#[derive(Debug, Clone)]
pub struct StudentCardRow {
    pub name: String,
    pub status: String,
    pub card_version: i32,
}

pub async fn select_student_card(
    tx: &mut Tx,
    tenant: TenantId,
    id: Uuid,
) -> Result<Option<StudentCardRow>, sqlx::Error> {
    sqlx::query_as!(
        StudentCardRow,
        "SELECT name, status, card_version FROM students WHERE tenant_id = $1 AND id = $2",
        tenant.as_uuid(),
        id
    )
    .fetch_optional(&mut **tx)
    .await
}
