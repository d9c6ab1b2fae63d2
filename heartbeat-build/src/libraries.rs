//! The crates linked into the binary, as `cargo tree` lists them for the
//! package being built, the target being built and the features enabled.

use std::{
    cmp::Ordering,
    collections::{BTreeMap, BTreeSet},
    process::Command,
};

use serde_json::{Map, Value};

use crate::{Build, feature_enabled, first_line, workspace::Workspace};

/// What `cargo tree` printed, shaped for the page.
#[derive(Debug, Default)]
pub(crate) struct Listed {
    /// `{name: {"version", "conflicts", "features"}}`.
    pub(crate) libraries: Map<String, Value>,
    /// Every (name, version) listed.
    pub(crate) linked: BTreeSet<(String, String)>,
}

/// Separates a node's features from its package in each line of the tree.
const FORMAT: &str = "{f}|{p}";

pub(crate) fn list(build: &Build, workspace: &Workspace) -> Result<Listed, String> {
    let package = workspace.package();
    let features: Vec<&str> = package
        .features
        .iter()
        .map(String::as_str)
        .filter(|feature| feature_enabled(feature))
        .collect();

    let mut command = Command::new(&build.cargo);
    command
        .current_dir(&build.manifest_dir)
        .args(["tree", "--locked", "--offline", "--manifest-path"])
        .arg(build.manifest_path())
        .args(["--package", &package.id])
        .args(["--edges", "normal,no-proc-macro"])
        .args(["--prefix", "none", "--charset", "ascii", "--color", "never"])
        .args(["--format", FORMAT, "--no-default-features"]);
    if !features.is_empty() {
        command.args(["--features", &features.join(",")]);
    }
    if let Some(target) = &build.target {
        command.args(["--target", target]);
    }

    let output = command
        .output()
        .map_err(|error| format!("cannot run `{}`: {error}", build.cargo.display()))?;
    if !output.status.success() {
        return Err(format!(
            "`cargo tree` failed: {}",
            first_line(&output.stderr)
        ));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    Ok(parse(&text, (&package.name, &package.version)))
}

/// Reads lines such as `default,std|itoa v1.0.19` or
/// `|heartbeat-core v0.1.0 (/work/heartbeat-core) (*)`, leaving out the
/// package itself.
fn parse(text: &str, package: (&str, &str)) -> Listed {
    let mut found: BTreeMap<String, BTreeMap<Version, BTreeSet<String>>> = BTreeMap::new();
    for line in text.lines() {
        let Some((features, node)) = line.split_once('|') else {
            continue;
        };
        let mut words = node.split_whitespace();
        let (Some(name), Some(version)) = (words.next(), words.next()) else {
            continue;
        };
        let Some(version) = version.strip_prefix('v') else {
            continue;
        };
        if (name, version) == package {
            continue;
        }
        found
            .entry(name.to_owned())
            .or_default()
            .entry(Version(version.to_owned()))
            .or_default()
            .extend(
                features
                    .split(',')
                    .filter(|f| !f.is_empty())
                    .map(str::to_owned),
            );
    }

    let mut listed = Listed::default();
    for (name, versions) in found {
        for version in versions.keys() {
            listed.linked.insert((name.clone(), version.0.clone()));
        }
        listed.libraries.insert(name, entry(versions));
    }
    listed
}

/// The highest version with its features, and the others as `conflicts`.
fn entry(mut versions: BTreeMap<Version, BTreeSet<String>>) -> Value {
    let mut library = Map::new();
    let Some((highest, features)) = versions.pop_last() else {
        return Value::Object(library);
    };
    let conflicts = if versions.is_empty() {
        Value::Null
    } else {
        versions.into_keys().map(|v| Value::from(v.0)).collect()
    };
    library.insert("version".into(), highest.0.into());
    library.insert("conflicts".into(), conflicts);
    library.insert(
        "features".into(),
        features.into_iter().map(Value::from).collect(),
    );
    Value::Object(library)
}

/// A version ordered as semantic versioning orders them: by number, a
/// pre-release before its release, build metadata ignored except to break
/// ties.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Version(String);

impl Version {
    fn parts(&self) -> (Vec<u64>, Option<&str>) {
        let (version, _build) = self.0.split_once('+').unwrap_or((&self.0, ""));
        let (numbers, pre) = match version.split_once('-') {
            Some((numbers, pre)) => (numbers, Some(pre)),
            None => (version, None),
        };
        let numbers = numbers.split('.').map(|n| n.parse().unwrap_or(0)).collect();
        (numbers, pre)
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        let (numbers, pre) = self.parts();
        let (other_numbers, other_pre) = other.parts();
        numbers
            .cmp(&other_numbers)
            .then_with(|| match (pre, other_pre) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Greater,
                (Some(_), None) => Ordering::Less,
                (Some(a), Some(b)) => compare_pre_release(a, b),
            })
            .then_with(|| self.0.cmp(&other.0))
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// `alpha.2` < `alpha.10` < `beta`: numeric identifiers by value, and
/// before alphanumeric ones.
fn compare_pre_release(a: &str, b: &str) -> Ordering {
    let identifier = |s: &str| match s.parse::<u64>() {
        Ok(n) => (0, n, String::new()),
        Err(_) => (1, 0, s.to_owned()),
    };
    let a = a.split('.').map(identifier);
    let b = b.split('.').map(identifier);
    a.cmp(b)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const TREE: &str = "\
|app v0.1.0 (/ws/app)
std|itoa v0.4.8
|itoa v1.0.19
default,std|either v1.19.0
|heartbeat-core v0.1.0 (/ws/heartbeat-core)
rt,time|tokio v1.54.1
|pin-project-lite v0.2.18
|pin-project-lite v0.2.18 (*)
";

    #[test]
    fn each_crate_shows_its_version_and_the_others_as_conflicts() {
        let listed = parse(TREE, ("app", "0.1.0"));
        assert_eq!(
            Value::Object(listed.libraries),
            json!({
                "either": { "version": "1.19.0", "conflicts": null, "features": ["default", "std"] },
                "heartbeat-core": { "version": "0.1.0", "conflicts": null, "features": [] },
                "itoa": { "version": "1.0.19", "conflicts": ["0.4.8"], "features": [] },
                "pin-project-lite": { "version": "0.2.18", "conflicts": null, "features": [] },
                "tokio": { "version": "1.54.1", "conflicts": null, "features": ["rt", "time"] },
            })
        );
        assert!(listed.linked.contains(&("itoa".into(), "0.4.8".into())));
        assert!(!listed.linked.contains(&("app".into(), "0.1.0".into())));
    }

    #[test]
    fn conflicts_are_listed_lowest_first() {
        let listed = parse(
            "|x v0.10.0\n|x v0.9.1\n|x v0.2.0\n|x v1.0.0-rc.1\n",
            ("app", "0.1.0"),
        );
        assert_eq!(
            listed.libraries["x"],
            json!({ "version": "1.0.0-rc.1", "conflicts": ["0.2.0", "0.9.1", "0.10.0"], "features": [] })
        );
    }

    #[test]
    fn versions_follow_semantic_versioning() {
        let v = |s: &str| Version(s.to_owned());
        assert!(v("0.10.0") > v("0.9.9"));
        assert!(v("1.0.0") > v("1.0.0-rc.1"));
        assert!(v("1.0.0-alpha.10") > v("1.0.0-alpha.2"));
        assert!(v("1.0.0-beta") > v("1.0.0-alpha.10"));
        assert!(v("2.0.0+build.1") > v("1.9.0"));
    }

    #[test]
    fn lines_that_are_not_nodes_are_skipped() {
        let listed = parse("warning: something\n\n|app v0.1.0\n", ("app", "0.1.0"));
        assert!(listed.libraries.is_empty());
    }
}
