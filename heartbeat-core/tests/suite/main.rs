//! The core's behaviour through its public API: the engine, the entry point,
//! formats, policies, access, lifecycle, environ, metrics and logging.
//!
//! One test binary, so that the core and its test dependencies are linked
//! once. The attribute's compile errors are checked apart, in `ui.rs`.

mod support;

mod access;
mod endpoint;
mod engine;
mod environ;
mod formats;
mod lifecycle;
mod logging;
mod manifest;
mod metrics;
mod policies;
mod requests;
mod schemas;
