//! Records, while an application is built, what its heartbeat's `environ`
//! page shows about it: every crate linked into the binary with its version,
//! the application's own name and version, and the source revision.
//!
//! # Setup
//!
//! One line in each of three places of the application (the package that
//! builds the binary):
//!
//! ```toml
//! # Cargo.toml
//! [build-dependencies]
//! heartbeat-build = "0.1"
//! ```
//!
//! ```rust,ignore
//! // build.rs
//! fn main() { heartbeat_build::environ(); }
//! ```
//!
//! ```rust,ignore
//! // where the heartbeat is built (heartbeat_axum::build_info!() and the
//! // other adapters' re-exports work the same)
//! let heartbeat = Heartbeat::builder()
//!     .build_info(heartbeat_core::build_info!())
//!     .build()?;
//! ```
//!
//! An application that already has a build script adds the call to its
//! `main`. Without this setup the page still shows the compiler, target and
//! profile; its `libraries` is then empty and a `hint` says how to fill it.
//!
//! # What is recorded
//!
//! The environ page then carries, beside what `heartbeat-core` adds by
//! itself (`rust`, `rustc`, `target`, `profile`):
//!
//! ```json
//! {
//!   "package": { "name": "my-service", "version": "1.4.0" },
//!   "revision": { "commit": "9fceb02d0ae598e95dc970b74767f19372d61af8", "dirty": false },
//!   "libraries": {
//!     "itoa": { "version": "1.0.19", "conflicts": ["0.4.8"], "features": [] },
//!     "tokio": { "version": "1.54.1", "conflicts": null, "features": ["rt", "time"] }
//!   }
//! }
//! ```
//!
//! - `libraries`: each crate linked into the binary, by name, with its
//!   `version`, its `conflicts` (`null` when one version is linked, else the
//!   other versions of that crate in the binary, lowest first, `version`
//!   being the highest) and the `features` enabled on `version`. These are
//!   the normal dependencies of the package being built, followed
//!   transitively, for the target being built, with the features that build
//!   enables: what `cargo tree -e normal,no-proc-macro --target <target>`
//!   reports for that package. Left out: the package itself (it is
//!   `package`), dev-dependencies, build-dependencies, dependencies for
//!   other platforms, and procedural macros with everything only they use,
//!   since those run inside the compiler and are not linked into the binary.
//! - `package`: the name and version of the package being built.
//! - `revision`: the git commit checked out when the binary was built, and
//!   whether tracked files of the workspace differed from it (`dirty`). When
//!   the environment variable `HEARTBEAT_REVISION` is set at build time (for
//!   builds from a source archive or a container context without `.git`), its
//!   value is the `commit` and `dirty` is left out. Absent when neither is
//!   available.
//!
//! # How it works
//!
//! [`environ`] asks the `cargo` that runs the build: `cargo metadata
//! --no-deps` for the package's features and its workspace, then `cargo
//! tree` for the package with exactly the features this build enabled
//! (from the `CARGO_FEATURE_*` variables), both `--locked --offline`, so
//! nothing is re-resolved or downloaded: a build in progress has everything
//! they need. It writes the result as JSON into `OUT_DIR` and points the
//! variable `HEARTBEAT_BUILD_INFO` at it, which `build_info!()` reads into
//! the binary. The script runs again when the lockfile, a manifest of the
//! workspace, the git commit or index, or a source directory of a workspace
//! crate in the binary changes; cargo runs it again on its own when the
//! features or the compiler change.
//!
//! # Limitations
//!
//! - Cargo unifies features across every package one invocation builds. The
//!   list is what the package needs on its own (as `cargo build -p <package>`
//!   or `cargo install` builds it); when `cargo build --workspace` builds it
//!   together with packages that enable more features of a shared
//!   dependency, the binary may carry those features, and optional crates
//!   they bring, without the list showing them.
//! - `dirty` is as of the last run of the build script: an edit outside the
//!   workspace's crates in the binary, neither committed nor staged, does not
//!   run it again.
//! - When `cargo` cannot answer (a custom build system, a broken
//!   environment), the build goes on with a warning, and the page shows an
//!   empty `libraries` with a `hint` giving the reason.

mod libraries;
mod revision;
mod workspace;

use std::{
    collections::BTreeSet,
    env,
    path::{Path, PathBuf},
};

use serde_json::{Map, Value};

/// The file, in `OUT_DIR`, that holds the record.
const FILE_NAME: &str = "heartbeat-build-info.json";

/// Records the application's linked crates, name, version and revision for
/// the environ page; call it from the application's `build.rs`.
///
/// Never fails the build: what cannot be found is left out with a cargo
/// warning. See the [crate docs](crate) for what is recorded and how the
/// application reads it.
///
/// # Panics
///
/// When called outside a build script, where `OUT_DIR` is not set.
pub fn environ() {
    let out_dir = env::var_os("OUT_DIR")
        .map(PathBuf::from)
        .expect("heartbeat_build::environ() is called from a build script, where OUT_DIR is set");

    let build = Build::from_env();
    let mut watched = BTreeSet::new();
    let record = record(&build, &mut watched);

    let path = out_dir.join(FILE_NAME);
    let json = serde_json::to_string(&Value::Object(record)).unwrap_or_else(|_| "{}".to_owned());
    if let Err(error) = std::fs::write(&path, json) {
        panic!("heartbeat-build cannot write {}: {error}", path.display());
    }

    for path in watched {
        println!("cargo::rerun-if-changed={}", path.display());
    }
    println!("cargo::rerun-if-env-changed={}", revision::OVERRIDE);
    println!("cargo::rustc-env=HEARTBEAT_BUILD_INFO={}", path.display());
}

/// What cargo tells a build script about the build.
#[derive(Debug)]
struct Build {
    cargo: PathBuf,
    manifest_dir: PathBuf,
    target: Option<String>,
    name: String,
    version: String,
}

impl Build {
    fn from_env() -> Self {
        let var = |name: &str| env::var(name).ok().filter(|value| !value.is_empty());
        Self {
            cargo: var("CARGO").unwrap_or_else(|| "cargo".into()).into(),
            manifest_dir: var("CARGO_MANIFEST_DIR")
                .unwrap_or_else(|| ".".into())
                .into(),
            target: var("TARGET"),
            name: var("CARGO_PKG_NAME").unwrap_or_default(),
            version: var("CARGO_PKG_VERSION").unwrap_or_default(),
        }
    }

    fn manifest_path(&self) -> PathBuf {
        self.manifest_dir.join("Cargo.toml")
    }
}

/// Whether this build enabled `feature` of the package being built.
fn feature_enabled(feature: &str) -> bool {
    env::var_os(feature_variable(feature)).is_some()
}

/// `foo-bar` → `CARGO_FEATURE_FOO_BAR`, as cargo names it for build scripts.
fn feature_variable(feature: &str) -> String {
    format!("CARGO_FEATURE_{}", feature.to_uppercase().replace('-', "_"))
}

/// Everything the page shows from this build, and the files whose change
/// should run the script again.
fn record(build: &Build, watched: &mut BTreeSet<PathBuf>) -> Map<String, Value> {
    let mut record = Map::new();
    let mut package = Map::new();
    package.insert("name".into(), build.name.clone().into());
    package.insert("version".into(), build.version.clone().into());
    record.insert("package".into(), package.into());
    watched.insert(build.manifest_path());

    let workspace = workspace::Workspace::read(build);
    let libraries = match &workspace {
        Ok(workspace) => {
            watched.extend(workspace.manifests());
            libraries::list(build, workspace)
        }
        Err(error) => Err(error.clone()),
    };
    match libraries {
        Ok(listed) => {
            if let Ok(workspace) = &workspace {
                watched.extend(workspace.source_dirs(&listed.linked));
            }
            record.insert("libraries".into(), listed.libraries.into());
        }
        Err(error) => {
            println!("cargo::warning=heartbeat-build cannot list the linked crates: {error}");
            record.insert(
                "hint".into(),
                format!("the build script could not list the linked crates: {error}").into(),
            );
        }
    }

    let root = workspace
        .as_ref()
        .map_or(build.manifest_dir.as_path(), |w| w.root());
    if let Some(found) = revision::find(root, watched) {
        record.insert("revision".into(), found);
    }
    record
}

/// The first line of a command's error output, to quote in a warning.
fn first_line(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let line = text
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .unwrap_or("no error output");
    line.to_owned()
}

/// `path` if it exists, for `rerun-if-changed` (a missing path would run the
/// script on every build).
fn existing(path: &Path) -> Option<PathBuf> {
    path.exists().then(|| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feature_variables_are_named_as_cargo_names_them() {
        assert_eq!(feature_variable("default"), "CARGO_FEATURE_DEFAULT");
        assert_eq!(feature_variable("tls-rustls"), "CARGO_FEATURE_TLS_RUSTLS");
        assert_eq!(feature_variable("serde_json"), "CARGO_FEATURE_SERDE_JSON");
    }

    #[test]
    fn the_first_non_empty_line_is_quoted() {
        assert_eq!(
            first_line(b"\n  error: no lockfile\nmore"),
            "error: no lockfile"
        );
        assert_eq!(first_line(b""), "no error output");
    }
}
