//! Hearing other servers' commits: PostgreSQL tells every listening server
//! an academy's new log head, which wakes its waiting devices and keeps its
//! tail from answering for changes it does not hold.

use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::PgListener;
use tatami_core::ids::TenantId;

use super::SyncHub;
use crate::db::changes::LOG_CHANNEL;

/// Runs for the life of the server, reconnecting when the connection drops.
pub async fn listen(pool: PgPool, hub: SyncHub) {
    loop {
        match PgListener::connect_with(&pool).await {
            Ok(mut listener) => {
                if let Err(error) = listener.listen(LOG_CHANNEL).await {
                    tracing::warn!(%error, "cannot listen for other servers' commits");
                } else {
                    while let Ok(notification) = listener.recv().await {
                        if let Some((tenant, head)) = parse(notification.payload()) {
                            hub.observe(tenant, head);
                        }
                    }
                    tracing::warn!("lost the notification connection; reconnecting");
                }
            }
            Err(error) => tracing::warn!(%error, "cannot connect to listen for other servers' commits"),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// `"<tenant id> <head>"`.
fn parse(payload: &str) -> Option<(TenantId, i64)> {
    let (tenant, head) = payload.split_once(' ')?;
    Some((tenant.parse().ok()?, head.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_name_an_academy_and_a_head() {
        let tenant = TenantId::new();
        assert_eq!(parse(&format!("{tenant} 42")), Some((tenant, 42)));
        assert_eq!(parse("garbage"), None);
        assert_eq!(parse(&format!("{tenant} x")), None);
    }
}
