//! The append-only audit trail.

use serde_json::Value;
use tatami_core::ids::TenantId;
use uuid::Uuid;

use super::Tx;

/// Who did something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    User(Uuid),
    Device(Uuid),
    Server,
    /// Not signed in (a failed sign-in).
    Anonymous,
}

impl Actor {
    fn parts(self) -> (&'static str, Option<Uuid>) {
        match self {
            Actor::User(id) => ("user", Some(id)),
            Actor::Device(id) => ("device", Some(id)),
            Actor::Server => ("server", None),
            Actor::Anonymous => ("anonymous", None),
        }
    }
}

pub async fn insert_audit(
    tx: &mut Tx,
    tenant: TenantId,
    actor: Actor,
    action: &str,
    detail: &Value,
) -> Result<(), sqlx::Error> {
    let (kind, id) = actor.parts();
    sqlx::query!(
        "INSERT INTO audit_log (tenant_id, id, actor_kind, actor_id, action, detail) VALUES ($1, $2, $3, $4, $5, $6)",
        tenant.as_uuid(),
        Uuid::now_v7(),
        kind,
        id,
        action,
        detail
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}
