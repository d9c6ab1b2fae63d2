//! Each prebuilt check against the real service it watches, and against an
//! outage that the test makes itself: a cut proxy or a port nothing listens
//! on.
//!
//! One test binary for every check, so that the services' client libraries
//! are linked once. A check's module compiles only with its feature.

mod support;

mod amqp;
mod disk;
mod dns;
mod http;
mod memory;
mod mqtt;
mod mysql;
mod nats;
mod postgres;
mod redis;
mod sqlite;
mod tcp;
