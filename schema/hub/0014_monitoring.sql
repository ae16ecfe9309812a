-- 0014_monitoring.sql — the follow-up of recommendations in the cantons (plan 3.4, issue 9): the
-- agents' pushes into the cantons' systems (PUSH) and the cantons' implementation reports (REPORT),
-- each a history per (recommendation, canton); the monitoring matrix reads the latest of each
-- (rec_cells, kept by triggers).
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

-- The latest PUSH and REPORT of each cell, kept by the triggers below as the histories grow: the
-- matrix reads one row per cell here instead of finding the latest of each history (over 1,000
-- recommendations x 26 cantons that search took most of the matrix's time). The push is the latest
-- of the highest version pushed (the matrix counts it for the current version only); the report
-- the latest received, whatever its version.
CREATE TABLE rec_cells (
    rec_id       bigint NOT NULL REFERENCES recommendations (id),
    canton       text NOT NULL,
    push_id      bigint,
    push_version int,
    push_state   text,
    push_detail  text,
    report_id    bigint,
    report_state text,
    report_at    timestamptz,
    report_note  text,
    PRIMARY KEY (rec_id, canton)
);

CREATE FUNCTION cii_rec_cells_push () RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO rec_cells AS c (rec_id, canton, push_id, push_version, push_state, push_detail)
    SELECT DISTINCT ON (rec_id, canton) rec_id, canton, id, version, state, detail FROM new_rows
    ORDER BY rec_id, canton, version DESC, id DESC
    ON CONFLICT (rec_id, canton) DO UPDATE SET push_id = EXCLUDED.push_id, push_version = EXCLUDED.push_version,
        push_state = EXCLUDED.push_state, push_detail = EXCLUDED.push_detail
    WHERE c.push_id IS NULL OR EXCLUDED.push_version > c.push_version
       OR (EXCLUDED.push_version = c.push_version AND EXCLUDED.push_id > c.push_id);
    RETURN NULL;
END
$$;

CREATE FUNCTION cii_rec_cells_report () RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO rec_cells AS c (rec_id, canton, report_id, report_state, report_at, report_note)
    SELECT DISTINCT ON (rec_id, canton) rec_id, canton, id, state, at, note FROM new_rows
    ORDER BY rec_id, canton, id DESC
    ON CONFLICT (rec_id, canton) DO UPDATE SET report_id = EXCLUDED.report_id, report_state = EXCLUDED.report_state,
        report_at = EXCLUDED.report_at, report_note = EXCLUDED.report_note
    WHERE c.report_id IS NULL OR EXCLUDED.report_id > c.report_id;
    RETURN NULL;
END
$$;

CREATE TRIGGER rec_pushes_cells AFTER INSERT ON rec_pushes REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cii_rec_cells_push ();
CREATE TRIGGER rec_reports_cells AFTER INSERT ON rec_reports REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION cii_rec_cells_report ();
