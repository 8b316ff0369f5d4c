//! The connection string: libpq URL or key=value parsing, the password from the URL, `PGPASSWORD`
//! or a `.pgpass` file, and the redacted form every message and `status` shows.

use std::path::PathBuf;

/// Parse a libpq connection string (`postgresql://user:pass@host:port/db?sslmode=require` or
/// `host=… user=…`). `sslmode=verify-ca` and `verify-full` are accepted: TLS here always verifies
/// the server's certificate against the system's roots, so they mean `require`.
pub fn parse(url: &str) -> Result<postgres::Config, String> {
    let url = url.trim();
    if url.is_empty() {
        return Err("DATABASE_URL is empty".into());
    }
    let normalised = url
        .replace("sslmode=verify-full", "sslmode=require")
        .replace("sslmode=verify-ca", "sslmode=require");
    normalised
        .parse::<postgres::Config>()
        .map_err(|e| format!("DATABASE_URL {}: {e}", redact(url)))
}

/// The URL without its password (`postgresql://user@host/db`), and without any `password=`
/// parameter: what errors, logs and `status` show.
pub fn redact(url: &str) -> String {
    let url = url.trim();
    let mut out = match url.find("://") {
        Some(scheme) => {
            let rest = &url[scheme + 3..];
            let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
            let authority = &rest[..authority_end];
            match authority.rfind('@') {
                Some(at) => {
                    let userinfo = &authority[..at];
                    let user = userinfo.split(':').next().unwrap_or("");
                    format!(
                        "{}{}{}",
                        &url[..scheme + 3],
                        if user.is_empty() {
                            String::new()
                        } else {
                            user.to_string()
                        },
                        &rest[at..]
                    )
                }
                None => url.to_string(),
            }
        }
        None => url.to_string(),
    };
    // `password=…` as a query parameter or a key=value pair (quoted or not).
    while let Some(i) = out.find("password=") {
        let start = i;
        let value_start = i + "password=".len();
        let tail = &out[value_start..];
        let len = if let Some(quoted) = tail.strip_prefix('\'') {
            quoted.find('\'').map(|q| q + 2).unwrap_or(tail.len())
        } else {
            tail.find(['&', ' ']).unwrap_or(tail.len())
        };
        let mut end = value_start + len;
        // Drop the separator after it too, so `a&password=x&b` reads `a&b`.
        if out[end..].starts_with('&') || out[end..].starts_with(' ') {
            end += 1;
        }
        out.replace_range(start..end, "");
    }
    out.trim_end_matches(['&', '?', ' ']).to_string()
}

/// Fill in the password when the URL has none: `PGPASSWORD`, else the first matching line of
/// `PGPASSFILE` or `~/.pgpass` (ignored, as libpq does, unless only its owner can read it).
pub fn fill_password(cfg: &mut postgres::Config) {
    if cfg.get_password().is_some() {
        return;
    }
    if let Some(p) = std::env::var("PGPASSWORD").ok().filter(|p| !p.is_empty()) {
        cfg.password(p);
        return;
    }
    let Some(file) = pgpass_path() else { return };
    if !owner_only(&file) {
        return;
    }
    let Ok(text) = std::fs::read_to_string(&file) else {
        return;
    };
    let host = match cfg.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => h.clone(),
        Some(postgres::config::Host::Unix(p)) => p.display().to_string(),
        None => "localhost".into(),
    };
    let port = cfg.get_ports().first().copied().unwrap_or(5432).to_string();
    let db = cfg
        .get_dbname()
        .or(cfg.get_user())
        .unwrap_or_default()
        .to_string();
    let user = cfg.get_user().unwrap_or_default().to_string();
    if let Some(p) = pgpass_lookup(&text, &host, &port, &db, &user) {
        cfg.password(p);
    }
}

fn pgpass_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PGPASSFILE").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    dirs::home_dir().map(|h| h.join(".pgpass"))
}

fn owner_only(path: &std::path::Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .map(|m| m.is_file() && m.permissions().mode() & 0o077 == 0)
        .unwrap_or(false)
}

/// One `.pgpass` lookup: `host:port:database:user:password`, `*` matches anything, `\:` and
/// `\\` escape, `#` starts a comment line. `localhost` also matches a unix socket.
pub fn pgpass_lookup(text: &str, host: &str, port: &str, db: &str, user: &str) -> Option<String> {
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let fields = split_pgpass(line);
        if fields.len() < 5 {
            continue;
        }
        let matches = |pattern: &str, value: &str| pattern == "*" || pattern == value;
        let host_ok =
            matches(&fields[0], host) || (fields[0] == "localhost" && host.starts_with('/'));
        if host_ok
            && matches(&fields[1], port)
            && matches(&fields[2], db)
            && matches(&fields[3], user)
        {
            return Some(fields[4..].join(":"));
        }
    }
    None
}

fn split_pgpass(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    if let Some(f) = fields.last_mut() {
                        f.push(n);
                    }
                }
            }
            ':' if fields.len() < 5 => fields.push(String::new()),
            _ => {
                if let Some(f) = fields.last_mut() {
                    f.push(c);
                }
            }
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords_everywhere() {
        assert_eq!(
            redact("postgresql://rounds:s3cret@db.example:5432/rounds?sslmode=require"),
            "postgresql://rounds@db.example:5432/rounds?sslmode=require"
        );
        assert_eq!(redact("postgres://:pw@h/db"), "postgres://@h/db");
        assert_eq!(redact("postgresql://u@h/db"), "postgresql://u@h/db");
        assert_eq!(
            redact("postgresql://h/db?password=pw&sslmode=disable"),
            "postgresql://h/db?sslmode=disable"
        );
        assert_eq!(redact("postgresql://h/db?password=pw"), "postgresql://h/db");
        assert_eq!(
            redact("host=h user=u password='a b' dbname=d"),
            "host=h user=u dbname=d"
        );
        assert_eq!(redact("host=h password=x"), "host=h");
    }

    #[test]
    fn parse_accepts_verify_modes_and_names_the_redacted_url() {
        assert!(parse("postgresql://u:p@h/db?sslmode=verify-full").is_ok());
        let err = parse("postgresql://u:secret@h:notaport/db").unwrap_err();
        assert!(!err.contains("secret"), "{err}");
        assert!(parse("").is_err());
    }

    #[test]
    fn pgpass_matches_like_libpq() {
        let text = "# comment\nother:5432:*:u:no\n*:5432:db:u:pa\\:ss\nlocalhost:*:*:*:sock\n";
        assert_eq!(
            pgpass_lookup(text, "h", "5432", "db", "u").as_deref(),
            Some("pa:ss")
        );
        assert_eq!(pgpass_lookup(text, "h", "5433", "db", "u"), None);
        assert_eq!(
            pgpass_lookup(text, "/run/postgresql", "5433", "x", "y").as_deref(),
            Some("sock")
        );
    }
}
