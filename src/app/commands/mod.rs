//! One small handler per subcommand.

pub mod diagnose;
pub mod generate;
pub mod list;
pub mod mark;
pub mod poll;
pub mod regroup;
pub mod report;
pub mod show;
pub mod status;
pub mod store_copy;
