//! The openai diagnosis adapter.
