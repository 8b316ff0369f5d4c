//! Append-only schema migrations of the PostgreSQL store, kept in step with SQLite's: migration N
//! here means what migration N means there (the same schema version numbers), in PostgreSQL's
//! types. The version is the one row of `rounds_schema`; each migration runs in one transaction.
//! Never edit a released migration: add a new one at the end, here and in SQLite.
//!
//! Differences that are PostgreSQL's, not the schema's: nanosecond times are BIGINT, flags are
//! BOOLEAN, costs DOUBLE PRECISION, JSON stays TEXT (the same strings SQLite holds), SQLite's
//! implicit `rowid` is an explicit `seq` identity where order matters, and cursors and host-local
//! state carry the instance (`ROUNDS_INSTANCE`) so hosts polling different backends don't share one.

pub const MIGRATIONS: &[&str] = &[
    // 1: the whole initial schema.
    r#"
CREATE TABLE signatures (
    id                TEXT PRIMARY KEY,
    algorithm_version BIGINT NOT NULL,
    basis             TEXT NOT NULL,
    status            TEXT NOT NULL,
    exception_type    TEXT NOT NULL,
    template          TEXT NOT NULL,
    key_frames        TEXT NOT NULL,
    services          TEXT NOT NULL,
    count             BIGINT NOT NULL,
    first_seen        BIGINT NOT NULL,
    last_seen         BIGINT NOT NULL,
    sample_stack      TEXT,
    sample_message    TEXT,
    ignore_reason     TEXT,
    ignored_until     BIGINT,
    no_merge          BOOLEAN NOT NULL DEFAULT FALSE,
    explain           TEXT,
    last_ingested     BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX signatures_last_seen ON signatures(last_seen);

CREATE TABLE signature_aliases (
    alias        TEXT PRIMARY KEY,
    signature_id TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);

CREATE TABLE status_history (
    seq          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    signature_id TEXT NOT NULL,
    at           BIGINT NOT NULL,
    from_status  TEXT,
    to_status    TEXT NOT NULL,
    reason       TEXT NOT NULL
);
CREATE INDEX status_history_sig ON status_history(signature_id, at);

-- The event ledger: the unique key is what makes an event count once across every host.
CREATE TABLE events (
    seq          BIGINT GENERATED ALWAYS AS IDENTITY,
    event_key    BYTEA NOT NULL UNIQUE,
    signature_id TEXT NOT NULL,
    trace_id     TEXT NOT NULL,
    span_id      TEXT NOT NULL,
    timestamp    BIGINT NOT NULL,
    service      TEXT NOT NULL,
    ingested_at  BIGINT NOT NULL
);
CREATE INDEX events_signature ON events(signature_id, timestamp);
CREATE INDEX events_ingested ON events(ingested_at);

CREATE TABLE hourly_counts (
    signature_id TEXT NOT NULL,
    hour         BIGINT NOT NULL,
    count        BIGINT NOT NULL,
    PRIMARY KEY (signature_id, hour)
);

CREATE TABLE cursors (
    instance   TEXT NOT NULL,
    scope      TEXT NOT NULL,
    position   BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (instance, scope)
);

CREATE TABLE passes (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    started_at  BIGINT NOT NULL,
    finished_at BIGINT NOT NULL,
    source      TEXT NOT NULL,
    events_read BIGINT NOT NULL,
    duplicates  BIGINT NOT NULL,
    new         BIGINT NOT NULL,
    recurring   BIGINT NOT NULL,
    regressed   BIGINT NOT NULL,
    skipped     BIGINT NOT NULL
);

CREATE TABLE diagnoses (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    signature_id      TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    root_cause        TEXT NOT NULL,
    suggested_fix     TEXT NOT NULL,
    confidence        TEXT NOT NULL,
    evidence          TEXT NOT NULL,
    backend           TEXT NOT NULL,
    model             TEXT NOT NULL,
    cost_usd          DOUBLE PRECISION,
    input_tokens      BIGINT NOT NULL,
    output_tokens     BIGINT NOT NULL,
    duration_ms       BIGINT NOT NULL,
    prompt_version    BIGINT NOT NULL,
    codebase_revision TEXT
);
CREATE INDEX diagnoses_sig ON diagnoses(signature_id, created_at);

CREATE TABLE diagnosis_attempts (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    signature_id      TEXT NOT NULL,
    at                BIGINT NOT NULL,
    backend           TEXT NOT NULL,
    model             TEXT NOT NULL,
    kind              TEXT NOT NULL,
    detail            TEXT NOT NULL,
    codebase_revision TEXT
);
CREATE INDEX diagnosis_attempts_sig ON diagnosis_attempts(signature_id, at);

CREATE TABLE spend_ledger (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at           BIGINT NOT NULL,
    signature_id TEXT NOT NULL,
    backend      TEXT NOT NULL,
    model        TEXT NOT NULL,
    cost_usd     DOUBLE PRECISION NOT NULL,
    estimated    BOOLEAN NOT NULL
);
CREATE INDEX spend_ledger_at ON spend_ledger(at);

CREATE TABLE notifications (
    seq          BIGINT GENERATED ALWAYS AS IDENTITY,
    channel      TEXT NOT NULL,
    signature_id TEXT NOT NULL,
    dedup_key    TEXT NOT NULL,
    state        TEXT NOT NULL,
    external_ref TEXT,
    at           BIGINT NOT NULL,
    PRIMARY KEY (channel, signature_id, dedup_key)
);

CREATE TABLE reports (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at BIGINT NOT NULL
);

-- Algorithm state; host-local keys (file checkpoints) carry the instance, shared ones ''.
CREATE TABLE state (
    instance TEXT NOT NULL DEFAULT '',
    key      TEXT NOT NULL,
    value    TEXT NOT NULL,
    PRIMARY KEY (instance, key)
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
    seq             BIGINT GENERATED ALWAYS AS IDENTITY,
    signature_id    TEXT NOT NULL,
    event_key       BYTEA NOT NULL,
    timestamp       BIGINT NOT NULL,
    service         TEXT NOT NULL,
    service_version TEXT,
    trace_id        TEXT NOT NULL,
    span_id         TEXT NOT NULL,
    message         TEXT,
    attributes      TEXT NOT NULL
);
CREATE INDEX event_samples_sig ON event_samples(signature_id, timestamp);
"#,
    // 4: records a pass skipped as unreadable (poison).
    r#"
ALTER TABLE passes ADD COLUMN quarantined BIGINT NOT NULL DEFAULT 0;
"#,
    // 5: notifications are an outbox: intent rows are retried with backoff until sent or given up.
    r#"
ALTER TABLE notifications ADD COLUMN first_at BIGINT;
ALTER TABLE notifications ADD COLUMN attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE notifications ADD COLUMN next_attempt BIGINT NOT NULL DEFAULT 0;
CREATE INDEX notifications_outbox ON notifications(state, next_attempt);
"#,
    // 6: releases (`service.version`) and environments per signature, bounded by core::releases;
    // the release a signature was resolved "in the next release" of (with its first seen) and
    // the release it last regressed in.
    r#"
CREATE TABLE signature_releases (
    signature_id TEXT NOT NULL,
    release      TEXT NOT NULL,
    count        BIGINT NOT NULL,
    first_seen   BIGINT NOT NULL,
    last_seen    BIGINT NOT NULL,
    PRIMARY KEY (signature_id, release)
);
CREATE TABLE signature_environments (
    signature_id TEXT NOT NULL,
    environment  TEXT NOT NULL,
    count        BIGINT NOT NULL,
    first_seen   BIGINT NOT NULL,
    last_seen    BIGINT NOT NULL,
    PRIMARY KEY (signature_id, environment)
);
ALTER TABLE signatures ADD COLUMN resolved_in_release TEXT;
ALTER TABLE signatures ADD COLUMN resolved_in_release_seen BIGINT;
ALTER TABLE signatures ADD COLUMN regressed_in_release TEXT;
"#,
    // 7: spend reservations: a call's worst case, written before the LLM starts and settled
    // after; an unsettled one counts as spend and claims its signature. The owner is a process
    // of the instance that made it (pid:start means nothing on another host).
    r#"
CREATE TABLE spend_reservations (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at             BIGINT NOT NULL,
    signature_id   TEXT NOT NULL,
    backend        TEXT NOT NULL,
    model          TEXT NOT NULL,
    worst_case_usd DOUBLE PRECISION NOT NULL,
    owner          TEXT NOT NULL,
    instance       TEXT NOT NULL
);
CREATE INDEX spend_reservations_sig ON spend_reservations(signature_id);
"#,
];

#[cfg(test)]
mod tests {
    #[test]
    fn in_step_with_sqlite() {
        // A SQLite migration without its PostgreSQL twin (or the reverse) fails here.
        assert_eq!(
            super::MIGRATIONS.len() as i64,
            crate::adapters::store::sqlite::SqliteStore::known_schema_version()
        );
    }
}
