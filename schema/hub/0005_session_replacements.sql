-- 0005_session_replacements.sql — how often an agent's session was taken over by a HELLO on
-- another connection with the same key. A reconnect does it now and then; two processes running
-- one enrollment bundle do it every few seconds, and `cii-hub agents` shows it.

ALTER TABLE agents ADD COLUMN replacements bigint NOT NULL DEFAULT 0 CHECK (replacements >= 0);
ALTER TABLE agents ADD COLUMN last_replaced_at timestamptz;
