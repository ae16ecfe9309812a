-- 0014_monitoring.sql — the follow-up of recommendations in the cantons (plan 3.4, issue 9): the
-- agents' pushes into the cantons' systems (PUSH) and the cantons' implementation reports (REPORT),
-- each a history per (recommendation, canton); the monitoring matrix reads the latest of each.
-- Both are upward kinds stored by the batch ingest (ingest_log makes them idempotent).

CREATE TABLE rec_pushes (
    id          bigserial PRIMARY KEY,
    rec_id      bigint NOT NULL REFERENCES recommendations (id),
    version     int NOT NULL CHECK (version >= 1),
    canton      text NOT NULL,
    network     text NOT NULL,
    agent_id    bigint NOT NULL,
    message_id  text NOT NULL,
    state       text NOT NULL CHECK (state IN ('pushed', 'failed')),
    adapter     text NOT NULL CHECK (adapter IN ('exec', 'dir', 'webhook')),
    detail      text NOT NULL DEFAULT '',
    attempts    int NOT NULL CHECK (attempts >= 1),
    at          timestamptz NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now ()
);
CREATE INDEX rec_pushes_cell_idx ON rec_pushes (rec_id, canton, id);

CREATE TABLE rec_reports (
    id          bigserial PRIMARY KEY,
    rec_id      bigint NOT NULL REFERENCES recommendations (id),
    version     int NOT NULL CHECK (version >= 0),   -- 0: the latest the canton had
    canton      text NOT NULL,
    network     text NOT NULL,
    agent_id    bigint NOT NULL,
    message_id  text NOT NULL,
    state       text NOT NULL CHECK (state IN ('acknowledged', 'planned', 'in-progress', 'implemented',
                                               'declined')),
    note        text NOT NULL DEFAULT '',
    source      text NOT NULL DEFAULT '',
    at          timestamptz NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now (),
    CHECK (state <> 'declined' OR btrim (note) <> '')
);
CREATE INDEX rec_reports_cell_idx ON rec_reports (rec_id, canton, id);

-- Reminders sent for overdue cells (monitor --remind): when, to which networks.
CREATE TABLE rec_reminders (
    id          bigserial PRIMARY KEY,
    notice_id   bigint NOT NULL REFERENCES notices (id),
    networks    text[] NOT NULL,
    cells       int NOT NULL,
    sent_at     timestamptz NOT NULL DEFAULT now ()
);
