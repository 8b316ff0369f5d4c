//! Trace and span ids: hex (OTLP/JSON), base64 (protobuf-style JSON, Tempo) or trimmed hex
//! (Jaeger v1, Tempo search), all normalised to fixed-width lower-case hex.

use base64::Engine;

/// Normalise a trace id to 32 lower-case hex chars, or a span id to 16 (`width` = 32 or 16).
/// Returns an empty string for an empty or all-zero id and `None` for an id that is neither
/// hex nor base64.
pub fn normalize_id(raw: &str, width: usize) -> Option<String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Some(String::new());
    }
    let is_hex = raw.len() <= width && raw.bytes().all(|b| b.is_ascii_hexdigit());
    let hex = if is_hex {
        let mut s = String::with_capacity(width);
        for _ in raw.len()..width {
            s.push('0');
        }
        for b in raw.bytes() {
            s.push(b.to_ascii_lowercase() as char);
        }
        s
    } else {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(raw)
            .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(raw))
            .ok()?;
        // Base64 ids always carry the full width (16 bytes for a trace, 8 for a span).
        if bytes.len() * 2 != width {
            return None;
        }
        crate::core::fingerprint::hex(&bytes)
    };
    if hex.bytes().all(|b| b == b'0') {
        return Some(String::new());
    }
    Some(hex)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_lowercased_and_padded() {
        assert_eq!(normalize_id("ABCDEF", 16).unwrap(), "0000000000abcdef");
        assert_eq!(
            normalize_id("5B8EFFF798038103D269B633813FC60C", 32).unwrap(),
            "5b8efff798038103d269b633813fc60c"
        );
    }

    #[test]
    fn base64_is_decoded() {
        // 16 bytes 0x01..0x10
        assert_eq!(
            normalize_id("AQIDBAUGBwgJCgsMDQ4PEA==", 32).unwrap(),
            "0102030405060708090a0b0c0d0e0f10"
        );
        assert_eq!(
            normalize_id("AQIDBAUGBwg=", 16).unwrap(),
            "0102030405060708"
        );
    }

    #[test]
    fn zero_and_garbage() {
        assert_eq!(
            normalize_id("00000000000000000000000000000000", 32).unwrap(),
            ""
        );
        assert_eq!(normalize_id("", 32).unwrap(), "");
        assert!(normalize_id("not an id!", 32).is_none());
    }
}
