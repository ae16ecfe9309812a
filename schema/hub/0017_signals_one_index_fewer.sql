-- 0017: one index fewer on the hot signals table (issue 10). A REQUEST names its signals by message
-- id; the hub found them through signals (network, message_id), a third index written with every
-- signal. It now finds them through ingest_log's primary key (agent, message id), which every
-- upward message writes anyway, and the signal's id in the log's ref ('SIG-' || id).
DROP INDEX signals_message_idx;
