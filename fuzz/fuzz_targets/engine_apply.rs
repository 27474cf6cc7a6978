//! Any changes a server (or whoever answers in its place) might send a
//! device, through the engine's apply path into a real store: each change
//! measured, decoded, applied to the device's copy, the document saved and
//! its rows rewritten, in one transaction. It must never panic or run
//! away; a batch that fails leaves the store as it was; one that applies
//! leaves a document that loads again.
//!
//! Input: see `framing.rs` (the role byte is not read); the `push`
//! target's seeds fit.
#![no_main]

use std::cell::RefCell;

mod framing;

use libfuzzer_sys::fuzz_target;
use tatami_client::store::{Store, docs};
use tatami_client::sync::apply_pulled;
use tatami_core::sync::Bytes;

thread_local! {
    /// One device's store, kept across inputs as a device keeps it.
    static STORE: RefCell<Store> = RefCell::new({
        let path = std::env::temp_dir().join(format!("tatami-fuzz-{}.db", std::process::id()));
        let _ = std::fs::remove_file(&path);
        Store::open(&path).expect("a store opens")
    });
}

fuzz_target!(|data: &[u8]| {
    framing::let_panics_unwind();
    let [_, which, rest @ ..] = data else { return };
    let id = framing::doc_id(*which);
    let changes: Vec<Bytes> = framing::changes(rest).into_iter().map(Bytes).collect();
    STORE.with_borrow_mut(|store| {
        let before = docs::load(store.read(), id)
            .expect("the store reads")
            .map(|mut d| d.get_heads());
        match store.write(|tx| apply_pulled(tx, id, &changes)) {
            Ok(_) => {
                docs::load(store.read(), id).expect("an applied document loads again");
            }
            Err(_) => {
                let after = docs::load(store.read(), id)
                    .expect("the store reads")
                    .map(|mut d| d.get_heads());
                assert_eq!(after, before, "a failed batch changed the store");
            }
        }
    });
});
