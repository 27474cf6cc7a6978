//! Which academy a request is for: its host (`<slug>.<app_domain>`) or,
//! for API clients, the `X-Tatami-Tenant` header.

use std::collections::HashMap;
use std::sync::RwLock;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use sqlx::PgPool;
use tatami_core::api::ErrorCode;
use tatami_core::ids::TenantId;
use tatami_core::sync::LogEpoch;
use tatami_core::text::Slug;

use crate::db::tenants::select_tenant_by_slug;
use crate::error::ApiError;
use crate::state::AppState;

pub const TENANT_HEADER: &str = "x-tatami-tenant";

/// The academy a request is for.
#[derive(Debug, Clone)]
pub struct Tenant {
    pub id: TenantId,
    pub slug: String,
    pub name: String,
    /// The life of the academy's change log (a restore starts a new one).
    pub epoch: LogEpoch,
}

/// Academies by slug, remembered once found (academies are never removed,
/// and a restore, which renews epochs, happens while no server runs).
#[derive(Debug, Default)]
pub struct TenantDirectory(RwLock<HashMap<String, Tenant>>);

impl TenantDirectory {
    pub async fn find(&self, pool: &PgPool, slug: &str) -> Result<Option<Tenant>, sqlx::Error> {
        if let Some(tenant) = self.0.read().ok().and_then(|map| map.get(slug).cloned()) {
            return Ok(Some(tenant));
        }
        let Some(row) = select_tenant_by_slug(pool, slug).await? else {
            return Ok(None);
        };
        let tenant = Tenant {
            id: TenantId::from_uuid(row.id),
            slug: row.slug,
            name: row.name,
            epoch: LogEpoch(row.log_epoch),
        };
        if let Ok(mut map) = self.0.write() {
            map.insert(tenant.slug.clone(), tenant.clone());
        }
        Ok(Some(tenant))
    }
}

/// The slug a request names, if any: the header wins over the host.
pub fn requested_slug(headers: &HeaderMap, app_domain: &str) -> Option<String> {
    if let Some(value) = headers.get(TENANT_HEADER) {
        return value.to_str().ok().map(|s| s.trim().to_ascii_lowercase());
    }
    let host = headers.get(header::HOST)?.to_str().ok()?;
    let host = host.rsplit_once(':').map_or(host, |(name, port)| {
        if port.bytes().all(|b| b.is_ascii_digit()) {
            name
        } else {
            host
        }
    });
    let host = host.to_ascii_lowercase();
    let label = host.strip_suffix(app_domain)?.strip_suffix('.')?;
    (!label.is_empty() && !label.contains('.')).then(|| label.to_owned())
}

impl FromRequestParts<AppState> for Tenant {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let slug = requested_slug(&parts.headers, &state.settings.app_domain).ok_or_else(|| {
            ApiError::new(
                ErrorCode::NoTenant,
                format!(
                    "name the academy: use <academy>.{} or the X-Tatami-Tenant header",
                    state.settings.app_domain
                ),
            )
        })?;
        let unknown = || ApiError::new(ErrorCode::UnknownTenant, format!("there is no academy `{slug}`"));
        Slug::parse(&slug).map_err(|_| unknown())?;
        let tenant = state
            .tenants
            .find(&state.pool, &slug)
            .await?
            .ok_or_else(unknown)?;
        tracing::Span::current().record("tenant", tenant.slug.as_str());
        Ok(tenant)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn slugs_come_from_the_host_or_the_header() {
        let domain = "tatami.example";
        assert_eq!(
            requested_slug(&headers(&[("host", "golden-tiger.tatami.example")]), domain).as_deref(),
            Some("golden-tiger")
        );
        assert_eq!(
            requested_slug(&headers(&[("host", "Golden-Tiger.tatami.example:8443")]), domain).as_deref(),
            Some("golden-tiger")
        );
        assert_eq!(
            requested_slug(&headers(&[("host", "tatami.example")]), domain),
            None
        );
        assert_eq!(
            requested_slug(&headers(&[("host", "a.b.tatami.example")]), domain),
            None
        );
        assert_eq!(
            requested_slug(&headers(&[("host", "eviltatami.example")]), domain),
            None
        );
        assert_eq!(
            requested_slug(
                &headers(&[
                    ("host", "golden-tiger.tatami.example"),
                    (TENANT_HEADER, "white-crane")
                ]),
                domain
            )
            .as_deref(),
            Some("white-crane")
        );
    }
}
