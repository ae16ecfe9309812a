-- 0011_agenda.sql — the published agendas of the CDC and CP meetings (issue 8, second slice). The
-- agenda itself is built from what waits for the meeting's organ (hub/service/hub_agenda.c) and is
-- not stored; what is stored is that it was sent down as a notice, and what it listed then (one
-- "REF|why" line per item), so that a second `cii-hub agenda M --publish` sends it again only when
-- the agenda changed.

CREATE TABLE agenda_publications (
    meeting      text PRIMARY KEY REFERENCES meetings (ref),
    content      text NOT NULL,                          -- "REF|why" per item, LF-separated, as published
    items        int NOT NULL CHECK (items >= 0),
    notice_id    bigint NOT NULL REFERENCES notices (id), -- the last notice that carried it
    times        int NOT NULL DEFAULT 1 CHECK (times >= 1),  -- how many times it was sent (changed agendas)
    published_at timestamptz NOT NULL DEFAULT now ()     -- the last time
);
