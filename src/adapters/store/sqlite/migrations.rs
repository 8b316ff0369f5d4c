//! Append-only schema migrations keyed on `PRAGMA user_version`; each runs in one transaction.
//! Never edit a released migration: add a new one at the end.

pub const MIGRATIONS: &[&str] = &[
    // 1: the whole initial schema.
    r#"
CREATE TABLE signatures (
    id                TEXT PRIMARY KEY,
    algorithm_version INTEGER NOT NULL,
    basis             TEXT NOT NULL,
    status            TEXT NOT NULL,
    exception_type    TEXT NOT NULL,
    template          TEXT NOT NULL,
    key_frames        TEXT NOT NULL,          -- JSON array of frames
    services          TEXT NOT NULL,          -- JSON array of service names
    count             INTEGER NOT NULL,
    first_seen        INTEGER NOT NULL,       -- unix nanos
    last_seen         INTEGER NOT NULL,
    sample_stack      TEXT,
    sample_message    TEXT,
    ignore_reason     TEXT,
    ignored_until     INTEGER,
    no_merge          INTEGER NOT NULL DEFAULT 0,
    explain           TEXT,                   -- JSON: dropped frames and reasons
    last_ingested     INTEGER NOT NULL DEFAULT 0  -- when a pass last counted an event of it
);
CREATE INDEX signatures_last_seen ON signatures(last_seen);

-- An absorbed signature id keeps resolving to its survivor.
CREATE TABLE signature_aliases (
    alias        TEXT PRIMARY KEY,
    signature_id TEXT NOT NULL,
    created_at   INTEGER NOT NULL
);

CREATE TABLE status_history (
    signature_id TEXT NOT NULL,
    at           INTEGER NOT NULL,
    from_status  TEXT,
    to_status    TEXT NOT NULL,
    reason       TEXT NOT NULL
);
CREATE INDEX status_history_sig ON status_history(signature_id, at);

-- The event ledger: one row per event ever counted (until retention prunes it). Rows append in
-- ingest order; only the 16-byte key index takes random inserts, which keeps a large pass in cache.
CREATE TABLE events (
    event_key    BLOB NOT NULL UNIQUE,
    signature_id TEXT NOT NULL,
    trace_id     TEXT NOT NULL,
    span_id      TEXT NOT NULL,
    timestamp    INTEGER NOT NULL,
    service      TEXT NOT NULL,
    ingested_at  INTEGER NOT NULL
);
CREATE INDEX events_signature ON events(signature_id, timestamp);

CREATE TABLE hourly_counts (
    signature_id TEXT NOT NULL,
    hour         INTEGER NOT NULL,            -- unix hours
    count        INTEGER NOT NULL,
    PRIMARY KEY (signature_id, hour)
) WITHOUT ROWID;

CREATE TABLE cursors (
    scope      TEXT PRIMARY KEY,
    position   INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE passes (
    id          INTEGER PRIMARY KEY,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER NOT NULL,
    source      TEXT NOT NULL,
    events_read INTEGER NOT NULL,
    duplicates  INTEGER NOT NULL,
    new         INTEGER NOT NULL,
    recurring   INTEGER NOT NULL,
    regressed   INTEGER NOT NULL,
    skipped     INTEGER NOT NULL
);

CREATE TABLE diagnoses (
    id                INTEGER PRIMARY KEY,
    signature_id      TEXT NOT NULL,
    created_at        INTEGER NOT NULL,
    root_cause        TEXT NOT NULL,
    suggested_fix     TEXT NOT NULL,
    confidence        TEXT NOT NULL,
    evidence          TEXT NOT NULL,          -- JSON array
    backend           TEXT NOT NULL,
    model             TEXT NOT NULL,
    cost_usd          REAL,
    input_tokens      INTEGER NOT NULL,
    output_tokens     INTEGER NOT NULL,
    duration_ms       INTEGER NOT NULL,
    prompt_version    INTEGER NOT NULL,
    codebase_revision TEXT
);
CREATE INDEX diagnoses_sig ON diagnoses(signature_id, created_at);

CREATE TABLE diagnosis_attempts (
    id                INTEGER PRIMARY KEY,
    signature_id      TEXT NOT NULL,
    at                INTEGER NOT NULL,
    backend           TEXT NOT NULL,
    model             TEXT NOT NULL,
    kind              TEXT NOT NULL,
    detail            TEXT NOT NULL,
    codebase_revision TEXT
);
CREATE INDEX diagnosis_attempts_sig ON diagnosis_attempts(signature_id, at);

CREATE TABLE spend_ledger (
    id           INTEGER PRIMARY KEY,
    at           INTEGER NOT NULL,
    signature_id TEXT NOT NULL,
    backend      TEXT NOT NULL,
    model        TEXT NOT NULL,
    cost_usd     REAL NOT NULL,
    estimated    INTEGER NOT NULL
);
CREATE INDEX spend_ledger_at ON spend_ledger(at);

CREATE TABLE notifications (
    channel      TEXT NOT NULL,
    signature_id TEXT NOT NULL,
    dedup_key    TEXT NOT NULL,
    state        TEXT NOT NULL,               -- intent | sent
    external_ref TEXT,
    at           INTEGER NOT NULL,
    PRIMARY KEY (channel, signature_id, dedup_key)
);

CREATE TABLE reports (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL
);

-- Persistent state of core algorithms (e.g. the template miner), JSON-encoded.
CREATE TABLE state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"#,
    // 2: merges re-key rows by signature id; these lookups must not scan whole tables.
    r#"
CREATE INDEX signature_aliases_target ON signature_aliases(signature_id);
CREATE INDEX notifications_sig ON notifications(signature_id);
CREATE INDEX spend_ledger_sig ON spend_ledger(signature_id);
"#,
    // 3: a few whole events per signature (attributes, version, message) for prompts and `show`.
    r#"
CREATE TABLE event_samples (
    signature_id    TEXT NOT NULL,
    event_key       BLOB NOT NULL,
    timestamp       INTEGER NOT NULL,
    service         TEXT NOT NULL,
    service_version TEXT,
    trace_id        TEXT NOT NULL,
    span_id         TEXT NOT NULL,
    message         TEXT,
    attributes      TEXT NOT NULL             -- JSON object of strings
);
CREATE INDEX event_samples_sig ON event_samples(signature_id, timestamp);
"#,
    // 4: records a pass skipped as unreadable (poison), so `report` can say what was not counted.
    r#"
ALTER TABLE passes ADD COLUMN quarantined INTEGER NOT NULL DEFAULT 0;
"#,
    // 5: notifications are an outbox: intent rows are retried with backoff until sent or given
    // up (state given_up). Rows written before this have first_at NULL (their `at` stands in).
    r#"
ALTER TABLE notifications ADD COLUMN first_at INTEGER;
ALTER TABLE notifications ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE notifications ADD COLUMN next_attempt INTEGER NOT NULL DEFAULT 0;
CREATE INDEX notifications_outbox ON notifications(state, next_attempt);
"#,
    // 6: releases (`service.version`) and environments per signature, bounded by
    // core::releases; the release a signature was resolved "in the next release" of (with its
    // first seen, for names that are not versions) and the release it last regressed in.
    // Signatures from before this count their releases from the next pass on.
    r#"
CREATE TABLE signature_releases (
    signature_id TEXT NOT NULL,
    release      TEXT NOT NULL,
    count        INTEGER NOT NULL,
    first_seen   INTEGER NOT NULL,
    last_seen    INTEGER NOT NULL,
    PRIMARY KEY (signature_id, release)
) WITHOUT ROWID;
CREATE TABLE signature_environments (
    signature_id TEXT NOT NULL,
    environment  TEXT NOT NULL,
    count        INTEGER NOT NULL,
    first_seen   INTEGER NOT NULL,
    last_seen    INTEGER NOT NULL,
    PRIMARY KEY (signature_id, environment)
) WITHOUT ROWID;
ALTER TABLE signatures ADD COLUMN resolved_in_release TEXT;
ALTER TABLE signatures ADD COLUMN resolved_in_release_seen INTEGER;
ALTER TABLE signatures ADD COLUMN regressed_in_release TEXT;
"#,
    // 7: spend reservations: a call's worst case, written before the LLM starts and settled
    // after; an unsettled one counts as spend and claims its signature.
    r#"
CREATE TABLE spend_reservations (
    id             INTEGER PRIMARY KEY,
    at             INTEGER NOT NULL,
    signature_id   TEXT NOT NULL,
    backend        TEXT NOT NULL,
    model          TEXT NOT NULL,
    worst_case_usd REAL NOT NULL,
    owner          TEXT NOT NULL           -- pid:start of the process that made it
);
CREATE INDEX spend_reservations_sig ON spend_reservations(signature_id);
"#,
];
