//! The size caps from the environment (`ROUNDS_MAX_*`), validated: the ingest caps of
//! `core::limits` and the input caps of the file reader and the HTTP transport. The table of
//! defaults is docs/limits.md.

use crate::core::limits::Limits;
use crate::exit::AppError;

/// Caps on reading input, before any record exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputLimits {
    /// One JSON Lines line, or one whole pretty-printed document.
    pub record_bytes: u64,
    /// Decompressed bytes of one gzip file.
    pub decompressed_bytes: u64,
    /// Decompressed/compressed ratio of one gzip file (checked once past `RATIO_GRACE` bytes).
    pub gzip_ratio: u64,
    /// One HTTP response body.
    pub http_body_bytes: u64,
}

impl Default for InputLimits {
    fn default() -> Self {
        InputLimits {
            record_bytes: 32 * MIB,
            decompressed_bytes: 16 * 1024 * MIB,
            gzip_ratio: 200,
            http_body_bytes: 64 * MIB,
        }
    }
}

const MIB: u64 = 1024 * 1024;

/// Every cap, from the environment over the defaults.
#[derive(Debug, Clone, Copy, Default)]
pub struct AllLimits {
    pub ingest: Limits,
    pub input: InputLimits,
}

/// The caps as the command line gave them (each flag or its `ROUNDS_MAX_*` variable).
pub fn from_args(args: &crate::cli::LimitsArgs) -> Result<AllLimits, AppError> {
    from_lookup(|k| args.get(k).map(str::to_string))
}

/// The caps over any lookup by variable name (tests pass a map).
pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<AllLimits, AppError> {
    let mut l = AllLimits::default();
    let size = |var: &str, into: &mut u64| -> Result<(), AppError> {
        if let Some(v) = get(var)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
        {
            *into = parse_size(&v).ok_or_else(|| {
                AppError::Config(format!(
                    "{var} ({}): '{v}' is not a size (a whole number above zero, optionally with K, M or G, binary units)",
                    flag_of(var)
                ))
            })?;
        }
        Ok(())
    };
    let usize_cap = |var: &str, into: &mut usize| -> Result<(), AppError> {
        let mut v = *into as u64;
        size(var, &mut v)?;
        *into = usize::try_from(v)
            .map_err(|_| AppError::Config(format!("{var}: {v} is too large for this machine")))?;
        Ok(())
    };
    let i = &mut l.ingest;
    usize_cap("ROUNDS_MAX_MESSAGE_BYTES", &mut i.message_bytes)?;
    usize_cap("ROUNDS_MAX_STACK_BYTES", &mut i.stack_bytes)?;
    usize_cap("ROUNDS_MAX_STACK_FRAMES", &mut i.stack_frames)?;
    usize_cap("ROUNDS_MAX_ATTRIBUTES", &mut i.attributes)?;
    usize_cap("ROUNDS_MAX_ATTRIBUTE_BYTES", &mut i.attribute_value_bytes)?;
    usize_cap("ROUNDS_MAX_NAME_BYTES", &mut i.name_bytes)?;
    let n = &mut l.input;
    size("ROUNDS_MAX_RECORD_BYTES", &mut n.record_bytes)?;
    size("ROUNDS_MAX_DECOMPRESSED_BYTES", &mut n.decompressed_bytes)?;
    size("ROUNDS_MAX_GZIP_RATIO", &mut n.gzip_ratio)?;
    size("ROUNDS_HTTP_MAX_BODY_BYTES", &mut n.http_body_bytes)?;
    Ok(l)
}

/// The flag a cap's variable stands for: `ROUNDS_MAX_STACK_BYTES` is `--max-stack-bytes`.
fn flag_of(var: &str) -> String {
    format!(
        "--{}",
        var.trim_start_matches("ROUNDS_")
            .to_ascii_lowercase()
            .replace('_', "-")
    )
}

/// `4096`, `64K`, `16MiB`, `1G` (binary units; case-insensitive; above zero).
pub fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: u64 = num.parse().ok()?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1024,
        "m" | "mb" | "mib" => MIB,
        "g" | "gb" | "gib" => 1024 * MIB,
        _ => return None,
    };
    n.checked_mul(mult).filter(|v| *v > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn every_cap_is_a_flag_with_its_variable() {
        // Each variable `from_lookup` reads is declared in clap (so --help and the man page show
        // it) under the flag its error message names.
        let cmd = <crate::cli::Cli as clap::CommandFactory>::command();
        let declared: Vec<(String, String)> = cmd
            .get_arguments()
            .filter_map(|a| {
                let env = a.get_env()?.to_str()?.to_string();
                Some((env, format!("--{}", a.get_long()?)))
            })
            .collect();
        let read = std::cell::RefCell::new(Vec::new());
        from_lookup(|k| {
            read.borrow_mut().push(k.to_string());
            None
        })
        .unwrap();
        let read = read.into_inner();
        assert_eq!(read.len(), 10, "{read:?}");
        for var in read {
            let flag = format!("{}=3K", flag_of(&var));
            let cli = <crate::cli::Cli as clap::Parser>::try_parse_from(["rounds", "poll", &flag])
                .unwrap();
            assert_eq!(cli.global.limits.get(&var), Some("3K"), "{flag}");
            assert!(
                declared.contains(&(var.clone(), flag_of(&var))),
                "{var} is not declared as {}",
                flag_of(&var)
            );
        }
    }

    #[test]
    fn sizes_parse_with_binary_units() {
        assert_eq!(parse_size("4096"), Some(4096));
        assert_eq!(parse_size("64K"), Some(65536));
        assert_eq!(parse_size("16MiB"), Some(16 * MIB));
        assert_eq!(parse_size("1g"), Some(1024 * MIB));
        for bad in ["", "0", "-1", "1T", "x", "99999999999999999999G"] {
            assert_eq!(parse_size(bad), None, "{bad}");
        }
    }

    #[test]
    fn variables_override_defaults_and_bad_ones_name_themselves() {
        let m: HashMap<&str, &str> = [
            ("ROUNDS_MAX_MESSAGE_BYTES", "1K"),
            ("ROUNDS_MAX_GZIP_RATIO", "50"),
        ]
        .into_iter()
        .collect();
        let l = from_lookup(|k| m.get(k).map(|v| v.to_string())).unwrap();
        assert_eq!(l.ingest.message_bytes, 1024);
        assert_eq!(l.input.gzip_ratio, 50);
        assert_eq!(l.ingest.stack_bytes, Limits::default().stack_bytes);
        let err = from_lookup(|k| (k == "ROUNDS_MAX_STACK_BYTES").then(|| "lots".to_string()))
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("ROUNDS_MAX_STACK_BYTES (--max-stack-bytes)"),
            "{err}"
        );
    }
}
