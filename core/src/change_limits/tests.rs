use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, Change, ObjType, ROOT};
use proptest::prelude::*;

use super::forged::{chunk, claiming_ops, inflating_to, sleb, uleb, with_columns};
use super::*;

/// The action column (id 4, integers) as one run of `count` sets.
fn actions(count: i64) -> (u64, Vec<u8>) {
    ((4 << 4) | 2, [sleb(count), uleb(1)].concat())
}

/// Every change of a document built from `edits`: (key, text) puts into a
/// map, each committed on its own.
fn changes_of(edits: &[(String, String)]) -> Vec<Change> {
    let mut doc = AutoCommit::new().with_actor(ActorId::from([3; 16]));
    let map = doc.put_object(ROOT, "m", ObjType::Map).unwrap();
    doc.commit();
    for (key, text) in edits {
        doc.put(&map, key.as_str(), text.as_str()).unwrap();
        doc.put(ROOT, "n", text.len() as u64).unwrap();
        doc.commit();
    }
    doc.get_changes(&[])
}

#[test]
fn a_small_change_claiming_millions_of_operations_is_refused_unread() {
    for claimed in [1 << 24, 1 << 62] {
        let bomb = claiming_ops(claimed);
        assert!(bomb.len() < 64, "{} bytes", bomb.len());
        assert_eq!(
            measure(&bomb, MAX_CHANGE_BYTES),
            Err(ChangeLimitError::TooManyOps { max: MAX_CHANGE_OPS })
        );
    }
    let literal = ((4 << 4) | 2, sleb(-(1 << 40)));
    assert!(matches!(
        measure(&with_columns(&[literal]), MAX_CHANGE_BYTES),
        Err(ChangeLimitError::TooManyOps { .. })
    ));
    let nulls = ((4 << 4) | 2, [sleb(0), uleb(1 << 50)].concat());
    assert!(matches!(
        measure(&with_columns(&[nulls]), MAX_CHANGE_BYTES),
        Err(ChangeLimitError::TooManyOps { .. })
    ));
    let booleans = ((3 << 4) | 4, [uleb(5), uleb(1 << 30)].concat());
    assert!(matches!(
        measure(&with_columns(&[booleans]), MAX_CHANGE_BYTES),
        Err(ChangeLimitError::TooManyOps { .. })
    ));
    // Ten predecessor groups of a million each: few rows, many grouped.
    let groups = ((7 << 4), [sleb(10), uleb(1 << 20)].concat());
    assert!(matches!(
        measure(&with_columns(&[groups]), MAX_CHANGE_BYTES),
        Err(ChangeLimitError::TooManyOps { .. })
    ));
    assert_eq!(
        measure(&with_columns(&[actions(10_000)]), MAX_CHANGE_BYTES).map(|s| s.rows),
        Ok(10_000)
    );
}

#[test]
fn a_compressed_change_is_refused_once_it_inflates_past_the_limit() {
    let bomb = inflating_to(4 << 20);
    assert!(bomb.len() < 8 * 1024, "{} bytes", bomb.len());
    assert_eq!(
        measure(&bomb, MAX_CHANGE_BYTES),
        Err(ChangeLimitError::TooLarge {
            max: MAX_CHANGE_BYTES
        })
    );
    let not_deflate = chunk(COMPRESSED_CHANGE, &[0xff; 40]);
    assert!(matches!(
        measure(&not_deflate, MAX_CHANGE_BYTES),
        Err(ChangeLimitError::Malformed(_))
    ));
}

#[test]
fn a_repeated_string_counts_as_all_its_copies() {
    // Key strings (column 1, strings): 10,000 copies of a 1 KiB key.
    let keys = (
        (1 << 4) | 5,
        [sleb(10_000), uleb(1024), vec![b'k'; 1024]].concat(),
    );
    assert_eq!(
        measure(&with_columns(&[keys]), MAX_CHANGE_BYTES),
        Err(ChangeLimitError::TooLarge {
            max: MAX_CHANGE_BYTES
        })
    );
}

#[test]
fn what_is_not_a_change_chunk_is_malformed() {
    let change = &changes_of(&[("a".into(), "b".into())])[1];
    let raw = change.raw_bytes();
    let mut document = raw.to_vec();
    document[8] = 0; // a document chunk
    let mut long = raw.to_vec();
    long.push(0);
    for bytes in [&b""[..], b"hello", &document, &long, &raw[..raw.len() - 1]] {
        assert!(
            matches!(
                measure(bytes, MAX_CHANGE_BYTES),
                Err(ChangeLimitError::Malformed(_))
            ),
            "{bytes:?}"
        );
    }
    assert_eq!(
        measure(raw, 8),
        Err(ChangeLimitError::TooLarge { max: 8 }),
        "more bytes than allowed, as sent"
    );
}

proptest! {
    /// Every change Automerge makes measures as its bytes and operations,
    /// compressed or not, and is in Automerge's own encoding (none is
    /// refused by `doc::canonical`).
    #[test]
    fn automerges_changes_measure_as_what_they_are(
        edits in prop::collection::vec(("[a-z]{1,12}", "\\PC{0,600}"), 1..12),
    ) {
        for mut change in changes_of(&edits) {
            let raw = change.raw_bytes().to_vec();
            let size = measure(&raw, MAX_CHANGE_BYTES).unwrap();
            prop_assert_eq!(size, ChangeSize { bytes: raw.len(), rows: change.len() as u64 });
            let sent = change.bytes().into_owned();
            prop_assert_eq!(measure(&sent, MAX_CHANGE_BYTES), Ok(size));
            let received = Change::from_bytes(sent).unwrap();
            prop_assert!(crate::doc::canonical(&received).is_ok());
        }
    }

    /// Damaged bytes are measured or refused, never a panic; whatever is
    /// measured as fitting costs Automerge no more than it declared.
    #[test]
    fn damaged_changes_never_panic(
        edits in prop::collection::vec(("[a-z]{1,4}", "[a-z]{0,40}"), 1..4),
        damage in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
    ) {
        for change in changes_of(&edits) {
            let mut bytes = change.raw_bytes().to_vec();
            for (at, value) in &damage {
                let i = at.index(bytes.len());
                bytes[i] = *value;
            }
            if let Ok(size) = measure(&bytes, MAX_CHANGE_BYTES)
                && let Ok(decoded) = Change::from_bytes(bytes)
            {
                prop_assert!(decoded.len() as u64 <= size.rows);
            }
        }
    }
}
