-- 0007_requests.sql — the upward path at the national level (docs/domain.md, plan 2.1): requests
-- consolidated by the networks from their signals, each with a national reference CII-YYYY-NNNN;
-- the admissibility criteria as evaluated; national themes NT-YYYY-NN grouping requests of several
-- networks; and the history of every state change, which is also what goes back down as STATUS.

-- Gapless references per prefix and calendar year: the counter row is updated in the transaction
-- that stores what gets the reference, so a rollback (or a hub killed mid-batch) leaves no gap, and
-- concurrent transactions wait for each other on the row.
CREATE TABLE ref_counters (
    prefix      text NOT NULL,                -- "CII", "NT"
    year        int NOT NULL CHECK (year BETWEEN 2000 AND 9999),
    last        int NOT NULL DEFAULT 0 CHECK (last >= 0),
    PRIMARY KEY (prefix, year)
);

CREATE TABLE themes (
    id          bigserial PRIMARY KEY,
    ref         text NOT NULL UNIQUE,         -- "NT-2027-03"
    title       text NOT NULL,
    state       text NOT NULL DEFAULT 'open',
    created_at  timestamptz NOT NULL DEFAULT now ()
);

CREATE TABLE requests (
    id              bigserial PRIMARY KEY,
    ref             text NOT NULL UNIQUE,     -- "CII-2027-0042"
    agent_id        bigint NOT NULL,
    network         text NOT NULL REFERENCES networks (name) ON UPDATE CASCADE,
    message_id      text NOT NULL,            -- the REQUEST's message id (STATUS names it)
    title           text NOT NULL,
    summary         text NOT NULL,
    institutions    text[] NOT NULL DEFAULT '{}',
    target_groups   text[] NOT NULL DEFAULT '{}',
    objectives      text[] NOT NULL DEFAULT '{}',
    priorities      text[] NOT NULL DEFAULT '{}',
    cantons         text[] NOT NULL,          -- supporting cantons
    assessment      text NOT NULL DEFAULT '',
    national_reason text NOT NULL DEFAULT '',
    language        text NOT NULL,
    lineage         text[] NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL,
    received_at     timestamptz NOT NULL DEFAULT now (),
    state           text NOT NULL DEFAULT 'received',
    theme_id        bigint REFERENCES themes (id),
    updated_at      timestamptz NOT NULL DEFAULT now (),
    UNIQUE (agent_id, message_id)
);
CREATE INDEX requests_network_idx ON requests (network, id);
CREATE INDEX requests_state_idx ON requests (state, id);
CREATE INDEX requests_theme_idx ON requests (theme_id) WHERE theme_id IS NOT NULL;

-- The signals a request consolidates (by the hub's signal ids).
CREATE TABLE request_signals (
    request_id  bigint NOT NULL REFERENCES requests (id),
    signal_id   bigint NOT NULL REFERENCES signals (id),
    PRIMARY KEY (request_id, signal_id)
);
CREATE INDEX request_signals_signal_idx ON request_signals (signal_id);
-- The signals table gets its lookup by message id (a request names its signals that way).
CREATE INDEX signals_message_idx ON signals (network, message_id);

-- The admissibility criteria as last evaluated (C1..C4): shown to the bureau, never deciding.
CREATE TABLE request_criteria (
    request_id   bigint NOT NULL REFERENCES requests (id),
    id           text NOT NULL,               -- "C1"
    met          boolean NOT NULL,
    reason       text NOT NULL,
    evaluated_at timestamptz NOT NULL DEFAULT now (),
    PRIMARY KEY (request_id, id)
);

-- Every state change of a request, in order: the history `show` prints, and the STATUS items that
-- go down. `queued` is false until the STATUS is in the downward queue (in the same transaction as
-- the change, or, for the changes the batch ingest writes, by the work after its commit).
CREATE TABLE request_history (
    id          bigserial PRIMARY KEY,
    request_id  bigint NOT NULL REFERENCES requests (id),
    state       text NOT NULL,
    organ       text NOT NULL,
    at          timestamptz NOT NULL DEFAULT now (),
    note        text NOT NULL DEFAULT '',
    meeting     text,                         -- the meeting it was taken in (national processing)
    queued      boolean NOT NULL DEFAULT false
);
CREATE INDEX request_history_request_idx ON request_history (request_id, id);
CREATE INDEX request_history_pending_idx ON request_history (id) WHERE NOT queued;

-- The bureau's thresholds for C3 (broadly shared).
INSERT INTO settings (key, value) VALUES ('c3_min_cantons', '2'), ('c3_min_networks', '2')
ON CONFLICT (key) DO NOTHING;
