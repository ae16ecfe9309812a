-- 0008_gate.sql — what the national gate (hub/service/hub_gate.c, hub_flow.c) needs on top of 0007:
-- a WITHDRAW names its request by the REQUEST's message id within the sender's network (the agent
-- that forwarded it may have been re-enrolled since), and states and organs are names of the
-- transition table ([a-z-], as STATUS carries them), never free text.

CREATE INDEX requests_message_idx ON requests (network, message_id);

ALTER TABLE requests ADD CONSTRAINT requests_state_name CHECK (state ~ '^[a-z][a-z-]{0,31}$');
ALTER TABLE request_history ADD CONSTRAINT request_history_state_name CHECK (state ~ '^[a-z][a-z-]{0,31}$');
ALTER TABLE request_history ADD CONSTRAINT request_history_organ_name CHECK (organ ~ '^[a-z][a-z-]{0,31}$');
