//! The `rounds` binary: parse arguments, run the app, return its exit code.
fn main() {}
