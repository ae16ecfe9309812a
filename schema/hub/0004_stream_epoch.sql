-- 0004_stream_epoch.sql — each agent's downward stream has an epoch: the sequence numbers of
-- downward items mean something only within one epoch. The serving hub starts a new epoch when an
-- agent says it holds more than this database ever assigned it (the database was restored from an
-- older backup, or the agent is faulty): items after epoch_start are then numbered afresh and the
-- agent, told so in WELCOME, stores them as a new stream (docs/protocol.md §6.2). An agent's
-- claim never raises last_seq any more. Every agent starts in epoch 0 at sequence 0.

ALTER TABLE agents ADD COLUMN epoch bigint NOT NULL DEFAULT 0 CHECK (epoch >= 0);
ALTER TABLE agents ADD COLUMN epoch_start bigint NOT NULL DEFAULT 0 CHECK (epoch_start >= 0);
