//! Message templating: replace the variable parts of an error message with `<*>`.

/// The placeholder every variable part becomes.
pub const WILDCARD: &str = "<*>";

/// Mask variable tokens (anything holding a digit) in a message.
pub fn mask(message: &str) -> String {
    let mut out = Vec::new();
    for tok in message.split_whitespace() {
        if tok.chars().any(|c| c.is_ascii_digit()) {
            out.push(WILDCARD.to_string());
        } else {
            out.push(tok.to_string());
        }
    }
    out.join(" ")
}
