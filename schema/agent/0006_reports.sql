-- 0006_reports.sql — cantons' implementation reports (issue 9): from the coordinator's CLI or from
-- report files dropped by a cantonal system into STATE/reports/CANTON/, each sent up as REPORT
-- through the outbox. A canton's history of reports is kept; the latest one counts.

CREATE TABLE reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ref TEXT NOT NULL,                         -- "REC-2027-01"
    version INTEGER NOT NULL DEFAULT 0,        -- the version reported on (0: the latest)
    canton TEXT NOT NULL,
    state TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL,                      -- 'cli' or 'file'
    file_name TEXT,                            -- the report file, for source 'file'
    file_digest TEXT,                          -- its SHA-256: a file is imported once
    message_id TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    delivered_at INTEGER,
    hub_ref TEXT,
    hub_received_at INTEGER,
    refused_code INTEGER,
    refused_text TEXT);
CREATE INDEX reports_cell ON reports (ref, canton, id);
CREATE UNIQUE INDEX reports_file ON reports (canton, file_digest) WHERE file_digest IS NOT NULL;
