use automerge::AutoCommit;
use automerge::transaction::Transactable;
use tatami_core::ids::DocId;
use tatami_core::sync::Bytes;

use super::*;

/// A real change of `size` bytes of text, as a device sends it.
fn change(size: usize) -> Bytes {
    let mut doc = AutoCommit::new();
    doc.put(automerge::ROOT, "notes", "x".repeat(size)).unwrap();
    doc.commit();
    Bytes(doc.get_changes(&[])[0].raw_bytes().to_vec())
}

fn group(changes: Vec<Bytes>) -> DocChanges {
    DocChanges {
        doc: DocId::new(),
        changes,
    }
}

#[test]
fn a_document_with_a_bad_change_is_refused_alone() {
    let good = group(vec![change(10), change(20)]);
    let bad = group(vec![change(10), Bytes(b"not a change".to_vec())]);
    let huge = group(vec![change(MAX_CHANGE_BYTES)]);
    let screened = screen(vec![good.clone(), bad.clone(), huge.clone()]).unwrap();
    assert_eq!(screened.docs, vec![good]);
    let refused: Vec<_> = screened.refused.iter().map(|r| (r.doc, r.code)).collect();
    assert_eq!(
        refused,
        vec![(bad.doc, RefusalCode::Invalid), (huge.doc, RefusalCode::Invalid)]
    );
    assert!(
        screened.refused[1].message.contains("bytes"),
        "{:?}",
        screened.refused[1]
    );
}

#[test]
fn a_push_past_the_protocols_limits_is_refused_whole() {
    let small = change(1);
    let many = group(vec![small.clone(); MAX_PUSH_CHANGES + 1]);
    assert_eq!(screen(vec![many]).unwrap_err(), PushTooLarge);
    let big = change(MAX_CHANGE_BYTES / 2);
    let heavy: Vec<_> = (0..=MAX_PUSH_BYTES / big.0.len())
        .map(|_| group(vec![big.clone()]))
        .collect();
    assert_eq!(screen(heavy).unwrap_err(), PushTooLarge);
    let fits: Vec<_> = (0..MAX_PUSH_BYTES / big.0.len())
        .map(|_| group(vec![big.clone()]))
        .collect();
    assert_eq!(screen(fits.clone()).unwrap().docs, fits);
}
