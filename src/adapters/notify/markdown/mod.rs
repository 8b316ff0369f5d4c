//! The markdown notifier.
