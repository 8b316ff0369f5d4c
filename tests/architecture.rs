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
