//! What the environ page shows by itself: the compiler, target and profile
//! of the build, and what `heartbeat-build` recorded about the application.

use serde_json::{Map, Value};

/// Shown in place of the libraries when the application did not record them.
const NOT_RECORDED: &str = "libraries, package and revision are recorded when the application \
    is built: add heartbeat-build to its [build-dependencies], a build.rs with \
    `fn main() { heartbeat_build::environ(); }`, and `.build_info(build_info!())` \
    on the heartbeat's builder";

/// What `heartbeat-build` recorded about the application when it was built:
/// the crates linked into the binary, the application's name and version,
/// and its source revision. Made by [`build_info!`](crate::build_info) and
/// handed to [`HeartbeatBuilder::build_info`](crate::HeartbeatBuilder::build_info).
///
/// ```rust,ignore
/// // build.rs of the application: fn main() { heartbeat_build::environ(); }
/// let heartbeat = Heartbeat::builder()
///     .build_info(heartbeat_core::build_info!())
///     .build()?;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuildInfo {
    json: &'static str,
}

impl BuildInfo {
    /// The record as `heartbeat-build` wrote it. Not a public API: use
    /// [`build_info!`](crate::build_info).
    #[doc(hidden)]
    pub const fn __from_recorded(json: &'static str) -> Self {
        Self { json }
    }

    /// The record, a JSON object whose keys join the environ page.
    pub fn as_json(&self) -> &'static str {
        self.json
    }

    /// The record's keys, or none when it cannot be read (a record written
    /// by an incompatible `heartbeat-build`), which is logged.
    fn entries(&self) -> Map<String, Value> {
        match serde_json::from_str(self.json) {
            Ok(Value::Object(entries)) => entries,
            _ => {
                tracing::warn!(
                    target: "heartbeat",
                    "the recorded build info is not a JSON object; the environ page leaves it out"
                );
                Map::new()
            }
        }
    }
}

/// Reads, into the application, what its build script recorded with
/// `heartbeat_build::environ()`, as a [`BuildInfo`] for
/// [`HeartbeatBuilder::build_info`](crate::HeartbeatBuilder::build_info).
///
/// It must be called in the package whose `build.rs` calls
/// `heartbeat_build::environ()`; elsewhere, compiling fails with a message
/// saying how to set that up.
///
/// ```rust,ignore
/// let heartbeat = Heartbeat::builder()
///     .build_info(heartbeat_core::build_info!())
///     .build()?;
/// ```
#[macro_export]
macro_rules! build_info {
    () => {
        $crate::BuildInfo::__from_recorded(::core::include_str!(::core::env!(
            "HEARTBEAT_BUILD_INFO",
            "no build info was recorded for this package: add `heartbeat-build` to its \
             [build-dependencies] and a build.rs with `fn main() { heartbeat_build::environ(); }`"
        )))
    };
}

/// The page's keys before the builder's values and the contributions:
/// `rust`, `rustc`, `target`, `profile`, and the recorded `libraries`,
/// `package` and `revision` (or an empty `libraries` and a `hint`).
pub(crate) fn base(build_info: Option<&BuildInfo>) -> Map<String, Value> {
    let mut base = Map::new();

    let rustc = option_env!("HEARTBEAT_RUSTC");
    base.insert(
        "rust".into(),
        rustc
            .and_then(version_triple)
            .map_or(Value::Null, Value::from),
    );
    base.insert("rustc".into(), rustc.map_or(Value::Null, Value::from));
    base.insert(
        "target".into(),
        option_env!("HEARTBEAT_TARGET").map_or(Value::Null, Value::from),
    );
    base.insert(
        "profile".into(),
        option_env!("HEARTBEAT_PROFILE").map_or(Value::Null, Value::from),
    );

    if let Some(info) = build_info {
        base.extend(info.entries());
    }
    if !base.contains_key("libraries") {
        base.insert("libraries".into(), Value::Object(Map::new()));
        base.entry("hint").or_insert_with(|| NOT_RECORDED.into());
    }
    base
}

/// `1.95.0 (59807616e 2026-04-14)` or `1.97.0-nightly (…)` → `[1, 95, 0]`.
fn version_triple(rustc: &str) -> Option<[u64; 3]> {
    let version = rustc.split_whitespace().next()?;
    let version = version.split(['-', '+']).next()?;
    let mut numbers = version.split('.').map(|n| n.parse().ok());
    let triple = [numbers.next()??, numbers.next()??, numbers.next()??];
    Some(triple)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn compiler_versions_become_triples() {
        assert_eq!(
            version_triple("1.95.0 (59807616e 2026-04-14)"),
            Some([1, 95, 0])
        );
        assert_eq!(
            version_triple("1.97.0-nightly (abc 2026-05-01)"),
            Some([1, 97, 0])
        );
        assert_eq!(version_triple("unknown"), None);
    }

    #[test]
    fn the_compiler_target_and_profile_show_without_setup() {
        let base = base(None);
        let rust = base["rust"].as_array().expect("rust is an array");
        assert_eq!(rust.len(), 3);
        assert!(rust.iter().all(Value::is_u64));
        assert!(
            base["rustc"]
                .as_str()
                .unwrap()
                .starts_with(&format!("{}.{}.", rust[0], rust[1]))
        );
        assert!(!base["target"].as_str().unwrap().is_empty());
        assert!(matches!(
            base["profile"].as_str(),
            Some("debug" | "release")
        ));
        assert_eq!(base["libraries"], json!({}));
        assert!(
            base["hint"]
                .as_str()
                .unwrap()
                .contains("heartbeat_build::environ()")
        );
    }

    #[test]
    fn recorded_keys_join_the_base() {
        let info = BuildInfo::__from_recorded(
            r#"{"package":{"name":"app","version":"1.2.3"},
                "libraries":{"itoa":{"version":"1.0.19","conflicts":["0.4.8"]}}}"#,
        );
        let base = base(Some(&info));
        assert_eq!(base["package"], json!({"name": "app", "version": "1.2.3"}));
        assert_eq!(base["libraries"]["itoa"]["conflicts"], json!(["0.4.8"]));
        assert!(!base.contains_key("hint"));
    }

    #[test]
    fn a_record_that_lists_no_libraries_keeps_its_hint() {
        let info = BuildInfo::__from_recorded(r#"{"hint":"cargo tree failed"}"#);
        let base = base(Some(&info));
        assert_eq!(base["libraries"], json!({}));
        assert_eq!(base["hint"], json!("cargo tree failed"));

        let unreadable = BuildInfo::__from_recorded("[1, 2]");
        assert!(base_has_default_hint(&super::base(Some(&unreadable))));
    }

    fn base_has_default_hint(base: &Map<String, Value>) -> bool {
        base["hint"] == json!(NOT_RECORDED)
    }
}
