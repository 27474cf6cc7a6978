//! Any changes an enrolled device might push into a document the server
//! holds, as the server takes them: each change measured from its bytes
//! first (`change_limits`), then the push judged and applied (`push`).
//! Neither may panic or run away; a refused push leaves the server's copy
//! as it was, and an accepted one leaves it readable, saved and loaded
//! again.
//!
//! Input: see `framing.rs`. The seed corpus holds real pushes (a check-in,
//! a void, a new student, a promotion).
#![no_main]

mod framing;

use automerge::{ActorId, AutoCommit};
use framing::TENANT;
use libfuzzer_sys::fuzz_target;
use tatami_core::change_limits::{MAX_CHANGE_BYTES, measure};
use tatami_core::doc::{self, roll};
use tatami_core::people::Role;
use tatami_core::policy::Writer;
use tatami_core::push;

/// The server's copy: the roll as devices start it, or nothing yet (a new
/// student's document).
fn server_copy(which: u8) -> AutoCommit {
    if which % 2 == 0 {
        roll::create(TENANT, &framing::session(), ActorId::from([1u8; 16])).expect("a roll starts")
    } else {
        AutoCommit::new()
    }
}

fuzz_target!(|data: &[u8]| {
    framing::let_panics_unwind();
    let [role, which, rest @ ..] = data else { return };
    let role = [Role::Owner, Role::Admin, Role::Instructor, Role::FrontDesk][usize::from(*role % 4)];
    let changes = framing::changes(rest);
    if changes.iter().any(|c| measure(c, MAX_CHANGE_BYTES).is_err()) {
        return;
    }
    let (id, mut doc) = (framing::doc_id(*which), server_copy(*which));
    let before = doc.get_heads();
    match push::apply(&mut doc, TENANT, id, Writer::Device(role), &changes) {
        Ok(_) => {
            doc::header(&doc).expect("an accepted push leaves the document readable");
            AutoCommit::load(&doc.save()).expect("an accepted push leaves a document that loads again");
        }
        Err(_) => assert_eq!(
            doc.get_heads(),
            before,
            "a refused push changed the server's copy"
        ),
    }
});
