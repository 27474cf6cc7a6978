//! Identifiers: one newtype per kind of entity, all UUIDv7 so they sort by
//! creation time and can be made offline on any device without collisions.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// An identifier that is not a UUID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a valid {kind} id")]
pub struct IdError {
    kind: &'static str,
    input: String,
}

macro_rules! new_id {
    ($(#[$meta:meta])* $name:ident, $kind:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh time-ordered id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            pub const fn as_uuid(&self) -> &Uuid {
                &self.0
            }

            pub const fn as_bytes(&self) -> &[u8; 16] {
                self.0.as_bytes()
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = IdError;

            fn from_str(s: &str) -> Result<Self, IdError> {
                Uuid::try_parse(s).map(Self).map_err(|_| IdError {
                    kind: $kind,
                    input: s.chars().take(64).collect(),
                })
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Uuid {
                id.0
            }
        }
    };
}

new_id!(
    /// An academy: the unit of isolation.
    TenantId,
    "tenant"
);
new_id!(StudentId, "student");
new_id!(StaffId, "staff");
new_id!(
    /// A tablet or laptop enrolled in one academy.
    DeviceId,
    "device"
);
new_id!(ClassId, "class");
new_id!(
    /// One weekly occurrence of a class in the schedule.
    SlotId,
    "schedule slot"
);
new_id!(RankId, "rank");
new_id!(PromotionId, "promotion");
new_id!(GuardianId, "guardian");
new_id!(NoteId, "note");
new_id!(
    /// An Automerge document. Entity documents reuse their entity's id;
    /// class-session rolls derive theirs from the session (see `doc::roll`).
    DocId,
    "document"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_text_and_sort_by_creation() {
        let first = StudentId::new();
        let second = StudentId::new();
        assert!(first < second, "UUIDv7 ids sort by creation time");
        assert_eq!(first.to_string().parse::<StudentId>(), Ok(first));
    }

    #[test]
    fn garbage_is_a_clear_error() {
        let err = "not-a-uuid".parse::<TenantId>().unwrap_err();
        assert_eq!(err.to_string(), "`not-a-uuid` is not a valid tenant id");
    }

    #[test]
    fn serde_is_the_plain_uuid_string() {
        let id = ClassId::new();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{id}\""));
    }
}
