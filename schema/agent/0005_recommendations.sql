-- 0005_recommendations.sql — recommendations down to the cantons (issue 9): each version as
-- delivered (RECOMMENDATION items, with the addressed cantons of this network), each canton's push
-- adapter as the coordinator set it, and the durable push queue: one row per (recommendation,
-- version, canton), written in the transaction that stores the item, before any attempt, so a
-- push happens once in effect with the same idempotency key and file name on every retry.

CREATE TABLE recommendations (
    ref TEXT NOT NULL,                         -- "REC-2027-01"
    version INTEGER NOT NULL,
    seq INTEGER NOT NULL,                      -- the inbox item that carried it
    adopted_on TEXT NOT NULL,                  -- "YYYY-MM-DD"
    report_by TEXT NOT NULL,
    basis TEXT NOT NULL DEFAULT '',            -- newline list, as given
    cantons TEXT NOT NULL,                     -- comma list: the addressed cantons of this network
    partners TEXT NOT NULL DEFAULT '',         -- comma list
    all_cantons INTEGER NOT NULL DEFAULT 0,
    issued_at INTEGER NOT NULL,                -- Unix milliseconds
    note TEXT NOT NULL DEFAULT '',
    received_at INTEGER NOT NULL,
    PRIMARY KEY (ref, version));

CREATE TABLE recommendation_texts (
    ref TEXT NOT NULL,
    version INTEGER NOT NULL,
    language TEXT NOT NULL,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (ref, version, language));

-- The coordinator's push adapter per canton (cii-agent canton set); no row: 'none'.
CREATE TABLE canton_push (
    canton TEXT PRIMARY KEY,
    adapter TEXT NOT NULL CHECK (adapter IN ('none', 'exec', 'dir', 'webhook')),
    command TEXT,                              -- exec
    path TEXT,                                 -- dir
    url TEXT,                                  -- webhook
    secret_file TEXT,                          -- webhook
    timeout_ms INTEGER NOT NULL DEFAULT 30000,
    updated_at INTEGER NOT NULL);

-- The push queue. state: 'queued' (waiting for its next attempt, or for an adapter), 'pushed',
-- 'failed' (given up after a day of retries). idem_key is fixed at enqueue time.
CREATE TABLE pushes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ref TEXT NOT NULL,
    version INTEGER NOT NULL,
    canton TEXT NOT NULL,
    idem_key TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'pushed', 'failed')),
    adapter TEXT,                              -- the adapter of the last attempt
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms INTEGER NOT NULL DEFAULT 0,
    first_attempt_ms INTEGER,                  -- retries end 24 h (or the test limit) after it
    last_error TEXT,
    detail TEXT,                               -- file name, HTTP status, exit status
    created_at INTEGER NOT NULL,
    done_at INTEGER,
    message_id TEXT,                           -- the PUSH sent up when it ended
    hub_ref TEXT,                              -- its receipt ("PUSH-<id>") ...
    hub_received_at INTEGER,
    refused_code INTEGER,                      -- ... or the hub's refusal
    refused_text TEXT,
    UNIQUE (ref, version, canton));
CREATE INDEX pushes_due ON pushes (state, next_attempt_ms, id);
