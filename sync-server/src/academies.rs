//! Creating an academy: its directory entry, its change log, its first
//! pass-signing key and its document.

use automerge::ActorId;
use serde_json::json;
use tatami_core::api::ErrorCode;
use tatami_core::doc::tenant::{self, PublicKey};
use tatami_core::ids::{DocId, TenantId};
use tatami_core::pass::{KeyId, PassSigner};
use tatami_core::sync::LogEpoch;
use tatami_core::text::{Label, Slug, TimeZoneName};
use time::OffsetDateTime;

use crate::crypto::{MasterKey, random_bytes};
use crate::db;
use crate::db::audit::{Actor, insert_audit};
use crate::db::signing_keys::insert_signing_key;
use crate::db::tenants::insert_tenant;
use crate::error::ApiError;
use crate::server_edits;
use crate::state::AppState;
use crate::tenancy::Tenant;

/// What binds a sealed signing key to its academy and key id.
pub fn key_context(tenant: TenantId, key_id: KeyId) -> Vec<u8> {
    [
        b"tatami/signing-key/v1".as_slice(),
        tenant.as_bytes(),
        &[key_id.0],
    ]
    .concat()
}

/// A new key for `tenant`, sealed for storage.
fn new_signing_key(master: &MasterKey, tenant: TenantId, key_id: KeyId) -> (PassSigner, Vec<u8>) {
    let secret = random_bytes::<32>();
    let sealed = master.seal(&secret, &key_context(tenant, key_id));
    (PassSigner::new(tenant, key_id, &secret), sealed)
}

pub async fn create_academy(
    state: &AppState,
    slug: &Slug,
    name: &Label,
    timezone: &TimeZoneName,
) -> Result<Tenant, ApiError> {
    let id = TenantId::new();
    let key_id = KeyId(1);
    let (signer, sealed) = new_signing_key(&state.master_key, id, key_id);

    let mut tx = db::begin(&state.pool, id).await?;
    let taken = format!("the academy name `{slug}` is taken");
    let epoch = insert_tenant(&mut tx, id, slug.as_str(), name.as_str())
        .await
        .map_err(ApiError::taken(ErrorCode::SlugTaken, taken))?;
    insert_signing_key(&mut tx, id, i16::from(key_id.0), &signer.public_key(), &sealed).await?;
    insert_audit(
        &mut tx,
        id,
        Actor::Server,
        "academy_created",
        &json!({ "slug": slug }),
    )
    .await?;
    tx.commit().await?;

    let mut doc = tenant::create(id, slug, name, timezone, ActorId::random())?;
    tenant::put_key(
        &mut doc,
        &PublicKey {
            key_id,
            public: signer.public_key(),
            created_at: OffsetDateTime::now_utc(),
            retired: false,
        },
    )?;
    server_edits::create(state, id, DocId::from_uuid(id.into()), doc).await?;
    Ok(Tenant {
        id,
        slug: slug.to_string(),
        name: name.to_string(),
        epoch: LogEpoch(epoch),
    })
}
