//! What both change targets share. Their input: a role byte, a document
//! byte, then changes, each as a little-endian u16 length and its bytes.
//! Seeds of one target fit the other.

use tatami_core::doc::{roll, student};
use tatami_core::ids::{ClassId, DocId, StudentId, TenantId};
use tatami_core::schedule::{ClassRef, SessionKey};
use uuid::Uuid;

/// Lets a panic unwind to the `catch_unwind` of `doc::guarded`, as it does
/// in the server and the app: libFuzzer's hook would abort at once. One
/// that escapes the target still aborts, and is found.
pub fn let_panics_unwind() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| std::panic::set_hook(Box::new(|info| eprintln!("{info}"))));
}

pub const TENANT: TenantId = TenantId::from_uuid(Uuid::from_u128(7));

pub fn changes(mut data: &[u8]) -> Vec<Vec<u8>> {
    let mut changes = Vec::new();
    while let [a, b, rest @ ..] = data {
        let len = usize::from(u16::from_le_bytes([*a, *b])).min(rest.len());
        changes.push(rest[..len].to_vec());
        data = &rest[len..];
    }
    changes
}

/// The roll the seeds check students into.
pub fn session() -> SessionKey {
    SessionKey {
        class: ClassRef::Class(ClassId::from_uuid(Uuid::from_u128(3))),
        date: time::macros::date!(2026 - 11 - 23),
    }
}

/// The document a document byte names: the seeds' roll or their student.
pub fn doc_id(which: u8) -> DocId {
    if which % 2 == 0 {
        roll::doc_id(TENANT, &session())
    } else {
        student::doc_id(StudentId::from_uuid(Uuid::from_u128(5)))
    }
}
