-- 0003_requests.sql — the regional coordinator's consolidation (issue 7): requests drafted from the
-- network's signals, edited, merged and split (lineage), forwarded upward as REQUEST (held in the
-- outbox until every one of its signals is receipted: outbox_after) and withdrawn (WITHDRAW); what
-- the hub says back in STATUS items (history, criteria, the current state); and the full-text
-- indexes `similar` reads (FTS5, diacritics removed). States are strings: 'draft', 'merged',
-- 'forwarded', 'refused' are the agent's own, every other one is the hub's, as given.
-- A state of 0.1.0 or 0.2.0 migrates in place: nothing it holds changes, its signals are indexed.

CREATE TABLE requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    state TEXT NOT NULL,
    origin TEXT NOT NULL DEFAULT 'agent',      -- 'agent', or 'hub': known only from a STATUS
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    assessment TEXT NOT NULL DEFAULT '',
    language TEXT NOT NULL,
    objectives TEXT NOT NULL DEFAULT '',       -- comma lists of CLI names
    priorities TEXT NOT NULL DEFAULT '',
    support TEXT NOT NULL DEFAULT '',          -- cantons added with --support
    institutions TEXT NOT NULL DEFAULT '',     -- derived from the signals while a draft
    target_groups TEXT NOT NULL DEFAULT '',
    cantons TEXT NOT NULL DEFAULT '',          -- the signals' cantons and the support
    national_reason TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,               -- Unix milliseconds
    updated_at INTEGER NOT NULL,
    message_id TEXT UNIQUE,                    -- the REQUEST's, from `forward` on
    forwarded_at INTEGER,
    hub_ref TEXT,                              -- "CII-2027-0042", from the RECEIPT or a STATUS
    hub_received_at INTEGER,
    refused_code INTEGER,                      -- the hub's ERROR for the REQUEST (wire code)
    refused_text TEXT,
    refused_at INTEGER,
    theme TEXT NOT NULL DEFAULT '');           -- "NT-2027-03" once a STATUS names one
CREATE INDEX requests_hub_ref ON requests (hub_ref);

CREATE TABLE request_signals (
    request_id INTEGER NOT NULL REFERENCES requests (id),
    signal_id INTEGER NOT NULL REFERENCES signals (id),
    position INTEGER NOT NULL,
    PRIMARY KEY (request_id, signal_id));
CREATE INDEX request_signals_signal ON request_signals (signal_id);

-- 'merged-from', 'merged-into', 'split-from', 'split-into': request_id's relation to other_id.
CREATE TABLE request_lineage (
    id INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES requests (id),
    relation TEXT NOT NULL,
    other_id INTEGER NOT NULL REFERENCES requests (id),
    at INTEGER NOT NULL);
CREATE INDEX request_lineage_request ON request_lineage (request_id, id);

CREATE TABLE request_withdrawals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id INTEGER NOT NULL REFERENCES requests (id),
    message_id TEXT NOT NULL UNIQUE,
    reason TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    delivered_at INTEGER,
    hub_received_at INTEGER,
    refused_code INTEGER,
    refused_text TEXT);
CREATE INDEX request_withdrawals_request ON request_withdrawals (request_id, id);

-- Every STATUS item as received (by its inbox row: in arrival order), and the criteria as last
-- received for each request.
CREATE TABLE request_history (
    inbox_id INTEGER PRIMARY KEY REFERENCES inbox (id),
    request_id INTEGER NOT NULL REFERENCES requests (id),
    ref TEXT NOT NULL,
    state TEXT NOT NULL,
    organ TEXT NOT NULL,
    at INTEGER NOT NULL,
    note TEXT NOT NULL,
    theme TEXT NOT NULL,
    received_at INTEGER NOT NULL);
CREATE INDEX request_history_request ON request_history (request_id, inbox_id);

CREATE TABLE request_criteria (
    request_id INTEGER NOT NULL REFERENCES requests (id),
    id TEXT NOT NULL,
    position INTEGER NOT NULL,
    met INTEGER NOT NULL,
    reason TEXT NOT NULL,
    inbox_id INTEGER NOT NULL REFERENCES inbox (id),
    PRIMARY KEY (request_id, id));

-- An outbox entry (message_id) is not sent while an entry `after` is still in the outbox: a
-- REQUEST waits for the receipts of its signals, a WITHDRAW for that of its REQUEST.
CREATE TABLE outbox_after (
    message_id TEXT NOT NULL,
    after TEXT NOT NULL,
    PRIMARY KEY (message_id, after));

-- Full-text indexes over the texts (external content: the rows above are the only copy),
-- unicode61 with diacritics removed ("Accès" and "acces" are one term), kept by triggers.
CREATE VIRTUAL TABLE signals_fts USING fts5 (
    title, description, national_reason,
    content = 'signals', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE signals_terms USING fts5vocab (signals_fts, 'row');
CREATE TRIGGER signals_fts_insert AFTER INSERT ON signals BEGIN
    INSERT INTO signals_fts (rowid, title, description, national_reason)
        VALUES (new.id, new.title, new.description, new.national_reason);
END;
CREATE TRIGGER signals_fts_delete AFTER DELETE ON signals BEGIN
    INSERT INTO signals_fts (signals_fts, rowid, title, description, national_reason)
        VALUES ('delete', old.id, old.title, old.description, old.national_reason);
END;
CREATE TRIGGER signals_fts_update AFTER UPDATE OF title, description, national_reason ON signals BEGIN
    INSERT INTO signals_fts (signals_fts, rowid, title, description, national_reason)
        VALUES ('delete', old.id, old.title, old.description, old.national_reason);
    INSERT INTO signals_fts (rowid, title, description, national_reason)
        VALUES (new.id, new.title, new.description, new.national_reason);
END;
INSERT INTO signals_fts (signals_fts) VALUES ('rebuild');

CREATE VIRTUAL TABLE requests_fts USING fts5 (
    title, summary, assessment,
    content = 'requests', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2');
CREATE TRIGGER requests_fts_insert AFTER INSERT ON requests BEGIN
    INSERT INTO requests_fts (rowid, title, summary, assessment)
        VALUES (new.id, new.title, new.summary, new.assessment);
END;
CREATE TRIGGER requests_fts_delete AFTER DELETE ON requests BEGIN
    INSERT INTO requests_fts (requests_fts, rowid, title, summary, assessment)
        VALUES ('delete', old.id, old.title, old.summary, old.assessment);
END;
CREATE TRIGGER requests_fts_update AFTER UPDATE OF title, summary, assessment ON requests BEGIN
    INSERT INTO requests_fts (requests_fts, rowid, title, summary, assessment)
        VALUES ('delete', old.id, old.title, old.summary, old.assessment);
    INSERT INTO requests_fts (rowid, title, summary, assessment)
        VALUES (new.id, new.title, new.summary, new.assessment);
END;
