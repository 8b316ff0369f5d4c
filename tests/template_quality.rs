//! Message templating quality: masking of every variable kind, miner stability across a
//! serialize/deserialize pass boundary, and a Grouping Accuracy floor on the Loghub-2k copies.

use crate::support::loghub;

use rounds::core::fingerprint::template::{mask, MinerConfig, TemplateMiner};
use std::path::PathBuf;

fn datasets() -> Vec<(String, Vec<loghub::Row>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/loghub");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixture dir")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.to_string_lossy().ends_with("_structured_corrected.csv"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 8, "the 8 Loghub-2k datasets are copied");
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("read fixture");
            let rows = loghub::read_rows(&text).expect("parse fixture");
            assert_eq!(rows.len(), 2000, "{}", p.display());
            let name = p
                .file_name()
                .unwrap()
                .to_string_lossy()
                .split('_')
                .next()
                .unwrap()
                .to_string();
            (name, rows)
        })
        .collect()
}

/// A variable token per line (a client address, a request id or a timestamp), spread like real
/// ones so neighbouring lines rarely share one.
fn leading_variable(kind: &str, i: usize) -> String {
    let x = (i as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let b = |k: u32| (x >> (8 * k)) & 0xff;
    match kind {
        "ip" => format!("{}.{}.{}.{}", 1 + b(7) % 223, b(6), b(5), b(4)),
        "reqid" => format!("req-{:012x}", x >> 16),
        _ => format!(
            "2026-12-{:02}T{:02}:{:02}:{:02}Z",
            1 + b(7) % 28,
            b(6) % 24,
            b(5) % 60,
            b(4) % 60
        ),
    }
}

/// Cluster ids in file order, each resolved to its final cluster; optionally with a
/// serialize/deserialize round trip after `split` messages.
fn mine(rows: &[loghub::Row], split: Option<usize>) -> (Vec<u64>, String) {
    let mut miner = TemplateMiner::new(MinerConfig::default());
    let mut ids = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        if split == Some(i) {
            let json = serde_json::to_string(&miner).unwrap();
            miner = serde_json::from_str(&json).unwrap();
        }
        ids.push(miner.add("dataset", &r.content).cluster_id);
    }
    (ids, serde_json::to_string(&miner).unwrap())
}

#[test]
fn csv_reader_handles_rfc4180_quoting() {
    let rows = loghub::parse_csv("a,b\r\n\"x, y\",\"say \"\"hi\"\"\nthere\"\n");
    assert_eq!(
        rows,
        vec![vec!["a", "b"], vec!["x, y", "say \"hi\"\nthere"]]
    );
}

#[test]
fn masks_every_variable_kind() {
    let cases = [
        ("read 4096 bytes in 12ms", "read <*> in <*>"),
        ("took 3.5s", "took <*>"),
        ("ptr 0xdeadbeef", "ptr <*>"),
        (
            "req 550e8400-e29b-41d4-a716-446655440000 failed",
            "req <*> failed",
        ),
        ("dial 10.1.2.3:8080 refused", "dial <*> refused"),
        ("peer 2001:db8::8a2e:370:7334 reset", "peer <*> reset"),
        ("lookup db-7.prod.example.com failed", "lookup <*> failed"),
        ("GET http://api.local/v1/users?id=3&x=y 500", "GET <*>"),
        ("open /etc/app/conf.d/x.yaml: denied", "open <*> denied"),
        ("notify admin@example.org", "notify <*>"),
        ("at 2024-03-01 12:00:01,123 start", "at <*> start"),
        ("name 'my table' unknown", "name '<*>' unknown"),
        ("arg \"a b\" bad", "arg \"<*>\" bad"),
        ("block blk_-9876543210 lost", "block <*> lost"),
        ("no user42", "no <*>"),
        ("index:42 size=12 (id=5)", "index:<*> size=<*> (id=<*>)"),
        ("list 1, 2, 3, 4 done", "list <*> done"),
    ];
    for (input, want) in cases {
        assert_eq!(mask(input), want, "mask({input:?})");
    }
}

#[test]
fn miner_is_stable_across_serialize_deserialize() {
    for (name, rows) in datasets() {
        let (one_pass, state_one) = mine(&rows, None);
        let (two_pass, state_two) = mine(&rows, Some(rows.len() / 2));
        assert_eq!(
            one_pass, two_pass,
            "{name}: cluster ids differ after a pass boundary"
        );
        assert_eq!(state_one, state_two, "{name}: final state differs");
    }
}

#[test]
fn grouping_accuracy_floor_on_loghub() {
    let mut miner_gas = Vec::new();
    let mut mask_gas = Vec::new();
    for (name, rows) in datasets() {
        let truth: Vec<&str> = rows.iter().map(|r| r.template.as_str()).collect();
        let (ids, _) = mine(&rows, None);
        let (ga, _) = loghub::ga_fga(&truth, &ids);
        let masked: Vec<String> = rows.iter().map(|r| mask(&r.content)).collect();
        let (mask_ga, _) = loghub::ga_fga(&truth, &masked);
        eprintln!("{name}: miner GA {ga:.3}, mask GA {mask_ga:.3}");
        // The floor for every dataset (lowest measured: Linux 0.938; docs/grouping.md).
        assert!(ga >= 0.75, "{name}: GA {ga:.3} below the floor");
        miner_gas.push(ga);
        mask_gas.push(mask_ga);
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let (miner_mean, mask_mean) = (mean(&miner_gas), mean(&mask_gas));
    eprintln!("mean: miner {miner_mean:.3}, mask {mask_mean:.3}");
    assert!(miner_mean >= 0.92, "mean GA {miner_mean:.3} below 0.92");
    assert!(
        mask_mean >= 0.75,
        "mask-only mean GA {mask_mean:.3} regressed"
    );
    assert!(
        miner_mean > mask_mean + 0.1,
        "the miner must beat per-event masking"
    );
}

#[test]
fn a_variable_first_token_costs_at_most_two_points_of_ga() {
    // Issue 10's perturbation: prepend a variable token to every message of every dev dataset;
    // the mean GA must not drop by more than 0.02 (docs/grouping.md, "Perturbation").
    for kind in ["ip", "reqid", "timestamp"] {
        let (mut plain, mut perturbed) = (Vec::new(), Vec::new());
        for (name, rows) in datasets() {
            let truth: Vec<&str> = rows.iter().map(|r| r.template.as_str()).collect();
            let (ids, _) = mine(&rows, None);
            plain.push(loghub::ga_fga(&truth, &ids).0);
            let mut miner = TemplateMiner::new(MinerConfig::default());
            let ids: Vec<u64> = rows
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let msg = format!("{} {}", leading_variable(kind, i), r.content);
                    miner.add("dataset", &msg).cluster_id
                })
                .collect();
            let ga = loghub::ga_fga(&truth, &ids).0;
            let before = plain[plain.len() - 1];
            eprintln!("{kind} {name}: GA {ga:.3} (unperturbed {before:.3})");
            // Per dataset too: routing by position lost 0.09 on Android (0.951 -> 0.859) while the
            // mean moved only 0.015.
            assert!(
                ga >= before - 0.02,
                "{kind} {name}: GA {ga:.3} vs {before:.3}"
            );
            perturbed.push(ga);
        }
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        let (p, q) = (mean(&plain), mean(&perturbed));
        assert!(
            q >= p - 0.02,
            "{kind}: mean GA {q:.3} vs {p:.3} unperturbed"
        );
    }
}
