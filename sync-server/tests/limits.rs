//! Limits in bytes against the real server. Pushes a hostile device sends:
//! each bad document is refused alone with its reason, before work that
//! grows with what it claims, and no other document or device's push
//! fails with it. Pulls and bootstrap pages: bounded in bytes, and nothing
//! skipped.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a test fails loudly")]

mod support;

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ROOT, ReadDoc};
use sqlx::{Connection, PgConnection};
use support::{Device, TestServer, changes, count, new_student};
use tatami_core::change_limits::{MAX_CHANGE_BYTES, forged};
use tatami_core::doc::student;
use tatami_core::ids::{DocId, GuardianId, NoteId, StaffId};
use tatami_core::people::{Guardian, Note, Role};
use tatami_core::sync::{Bootstrap, Bytes, DocChanges, MAX_PULL_BYTES, RefusalCode, SyncResponse};
use tatami_core::text::{PersonName, Prose};

/// A new student's document with `edit` made to it by hand, as pushed.
fn student_with(name: &str, edit: impl FnOnce(&mut AutoCommit)) -> DocChanges {
    let (s, mut doc) = new_student(name);
    doc.commit();
    edit(&mut doc);
    changes(student::doc_id(s.id), &mut doc, &[])
}

/// One forged change for a new document.
fn forged_doc(bytes: Vec<u8>) -> DocChanges {
    DocChanges {
        doc: DocId::new(),
        changes: vec![Bytes(bytes)],
    }
}

fn guardian(id: GuardianId) -> Guardian {
    Guardian {
        id,
        name: PersonName::parse("Rita Souza").unwrap(),
        relation: None,
        phone: None,
        email: None,
    }
}

/// The refusals of `response`, by document, in push order.
fn refusals(response: &SyncResponse) -> Vec<(DocId, RefusalCode, String)> {
    response
        .refused
        .iter()
        .map(|r| (r.doc, r.code, r.message.clone()))
        .collect()
}

/// Pushes `push` from `hostile` while `neighbour` pushes a new student of
/// its own: the neighbour's push is kept whatever the hostile one holds.
async fn push_with_a_neighbour(
    server: &TestServer,
    hostile: &Device,
    push: Vec<DocChanges>,
    neighbour: &Device,
) -> SyncResponse {
    let (s, mut theirs) = new_student("Bia Lima");
    let theirs = changes(student::doc_id(s.id), &mut theirs, &[]);
    let (answer, neighbours) = tokio::join!(
        server.sync(hostile, 0, push),
        server.sync(neighbour, 0, vec![theirs])
    );
    assert!(neighbours.refused.is_empty(), "{:?}", neighbours.refused);
    answer
}

#[tokio::test]
async fn each_hostile_document_is_refused_alone_with_its_reason() {
    let server = TestServer::start().await;
    let tiger = server.academy("golden-tiger").await;
    let hostile = server.device(&tiger, Role::FrontDesk).await;
    let neighbour = server.device(&tiger, Role::FrontDesk).await;

    let (_, mut good) = new_student("Ana Souza");
    let good_id = student::doc_id(student::project(&good).unwrap().student.id);
    let good = changes(good_id, &mut good, &[]);
    let ops_bomb = forged_doc(forged::claiming_ops(1 << 24));
    let endless = forged_doc(forged::claiming_ops(1 << 62));
    let zip_bomb = forged_doc(forged::inflating_to(16 << 20));
    let nul_field = student_with("Caio Reis", |doc| {
        doc.put(ROOT, "na\0me", "x").unwrap();
    });
    let nul_relation = student_with("Duda Reis", |doc| {
        let guardians = doc.get(ROOT, "guardians").unwrap().unwrap().1;
        let g = doc
            .put_object(&guardians, GuardianId::new().to_string(), ObjType::Map)
            .unwrap();
        doc.put(&g, "name", "Rita Reis").unwrap();
        doc.put(&g, "relation", "Mo\0ther").unwrap();
    });
    let big_text = "x".repeat(1 << 20);
    let huge_note = student_with("Enzo Reis", |doc| {
        doc.put(ROOT, "notes_blob", big_text.as_str()).unwrap();
    });
    let written_and_deleted = student_with("Fabi Reis", |doc| {
        doc.put(ROOT, "scratch", big_text.as_str()).unwrap();
        doc.delete(ROOT, "scratch").unwrap();
    });
    let shared = GuardianId::new();
    let siblings: Vec<DocChanges> = ["Gabi Reis", "Hugo Reis"]
        .into_iter()
        .map(|name| {
            let (s, mut doc) = new_student(name);
            doc.commit();
            student::put_guardian(&mut doc, &guardian(shared)).unwrap();
            changes(student::doc_id(s.id), &mut doc, &[])
        })
        .collect();

    let push = [
        vec![
            good.clone(),
            ops_bomb.clone(),
            endless.clone(),
            zip_bomb.clone(),
            nul_field.clone(),
            nul_relation.clone(),
            huge_note.clone(),
            written_and_deleted.clone(),
        ],
        siblings,
    ]
    .concat();
    let answer = push_with_a_neighbour(&server, &hostile, push, &neighbour).await;

    let refused = refusals(&answer);
    let ids: Vec<DocId> = refused.iter().map(|r| r.0).collect();
    assert_eq!(
        ids,
        vec![
            ops_bomb.doc,
            endless.doc,
            zip_bomb.doc,
            huge_note.doc,
            written_and_deleted.doc,
            nul_field.doc,
            nul_relation.doc
        ],
        "{refused:#?}"
    );
    let message = |doc: DocId| refused.iter().find(|r| r.0 == doc).unwrap().2.clone();
    assert!(message(ops_bomb.doc).contains("operations"));
    assert!(message(zip_bomb.doc).contains(&format!("{MAX_CHANGE_BYTES} bytes")));
    assert!(message(huge_note.doc).contains("bytes"));
    assert_eq!(
        refused.iter().find(|r| r.0 == nul_field.doc).unwrap().1,
        RefusalCode::Forbidden
    );
    assert!(
        message(nul_field.doc).contains("na\u{fffd}me"),
        "{}",
        message(nul_field.doc)
    );
    assert!(message(nul_relation.doc).contains("relation"));

    // The good student, the neighbour's, both siblings with their one
    // guardian id each, and nothing of the refused.
    assert_eq!(count(&server, &tiger, "SELECT count(*) FROM students").await, 4);
    assert_eq!(count(&server, &tiger, "SELECT count(*) FROM guardians").await, 2);
    assert_eq!(
        count(
            &server,
            &tiger,
            "SELECT count(*) FROM audit_log WHERE action = 'change_refused'"
        )
        .await,
        7
    );
    server.stop().await;
}

#[tokio::test]
async fn a_document_the_database_refuses_fails_alone_not_the_batch() {
    let server = TestServer::start().await;
    let tiger = server.academy("golden-tiger").await;
    // A fault no check foresaw: the database itself refuses one student.
    let mut owner = PgConnection::connect_with(&server.db.owner).await.unwrap();
    for sql in [
        "CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
           IF NEW.name = 'Poison Pill' THEN
             RAISE EXCEPTION 'refused by a check' USING ERRCODE = 'check_violation';
           END IF;
           RETURN NEW;
         END $$",
        "CREATE TRIGGER refuse_poison BEFORE INSERT OR UPDATE ON students
         FOR EACH ROW EXECUTE FUNCTION refuse_poison()",
    ] {
        sqlx::query(sql).execute(&mut owner).await.unwrap();
    }
    let desk = server.device(&tiger, Role::FrontDesk).await;
    let neighbour = server.device(&tiger, Role::FrontDesk).await;
    let docs: Vec<DocChanges> = ["Ana Souza", "Poison Pill", "Caio Reis"]
        .into_iter()
        .map(|name| {
            let (s, mut doc) = new_student(name);
            changes(student::doc_id(s.id), &mut doc, &[])
        })
        .collect();
    let answer = push_with_a_neighbour(&server, &desk, docs.clone(), &neighbour).await;
    let refused = refusals(&answer);
    assert_eq!(refused.len(), 1, "{refused:#?}");
    assert_eq!((refused[0].0, refused[0].1), (docs[1].doc, RefusalCode::Invalid));
    assert_eq!(count(&server, &tiger, "SELECT count(*) FROM students").await, 3);
    assert_eq!(
        count(
            &server,
            &tiger,
            "SELECT count(*) FROM changes JOIN documents USING (tenant_id, doc_id) WHERE kind = 'student'"
        )
        .await,
        6,
        "each stored student's genesis and profile, logged once; nothing of the refused one"
    );
    server.stop().await;
}

#[tokio::test]
async fn pulls_and_bootstrap_pages_are_bounded_in_bytes_and_skip_nothing() {
    let server = TestServer::start().await;
    let tiger = server.academy("golden-tiger").await;
    let desk = server.device(&tiger, Role::FrontDesk).await;
    // Students with a long note each (4,000 four-byte characters): about
    // 1.5 times what one pull carries, pushed a few at a time.
    let text = Prose::parse(&"🥋".repeat(4000)).unwrap();
    let mut ids = Vec::new();
    let mut pushed = 0;
    while pushed < MAX_PULL_BYTES * 3 / 2 {
        let mut push = Vec::new();
        for _ in 0..50 {
            let (s, mut doc) = new_student("Ana Souza");
            student::add_note(
                &mut doc,
                &Note {
                    id: NoteId::new(),
                    at: time::OffsetDateTime::now_utc(),
                    by: StaffId::new(),
                    text: text.clone(),
                },
            )
            .unwrap();
            let group = changes(student::doc_id(s.id), &mut doc, &[]);
            pushed += group.changes.iter().map(|c| c.0.len()).sum::<usize>();
            ids.push(group.doc);
            push.push(group);
        }
        assert!(server.sync(&desk, 0, push).await.refused.is_empty());
    }

    // Another device pulls the log from the start, from the database.
    let laptop = server.device(&tiger, Role::Instructor).await;
    let (mut cursor, mut pulls, mut docs) = (0, Vec::new(), std::collections::BTreeSet::new());
    loop {
        let pulled = server.sync(&laptop, cursor, Vec::new()).await;
        let bytes: usize = pulled.changes.iter().map(|c| c.change.0.len()).sum();
        docs.extend(pulled.changes.iter().map(|c| c.doc));
        pulls.push((pulled.changes.len(), bytes));
        cursor = pulled.cursor;
        if !pulled.more {
            break;
        }
    }
    assert!(pulls.len() >= 2, "{pulls:?}");
    assert!(
        pulls.iter().all(|&(_, bytes)| bytes < MAX_PULL_BYTES + 64 * 1024),
        "{pulls:?}"
    );
    assert!(ids.iter().all(|id| docs.contains(id)), "every student arrived");

    // And a fresh device bootstraps in pages of bounded bytes.
    let (mut after, mut pages, mut seen) = (None::<DocId>, Vec::new(), std::collections::BTreeSet::new());
    loop {
        let path = match after {
            Some(id) => format!("/v1/bootstrap?after={id}"),
            None => "/v1/bootstrap".to_owned(),
        };
        let page: Bootstrap = support::ok_json(
            server
                .request(reqwest::Method::GET, &tiger.slug, &path, Some(&laptop.credential))
                .send()
                .await
                .unwrap(),
        )
        .await;
        let bytes: usize = page
            .docs
            .iter()
            .map(|d| d.snapshot.0.len() + d.changes.iter().map(|c| c.0.len()).sum::<usize>())
            .sum();
        pages.push((page.docs.len(), bytes));
        seen.extend(page.docs.iter().map(|d| d.doc));
        after = page.next;
        if after.is_none() {
            break;
        }
    }
    assert!(pages.len() >= 2, "{pages:?}");
    assert!(
        pages.iter().all(|&(_, bytes)| bytes < MAX_PULL_BYTES + 64 * 1024),
        "{pages:?}"
    );
    assert!(ids.iter().all(|id| seen.contains(id)), "every student arrived");
    server.stop().await;
}
