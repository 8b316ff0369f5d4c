//! Suspect commits on real git repositories built here: several commits by different authors,
//! a whitespace-only commit listed in `.git-blame-ignore-revs`, a rename, a commit after first
//! seen, release tags, shallow clones and a path that is not in the checkout.

use rounds::adapters::codebase::LocalCodebase;
use rounds::core::model::{FingerprintBasis, Frame, Signature, Status, NANOS_PER_SEC};
use rounds::core::suspects::{find, RevisionBasis, Suspects};
use std::path::Path;
use std::process::Command;

const T0: i64 = 1_700_000_000;
const DAY: i64 = 86_400;
/// First seen: after the rename (day 3), before the late edit (day 5).
const FIRST_SEEN: i64 = T0 + 4 * DAY;

fn git(dir: &Path, author: &str, at: i64, args: &[&str]) -> String {
    let date = format!("@{at} +0000");
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"])
        .args(args)
        .env("GIT_AUTHOR_NAME", author)
        .env(
            "GIT_AUTHOR_EMAIL",
            format!("{}@example.com", author.to_lowercase()),
        )
        .env("GIT_COMMITTER_NAME", author)
        .env(
            "GIT_COMMITTER_EMAIL",
            format!("{}@example.com", author.to_lowercase()),
        )
        .env("GIT_AUTHOR_DATE", &date)
        .env("GIT_COMMITTER_DATE", &date)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn write(dir: &Path, path: &str, lines: &[&str]) {
    let p = dir.join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, lines.join("\n") + "\n").unwrap();
}

const CART_V1: [&str; 6] = [
    "CARTS = {}",
    "",
    "def load_cart(user_id):",
    "    return CARTS.get(user_id)",
    "",
    "# end",
];
const VIEWS: [&str; 8] = [
    "from app.cart import load_cart",
    "",
    "",
    "",
    "",
    "def get_cart(session):",
    "    cart = load_cart(session['user_id'])",
    "    return cart",
];

/// The commits of the history, by name.
struct Repo {
    dir: tempfile::TempDir,
    alice: String,
    bob: String,
    carol: String,
    rename: String,
    eve: String,
}

/// alice (day 0) writes cart.py and views.py; bob (day 1) writes the bug on cart.py:4; carol
/// (day 2) re-indents it (whitespace only, tagged v0.9); dan (day 3) renames views.py into
/// app/web/ (tagged v1.0); first seen is day 4; eve (day 5) edits cart.py:4 again, tags v2.0 and
/// lists carol's commit in `.git-blame-ignore-revs`.
fn history() -> Repo {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, "Alice", T0, &["init", "-q", "-b", "main"]);
    write(d, "app/cart.py", &CART_V1);
    write(d, "app/views.py", &VIEWS);
    git(d, "Alice", T0, &["add", "."]);
    git(d, "Alice", T0, &["commit", "-qm", "cart and views"]);
    let alice = git(d, "Alice", T0, &["rev-parse", "HEAD"]);

    let mut cart = CART_V1;
    cart[3] = "    return CARTS[user_id]";
    write(d, "app/cart.py", &cart);
    git(
        d,
        "Bob",
        T0 + DAY,
        &["commit", "-qam", "cart: index carts by user id"],
    );
    let bob = git(d, "Bob", T0 + DAY, &["rev-parse", "HEAD"]);

    cart[3] = "    return  CARTS[user_id]   ";
    write(d, "app/cart.py", &cart);
    git(
        d,
        "Carol",
        T0 + 2 * DAY,
        &["commit", "-qam", "style: reformat"],
    );
    let carol = git(d, "Carol", T0 + 2 * DAY, &["rev-parse", "HEAD"]);
    git(d, "Carol", T0 + 2 * DAY, &["tag", "v0.9"]);

    std::fs::create_dir_all(d.join("app/web")).unwrap();
    git(
        d,
        "Dan",
        T0 + 3 * DAY,
        &["mv", "app/views.py", "app/web/views.py"],
    );
    git(
        d,
        "Dan",
        T0 + 3 * DAY,
        &["commit", "-qm", "move views into web/"],
    );
    let rename = git(d, "Dan", T0 + 3 * DAY, &["rev-parse", "HEAD"]);
    git(d, "Dan", T0 + 3 * DAY, &["tag", "v1.0"]);

    cart[3] = "    return CARTS.get(user_id, {})";
    write(d, "app/cart.py", &cart);
    std::fs::write(
        d.join(".git-blame-ignore-revs"),
        format!("# formatting\n{carol}\n"),
    )
    .unwrap();
    git(d, "Eve", T0 + 5 * DAY, &["add", "."]);
    git(
        d,
        "Eve",
        T0 + 5 * DAY,
        &["commit", "-qm", "cart: default to an empty cart"],
    );
    let eve = git(d, "Eve", T0 + 5 * DAY, &["rev-parse", "HEAD"]);
    git(d, "Eve", T0 + 5 * DAY, &["tag", "v2.0"]);
    Repo {
        dir,
        alice,
        bob,
        carol,
        rename,
        eve,
    }
}

fn frame(function: &str, file: &str, line: u32) -> Frame {
    Frame {
        module: None,
        function: function.into(),
        file: Some(file.into()),
        line: Some(line),
        column: None,
        in_app: true,
        rule: None,
    }
}

/// A signature first seen on day 4 whose innermost frame is cart.py:4, then views.py:7
/// (as production paths, `/srv/...`).
fn signature(frames: Vec<Frame>) -> Signature {
    Signature {
        id: "f".repeat(32).into(),
        algorithm_version: 3,
        basis: FingerprintBasis::Stack,
        status: Status::New,
        exception_type: "KeyError".into(),
        template: "<*>".into(),
        key_frames: frames,
        services: vec!["checkout".into()],
        count: 1,
        first_seen: FIRST_SEEN * NANOS_PER_SEC,
        last_seen: FIRST_SEEN * NANOS_PER_SEC,
        sample_stack: None,
        sample_message: None,
        ignore_reason: None,
        ignored_until: None,
    }
}

fn usual() -> Signature {
    signature(vec![
        frame("load_cart", "/srv/app/cart.py", 4),
        frame("get_cart", "/srv/app/web/views.py", 7),
    ])
}

fn shas(s: &Suspects) -> Vec<&str> {
    s.suspects.iter().map(|x| x.sha.as_str()).collect()
}

#[test]
fn a_release_tag_names_the_revision_and_blame_skips_ignored_and_later_commits() {
    let r = history();
    let cb = LocalCodebase::new(r.dir.path()).unwrap();
    let s = find(&usual(), &["1.0".into()], &cb);
    assert_eq!(s.revision.as_deref(), Some(r.rename.as_str()), "{s:?}");
    assert_eq!(s.basis, Some(RevisionBasis::Release("1.0".into())));
    // cart.py:4 is bob's (carol's re-indent is ignored, eve's edit is after first seen);
    // views.py:7 is alice's, found through dan's rename.
    assert_eq!(shas(&s), vec![r.bob.as_str(), r.alice.as_str()], "{s:?}");
    let top = &s.suspects[0];
    assert_eq!(
        (top.rank, top.author.as_str(), top.subject.as_str()),
        (1, "Bob", "cart: index carts by user id")
    );
    assert_eq!(top.authored_at, (T0 + DAY) * NANOS_PER_SEC);
    assert_eq!(top.short_sha(), &r.bob[..12]);
    assert_eq!(top.frames[0].path, "app/cart.py");
    assert_eq!(s.suspects[1].frames[0].path, "app/web/views.py");
    assert!(!shas(&s).contains(&r.eve.as_str()));
    assert!(!shas(&s).contains(&r.carol.as_str()));
}

#[test]
fn without_a_release_the_newest_commit_before_first_seen_is_blamed() {
    let r = history();
    let cb = LocalCodebase::new(r.dir.path()).unwrap();
    // "9.9" names nothing here; the fallback is dan's rename (day 3), not HEAD (eve, day 5).
    let s = find(&usual(), &["9.9".into()], &cb);
    assert_eq!(s.basis, Some(RevisionBasis::BeforeFirstSeen));
    assert_eq!(s.revision.as_deref(), Some(r.rename.as_str()));
    assert_eq!(shas(&s), vec![r.bob.as_str(), r.alice.as_str()]);
}

#[test]
fn a_release_newer_than_first_seen_is_not_used() {
    let r = history();
    let cb = LocalCodebase::new(r.dir.path()).unwrap();
    let s = find(&usual(), &["2.0".into()], &cb);
    assert_eq!(s.basis, Some(RevisionBasis::BeforeFirstSeen), "{s:?}");
    assert!(
        s.notes.iter().any(|n| n.contains("after first seen")),
        "{s:?}"
    );
    assert_eq!(shas(&s)[0], r.bob);
}

#[test]
fn a_full_sha_release_is_used_as_is() {
    let r = history();
    let cb = LocalCodebase::new(r.dir.path()).unwrap();
    let s = find(&usual(), std::slice::from_ref(&r.rename), &cb);
    assert_eq!(s.basis, Some(RevisionBasis::Release(r.rename.clone())));
}

#[test]
fn the_ignore_revs_file_is_what_skips_the_whitespace_commit() {
    let r = history();
    std::fs::remove_file(r.dir.path().join(".git-blame-ignore-revs")).unwrap();
    let cb = LocalCodebase::new(r.dir.path()).unwrap();
    let s = find(&usual(), &[], &cb);
    assert_eq!(
        shas(&s)[0],
        r.carol,
        "without the file, the re-indent is blamed"
    );
}

#[test]
fn a_path_from_before_a_later_rename_is_found_in_the_older_tree() {
    let r = history();
    let cb = LocalCodebase::new(r.dir.path()).unwrap();
    // Running v0.9 (before the rename): production reports app/views.py, which the work tree
    // no longer has.
    assert!(!r.dir.path().join("app/views.py").exists());
    let sig = signature(vec![frame("get_cart", "/srv/app/views.py", 7)]);
    let s = find(&sig, &["v0.9".into()], &cb);
    assert_eq!(s.revision.as_deref(), Some(r.carol.as_str()));
    assert_eq!(shas(&s), vec![r.alice.as_str()], "{s:?}");
    assert_eq!(s.suspects[0].frames[0].path, "app/views.py");
}

#[test]
fn a_commit_blamed_for_two_frames_is_one_suspect_and_missing_paths_are_noted() {
    let r = history();
    let cb = LocalCodebase::new(r.dir.path()).unwrap();
    let sig = signature(vec![
        frame("decode", "/usr/lib/python3.12/json/decoder.py", 337),
        frame("load_cart", "/srv/app/cart.py", 3),
        frame("get_cart", "/srv/app/web/views.py", 7),
        frame("load_cart", "/srv/app/cart.py", 400),
    ]);
    let s = find(&sig, &[], &cb);
    assert_eq!(shas(&s), vec![r.alice.as_str()], "{s:?}");
    assert_eq!(s.suspects[0].frames.len(), 2);
    assert_eq!(s.suspects[0].rank, 1);
    assert!(
        s.notes
            .iter()
            .any(|n| n.contains("decoder.py: not in the checkout")),
        "{s:?}"
    );
    assert!(s.notes.iter().any(|n| n.contains("cart.py:400")), "{s:?}");
}

#[test]
fn a_shallow_clone_names_no_commit_it_cannot_see_past() {
    let r = history();
    let url = format!("file://{}", r.dir.path().display());
    // Depth 1: only eve's commit (day 5), newer than first seen: nothing was running here.
    let one = tempfile::tempdir().unwrap();
    git(
        one.path(),
        "X",
        T0,
        &["clone", "-q", "--depth", "1", &url, "c"],
    );
    let cb = LocalCodebase::new(one.path().join("c")).unwrap();
    let s = find(&usual(), &[], &cb);
    assert!(s.suspects.is_empty(), "{s:?}");
    assert_eq!(s.revision, None);

    // Depth 2: dan's rename is the boundary; every line looks like it was written there, and
    // naming it would be false, so the frames are noted instead.
    let two = tempfile::tempdir().unwrap();
    git(
        two.path(),
        "X",
        T0,
        &["clone", "-q", "--depth", "2", &url, "c"],
    );
    let cb = LocalCodebase::new(two.path().join("c")).unwrap();
    let s = find(&usual(), &[], &cb);
    assert_eq!(s.revision.as_deref(), Some(r.rename.as_str()));
    assert!(s.suspects.is_empty(), "{s:?}");
    assert!(s.notes.iter().any(|n| n.contains("shallow")), "{s:?}");
}

#[test]
fn a_plain_directory_has_no_suspects() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "app/cart.py", &CART_V1);
    let cb = LocalCodebase::new(tmp.path()).unwrap();
    let s = find(&usual(), &["1.0".into()], &cb);
    assert!(s.suspects.is_empty() && s.revision.is_none(), "{s:?}");
}

/// The example's checkout: Alice writes checkout/cart.py (50 lines), Bob changes line 41 a day
/// later, Eve edits it again a day after the example's first occurrence. Returns Bob's sha.
pub fn example_checkout(d: &Path) -> String {
    example_checkout_with(d, "cart: index by user id")
}

/// `example_checkout` with Bob's commit subject chosen by the caller.
fn example_checkout_with(d: &Path, bob_subject: &str) -> String {
    let first_seen = 1_795_600_800i64;
    let mut cart: Vec<String> = (1..=50).map(|i| format!("# line {i}")).collect();
    git(d, "Alice", T0, &["init", "-q", "-b", "main"]);
    write(
        d,
        "checkout/cart.py",
        &cart.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    git(d, "Alice", T0, &["add", "."]);
    git(d, "Alice", T0, &["commit", "-qm", "cart"]);
    cart[40] = "    return CARTS[user_id]".into();
    write(
        d,
        "checkout/cart.py",
        &cart.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    git(d, "Bob", T0 + DAY, &["commit", "-qam", bob_subject]);
    let bob = git(d, "Bob", T0 + DAY, &["rev-parse", "HEAD"]);
    cart[40] = "    return CARTS.get(user_id)".into();
    write(
        d,
        "checkout/cart.py",
        &cart.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    git(
        d,
        "Eve",
        first_seen + DAY,
        &["commit", "-qam", "cart: tolerate unknown users"],
    );
    bob
}

/// Poll the bundled example (no notifier) and return the KeyError signature's id.
fn poll_example_keyerror(env: &crate::support::harness::Env) -> String {
    let example = crate::support::harness::repo("examples/otlp-errors.jsonl");
    let r = env.run(&["poll", "--input", &example, "--notify", "none"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let list = env.run(&["list", "--json", "--search", "KeyError"]);
    list.json()["signatures"][0]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Through the binary: poll the example OTLP/JSON file (checkout 2.4.1 raises KeyError in
/// /app/checkout/cart.py:41, first seen 2026-11-26), then `show --codebase` names the commit
/// that wrote line 41, not the one that edited it after first seen; a v2.4.1 tag is used.
#[test]
fn show_names_the_suspect_of_a_polled_signature() {
    use crate::support::harness::{repo, Env};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let bob = example_checkout(d);

    let mut env = Env::new();
    let id = poll_example_keyerror(&env);
    let root = d.display().to_string();
    let show = env.run(&["show", &id, "--json", "--codebase", &root]);
    assert_eq!(show.code, 0, "{}", show.stderr);
    let s = &show.json()["suspects"];
    assert_eq!(s["basis"], "before_first_seen", "{s}");
    assert_eq!(s["commits"][0]["sha"], bob.as_str(), "{s}");
    assert_eq!(s["commits"][0]["author"], "Bob");
    assert_eq!(s["commits"][0]["frames"][0]["path"], "checkout/cart.py");
    assert_eq!(s["commits"][0]["frames"][0]["line"], 41);

    git(d, "Bob", T0 + DAY, &["tag", "v2.4.1", &bob]);
    let show = env.run(&["show", &id, "--json", "--codebase", &root]);
    let s = &show.json()["suspects"];
    assert_eq!(
        (s["basis"].as_str(), s["release"].as_str()),
        (Some("release"), Some("2.4.1")),
        "{s}"
    );
    assert_eq!(s["revision"], bob.as_str());
    let text = env.run(&["show", &id, "--codebase", &root]);
    assert!(
        text.stdout.contains("suspect commits (blamed at"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains(&format!("1. {}", &bob[..12])),
        "{}",
        text.stdout
    );
    // Without a checkout the field is there and null: fields are only added.
    let bare = env.run(&["show", &id, "--json"]);
    assert!(bare.json()["suspects"].is_null());

    // The diagnosis prompt carries them too (fenced, after the latest commits), only with a
    // git checkout; Eve's edit after first seen is in the latest commits but is no suspect.
    let plain = tempfile::tempdir().unwrap();
    env.set("DIAGNOSIS_BACKEND", "claude_code")
        .set("CLAUDE_CODE_PATH", "/nonexistent/claude")
        .set("DIAGNOSIS_MODEL", "claude-sonnet-4-5-20250929")
        .set("CODEBASE_PATH", plain.path().to_str().unwrap());
    let r = env.run(&["diagnose", &id, "--dry-run"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(!r.stdout.contains("## Suspect commits"), "{}", r.stdout);
    env.set("CODEBASE_PATH", &root);
    let r = env.run(&["diagnose", &id, "--dry-run"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let section = r
        .stdout
        .split("## Suspect commits")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .unwrap_or_else(|| panic!("no suspects section: {}", r.stdout));
    assert!(section.contains("kind=\"suspects\""), "{section}");
    let line = format!(
        "1. {} 2023-11-15T22:13:20Z Bob: cart: index by user id (checkout/cart.py:41)",
        &bob[..12]
    );
    assert!(section.contains(&line), "{section}");
    assert!(
        !section.contains("Eve") && !section.contains("2. "),
        "{section}"
    );
    // Notifications (markdown here; the GitHub issue body is the same `signature_body`) and
    // `report` (markdown and JSON) name it too when CODEBASE_PATH is the checkout.
    let want = format!(
        "1. `{}` 2023-11-15T22:13:20Z Bob: cart: index by user id (`checkout/cart.py:41`)",
        &bob[..12]
    );
    let md = tempfile::tempdir().unwrap();
    let mut fresh = Env::new();
    fresh.set("CODEBASE_PATH", &root);
    let r = fresh.run(&[
        "poll",
        "--input",
        &repo("examples/otlp-errors.jsonl"),
        "--notify",
        "markdown",
        "--markdown-dir",
        md.path().to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let files: String = std::fs::read_dir(md.path())
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap_or_default())
        .collect();
    assert!(files.contains(&want), "{files}");
    let r = env.run(&["report", "--since", "all"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains(&want), "{}", r.stdout);
    let r = env.run(&["report", "--since", "all", "--format", "json"]);
    let doc = r.json();
    let entry = doc["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id.as_str())
        .unwrap();
    assert_eq!(entry["suspects"][0]["sha"], bob.as_str(), "{entry}");
    assert_eq!(entry["suspects"][0]["frames"][0]["line"], 41);
    env.set("CODEBASE_PATH", plain.path().to_str().unwrap());
    let r = env.run(&["report", "--since", "all", "--format", "json"]);
    assert!(r.json()["signatures"][0]["suspects"]
        .as_array()
        .is_some_and(|a| a.is_empty()));
}

/// Commit subjects and authors come from git, not the store: `show` redacts them as it does every
/// other free text, in the text view and in `--json`.
#[test]
fn show_redacts_a_secret_in_a_suspect_commit_subject() {
    use crate::support::harness::Env;
    let secret = "ghp_0123456789abcdefghijABCDEFGHIJ012345";
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    example_checkout_with(d, &format!("cart: index by user id (token {secret})"));
    let env = Env::new();
    let id = poll_example_keyerror(&env);
    let root = d.display().to_string();
    let json = env.run(&["show", &id, "--json", "--codebase", &root]);
    assert_eq!(json.code, 0, "{}", json.stderr);
    let subject = json.json()["suspects"]["commits"][0]["subject"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(subject.starts_with("cart: index by user id"), "{subject}");
    let text = env.run(&["show", &id, "--codebase", &root]);
    assert!(
        text.stdout.contains("cart: index by user id"),
        "{}",
        text.stdout
    );
    for out in [&json.stdout, &text.stdout] {
        assert!(!out.contains(secret), "the token leaked:\n{out}");
    }
}
