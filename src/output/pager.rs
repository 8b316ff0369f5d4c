//! Hand a text view to the user's pager, as git does: `ROUNDS_PAGER`, else `PAGER`, else
//! `less -FRX` (quit when it fits one screen, keep colours, leave the text on the screen).

use std::io::{self, Write};
use std::process::{Command, Stdio};

/// The pager command, split on whitespace; `None` when paging is turned off (empty or `cat`).
fn command() -> Option<Vec<String>> {
    let configured = std::env::var("ROUNDS_PAGER")
        .ok()
        .or_else(|| std::env::var("PAGER").ok());
    let line = configured.unwrap_or_else(|| "less -FRX".into());
    let words: Vec<String> = line.split_whitespace().map(str::to_string).collect();
    match words.first().map(String::as_str) {
        None | Some("cat") => None,
        Some(_) => Some(words),
    }
}

/// Write `text` through the pager and wait for it. An error means nothing was shown (the pager
/// is missing or could not start), so the caller prints the text itself; a pager the user quit
/// early (broken pipe) is success.
pub fn run(text: &str) -> io::Result<()> {
    let Some(words) = command() else {
        return Err(io::Error::other("no pager"));
    };
    let mut child = Command::new(&words[0])
        .args(&words[1..])
        .env("LESSCHARSET", "utf-8")
        .stdin(Stdio::piped())
        .spawn()?;
    if let Some(mut stdin) = child.stdin.take() {
        match stdin.write_all(text.as_bytes()) {
            Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
                let _ = child.wait();
                return Err(e);
            }
            _ => {}
        }
    }
    child.wait()?;
    Ok(())
}
