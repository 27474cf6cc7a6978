use super::*;
use tatami_core::belt::Grade;
use tatami_core::doc::student::StudentView;
use tatami_core::doc::{DocKind, View};
use tatami_core::ids::{RankId, StudentId};
use tatami_core::people::Student;
use tatami_core::text::PersonName;
use time::macros::date;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tatami-store-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn student(name: &str) -> StudentView {
    StudentView {
        student: Student::new(
            StudentId::new(),
            PersonName::parse(name).unwrap(),
            date!(2026 - 01 - 10),
            Grade::new(RankId::new(), 0),
        ),
        guardians: Vec::new(),
        promotions: Vec::new(),
        notes: Vec::new(),
    }
}

fn search(store: &Store, query: &str) -> Vec<String> {
    let filter = RosterFilter {
        query: Some(query.into()),
        limit: 50,
        ..RosterFilter::default()
    };
    rows::roster(store.read(), &filter)
        .unwrap()
        .into_iter()
        .map(|r| r.name)
        .collect()
}

#[test]
fn a_store_made_by_the_first_version_opens_migrated_with_its_rows_searchable() {
    let path = scratch("old.db");
    {
        let mut conn = Connection::open(&path).unwrap();
        claim(&conn, &path).unwrap();
        migrate::run_to(&mut conn, 1).unwrap();
        let old = Store { conn, hot: None };
        rows::project(old.read(), &View::Student(student("Ana Souza"))).unwrap();
        assert!(old.read().prepare("SELECT * FROM students_search").is_err());
    }
    let store = Store::open(&path).unwrap();
    let version: i64 = store
        .read()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, migrate::VERSION);
    assert_eq!(search(&store, "ana"), ["Ana Souza"]);
    // Opening again changes nothing.
    drop(store);
    assert_eq!(search(&Store::open(&path).unwrap(), "souz"), ["Ana Souza"]);
}

#[test]
fn roster_search_matches_word_prefixes_and_follows_edits() {
    let mut store = Store::open(&scratch("search.db")).unwrap();
    let mut ana = student("Ana Souza");
    let joao = student("João Pereira");
    store
        .write(|tx| {
            rows::project(tx, &View::Student(ana.clone()))?;
            rows::project(tx, &View::Student(joao.clone()))
        })
        .unwrap();
    assert_eq!(search(&store, "jo"), ["João Pereira"]);
    assert_eq!(search(&store, "joao per"), ["João Pereira"], "accents fold");
    assert_eq!(
        search(&store, "\"*) OR ("),
        Vec::<String>::new(),
        "syntax is text"
    );
    ana.student.name = PersonName::parse("Ana Lima").unwrap();
    store
        .write(|tx| rows::project(tx, &View::Student(ana.clone())))
        .unwrap();
    assert_eq!(search(&store, "souza"), Vec::<String>::new());
    assert_eq!(search(&store, "lima"), ["Ana Lima"]);
    assert_eq!(rows::student_count(store.read()).unwrap(), 2);
}

#[test]
fn a_foreign_sqlite_file_is_refused_untouched() {
    let path = scratch("other.db");
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch("CREATE TABLE photos (id INTEGER); INSERT INTO photos VALUES (7);")
        .unwrap();
    drop(conn);
    let before = std::fs::read(&path).unwrap();
    assert!(matches!(Store::open(&path), Err(StoreError::Foreign { .. })));
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn a_damaged_file_is_a_clear_error() {
    let path = scratch("damaged.db");
    std::fs::write(
        &path,
        b"this was never a database, just some bytes on a disk ".repeat(200),
    )
    .unwrap();
    let error = Store::open(&path).unwrap_err();
    assert!(matches!(error, StoreError::Corrupt { .. }), "{error}");
}

#[test]
fn a_store_from_a_newer_version_is_refused() {
    let path = scratch("newer.db");
    drop(Store::open(&path).unwrap());
    let conn = Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", migrate::VERSION + 1)
        .unwrap();
    drop(conn);
    assert!(matches!(Store::open(&path), Err(StoreError::Newer { .. })));
}

#[test]
fn the_document_kept_in_memory_never_outlives_a_write_of_the_store() {
    let mut store = Store::open(&scratch("hot.db")).unwrap();
    let ana = student("Ana Souza");
    let id = tatami_core::doc::student::doc_id(ana.student.id);
    let mut saved = tatami_core::doc::student::create(&ana.student, automerge::ActorId::random()).unwrap();
    store
        .write(|tx| docs::save(tx, id, DocKind::Student, &mut saved))
        .unwrap();

    // A local edit keeps its document; the next edit takes it from memory.
    let mut edited = saved.fork();
    let renamed = Student {
        name: PersonName::parse("Ana Lima").unwrap(),
        ..ana.student.clone()
    };
    tatami_core::doc::student::update(&mut edited, &renamed).unwrap();
    store.keep(id, edited);
    let from_memory = store.document(id).unwrap().unwrap();
    assert_eq!(
        tatami_core::doc::student::project(&from_memory)
            .unwrap()
            .student
            .name
            .as_str(),
        "Ana Lima"
    );

    // Any write (a sync applying the server's changes, say) drops it: the
    // stored copy is read again.
    store.keep(id, from_memory);
    store.write(|tx| Meta::LastSync.set(tx, "1")).unwrap();
    let stored = store.document(id).unwrap().unwrap();
    assert_eq!(
        tatami_core::doc::student::project(&stored)
            .unwrap()
            .student
            .name
            .as_str(),
        "Ana Souza"
    );
}

#[test]
fn the_outbox_is_pushed_in_parts_the_server_takes() {
    use tatami_core::ids::DocId;
    use tatami_core::sync::{MAX_PUSH_BYTES, MAX_PUSH_CHANGES};

    let store = Store::open(&scratch("outbox.db")).unwrap();
    let (a, b) = (DocId::new(), DocId::new());
    let big = vec![7; MAX_PUSH_BYTES / 3];
    docs::enqueue(store.read(), a, &[big.clone(), big.clone()]).unwrap();
    docs::enqueue(store.read(), b, &[big.clone(), vec![1, 1]]).unwrap();
    let first = docs::outbox(store.read()).unwrap();
    let sent: Vec<(DocId, usize)> = first.push.iter().map(|g| (g.doc, g.changes.len())).collect();
    assert_eq!(
        sent,
        [(a, 2), (b, 1)],
        "three thirds fit, the fourth change waits"
    );
    docs::acknowledge(store.read(), first.up_to, &[]).unwrap();
    let second = docs::outbox(store.read()).unwrap();
    assert_eq!(second.push.len(), 1);
    assert_eq!(second.push[0].changes[0].0, vec![1, 1]);

    // One change larger than a push still goes, alone, for the server to
    // refuse with its reason rather than wait forever.
    docs::acknowledge(store.read(), second.up_to, &[]).unwrap();
    docs::enqueue(store.read(), a, &[vec![0; MAX_PUSH_BYTES + 1], vec![2]]).unwrap();
    assert_eq!(docs::outbox(store.read()).unwrap().push[0].changes.len(), 1);

    let many: Vec<Vec<u8>> = (0..=MAX_PUSH_CHANGES).map(|i| i.to_le_bytes().to_vec()).collect();
    docs::enqueue(store.read(), b, &many).unwrap();
    docs::acknowledge(store.read(), docs::outbox(store.read()).unwrap().up_to, &[]).unwrap();
    let counted: usize = docs::outbox(store.read())
        .unwrap()
        .push
        .iter()
        .map(|g| g.changes.len())
        .sum();
    assert_eq!(counted, MAX_PUSH_CHANGES);
}

#[test]
fn changes_queued_again_after_a_restore_go_once() {
    use tatami_core::ids::DocId;

    let store = Store::open(&scratch("again.db")).unwrap();
    let (a, b) = (DocId::new(), DocId::new());
    docs::enqueue(store.read(), a, &[vec![1], vec![2]]).unwrap();
    docs::enqueue_unless_queued(store.read(), a, &[vec![1], vec![2], vec![3]]).unwrap();
    docs::enqueue_unless_queued(store.read(), b, &[vec![1]]).unwrap();
    docs::enqueue_unless_queued(store.read(), b, &[]).unwrap();
    let queued: Vec<(DocId, Vec<Vec<u8>>)> = docs::outbox(store.read())
        .unwrap()
        .push
        .into_iter()
        .map(|g| (g.doc, g.changes.into_iter().map(|c| c.0).collect()))
        .collect();
    assert_eq!(
        queued,
        [(a, vec![vec![1], vec![2], vec![3]]), (b, vec![vec![1]])],
        "a change already waiting is not queued twice; another document's equal bytes are its own"
    );
    assert_eq!(
        docs::waiting(store.read()).unwrap(),
        3,
        "each queuing is one edit"
    );
}
