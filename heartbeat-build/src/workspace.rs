//! The package being built and its workspace, as `cargo metadata --no-deps`
//! describes them: no resolution, no download.

use std::{
    collections::BTreeSet,
    path::{Path, PathBuf},
    process::Command,
};

use serde_json::Value;

use crate::{Build, existing, first_line};

/// A workspace member, as far as the record needs it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Member {
    /// Cargo's package id, which `-p` accepts.
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) version: String,
    pub(crate) manifest_path: PathBuf,
    /// Every feature the package declares, implicit ones included.
    pub(crate) features: Vec<String>,
    /// The root files of the targets that can end up in a binary.
    pub(crate) sources: Vec<PathBuf>,
}

/// The workspace of the package being built.
#[derive(Debug)]
pub(crate) struct Workspace {
    root: PathBuf,
    members: Vec<Member>,
    /// The package being built, among `members`.
    package: usize,
}

impl Workspace {
    pub(crate) fn read(build: &Build) -> Result<Self, String> {
        let output = Command::new(&build.cargo)
            .current_dir(&build.manifest_dir)
            .args(["metadata", "--no-deps", "--format-version", "1"])
            .args(["--locked", "--offline", "--manifest-path"])
            .arg(build.manifest_path())
            .output()
            .map_err(|error| format!("cannot run `{}`: {error}", build.cargo.display()))?;
        if !output.status.success() {
            return Err(format!(
                "`cargo metadata` failed: {}",
                first_line(&output.stderr)
            ));
        }
        let metadata: Value = serde_json::from_slice(&output.stdout).map_err(|error| {
            format!("`cargo metadata` answered something else than JSON: {error}")
        })?;
        Self::from_metadata(&metadata, &build.manifest_path())
    }

    fn from_metadata(metadata: &Value, manifest_path: &Path) -> Result<Self, String> {
        let root = metadata["workspace_root"]
            .as_str()
            .ok_or("`cargo metadata` names no workspace root")?
            .into();
        let members: Vec<Member> = metadata["packages"]
            .as_array()
            .map(|packages| packages.iter().filter_map(member).collect())
            .unwrap_or_default();
        let wanted = canonical(manifest_path);
        let package = members
            .iter()
            .position(|member| canonical(&member.manifest_path) == wanted)
            .ok_or_else(|| {
                format!(
                    "`cargo metadata` does not list the package of {}",
                    manifest_path.display()
                )
            })?;
        Ok(Self {
            root,
            members,
            package,
        })
    }

    /// The directory that holds `Cargo.lock`.
    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    /// The package being built.
    pub(crate) fn package(&self) -> &Member {
        &self.members[self.package]
    }

    /// The manifests and the lockfile, whose change can change the list.
    pub(crate) fn manifests(&self) -> impl Iterator<Item = PathBuf> + '_ {
        let root = [self.root.join("Cargo.toml"), self.root.join("Cargo.lock")];
        let members = self
            .members
            .iter()
            .map(|member| member.manifest_path.clone());
        root.into_iter()
            .chain(members)
            .filter_map(|path| existing(&path))
    }

    /// The source directories of the package and of the members among
    /// `linked` (name, version), for the revision's `dirty` to follow edits.
    /// A target whose root file sits beside the manifest is watched as that
    /// file alone, so that `target/` is never watched.
    pub(crate) fn source_dirs(&self, linked: &BTreeSet<(String, String)>) -> BTreeSet<PathBuf> {
        let package = self.package();
        self.members
            .iter()
            .filter(|member| {
                *member == package
                    || linked.contains(&(member.name.clone(), member.version.clone()))
            })
            .flat_map(|member| {
                let package_dir = member.manifest_path.parent().map(Path::to_path_buf);
                member.sources.iter().filter_map(move |source| {
                    let dir = source.parent()?;
                    let watched = if Some(dir) == package_dir.as_deref() {
                        source.clone()
                    } else {
                        dir.to_path_buf()
                    };
                    existing(&watched)
                })
            })
            .collect()
    }
}

fn member(package: &Value) -> Option<Member> {
    let text = |key: &str| package[key].as_str().map(str::to_owned);
    let features = package["features"]
        .as_object()
        .map(|features| features.keys().cloned().collect())
        .unwrap_or_default();
    let sources = package["targets"]
        .as_array()
        .map(|targets| {
            targets
                .iter()
                .filter(|target| links_into_a_binary(target))
                .filter_map(|target| target["src_path"].as_str().map(PathBuf::from))
                .collect()
        })
        .unwrap_or_default();
    Some(Member {
        id: text("id")?,
        name: text("name")?,
        version: text("version")?,
        manifest_path: text("manifest_path")?.into(),
        features,
        sources,
    })
}

/// Libraries and binaries; not tests, examples, benches or build scripts.
fn links_into_a_binary(target: &Value) -> bool {
    target["kind"].as_array().is_some_and(|kinds| {
        kinds
            .iter()
            .filter_map(Value::as_str)
            .all(|kind| !matches!(kind, "test" | "example" | "bench" | "custom-build"))
    })
}

fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn metadata() -> Value {
        json!({
            "workspace_root": "/ws",
            "packages": [
                {
                    "id": "path+file:///ws/lib#lib@0.2.0",
                    "name": "lib",
                    "version": "0.2.0",
                    "manifest_path": "/ws/lib/Cargo.toml",
                    "features": {},
                    "targets": [{ "kind": ["lib"], "src_path": "/ws/lib/src/lib.rs" }]
                },
                {
                    "id": "path+file:///ws/app#0.1.0",
                    "name": "app",
                    "version": "0.1.0",
                    "manifest_path": "/ws/app/Cargo.toml",
                    "features": { "default": ["tls"], "tls": [], "either": ["dep:either"] },
                    "targets": [
                        { "kind": ["bin"], "src_path": "/ws/app/src/main.rs" },
                        { "kind": ["custom-build"], "src_path": "/ws/app/build.rs" },
                        { "kind": ["test"], "src_path": "/ws/app/tests/it.rs" }
                    ]
                }
            ]
        })
    }

    #[test]
    fn the_package_is_found_by_its_manifest() {
        let workspace =
            Workspace::from_metadata(&metadata(), Path::new("/ws/app/Cargo.toml")).unwrap();
        let package = workspace.package();
        assert_eq!(package.name, "app");
        assert_eq!(package.id, "path+file:///ws/app#0.1.0");
        assert_eq!(package.features, ["default", "either", "tls"]);
        assert_eq!(package.sources, [PathBuf::from("/ws/app/src/main.rs")]);
        assert_eq!(workspace.root(), Path::new("/ws"));
    }

    #[test]
    fn a_package_outside_the_answer_is_an_error() {
        let error =
            Workspace::from_metadata(&metadata(), Path::new("/elsewhere/Cargo.toml")).unwrap_err();
        assert!(error.contains("/elsewhere/Cargo.toml"), "{error}");
    }
}
