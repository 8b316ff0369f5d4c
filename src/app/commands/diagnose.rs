//! `rounds diagnose`: root-cause diagnosis with the configured LLM backend.

use crate::app::settings::Global;
use crate::cli::DiagnoseArgs;
use crate::exit::{AppError, Exit};
use crate::output::Printer;

pub fn run(_g: &Global, args: &DiagnoseArgs, _printer: &mut Printer) -> Result<Exit, AppError> {
    match args.backend.as_deref().map(str::trim) {
        None | Some("") | Some("none") => Err(AppError::Config(
            "no diagnosis backend is configured: set DIAGNOSIS_BACKEND (claude_code, codex or openai)".into(),
        )),
        Some(other) => Err(AppError::Config(format!("DIAGNOSIS_BACKEND={other} is not available in this build"))),
    }
}
