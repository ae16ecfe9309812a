-- 0001_initial.sql — the agent's first schema (cii-agent 0.1.0, PRAGMA user_version 1): its
-- configuration from the enrollment bundle, the network's cantons, signals, the durable outbox of
-- upward messages, the inbox of downward items, notices and the daemon's status. Never edit a
-- released migration: add the next one. State directories made by 0.1.0 already hold exactly this.

CREATE TABLE config (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL);
CREATE TABLE cantons (
    code TEXT PRIMARY KEY,
    position INTEGER NOT NULL);
CREATE TABLE signals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id TEXT NOT NULL UNIQUE,
    canton TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    institutions TEXT NOT NULL,
    target_groups TEXT NOT NULL,
    national_reason TEXT NOT NULL,
    language TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    delivered_at INTEGER,
    hub_ref TEXT,
    hub_received_at INTEGER,
    refused_code INTEGER,
    refused_text TEXT);
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    ref_id INTEGER NOT NULL,
    body BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms INTEGER NOT NULL DEFAULT 0,
    last_sent_ms INTEGER);
CREATE INDEX outbox_due ON outbox (next_attempt_ms, id);
CREATE TABLE inbox (
    seq INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    body BLOB NOT NULL,
    received_at INTEGER NOT NULL);
CREATE TABLE notices (
    seq INTEGER PRIMARY KEY REFERENCES inbox (seq),
    notice_id INTEGER NOT NULL,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    networks TEXT NOT NULL,
    issued_at INTEGER NOT NULL,
    received_at INTEGER NOT NULL);
CREATE TABLE status (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL);
