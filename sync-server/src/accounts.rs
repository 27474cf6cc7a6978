//! Accounts: creating users, signing in, rotating refresh tokens, roles,
//! and the PIN that unlocks a shared tablet offline.

use std::time::Instant;

use serde_json::json;
use tatami_core::api::{ErrorCode, Tokens};
use tatami_core::doc::{DocKind, staff};
use tatami_core::ids::{StaffId, StudentId, TenantId};
use tatami_core::people::{Role, Staff};
use tatami_core::text::{Email, PersonName};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::auth::password;
use crate::auth::token::Claims;
use crate::crypto::{random_token, secret_hash};
use crate::db::audit::{Actor, insert_audit};
use crate::db::refresh_tokens::{
    insert_refresh_token, select_refresh_token_for_update, update_refresh_family_revoked,
    update_refresh_token_used, update_user_sessions_revoked,
};
use crate::db::users::{
    NewUser, UserRow, insert_user, select_user, select_user_by_email, update_user_disabled,
    update_user_password, update_user_role,
};
use crate::db::{self, Tx};
use crate::error::ApiError;
use crate::server_edits;
use crate::state::AppState;
use crate::tenancy::Tenant;

/// What an account is: staff with a role, or a student member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Account {
    Staff(Role),
    Member(StudentId),
}

impl Account {
    fn role_word(self) -> &'static str {
        match self {
            Account::Staff(role) => role.as_str(),
            Account::Member(_) => "member",
        }
    }
}

/// Hashes a new password off the async threads (zxcvbn and Argon2 both
/// take milliseconds), refusing one that leans on `about`.
async fn hash_password(state: &AppState, password: String, about: &[String]) -> Result<String, ApiError> {
    let about = about.to_vec();
    state
        .hashing
        .run(move || {
            let about: Vec<&str> = about.iter().map(String::as_str).collect();
            password::hash(&password, &about)
        })
        .await?
        .map_err(|e| ApiError::new(ErrorCode::WeakPassword, e.to_string()))
}

/// What an account is known by, which its password must not lean on: its
/// email, the parts of it, its name.
fn about(email: &Email, name: Option<&PersonName>) -> Vec<String> {
    let mut about = vec![email.to_string()];
    about.extend(name.map(ToString::to_string));
    about.extend(email.as_str().split(['@', '.', '-', '_', '+']).map(str::to_owned));
    about
}

/// Creates a user; staff also get their staff document.
pub async fn create_user(
    state: &AppState,
    tenant: TenantId,
    email: &Email,
    name: &PersonName,
    password: String,
    account: Account,
    by: Actor,
) -> Result<Uuid, ApiError> {
    let hash = hash_password(state, password, &about(email, Some(name))).await?;
    let id = Uuid::now_v7();
    let mut tx = db::begin(&state.pool, tenant).await?;
    let student_id = match account {
        Account::Member(student) => Some(*student.as_uuid()),
        Account::Staff(_) => None,
    };
    let user = NewUser {
        id,
        email: email.as_str(),
        password_hash: &hash,
        role: account.role_word(),
        student_id,
    };
    let taken = format!("{email} already has an account here");
    insert_user(&mut tx, tenant, &user)
        .await
        .map_err(ApiError::taken(ErrorCode::EmailTaken, taken))?;
    let detail = json!({ "user": id, "email": email, "role": account.role_word() });
    insert_audit(&mut tx, tenant, by, "user_created", &detail).await?;
    tx.commit().await?;

    if let Account::Staff(role) = account {
        let record = Staff {
            id: StaffId::from_uuid(id),
            name: name.clone(),
            email: email.clone(),
            role,
            active: true,
            pin_verifier: None,
        };
        let doc = staff::create(&record, automerge::ActorId::random())?;
        server_edits::create(state, tenant, staff::doc_id(record.id), doc).await?;
    }
    Ok(id)
}

async fn issue_tokens(
    state: &AppState,
    tx: &mut Tx,
    tenant: TenantId,
    user: &UserRow,
    family: Uuid,
) -> Result<Tokens, ApiError> {
    let now = OffsetDateTime::now_utc();
    let access = Duration::minutes(i64::from(state.settings.auth.access_minutes));
    let claims = Claims {
        sub: user.id,
        tid: *tenant.as_uuid(),
        role: user.role.clone(),
        student: user.student_id,
        sid: family,
        iat: now.unix_timestamp(),
        exp: (now + access).unix_timestamp(),
    };
    let refresh = random_token();
    let expires = now + Duration::days(i64::from(state.settings.auth.refresh_days));
    insert_refresh_token(tx, tenant, user.id, family, &secret_hash(&refresh), expires).await?;
    Ok(Tokens {
        access_token: state.tokens.sign(&claims),
        refresh_token: refresh,
        expires_in: u64::try_from(access.whole_seconds()).unwrap_or(0),
        user_id: user.id,
        role: user.role.clone(),
        student_id: user.student_id,
    })
}

fn invalid_credentials() -> ApiError {
    ApiError::new(ErrorCode::InvalidCredentials, "the email or password is wrong")
}

/// Signs in with email and password. Attempts are counted as they start
/// and cleared by a success, and failures audited; past the limit for one
/// account in 15 minutes, attempts are refused for a while. What
/// is not an email address belongs to no account: it is refused at once,
/// audited without its text, and counts towards nothing kept in memory.
pub async fn sign_in(
    state: &AppState,
    tenant: &Tenant,
    email: &str,
    password: String,
) -> Result<Tokens, ApiError> {
    let Ok(email) = Email::parse(email) else {
        let mut tx = db::begin(&state.pool, tenant.id).await?;
        let detail = json!({ "email": null, "malformed": true });
        insert_audit(&mut tx, tenant.id, Actor::Anonymous, "sign_in_failed", &detail).await?;
        tx.commit().await?;
        return Err(invalid_credentials());
    };
    let key = format!("{}:{}", tenant.id, email);
    state
        .sign_in_failures
        .attempt(&key, Instant::now())
        .map_err(|retry_after| ApiError::TooManyRequests { retry_after })?;

    // The user is read in a transaction of its own: no database connection
    // is held through the hash, which takes far longer than any query.
    let mut tx = db::begin(&state.pool, tenant.id).await?;
    let user = select_user_by_email(&mut tx, tenant.id, email.as_str()).await?;
    tx.commit().await?;
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    let matches = state
        .hashing
        .run(move || {
            if let Some(stored) = stored {
                password::verify(&password, &stored)
            } else {
                password::verify_nothing(&password);
                false
            }
        })
        .await?;

    let mut tx = db::begin(&state.pool, tenant.id).await?;
    let Some(user) = user.filter(|_| matches) else {
        insert_audit(
            &mut tx,
            tenant.id,
            Actor::Anonymous,
            "sign_in_failed",
            &json!({ "email": email }),
        )
        .await?;
        tx.commit().await?;
        return Err(invalid_credentials());
    };
    if user.disabled_at.is_some() {
        return Err(ApiError::new(
            ErrorCode::AccountDisabled,
            "this account is disabled",
        ));
    }
    state.sign_in_failures.clear(&key);
    let tokens = issue_tokens(state, &mut tx, tenant.id, &user, Uuid::now_v7()).await?;
    insert_audit(&mut tx, tenant.id, Actor::User(user.id), "signed_in", &json!({})).await?;
    tx.commit().await?;
    Ok(tokens)
}

/// Trades a refresh token for new tokens. Each refresh token works once:
/// a second use means it was stolen, and the whole family is revoked.
pub async fn refresh(state: &AppState, tenant: &Tenant, refresh_token: &str) -> Result<Tokens, ApiError> {
    let invalid = || ApiError::new(ErrorCode::InvalidRefreshToken, "sign in again");
    let mut tx = db::begin(&state.pool, tenant.id).await?;
    let token = select_refresh_token_for_update(&mut tx, tenant.id, &secret_hash(refresh_token))
        .await?
        .ok_or_else(invalid)?;
    if token.revoked_at.is_some() || token.expires_at <= OffsetDateTime::now_utc() {
        return Err(invalid());
    }
    if token.used_at.is_some() {
        update_refresh_family_revoked(&mut tx, tenant.id, token.family_id).await?;
        let detail = json!({ "family": token.family_id });
        insert_audit(
            &mut tx,
            tenant.id,
            Actor::User(token.user_id),
            "refresh_token_reused",
            &detail,
        )
        .await?;
        tx.commit().await?;
        return Err(ApiError::new(
            ErrorCode::RefreshTokenReused,
            "this session was used from two places and has been ended: sign in again",
        ));
    }
    let user = select_user(&mut tx, tenant.id, token.user_id)
        .await?
        .ok_or_else(invalid)?;
    if user.disabled_at.is_some() {
        return Err(ApiError::new(
            ErrorCode::AccountDisabled,
            "this account is disabled",
        ));
    }
    update_refresh_token_used(&mut tx, tenant.id, token.id).await?;
    let tokens = issue_tokens(state, &mut tx, tenant.id, &user, token.family_id).await?;
    tx.commit().await?;
    Ok(tokens)
}

/// Ends the session the refresh token belongs to.
pub async fn sign_out(state: &AppState, tenant: &Tenant, refresh_token: &str) -> Result<(), ApiError> {
    let mut tx = db::begin(&state.pool, tenant.id).await?;
    if let Some(token) =
        select_refresh_token_for_update(&mut tx, tenant.id, &secret_hash(refresh_token)).await?
    {
        update_refresh_family_revoked(&mut tx, tenant.id, token.family_id).await?;
        insert_audit(
            &mut tx,
            tenant.id,
            Actor::User(token.user_id),
            "signed_out",
            &json!({}),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Changes a staff member's role. Owners and admins are made and unmade by
/// owners only; nobody changes their own role.
pub async fn change_role(
    state: &AppState,
    tenant: TenantId,
    by: (Uuid, Role),
    target: Uuid,
    role: Role,
) -> Result<(), ApiError> {
    let (by_user, by_role) = by;
    if by_user == target {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "nobody changes their own role",
        ));
    }
    let mut tx = db::begin(&state.pool, tenant).await?;
    let user = select_user(&mut tx, tenant, target)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::UnknownUser, "there is no such user here"))?;
    let current = Role::parse(&user.role)
        .map_err(|_| ApiError::new(ErrorCode::NotStaff, "members have no staff role"))?;
    let powerful = |r: Role| r.at_least(Role::Admin);
    if (powerful(current) || powerful(role)) && by_role != Role::Owner {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "only an owner grants or removes the owner and admin roles",
        ));
    }
    update_user_role(&mut tx, tenant, target, role.as_str()).await?;
    let detail = json!({ "user": target, "from": current.as_str(), "to": role.as_str() });
    insert_audit(&mut tx, tenant, Actor::User(by_user), "role_changed", &detail).await?;
    tx.commit().await?;
    edit_staff(state, tenant, target, move |record| record.role = role).await
}

/// Disables an account, or enables it again. A disabled account cannot
/// sign in, and each of its sessions ends at once: its access tokens stop
/// at their next request, not when they expire. Admins disable instructors,
/// the front desk and members; only an owner disables an owner or an admin;
/// nobody disables their own account.
pub async fn set_disabled(
    state: &AppState,
    tenant: TenantId,
    by: (Uuid, Role),
    target: Uuid,
    disabled: bool,
) -> Result<(), ApiError> {
    let (by_user, by_role) = by;
    if by_user == target {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "nobody disables or enables their own account",
        ));
    }
    let mut tx = db::begin(&state.pool, tenant).await?;
    managed_user(&mut tx, tenant, by_role, target).await?;
    update_user_disabled(&mut tx, tenant, target, disabled).await?;
    if disabled {
        update_user_sessions_revoked(&mut tx, tenant, target).await?;
    }
    let action = if disabled { "user_disabled" } else { "user_enabled" };
    insert_audit(
        &mut tx,
        tenant,
        Actor::User(by_user),
        action,
        &json!({ "user": target }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The account `target`, if `by_role` may manage it (disable it, set its
/// password): admins manage instructors, the front desk and members; only
/// an owner manages an owner or an admin.
async fn managed_user(
    tx: &mut Tx,
    tenant: TenantId,
    by_role: Role,
    target: Uuid,
) -> Result<UserRow, ApiError> {
    let user = select_user(tx, tenant, target)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::UnknownUser, "there is no such user here"))?;
    let powerful = Role::parse(&user.role).is_ok_and(|role| role.at_least(Role::Admin));
    if powerful && by_role != Role::Owner {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "only an owner manages an owner's or an admin's account",
        ));
    }
    Ok(user)
}

/// Who changes a password: the account itself, giving its current one, or
/// someone who manages it (an admin resetting a forgotten one).
#[derive(Debug)]
pub enum PasswordChange {
    Own { current: String },
    Reset { by_role: Role },
}

/// Sets `target`'s password to `new` (as strong as a new account's) and
/// ends every session it has, so a password given away stops working
/// everywhere at once. A wrong current password is a failed sign-in:
/// counted, audited.
pub async fn change_password(
    state: &AppState,
    tenant: TenantId,
    by: Uuid,
    target: Uuid,
    change: PasswordChange,
    new: String,
) -> Result<(), ApiError> {
    // No database connection is held through a hash.
    let mut tx = db::begin(&state.pool, tenant).await?;
    let user = match &change {
        PasswordChange::Own { .. } => select_user(&mut tx, tenant, target)
            .await?
            .ok_or_else(|| ApiError::new(ErrorCode::UnknownUser, "there is no such user here"))?,
        PasswordChange::Reset { by_role } => managed_user(&mut tx, tenant, *by_role, target).await?,
    };
    tx.commit().await?;
    if let PasswordChange::Own { current } = change {
        let key = format!("{tenant}:{}", user.email);
        state
            .sign_in_failures
            .attempt(&key, Instant::now())
            .map_err(|retry_after| ApiError::TooManyRequests { retry_after })?;
        let stored = user.password_hash.clone();
        if !state
            .hashing
            .run(move || password::verify(&current, &stored))
            .await?
        {
            let mut tx = db::begin(&state.pool, tenant).await?;
            let detail = json!({ "user": target });
            insert_audit(
                &mut tx,
                tenant,
                Actor::User(by),
                "password_change_failed",
                &detail,
            )
            .await?;
            tx.commit().await?;
            return Err(invalid_credentials());
        }
        state.sign_in_failures.clear(&key);
    }
    let email = Email::parse(&user.email).map_err(ApiError::internal)?;
    let hash = hash_password(state, new, &about(&email, None)).await?;
    let mut tx = db::begin(&state.pool, tenant).await?;
    update_user_password(&mut tx, tenant, target, &hash).await?;
    update_user_sessions_revoked(&mut tx, tenant, target).await?;
    insert_audit(
        &mut tx,
        tenant,
        Actor::User(by),
        "password_changed",
        &json!({ "user": target }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Sets the PIN that unlocks a shared tablet for this staff member offline:
/// 4 to 8 digits. Devices receive only its Argon2 verifier.
pub async fn set_pin(state: &AppState, tenant: TenantId, user: Uuid, pin: String) -> Result<(), ApiError> {
    if !(4..=8).contains(&pin.len()) || !pin.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::new(ErrorCode::InvalidPin, "a PIN is 4 to 8 digits"));
    }
    let verifier = state
        .hashing
        .run(move || password::hash_pin(&pin))
        .await?
        .map_err(ApiError::internal)?;
    let mut tx = db::begin(&state.pool, tenant).await?;
    insert_audit(&mut tx, tenant, Actor::User(user), "pin_changed", &json!({})).await?;
    tx.commit().await?;
    edit_staff(state, tenant, user, move |record| {
        record.pin_verifier = Some(verifier);
    })
    .await
}

async fn edit_staff(
    state: &AppState,
    tenant: TenantId,
    user: Uuid,
    change: impl FnOnce(&mut Staff) + Send + 'static,
) -> Result<(), ApiError> {
    let id = StaffId::from_uuid(user);
    server_edits::edit(state, tenant, staff::doc_id(id), DocKind::Staff, move |doc| {
        let mut record = staff::project(&*doc)?;
        change(&mut record);
        staff::update(doc, &record)?;
        Ok(())
    })
    .await?
    .ok_or_else(|| ApiError::new(ErrorCode::UnknownUser, "there is no such staff member here"))
}
