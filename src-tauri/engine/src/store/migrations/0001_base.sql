-- Version 1: documents, outbox, projected rows, audit.

-- Device identity, cursor and sync bookkeeping.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- Every Automerge document this device holds, saved whole.
CREATE TABLE documents (
    id    TEXT PRIMARY KEY,
    kind  TEXT NOT NULL,
    bytes BLOB NOT NULL
) STRICT;

-- Changes made here and not yet acknowledged by the server, in order.
-- One local edit (a check-in, a promotion) may be several changes: they
-- one `edit` number, unique among waiting rows, so "waiting" counts edits.
CREATE TABLE outbox (
    seq    INTEGER PRIMARY KEY AUTOINCREMENT,
    doc    TEXT NOT NULL,
    change BLOB NOT NULL,
    edit   INTEGER NOT NULL
) STRICT;
CREATE INDEX outbox_doc ON outbox (doc);

-- Projections of the documents: what screens list and the door looks up.
CREATE TABLE students (
    id         TEXT PRIMARY KEY,
    tag        TEXT NOT NULL,            -- the student tag passes carry
    name       TEXT NOT NULL,
    status     TEXT NOT NULL,
    rank       TEXT NOT NULL,
    stripes    INTEGER NOT NULL,
    record     TEXT NOT NULL             -- the student as JSON
) STRICT;
CREATE INDEX students_tag ON students (tag);
CREATE INDEX students_name ON students (name COLLATE NOCASE, id);
CREATE INDEX students_rank ON students (rank, name COLLATE NOCASE);

CREATE TABLE staff (
    id     TEXT PRIMARY KEY,
    email  TEXT NOT NULL,
    record TEXT NOT NULL                 -- the staff member as JSON
) STRICT;
CREATE INDEX staff_email ON staff (email);

-- One row per student per class session (a roll's entry); voided rows stay.
CREATE TABLE attendance (
    roll        TEXT NOT NULL,
    student     TEXT NOT NULL,
    class       TEXT NOT NULL,
    date        TEXT NOT NULL,
    at_ms       INTEGER NOT NULL,
    by_staff    TEXT NOT NULL,
    device      TEXT NOT NULL,
    method      TEXT NOT NULL,
    voided      INTEGER NOT NULL,
    pass_issued INTEGER,                 -- unix seconds of a phone pass used
    pass_nonce  INTEGER,
    PRIMARY KEY (roll, student)
) STRICT;
CREATE INDEX attendance_student ON attendance (student, at_ms);
CREATE INDEX attendance_session ON attendance (class, date);

-- What happened on this device and who did it, append-only.
CREATE TABLE audit (
    seq    INTEGER PRIMARY KEY AUTOINCREMENT,
    at_ms  INTEGER NOT NULL,
    staff  TEXT,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
) STRICT;
