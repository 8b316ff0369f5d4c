//! The github notifier.
