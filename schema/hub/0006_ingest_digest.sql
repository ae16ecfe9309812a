-- 0006_ingest_digest.sql — what an upward message carried, as a digest next to its id, so that a
-- message id reused with other content is told apart from a resend (answered ERROR CONFLICT instead
-- of the original receipt). Rows stored before have none: they are taken as resends, as before.

ALTER TABLE ingest_log ADD COLUMN digest text;
