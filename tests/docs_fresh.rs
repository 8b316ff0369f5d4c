//! The man pages and completions in the repository are what the clap definition generates now.

use std::path::Path;

#[test]
fn man_pages_and_completions_are_fresh() {
    let tmp = tempfile::tempdir().unwrap();
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_rounds"))
        .args(["generate", tmp.path().to_str().unwrap()])
        .status()
        .unwrap();
    assert!(status.success());
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in ["man", "completions"] {
        let mut names: Vec<_> = std::fs::read_dir(tmp.path().join(dir))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        assert!(!names.is_empty());
        for name in names {
            let fresh = std::fs::read(tmp.path().join(dir).join(&name)).unwrap();
            let committed = std::fs::read(root.join(dir).join(&name)).unwrap_or_default();
            assert!(
                fresh == committed,
                "{dir}/{} is stale: run `cargo run -- generate .` and commit the result",
                name.to_string_lossy()
            );
        }
    }
}
