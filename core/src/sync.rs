//! The sync protocol's messages, shared by devices and the server.
//!
//! A device pushes the Automerge changes it made and pulls every change
//! after its cursor in the academy's change log, in one round trip. Bytes
//! travel as base64 inside JSON. See `docs/sync-protocol.md`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::doc::DocKind;
use crate::ids::DocId;

/// The protocol version this build speaks. A server refuses other versions
/// with `protocol_unsupported`, naming the versions it speaks.
pub const PROTOCOL_VERSION: u32 = 1;

/// Pull at most this many changes per round trip unless asked for fewer.
pub const MAX_PULL: u32 = 5_000;

/// A pull, or a bootstrap page, stops adding changes past this many bytes
/// (it always carries at least one).
pub const MAX_PULL_BYTES: usize = 4 * 1024 * 1024;

/// A push holds at most this many changes...
pub const MAX_PUSH_CHANGES: usize = 2_000;
/// ...of at most this many bytes together, inflated. A device sends its
/// outbox in pushes within both; the server refuses a larger one whole.
pub const MAX_PUSH_BYTES: usize = 4 * 1024 * 1024;

/// Raw bytes (an Automerge change or saved document), base64 in JSON.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Bytes(pub Vec<u8>);

impl std::fmt::Debug for Bytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Bytes({} bytes)", self.0.len())
    }
}

impl Serialize for Bytes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Bytes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        STANDARD
            .decode(text.as_bytes())
            .map(Bytes)
            .map_err(serde::de::Error::custom)
    }
}

/// A device's push and pull.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyncRequest {
    pub protocol: u32,
    /// The log position the device has applied up to; 0 for nothing.
    pub cursor: u64,
    /// Changes made on the device, grouped by document, each group in the
    /// order they were made.
    #[serde(default)]
    pub push: Vec<DocChanges>,
    /// Pull at most this many changes (capped at [`MAX_PULL`]).
    #[serde(default)]
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocChanges {
    pub doc: DocId,
    pub changes: Vec<Bytes>,
}

/// The server's answer: every pushed change not in a refused document is
/// durably stored (or was already), then what came after the cursor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncResponse {
    pub protocol: u32,
    /// Documents whose pushed changes were not accepted. The device
    /// rebuilds each from the server's copy (see [`Bootstrap`]).
    pub refused: Vec<Refused>,
    /// Changes after the request's cursor, in log order, excluding the
    /// device's own.
    pub changes: Vec<LoggedChange>,
    /// The cursor to send next time.
    pub cursor: u64,
    /// More changes wait after `cursor`: ask again.
    pub more: bool,
    /// Which life of the academy's log the cursor belongs to: see
    /// [`LogEpoch`].
    pub epoch: LogEpoch,
}

/// The identity of an academy's change log. A restore from backup starts a
/// new one: a device that finds another epoch than it followed loads the
/// server's documents again and pushes every change of its own the server
/// lacks, whatever its cursor says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LogEpoch(pub uuid::Uuid);

/// A change as the log holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoggedChange {
    pub seq: u64,
    pub doc: DocId,
    pub change: Bytes,
}

/// Why a document's pushed changes were refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refused {
    pub doc: DocId,
    pub code: RefusalCode,
    /// For people: what was wrong.
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalCode {
    /// The device's role may not make this change.
    Forbidden,
    /// Not a valid Automerge change, not this document's, or leaves the
    /// document unreadable.
    Invalid,
    /// Builds on changes the server does not have (after a restore, another
    /// device's that it has not pushed again yet). Nothing is undone: the
    /// device keeps the changes and pushes them again later.
    MissingDependencies,
}

impl RefusalCode {
    /// Whether the device should undo its changes (rebuild the document
    /// from the server's copy), rather than keep them for a later push.
    pub fn undoes(self) -> bool {
        !matches!(self, RefusalCode::MissingDependencies)
    }
}

/// A fresh device's starting state, in pages: every document as a
/// compacted snapshot plus the changes logged after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bootstrap {
    pub protocol: u32,
    pub docs: Vec<DocState>,
    /// Pass as `after` for the next page; `None` on the last page.
    pub next: Option<DocId>,
    /// Where to start pulling once every page is loaded. Fixed by the
    /// first page: later pages may hold newer changes, which the pull then
    /// brings again harmlessly.
    pub cursor: u64,
    /// The log the cursor belongs to.
    pub epoch: LogEpoch,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocState {
    pub doc: DocId,
    pub kind: DocKind,
    /// A saved Automerge document; empty when none was compacted yet.
    pub snapshot: Bytes,
    /// Changes after the snapshot, in log order.
    pub changes: Vec<Bytes>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_round_trip_as_json_with_base64_bytes() {
        let request = SyncRequest {
            protocol: PROTOCOL_VERSION,
            cursor: 42,
            push: vec![DocChanges {
                doc: DocId::new(),
                changes: vec![Bytes(vec![0, 1, 2, 255])],
            }],
            limit: None,
        };
        let json = serde_json::to_string(&request).unwrap();
        assert!(json.contains("\"AAEC/w==\""), "{json}");
        assert_eq!(serde_json::from_str::<SyncRequest>(&json).unwrap(), request);
    }

    #[test]
    fn bad_bodies_are_errors() {
        for body in [
            r#"{"protocol":1,"cursor":0,"push":[{"doc":"x","changes":[]}]}"#,
            r#"{"protocol":1,"cursor":0,"push":[{"doc":"01890a5d-ac96-774b-bcce-b302099a8057","changes":["%%%"]}]}"#,
            r#"{"protocol":1,"cursor":-1}"#,
            r#"{"protocol":1,"cursor":0,"surprise":true}"#,
            r#"{"protocol":1,"cursor":0,"push":[{"doc":"01890a5d-ac96-774b-bcce-b302099a8057","changes":["AA=="]}"#,
        ] {
            assert!(serde_json::from_str::<SyncRequest>(body).is_err(), "{body}");
        }
    }
}
