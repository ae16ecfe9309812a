-- 0016_downward_heads.sql — each agent's highest assigned downward sequence (last_seq) moves out of
-- `agents` into a row of its own, downward_heads. Producers queueing downward items lock only those
-- rows, never an agents row: the serving hub's acknowledgements (agents.acked_seq) and its session,
-- last_seen, epoch and replacement writes no longer wait for an open producer transaction, and no
-- producer waits for them. acked_seq <= last_seq, a CHECK while both were in one row, is now kept by
-- a trigger on agents.acked_seq (and by the ACK statement, which reads the committed last_seq).

CREATE TABLE downward_heads (
    agent_id    bigint PRIMARY KEY REFERENCES agents (id),
    last_seq    bigint NOT NULL DEFAULT 0 CHECK (last_seq >= 0)   -- highest downward sequence assigned
);
INSERT INTO downward_heads (agent_id, last_seq) SELECT id, last_seq FROM agents;

-- Every agent has its head from its enrolment on.
CREATE FUNCTION cii_downward_head_new () RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO downward_heads (agent_id) VALUES (NEW.id);
    RETURN NULL;
END
$$;
CREATE TRIGGER agents_downward_head AFTER INSERT ON agents
    FOR EACH ROW EXECUTE FUNCTION cii_downward_head_new ();

-- An acknowledged position never beyond what was assigned (the committed last_seq: items a producer
-- has not committed yet were never sent).
CREATE FUNCTION cii_acked_within_head () RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.acked_seq > coalesce ((SELECT last_seq FROM downward_heads WHERE agent_id = NEW.id), 0) THEN
        RAISE EXCEPTION 'agent %: acked_seq % is beyond its last_seq', NEW.id, NEW.acked_seq
            USING ERRCODE = 'check_violation', CONSTRAINT = 'agents_acked_within_head';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER agents_acked_within_head BEFORE UPDATE OF acked_seq ON agents
    FOR EACH ROW WHEN (NEW.acked_seq > OLD.acked_seq) EXECUTE FUNCTION cii_acked_within_head ();

-- Dropping the column drops the CHECK (acked_seq >= 0 AND acked_seq <= last_seq); the first half stays.
ALTER TABLE agents DROP COLUMN last_seq;
ALTER TABLE agents ADD CONSTRAINT agents_acked_seq_check CHECK (acked_seq >= 0);
