//! Dependencies point inward: `src/core` never imports adapters, the app layer, or I/O crates.

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn core_depends_on_nothing_outside_the_hexagon() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/core");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    assert!(files.len() > 5);
    let forbidden = [
        "crate::adapters",
        "crate::app",
        "crate::cli",
        "crate::output",
        "crate::exit",
        "ureq",
        "rusqlite",
        "clap",
        "indicatif",
        "comfy_table",
        "flate2",
        "humantime",
        "dirs::",
        "which::",
    ];
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for line in text
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with("use ") || l.contains("::"))
        {
            if line.starts_with("//") {
                continue;
            }
            for bad in forbidden {
                let imports = line.starts_with("use ") && line.contains(bad);
                let paths = line.contains(&format!("{bad}::"));
                assert!(!imports && !paths, "{} imports {bad}: {line}", f.display());
            }
        }
    }
}

#[test]
fn only_the_wiring_names_adapters_in_the_app_layer() {
    // The README's promise: `src/app/wiring.rs` is the one place that names concrete adapters;
    // commands, settings and the output go through it.
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src.join("app"), &mut files);
    rust_files(&src.join("output"), &mut files);
    files.push(src.join("cli.rs"));
    assert!(files.len() > 10);
    for f in files {
        if f.ends_with("app/wiring.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&f).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            assert!(
                !code.contains("crate::adapters") && !code.contains("rounds::adapters"),
                "{}:{} names an adapter outside src/app/wiring.rs: {}",
                f.display(),
                n + 1,
                line.trim()
            );
        }
    }
}

#[test]
fn every_source_file_starts_with_a_doc_line() {
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        assert!(
            text.starts_with("//!"),
            "{} must start with a `//!` line",
            f.display()
        );
    }
}

/// The store port's role traits (`core::ports::store`), which together make a `SignatureStore`.
const STORE_ROLES: [&str; 6] = [
    "PassTransaction",
    "EventLedger",
    "SignatureLifecycle",
    "DiagnosisLedger",
    "NotificationOutbox",
    "Cursors",
];

/// The `fn` names between `start` and the first line that is exactly `}` after it.
fn fns_of_block(text: &str, start: &str) -> std::collections::BTreeSet<String> {
    let at = text.find(start).unwrap_or_else(|| panic!("no {start:?}"));
    let body = &text[at..];
    let end = body.find("\n}\n").unwrap_or(body.len());
    regex::Regex::new(r"\bfn ([a-z_0-9]+)")
        .unwrap()
        .captures_iter(&body[..end])
        .map(|c| c[1].to_string())
        .collect()
}

#[test]
fn the_store_switch_forwards_every_store_method_defaults_included() {
    // A trait default left unforwarded by `AnyStore` runs the default for every real store (a
    // missed `release_pass_lock` kept the SQLite lock through diagnosis).
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let port = std::fs::read_to_string(root.join("src/core/ports/store.rs")).unwrap();
    let any = std::fs::read_to_string(root.join("src/adapters/store/any.rs")).unwrap();
    let mut wanted = std::collections::BTreeSet::new();
    let mut forwarded = std::collections::BTreeSet::new();
    for role in STORE_ROLES {
        wanted.extend(fns_of_block(&port, &format!("pub trait {role} ")));
        forwarded.extend(fns_of_block(&any, &format!("impl {role} for AnyStore")));
    }
    assert!(wanted.len() > 30, "{wanted:?}");
    let missing: Vec<_> = wanted.difference(&forwarded).collect();
    assert!(missing.is_empty(), "AnyStore does not forward {missing:?}");
}
