//! The stdout notifier.
