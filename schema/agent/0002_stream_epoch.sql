-- 0002_stream_epoch.sql — downward items are numbered per stream epoch (docs/protocol.md §6.2):
-- after the hub's database was restored from an older backup the hub starts a new epoch and
-- numbers new items on from what it had assigned, so the same seq can come twice, meaning two
-- items. The agent keeps one row of `streams` per epoch it followed (the current one is the last)
-- and its inbox per (stream, seq); an inbox row has its own id, in arrival order, that the kinds'
-- tables (notices) reference. A state of 0.1.0 migrates in place: its items are stream 1, epoch 0,
-- and keep their seq as their id.

CREATE TABLE streams (
    id INTEGER PRIMARY KEY,           -- 1, 2, ...: one per epoch followed, in order
    epoch INTEGER NOT NULL,           -- the hub's epoch (its 64 bits as SQLite's signed integer)
    resume_seq INTEGER NOT NULL,      -- where the agent entered it: its items follow this seq
    started_at INTEGER NOT NULL);     -- Unix milliseconds
INSERT INTO streams (id, epoch, resume_seq, started_at)
    VALUES (1, 0, 0, CAST (strftime ('%s', 'now') AS INTEGER) * 1000);

CREATE TABLE inbox_by_stream (
    id INTEGER PRIMARY KEY,           -- arrival order
    stream INTEGER NOT NULL REFERENCES streams (id),
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    body BLOB NOT NULL,
    received_at INTEGER NOT NULL,
    UNIQUE (stream, seq));
INSERT INTO inbox_by_stream (id, stream, seq, kind, body, received_at)
    SELECT seq, 1, seq, kind, body, received_at FROM inbox;

CREATE TABLE notices_by_item (
    inbox_id INTEGER PRIMARY KEY REFERENCES inbox_by_stream (id),
    seq INTEGER NOT NULL,             -- the item's seq in its stream, as delivered
    notice_id INTEGER NOT NULL,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    networks TEXT NOT NULL,
    issued_at INTEGER NOT NULL,
    received_at INTEGER NOT NULL);
INSERT INTO notices_by_item (inbox_id, seq, notice_id, title, text, networks, issued_at, received_at)
    SELECT seq, seq, notice_id, title, text, networks, issued_at, received_at FROM notices;

DROP TABLE notices;
DROP TABLE inbox;
ALTER TABLE inbox_by_stream RENAME TO inbox;
ALTER TABLE notices_by_item RENAME TO notices;
