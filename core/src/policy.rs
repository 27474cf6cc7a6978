//! Who may change what: the rule the server applies to every pushed change,
//! and the app to what it offers. One table, so the two cannot disagree.

use automerge::{ChangeHash, ROOT, ReadDoc, ScalarValue, Value};
use serde::Serialize;

use crate::doc::DocKind;
use crate::people::Role;

/// Who wrote a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Writer {
    /// A device, acting with the role it was enrolled with.
    Device(Role),
    /// The server itself: keys, card versions, staff roles.
    Server,
}

/// A change the writer may not make.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum PolicyError {
    #[error("a {role} device may not create a {kind} document")]
    MayNotCreate { role: String, kind: String },
    #[error("a {role} device may not change `{field}` of a {kind} document")]
    MayNotChange {
        role: String,
        kind: String,
        field: String,
    },
}

/// The least role that may write `field` of a `kind` document; `None` for
/// fields only the server writes (and unknown fields, which nobody may).
#[allow(
    clippy::match_same_arms,
    reason = "one arm per kind and role reads as the policy table"
)]
pub fn required_role(kind: DocKind, field: &str) -> Option<Role> {
    match (kind, field) {
        (DocKind::Tenant, "name" | "timezone" | "theme" | "checkin" | "ranks") => Some(Role::Admin),
        (DocKind::Tenant, "classes" | "slots") => Some(Role::Instructor),
        (DocKind::Student, "promotions") => Some(Role::Instructor),
        (
            DocKind::Student,
            "name" | "email" | "phone" | "born_on" | "joined_on" | "status" | "paid_until" | "start_rank"
            | "start_stripes" | "guardians" | "notes",
        ) => Some(Role::FrontDesk),
        (DocKind::Staff, "name" | "email" | "active") => Some(Role::Admin),
        (DocKind::Roll, "entries") => Some(Role::FrontDesk),
        _ => None,
    }
}

/// What the policy needs of a document as it was before a change: some
/// fields are open at creation and closed afterwards.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Before {
    /// A student whose starting grade is recorded: with no promotions it
    /// is their belt, so changing it is an instructor's business.
    pub grade_recorded: bool,
    /// The staff record of an owner: only owners change it.
    pub owner: bool,
}

impl Before {
    /// Reads the `kind` document `doc` as it was at `heads` (none for a
    /// document that did not exist). Only students and staff are read.
    pub fn at(doc: &impl ReadDoc, kind: DocKind, heads: &[ChangeHash]) -> Self {
        if heads.is_empty() {
            return Self::default();
        }
        let field = |key: &str| {
            doc.get_at(ROOT, key, heads)
                .ok()
                .flatten()
                .map(|(value, _)| value)
        };
        match kind {
            DocKind::Student => Self {
                grade_recorded: field("start_rank").is_some(),
                ..Self::default()
            },
            DocKind::Staff => Self {
                owner: matches!(field("role"), Some(Value::Scalar(s))
                    if matches!(&*s, ScalarValue::Str(role) if role.as_str() == Role::Owner.as_str())),
                ..Self::default()
            },
            DocKind::Tenant | DocKind::Roll => Self::default(),
        }
    }
}

/// The least role that may write `field` of a `kind` document as it was
/// `before`: [`required_role`], raised where the document's state asks.
pub fn required_role_now(kind: DocKind, field: &str, before: Before) -> Option<Role> {
    let base = required_role(kind, field)?;
    Some(match (kind, field) {
        (DocKind::Student, "start_rank" | "start_stripes") if before.grade_recorded => {
            base.min(Role::Instructor)
        }
        (DocKind::Staff, _) if before.owner => Role::Owner,
        _ => base,
    })
}

/// The least role that may create a `kind` document; `None` when only the
/// server creates them (academies, staff).
pub fn creator_role(kind: DocKind) -> Option<Role> {
    match kind {
        DocKind::Student | DocKind::Roll => Some(Role::FrontDesk),
        DocKind::Tenant | DocKind::Staff => None,
    }
}

fn allowed(writer: Writer, needed: Option<Role>) -> bool {
    match writer {
        Writer::Server => true,
        Writer::Device(role) => needed.is_some_and(|needed| role.at_least(needed)),
    }
}

/// Checks one change to a document that was `before` ahead of the push: a
/// genesis change (whose content is checked against the canonical genesis
/// elsewhere) needs the right to create the document; any other change
/// needs the right to write every top-level field it touches. `paths` are
/// what [`crate::doc::touched_paths`] reports.
pub fn check<'a>(
    writer: Writer,
    kind: DocKind,
    before: Before,
    genesis: bool,
    paths: impl IntoIterator<Item = &'a Vec<String>>,
) -> Result<(), PolicyError> {
    let role = match writer {
        Writer::Server => return Ok(()),
        Writer::Device(role) => role.as_str().to_owned(),
    };
    if genesis {
        return if allowed(writer, creator_role(kind)) {
            Ok(())
        } else {
            Err(PolicyError::MayNotCreate {
                role,
                kind: kind.as_str().into(),
            })
        };
    }
    for path in paths {
        let field = path.first().map_or("", String::as_str);
        if !allowed(writer, required_role_now(kind, field, before)) {
            return Err(PolicyError::MayNotChange {
                role,
                kind: kind.as_str().into(),
                field: field.into(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
