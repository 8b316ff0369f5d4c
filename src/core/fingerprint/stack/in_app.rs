//! Which frames are the user's code: `ROUNDS_NOT_IN_APP` / `ROUNDS_IN_APP` module prefixes and
//! the files of `CODEBASE_PATH`, before the built-in lists (which are only the fallback).
//!
//! Everything here is plain data handed in by the caller (the file index is built once per pass
//! by the codebase adapter), so the fingerprint core stays pure; deciding one frame costs a few
//! prefix comparisons and one hash lookup.

use super::classify::{classify, FrameKind};
use super::Language;
use crate::core::model::{Frame, FrameRule};
use std::collections::HashMap;

/// Directories that hold other people's code even inside a checkout: a stack path that reaches
/// a file through one of them is a dependency, whatever the file is called.
const DEPENDENCY_DIRS: &[&str] = &[
    "node_modules",
    "bower_components",
    "jspm_packages",
    "site-packages",
    "dist-packages",
    "__pypackages__",
    "vendor",
    "gems",
    ".cargo",
    ".venv",
    "venv",
    "Pods",
    "Carthage",
];

/// Is a path component one of [`DEPENDENCY_DIRS`] (or Go's module cache `pkg/mod`)?
pub fn is_dependency_dir(component: &str) -> bool {
    DEPENDENCY_DIRS.contains(&component)
}

/// The files of the user's checkout, keyed by base name, for suffix matching of stack paths.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FileIndex {
    by_name: HashMap<String, Vec<String>>,
    files: usize,
    /// Every file of the checkout is in the index (it was not cut by the file or time bound):
    /// only then does "not found" mean "not the user's code".
    complete: bool,
}

impl FileIndex {
    /// Index root-relative paths (`/`-separated). Files under dependency directories are left
    /// out; `complete` says whether the caller listed the whole checkout.
    pub fn from_paths<I, S>(paths: I, complete: bool) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut idx = FileIndex {
            complete,
            ..Default::default()
        };
        for p in paths {
            let p = p.as_ref().trim_start_matches("./");
            if p.is_empty() || p.split('/').any(is_dependency_dir) {
                continue;
            }
            let name = super::lines::basename(p).to_string();
            idx.by_name.entry(name).or_default().push(p.to_string());
            idx.files += 1;
        }
        idx
    }

    pub fn len(&self) -> usize {
        self.files
    }

    pub fn is_empty(&self) -> bool {
        self.files == 0
    }

    pub fn is_complete(&self) -> bool {
        self.complete
    }

    /// Does a stack path name a file of the checkout? `/srv/app/shop/orders.py` matches
    /// `shop/orders.py` (the indexed path is a suffix of it, on a component boundary, and no
    /// dependency directory precedes it); `org/shop/Orders.java` matches
    /// `src/main/java/org/shop/Orders.java` (it is a suffix of the indexed path, two components
    /// or more); a bare name matches only a file unique by that name.
    pub fn contains(&self, stack_path: &str) -> bool {
        let path = clean_path(stack_path);
        let name = super::lines::basename(path);
        let Some(candidates) = self.by_name.get(name) else {
            return false;
        };
        let components = path.split('/').filter(|c| !c.is_empty()).count();
        if components <= 1 {
            return candidates.len() == 1;
        }
        candidates.iter().any(|rel| {
            if let Some(before) = path.strip_suffix(rel.as_str()) {
                // The indexed path is a suffix of the stack path.
                (before.is_empty() || before.ends_with('/'))
                    && !before.split('/').any(is_dependency_dir)
                    && !before.contains("/pkg/mod/")
            } else if let Some(before) = rel.strip_suffix(path) {
                // The stack path is a (relative) suffix of the indexed path.
                before.is_empty() || before.ends_with('/')
            } else {
                false
            }
        })
    }
}

/// `file:///x`, `webpack:///./x`, `C:\x\y` → a `/`-separated path without query or scheme.
fn clean_path(p: &str) -> &str {
    let p = p.trim();
    let p = p.split(['?', '#']).next().unwrap_or(p);
    let p = match p.find("://") {
        Some(i) if i < 12 => &p[i + 3..],
        _ => p,
    };
    p.trim_start_matches("./")
}

/// The user's in-app rules: module prefixes and the checkout's files.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InAppRules {
    /// `ROUNDS_IN_APP`: module (package, namespace) or path prefixes that are application code.
    pub include: Vec<String>,
    /// `ROUNDS_NOT_IN_APP`: prefixes that are not, even when the checkout or `include` says so.
    pub exclude: Vec<String>,
    /// The files of `CODEBASE_PATH`, when one is configured.
    pub files: Option<FileIndex>,
}

impl InAppRules {
    /// No user rules: the built-in lists decide.
    pub fn builtin() -> Self {
        InAppRules::default()
    }

    /// Parse a comma-separated prefix list (`ROUNDS_IN_APP=com.acme.,shop/`); blanks dropped.
    pub fn prefixes(list: &str) -> Vec<String> {
        list.split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// Decide one (normalised) frame: set `in_app` and the rule that decided it.
    pub fn decide(&self, lang: Language, f: &mut Frame) {
        let builtin = classify(lang, f);
        let (in_app, rule) = self.rule_for(lang, f, builtin);
        f.in_app = in_app;
        f.rule = Some(rule);
    }

    fn rule_for(&self, lang: Language, f: &Frame, builtin: FrameKind) -> (bool, FrameRule) {
        let runtime = match builtin {
            FrameKind::Runtime => Some(FrameRule::Runtime),
            FrameKind::TestRunner => Some(FrameRule::TestRunner),
            _ => None,
        };
        if !self.exclude.is_empty() && self.matches(&self.exclude, f) {
            return (false, runtime.unwrap_or(FrameRule::NotInAppPrefix));
        }
        if !self.include.is_empty() && self.matches(&self.include, f) {
            return (true, FrameRule::InAppPrefix);
        }
        // A checkout may hold a file named like a standard-library one: the runtime lists win
        // over a file match, only an explicit ROUNDS_IN_APP prefix overrides them.
        if let Some(rule) = runtime {
            return (false, rule);
        }
        if let Some(idx) = self.files.as_ref().filter(|i| !i.is_empty()) {
            if let Some(path) = frame_path(lang, f) {
                if idx.contains(&path) {
                    return (true, FrameRule::Codebase);
                }
                if idx.is_complete() {
                    return (false, FrameRule::OutsideCodebase);
                }
            }
        }
        match builtin {
            FrameKind::App => (true, FrameRule::BuiltinApp),
            _ => (false, FrameRule::BuiltinLibrary),
        }
    }

    /// Does the frame's module (or, without one, its file path) start with one of `prefixes`?
    fn matches(&self, prefixes: &[String], f: &Frame) -> bool {
        let module = f.module.as_deref().unwrap_or("");
        let file = f.file.as_deref().unwrap_or("");
        prefixes.iter().any(|p| {
            !module.is_empty() && module.starts_with(p.as_str())
                || !file.is_empty() && (file.starts_with(p.as_str()) || after_slash(file, p))
                || module.is_empty() && f.function.starts_with(p.as_str())
        })
    }
}

/// Does `prefix` occur in `file` right after a `/` (no allocation: this runs per frame)?
fn after_slash(file: &str, prefix: &str) -> bool {
    !prefix.is_empty()
        && file
            .match_indices(prefix)
            .any(|(i, _)| i > 0 && file.as_bytes()[i - 1] == b'/')
}

/// The path a frame's file would have in a checkout. JVM frames name only `Orders.java`: the
/// package turns it into `org/shop/Orders.java`.
fn frame_path(lang: Language, f: &Frame) -> Option<String> {
    let file = f.file.as_deref().filter(|s| !s.is_empty())?;
    if lang == Language::Java && !file.contains('/') {
        let module = f.module.as_deref().unwrap_or("");
        return Some(match module.rsplit_once('.') {
            Some((package, _)) => format!("{}/{file}", package.replace('.', "/")),
            None => file.to_string(),
        });
    }
    Some(file.replace('\\', "/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(paths: &[&str]) -> FileIndex {
        FileIndex::from_paths(paths.iter().copied(), true)
    }

    #[test]
    fn stack_paths_match_checkout_files_by_suffix() {
        let idx = index(&[
            "shop/orders.py",
            "src/main/java/org/shop/Orders.java",
            "index.js",
            "node_modules/left-pad/index.js",
        ]);
        assert_eq!(idx.len(), 3, "dependency directories are not indexed");
        assert!(idx.contains("/srv/app/shop/orders.py"));
        assert!(idx.contains("shop/orders.py"));
        assert!(!idx.contains("/srv/app/other/orders.py"));
        assert!(!idx.contains("/srv/app/xshop/orders.py"));
        assert!(idx.contains("org/shop/Orders.java"));
        assert!(!idx.contains("org/other/Orders.java"));
        assert!(idx.contains("/app/index.js"));
        // A dependency's file of the same name is not the user's.
        assert!(!idx.contains("/app/node_modules/left-pad/index.js"));
        assert!(!idx.contains("/usr/lib/python3/site-packages/shop/orders.py"));
        assert!(idx.contains("file:///srv/app/shop/orders.py"));
        assert!(idx.contains("C:\\app\\shop\\orders.py".replace('\\', "/").as_str()));
    }

    #[test]
    fn bare_names_match_only_a_unique_file() {
        let idx = index(&["a/util.py", "b/util.py", "a/orders.py"]);
        assert!(!idx.contains("util.py"));
        assert!(idx.contains("orders.py"));
    }

    fn frame(lang: Language, module: &str, function: &str, file: &str) -> Frame {
        let mut f = Frame {
            module: Some(module.to_string()).filter(|m| !m.is_empty()),
            function: function.into(),
            file: Some(file.to_string()).filter(|f| !f.is_empty()),
            ..Default::default()
        };
        InAppRules::builtin().decide(lang, &mut f);
        f
    }

    #[test]
    fn user_rules_come_before_the_builtin_lists() {
        let lib = frame(
            Language::Java,
            "com.fasterxml.jackson.databind.ObjectMapper",
            "readValue",
            "ObjectMapper.java",
        );
        assert_eq!(
            (lib.in_app, lib.rule),
            (false, Some(FrameRule::BuiltinLibrary))
        );
        let rules = InAppRules {
            include: InAppRules::prefixes("com.fasterxml.jackson.databind., ,"),
            ..Default::default()
        };
        let mut f = lib.clone();
        rules.decide(Language::Java, &mut f);
        assert_eq!((f.in_app, f.rule), (true, Some(FrameRule::InAppPrefix)));

        let rules = InAppRules {
            include: vec!["com.".into()],
            exclude: vec!["com.fasterxml.".into()],
            ..Default::default()
        };
        rules.decide(Language::Java, &mut f);
        assert_eq!((f.in_app, f.rule), (false, Some(FrameRule::NotInAppPrefix)));

        // The checkout decides before the built-in lists, both ways.
        let rules = InAppRules {
            files: Some(index(&[
                "src/main/java/com/fasterxml/jackson/databind/ObjectMapper.java",
            ])),
            ..Default::default()
        };
        rules.decide(Language::Java, &mut f);
        assert_eq!((f.in_app, f.rule), (true, Some(FrameRule::Codebase)));
        let mut app = frame(Language::Java, "org.shop.Orders", "place", "Orders.java");
        assert_eq!(app.rule, Some(FrameRule::BuiltinApp));
        rules.decide(Language::Java, &mut app);
        assert_eq!(
            (app.in_app, app.rule),
            (false, Some(FrameRule::OutsideCodebase))
        );
        // An index cut by its bound cannot say a file is missing: the built-in lists decide.
        let partial = InAppRules {
            files: Some(FileIndex::from_paths(["x/Other.java"], false)),
            ..Default::default()
        };
        partial.decide(Language::Java, &mut app);
        assert_eq!((app.in_app, app.rule), (true, Some(FrameRule::BuiltinApp)));
    }

    #[test]
    fn runtime_frames_stay_runtime_unless_explicitly_included() {
        let rules = InAppRules {
            files: Some(index(&["json/decoder.py"])),
            exclude: vec!["/usr/lib/".into()],
            ..Default::default()
        };
        let mut f = frame(
            Language::Python,
            "",
            "decode",
            "/usr/lib/python3.11/json/decoder.py",
        );
        rules.decide(Language::Python, &mut f);
        assert_eq!((f.in_app, f.rule), (false, Some(FrameRule::Runtime)));
        let rules = InAppRules {
            include: vec!["/usr/lib/python3.11/json/".into()],
            ..Default::default()
        };
        rules.decide(Language::Python, &mut f);
        assert!(f.in_app);
    }
}
