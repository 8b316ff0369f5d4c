//! Message templating: replace the variable parts of an error message with `<*>`, and cluster
//! messages across events into persistent templates.

mod mask;
mod miner;

pub use mask::mask;
pub use miner::{MinerConfig, TemplateMatch, TemplateMiner};

/// The placeholder every variable part becomes.
pub const WILDCARD: &str = "<*>";
