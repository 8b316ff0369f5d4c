//! Golden files under `tests/golden/`: output that is the contract, compared byte for byte.
//! `UPDATE_GOLDEN=1 cargo test` rewrites them (review the diff before committing).
#![allow(dead_code)]

use std::path::Path;

/// Assert `actual` equals `tests/golden/<name>`, or write it there under `UPDATE_GOLDEN`.
pub fn golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with UPDATE_GOLDEN=1 to create)",
            path.display()
        )
    });
    assert!(
        expected == actual,
        "{} differs from the output (UPDATE_GOLDEN=1 rewrites it):\n{actual}",
        path.display()
    );
}
