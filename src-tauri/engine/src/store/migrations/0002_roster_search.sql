-- Version 2: full-text roster search over names, emails and phones. Each
-- student's search row shares the student row's rowid; triggers keep them in
-- step (students are written by upsert, which keeps the rowid).

CREATE VIRTUAL TABLE students_search USING fts5 (
    words,
    tokenize = "unicode61 remove_diacritics 2",
    prefix = '1 2 3'
);

CREATE TRIGGER students_search_insert AFTER INSERT ON students BEGIN
    INSERT INTO students_search (rowid, words)
    VALUES (new.rowid, concat_ws(' ', new.name, new.record ->> '$.email', new.record ->> '$.phone'));
END;
CREATE TRIGGER students_search_delete AFTER DELETE ON students BEGIN
    DELETE FROM students_search WHERE rowid = old.rowid;
END;
CREATE TRIGGER students_search_update AFTER UPDATE ON students BEGIN
    UPDATE students_search
    SET words = concat_ws(' ', new.name, new.record ->> '$.email', new.record ->> '$.phone')
    WHERE rowid = old.rowid;
END;

INSERT INTO students_search (rowid, words)
SELECT rowid, concat_ws(' ', name, record ->> '$.email', record ->> '$.phone')
FROM students;
