//! End-to-end tests of heartbeat live in `tests/`; this crate has no code of its own.
