-- 0015_national_requests.sql — national requests (plan 3.4, issue 9): the monitoring of a
-- recommendation may lead to new work, opened by the bureau itself (`cii-hub request new
-- --from-monitoring REC`): a request with no network and no agent, linked to the recommendation,
-- with its CII-YYYY-NNNN from the same gapless counter. Every other request came from a network.
-- The rules are in hub/service/hub_requests.c (hub_requests_from_monitoring).

ALTER TABLE requests ADD COLUMN from_rec_id bigint REFERENCES recommendations (id);
ALTER TABLE requests ALTER COLUMN agent_id DROP NOT NULL;
ALTER TABLE requests ALTER COLUMN network DROP NOT NULL;
-- Either a network's (its agent and network, its REQUEST's message id) or a national one (from
-- the monitoring of a recommendation, message_id ''), never both, never neither.
ALTER TABLE requests ADD CONSTRAINT requests_origin CHECK (
    (agent_id IS NOT NULL AND network IS NOT NULL AND from_rec_id IS NULL)
    OR (agent_id IS NULL AND network IS NULL AND from_rec_id IS NOT NULL AND message_id = ''));
CREATE INDEX requests_from_rec_idx ON requests (from_rec_id) WHERE from_rec_id IS NOT NULL;

-- The match index holds national requests too: no network (NULL), so that they are never counted
-- as another network's similar request (C3), while theirs can be matched against every network.
ALTER TABLE match_docs ALTER COLUMN network DROP NOT NULL;
