"""A tiny fake shop whose functions fail in real, repeatable ways for the Jaeger end-to-end test."""
