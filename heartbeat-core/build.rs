//! Records the compiler, target and profile of the build for the environ
//! page: every crate of one build shares them, so the application needs no
//! setup for these.

use std::{env, process::Command};

fn main() {
    println!("cargo::rerun-if-changed=build.rs");

    // `rustc 1.95.0 (59807616e 2026-04-14)`; cargo runs this script again
    // whenever the compiler changes.
    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let version = Command::new(rustc)
        .arg("--version")
        .output()
        .ok()
        .filter(|output| output.status.success())
        .and_then(|output| String::from_utf8(output.stdout).ok());
    if let Some(line) = version.as_deref().map(str::trim) {
        let line = line.strip_prefix("rustc ").unwrap_or(line);
        println!("cargo::rustc-env=HEARTBEAT_RUSTC={line}");
    }

    for (variable, name) in [
        ("TARGET", "HEARTBEAT_TARGET"),
        ("PROFILE", "HEARTBEAT_PROFILE"),
    ] {
        if let Ok(value) = env::var(variable) {
            println!("cargo::rustc-env={name}={value}");
        }
    }
}
