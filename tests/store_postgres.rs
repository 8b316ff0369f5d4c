//! The PostgreSQL store against a real server (`ROUNDS_TEST_DATABASE_URL`, started by
//! `tests/e2e/postgres.sh` in `.ci/run`): the store contract's factory (a fresh schema per test),
//! and what only a shared server shows: many hosts' processes at once, the pass lock, per-instance
//! cursors, redacted URLs, and `rounds store copy` from SQLite.
//!
//! Every test here is `#[ignore = "needs PostgreSQL: …"]`: `cargo test` lists them as ignored,
//! `.ci/run` runs them with `--include-ignored`, and one run without the variable fails.

use rounds::adapters::store::postgres::{PgConfig, PgStore};
use rounds::adapters::store::sqlite::Access;
use rounds::core::ports::store::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The test server's URL, or a failure saying how to get one (never a silent pass).
pub fn database_url() -> String {
    match std::env::var("ROUNDS_TEST_DATABASE_URL") {
        Ok(u) if !u.trim().is_empty() => u,
        _ => panic!(
            "needs PostgreSQL: set ROUNDS_TEST_DATABASE_URL (e.g. `tests/e2e/postgres.sh start DIR` prints one)"
        ),
    }
}

/// A schema of its own for one test, dropped (with everything in it) when this goes.
pub struct Schema {
    pub url: String,
    pub name: String,
}

impl Schema {
    pub fn fresh() -> Schema {
        static N: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let name = format!(
            "t_{}_{}_{nanos}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        Schema {
            url: database_url(),
            name,
        }
    }

    pub fn config(&self, instance: &str) -> PgConfig {
        PgConfig {
            url: self.url.clone(),
            schema: self.name.clone(),
            instance: instance.to_string(),
        }
    }

    pub fn open(&self, instance: &str) -> PgStore {
        PgStore::open(
            &self.config(instance),
            Access::Write {
                lock_wait: Duration::from_secs(1),
            },
        )
        .unwrap()
    }

    /// A plain client on the test database (for checks the store does not offer).
    pub fn client(&self) -> postgres::Client {
        let mut c = postgres::Client::connect(&self.url, postgres::NoTls).unwrap();
        c.batch_execute(&format!("SET search_path TO {}", self.name))
            .unwrap();
        c
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(&self.url, postgres::NoTls) {
            let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name));
        }
    }
}

const NEEDS: &str = "needs PostgreSQL: set ROUNDS_TEST_DATABASE_URL (tests/e2e/postgres.sh)";

/// The password in a test URL (`postgresql://user:PASSWORD@…`), to check it is never shown.
fn password_of(url: &str) -> String {
    let rest = url.split("://").nth(1).unwrap();
    let userinfo = rest.split('@').next().unwrap();
    userinfo.split(':').nth(1).unwrap_or("").to_string()
}

/// An isolated `rounds` environment pointed at `schema` as instance `instance`.
fn env_for(schema: &Schema, instance: &str) -> crate::support::harness::Env {
    let mut env = crate::support::harness::Env::new();
    env.set("STORE_BACKEND", "postgresql")
        .set("DATABASE_URL", &schema.url)
        .set("STORE_PG_SCHEMA", &schema.name)
        .set("ROUNDS_INSTANCE", instance);
    env
}

#[test]
#[ignore = "needs PostgreSQL: set ROUNDS_TEST_DATABASE_URL (tests/e2e/postgres.sh)"]
fn cursors_and_file_checkpoints_are_per_instance() {
    let _ = NEEDS;

    let schema = Schema::fresh();
    {
        let mut a = schema.open("host-a");
        a.set_cursor("jaeger:http://j", 42, 1).unwrap();
        a.put_state("otlp_file.checkpoints:otlp_file:/var/log/x", "{\"a\":1}")
            .unwrap();
        a.put_state("template_miner", "{\"shared\":true}").unwrap();
    }
    let b = schema.open("host-b");
    assert_eq!(b.cursor("jaeger:http://j").unwrap(), None);
    assert_eq!(
        b.state("otlp_file.checkpoints:otlp_file:/var/log/x")
            .unwrap(),
        None
    );
    assert_eq!(
        b.state("template_miner").unwrap().as_deref(),
        Some("{\"shared\":true}")
    );
    drop(b);
    let a = schema.open("host-a");
    assert_eq!(a.cursor("jaeger:http://j").unwrap(), Some(42));
    let rows = schema
        .client()
        .query("SELECT instance, scope FROM cursors", &[])
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].get::<_, String>(0), "host-a");
}

#[test]
#[ignore = "needs PostgreSQL: set ROUNDS_TEST_DATABASE_URL (tests/e2e/postgres.sh)"]
fn a_second_writer_waits_for_the_pass_lock_then_gives_up() {
    let schema = Schema::fresh();
    let first = schema.open("a");
    let started = std::time::Instant::now();
    let second = PgStore::open(
        &schema.config("b"),
        Access::Write {
            lock_wait: Duration::from_millis(500),
        },
    );
    let waited = started.elapsed();
    match second {
        Err(rounds::core::ports::StoreError::Locked { path, .. }) => {
            assert!(path.contains(&schema.name), "{path}");
            assert!(
                !path.contains(&password_of(&schema.url)) || password_of(&schema.url).is_empty()
            );
        }
        Err(e) => panic!("expected Locked, got {e}"),
        Ok(_) => panic!("a second writer got the pass lock while the first held it"),
    }
    assert!(waited >= Duration::from_millis(450), "{waited:?}");
    // Readers take no lock.
    PgStore::open(&schema.config("c"), Access::Read).unwrap();
    // Diagnosis lets the lock go: another writer gets in, and taking it back waits for that one.

    let mut first = first;
    first.release_pass_lock();
    let second = schema.open("b");
    assert!(matches!(
        first.reacquire_pass_lock(),
        Err(rounds::core::ports::StoreError::Locked { .. })
    ));
    drop(second);
    first.reacquire_pass_lock().unwrap();
    drop(first);
    schema.open("b");
}

#[test]
#[ignore = "needs PostgreSQL: set ROUNDS_TEST_DATABASE_URL (tests/e2e/postgres.sh)"]
fn the_password_is_never_printed() {
    let schema = Schema::fresh();
    let password = password_of(&schema.url);
    assert!(password.len() >= 8, "the test URL should carry a password");
    let env = env_for(&schema, "a");
    let example = crate::support::harness::repo("examples/otlp-errors.jsonl");
    let runs = [
        env.run(&["poll", "--input", &example]),
        env.run(&["status"]),
        env.run(&["status", "--json"]),
        env.run(&["list", "--json"]),
    ];
    for r in &runs {
        assert!(!r.stdout.contains(&password), "{}", r.stdout);
        assert!(!r.stderr.contains(&password), "{}", r.stderr);
    }
    assert_eq!(runs[0].code, 0, "{}", runs[0].stderr);
    let status = runs[2].json();
    assert_eq!(status["database"]["backend"], "postgresql");
    assert_eq!(status["database"]["instance"], "a");
    assert_eq!(
        status["database"]["schema_version"],
        status["database"]["schema_version_known"]
    );
    assert!(status["database"]["path"]
        .as_str()
        .unwrap()
        .contains(&schema.name));
    // A refused login names the server without the password, and exits 77.
    let mut bad = env_for(&schema, "a");
    bad.set(
        "DATABASE_URL",
        &schema.url.replace(&password, "wrong-password"),
    );
    let r = bad.run(&["list"]);
    assert_eq!(r.code, 77, "{}", r.stderr);
    assert!(!r.stderr.contains("wrong-password"), "{}", r.stderr);
    // A schema nobody created is missing (66), never created by a reader.
    let mut missing = env_for(&schema, "a");
    missing.set("STORE_PG_SCHEMA", &format!("{}_none", schema.name));
    let r = missing.run(&["list"]);
    assert_eq!(r.code, 66, "{}", r.stderr);
    assert!(r.stderr.contains("STORE_PG_SCHEMA"), "{}", r.stderr);
    // PGPASSWORD stands in for a URL without one.
    let mut via_env = env_for(&schema, "a");
    via_env
        .set(
            "DATABASE_URL",
            &schema.url.replace(&format!(":{password}@"), "@"),
        )
        .set("PGPASSWORD", &password);
    let r = via_env.run(&["list", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["signatures"], runs[3].json()["signatures"]);
}

#[test]
#[ignore = "needs PostgreSQL: set ROUNDS_TEST_DATABASE_URL (tests/e2e/postgres.sh)"]
fn store_copy_moves_a_sqlite_store_with_its_history() {
    let schema = Schema::fresh();
    let sqlite = crate::support::harness::Env::new();
    let example = crate::support::harness::repo("examples/otlp-errors.jsonl");
    let r = sqlite.run(&["poll", "--input", &example]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // History beyond ingest: an ignore, a resolve, a split.
    let list = sqlite.run(&["list", "--json", "--limit", "0"]).json();
    let ids: Vec<String> = list["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect();
    assert!(ids.len() >= 4, "{list}");
    assert_eq!(
        sqlite.run(&["ignore", &ids[0], "--reason", "noise"]).code,
        0
    );
    assert_eq!(sqlite.run(&["resolve", &ids[1]]).code, 0);
    assert_eq!(sqlite.run(&["split", &ids[2]]).code, 0);
    let r = sqlite.run(&["resolve", &ids[3], "--in-next-release"]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    let pg = env_for(&schema, "copier");
    let db = sqlite.db().display().to_string();
    let r = pg.run(&["store", "copy", "--from", &db]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("signatures"), "{}", r.stderr);
    assert!(
        !r.stderr.contains(&password_of(&schema.url)),
        "{}",
        r.stderr
    );

    let a = sqlite.run(&["list", "--json", "--all", "--limit", "0"]);
    let b = pg.run(&["list", "--json", "--all", "--limit", "0"]);
    assert_eq!(b.code, 0, "{}", b.stderr);
    assert_eq!(a.json()["signatures"], b.json()["signatures"]);
    for id in &ids {
        let a = sqlite.run(&["show", id, "--json", "--events", "0"]);
        let b = pg.run(&["show", id, "--json", "--events", "0"]);
        assert_eq!(b.code, 0, "{}", b.stderr);
        assert_eq!(a.json(), b.json(), "show {id} differs after the copy");
    }
    // The copy counted everything: re-polling the same file in PostgreSQL adds nothing (ledger
    // and file checkpoints came along, the latter as this instance's).
    let before = pg.total_count();
    let r = pg.run(&["poll", "--input", &example]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(pg.total_count(), before);
    // A second copy into the now non-empty schema is refused, changing nothing.
    let r = pg.run(&["store", "copy", "--from", &db]);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains("already holds signatures"),
        "{}",
        r.stderr
    );
    assert_eq!(pg.total_count(), before);
}
