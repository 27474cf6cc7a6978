-- Version 3: member cards as the server signed them, one per student, so
-- the desk can print a card again while offline.
CREATE TABLE member_cards (
    student TEXT PRIMARY KEY,
    card    TEXT NOT NULL
) STRICT;
