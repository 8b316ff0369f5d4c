//! Evidence verification: a cited file that does not exist in the codebase is marked unverified
//! (a hallucination, or a path planted by injected telemetry).

use crate::core::model::Evidence;
use crate::core::ports::codebase::Codebase;
use crate::core::ports::diagnoser::CitedEvidence;
use crate::core::redact::Redactor;

/// Check each citation against the codebase; without a codebase nothing can be verified.
pub fn verify(
    cited: &[CitedEvidence],
    codebase: Option<&dyn Codebase>,
    redactor: &Redactor,
) -> Vec<Evidence> {
    cited
        .iter()
        .map(|c| {
            let (file, line) = split_location(&c.file, c.line);
            let verified = match codebase {
                Some(cb) => normalise(&file, cb.root()).is_some_and(|p| cb.exists(&p)),
                None => false,
            };
            Evidence {
                file: redactor.redact(&file),
                line,
                note: redactor.redact(&c.note),
                verified,
            }
        })
        .collect()
}

/// Models often put `path:line` in the file field; split it when no line was given separately.
fn split_location(file: &str, line: Option<u32>) -> (String, Option<u32>) {
    let file = file.trim();
    if line.is_none() {
        if let Some((path, tail)) = file.rsplit_once(':') {
            let digits: String = tail.chars().take_while(char::is_ascii_digit).collect();
            if !digits.is_empty() && !path.is_empty() {
                return (path.to_string(), digits.parse().ok());
            }
        }
    }
    (file.to_string(), line)
}

/// A root-relative path without `..`, or `None` when the citation points outside the root.
fn normalise(file: &str, root: &str) -> Option<String> {
    let root = root.trim_end_matches('/');
    let rel = match file.strip_prefix(root) {
        Some(r) if !root.is_empty() && r.starts_with('/') => r.trim_start_matches('/'),
        _ if file.starts_with('/') => return None,
        _ => file.trim_start_matches("./"),
    };
    if rel.is_empty() || rel.split('/').any(|c| c == "..") {
        return None;
    }
    Some(rel.to_string())
}
