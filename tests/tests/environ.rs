//! The environ page of real binaries set up as applications are (the
//! fixture package `heartbeat-fixture-environ` and the example services):
//! built with cargo, run, and their served `libraries` compared with what
//! `cargo tree` reports for them.
//!
//! The expected list is read from `cargo tree -e normal --no-dedupe`, whose
//! subtrees under procedural macros are left out here: a procedural macro
//! runs inside the compiler and is not linked into the binary, nor is what
//! only it uses.

use std::{
    collections::{BTreeMap, BTreeSet},
    io::{Read, Write},
    net::TcpStream,
    path::{Path, PathBuf},
    process::Command,
    sync::Mutex,
};

use heartbeat_tests::ChildServer;
use serde_json::Value;

const FIXTURE: &str = "heartbeat-fixture-environ";

/// Builds of the fixture with different features replace one executable.
static BUILDS: Mutex<()> = Mutex::new(());

/// `(name, version)` → features, for every crate linked into the binary.
type Linked = BTreeMap<(String, String), BTreeSet<String>>;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests package sits in the workspace")
        .to_path_buf()
}

fn cargo() -> Command {
    let mut command = Command::new(env!("CARGO"));
    command.current_dir(workspace());
    command
}

fn output(command: &mut Command) -> String {
    let output = command.output().expect("the command runs");
    assert!(
        output.status.success(),
        "{command:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

fn host() -> String {
    let version = output(Command::new("rustc").arg("-vV"));
    version
        .lines()
        .find_map(|line| line.strip_prefix("host: "))
        .expect("rustc names its host")
        .to_owned()
}

/// Builds the fixture with `features`, runs it, and returns the environ page
/// it served.
fn served(features: &[&str]) -> Value {
    served_with_revision(features, None)
}

/// As [`served`], with `HEARTBEAT_REVISION` set to `revision` for the build
/// (and unset for `None`).
fn served_with_revision(features: &[&str], revision: Option<&str>) -> Value {
    let executable = build(FIXTURE, features, revision);
    let body = output(&mut Command::new(executable));
    serde_json::from_str(&body).expect("the fixture prints JSON")
}

/// Builds a package's binary as `cargo build -p` does, and returns its path.
fn build(package: &str, features: &[&str], revision: Option<&str>) -> PathBuf {
    let mut build = cargo();
    build.args(["build", "--package", package, "--message-format", "json"]);
    build.args(features);
    match revision {
        Some(revision) => build.env("HEARTBEAT_REVISION", revision),
        None => build.env_remove("HEARTBEAT_REVISION"),
    };
    let messages = output(&mut build);
    messages
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|message| message["target"]["name"] == package)
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
        .unwrap_or_else(|| panic!("cargo names {package}'s executable"))
}

/// What `cargo tree` says is linked: normal dependencies for the host, with
/// the subtrees under procedural macros left out.
fn expected(package: &str, features: &[&str]) -> Linked {
    let mut tree = cargo();
    tree.args(["tree", "--package", package, "--target", &host()]);
    tree.args(["--edges", "normal", "--no-dedupe", "--prefix", "depth"]);
    tree.args([
        "--format",
        "{p}|{f}",
        "--charset",
        "ascii",
        "--color",
        "never",
    ]);
    tree.args(features);
    let text = output(&mut tree);

    let mut linked = Linked::new();
    let mut skipping_below: Option<usize> = None;
    for line in text.lines().filter(|line| !line.is_empty()) {
        let digits = line.chars().take_while(char::is_ascii_digit).count();
        let depth: usize = line[..digits].parse().expect("a depth prefix");
        let (package, features) = line[digits..].split_once('|').expect("the format's bar");

        if skipping_below.is_some_and(|macro_depth| depth > macro_depth) {
            continue;
        }
        skipping_below = None;
        if package.contains("(proc-macro)") {
            skipping_below = Some(depth);
            continue;
        }
        if depth == 0 {
            continue;
        }

        let mut words = package.split_whitespace();
        let name = words.next().expect("a name").to_owned();
        let version = words.next().expect("a version");
        let version = version.strip_prefix('v').expect("v before the version");
        linked
            .entry((name, version.to_owned()))
            .or_default()
            .extend(
                features
                    .split(',')
                    .filter(|f| !f.is_empty())
                    .map(str::to_owned),
            );
    }
    linked
}

/// The served `libraries`, flattened to every linked version with the
/// features shown for it (shown for the highest version only).
fn linked(page: &Value) -> Linked {
    let libraries = page["libraries"]
        .as_object()
        .expect("libraries is an object");
    let mut linked = Linked::new();
    for (name, library) in libraries {
        let version = library["version"].as_str().expect("a version").to_owned();
        let features = library["features"]
            .as_array()
            .expect("features are listed")
            .iter()
            .map(|feature| feature.as_str().expect("a feature name").to_owned())
            .collect();
        linked.insert((name.clone(), version), features);

        match &library["conflicts"] {
            Value::Null => {}
            Value::Array(others) => {
                assert!(!others.is_empty(), "{name}: conflicts is null when empty");
                for other in others {
                    let other = other.as_str().expect("a version").to_owned();
                    linked.insert((name.clone(), other), BTreeSet::new());
                }
            }
            other => panic!("{name}: conflicts is {other}"),
        }
    }
    linked
}

/// Compares versions everywhere, and features where they are shown.
fn assert_same_crates(page: &Value, package: &str, features: &[&str]) {
    let served = linked(page);
    let expected = expected(package, features);
    let names = |linked: &Linked| linked.keys().cloned().collect::<BTreeSet<_>>();
    assert_eq!(
        names(&served),
        names(&expected),
        "linked crates and versions"
    );

    for (name, library) in page["libraries"].as_object().unwrap() {
        let version = library["version"].as_str().unwrap().to_owned();
        assert_eq!(
            served[&(name.clone(), version.clone())],
            expected[&(name.clone(), version)],
            "features of {name}"
        );
    }
}

fn names(page: &Value) -> BTreeSet<&str> {
    page["libraries"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect()
}

#[test]
fn the_page_lists_what_cargo_links_into_the_binary() {
    let _one_build_at_a_time = BUILDS.lock().unwrap_or_else(|poison| poison.into_inner());
    let page = served(&[]);
    assert_same_crates(&page, FIXTURE, &[]);

    let names = names(&page);
    for linked in ["heartbeat-core", "tokio", "serde_json", "itoa", "either"] {
        assert!(names.contains(linked), "{linked} is linked: {names:?}");
    }
    for absent in [
        FIXTURE,            // the package itself: it is `package`
        "heartbeat-macros", // a procedural macro
        "syn",              // used only by procedural macros
        "heartbeat-build",  // a build-dependency
        "anes",             // a dev-dependency
        "oorandom",         // for Windows only
        "same-file",        // optional, behind a feature that is off
    ] {
        assert!(!names.contains(absent), "{absent} is not linked: {names:?}");
    }
}

#[test]
fn a_crate_linked_twice_shows_its_other_version_as_a_conflict() {
    let _one_build_at_a_time = BUILDS.lock().unwrap_or_else(|poison| poison.into_inner());
    let page = served(&[]);

    let itoa = &page["libraries"]["itoa"];
    let version = itoa["version"].as_str().unwrap();
    let conflicts = itoa["conflicts"].as_array().expect("itoa is linked twice");
    assert!(
        version.starts_with("1."),
        "the highest version is shown: {itoa}"
    );
    assert_eq!(conflicts.len(), 1, "{itoa}");
    assert!(conflicts[0].as_str().unwrap().starts_with("0.4."), "{itoa}");

    assert_eq!(page["libraries"]["tokio"]["conflicts"], Value::Null);
}

#[test]
fn the_build_features_decide_the_optional_crates() {
    let _one_build_at_a_time = BUILDS.lock().unwrap_or_else(|poison| poison.into_inner());
    let features = ["--no-default-features", "--features", "walk"];
    let page = served(&features);
    assert_same_crates(&page, FIXTURE, &features);

    let names = names(&page);
    assert!(names.contains("same-file"), "{names:?}");
    assert!(!names.contains("either"), "{names:?}");
}

#[test]
fn the_page_names_the_package_the_compiler_and_the_revision() {
    let _one_build_at_a_time = BUILDS.lock().unwrap_or_else(|poison| poison.into_inner());
    let page = served(&[]);

    assert_eq!(
        page["package"],
        serde_json::json!({ "name": FIXTURE, "version": "0.3.1" })
    );
    assert_eq!(page["target"], host());

    let rustc = output(Command::new("rustc").arg("-vV"));
    let release = rustc
        .lines()
        .find_map(|line| line.strip_prefix("release: "))
        .expect("rustc names its release");
    let numbers: Vec<u64> = release
        .split(['-', '+'])
        .next()
        .unwrap()
        .split('.')
        .map(|n| n.parse().unwrap())
        .collect();
    assert_eq!(page["rust"], serde_json::json!(numbers));
    assert!(page["rustc"].as_str().unwrap().starts_with(release));

    // A source archive without `.git` has no revision to show.
    let head = Command::new("git")
        .current_dir(workspace())
        .args(["rev-parse", "HEAD"])
        .output()
        .ok()
        .filter(|output| output.status.success());
    match head {
        Some(head) => {
            let head = String::from_utf8(head.stdout).unwrap();
            assert_eq!(page["revision"]["commit"], head.trim());
            assert!(page["revision"]["dirty"].is_boolean());
        }
        None => assert!(page.get("revision").is_none()),
    }
}

#[test]
fn a_revision_given_at_build_time_wins_over_git() {
    let _one_build_at_a_time = BUILDS.lock().unwrap_or_else(|poison| poison.into_inner());
    let page = served_with_revision(&[], Some("release-2026.05"));
    assert_eq!(
        page["revision"],
        serde_json::json!({ "commit": "release-2026.05" })
    );
}

#[test]
fn a_contribution_cannot_overwrite_status_or_the_libraries() {
    let _one_build_at_a_time = BUILDS.lock().unwrap_or_else(|poison| poison.into_inner());
    let page = served(&[]);

    // The fixture's contribution passes with `status: false`,
    // `libraries: "replaced"` and `numbers: "14"` in its data.
    assert_eq!(page["status"], true);
    assert!(page["libraries"].is_object());
    assert_eq!(page["numbers"], "14");
    assert!(page.get("hint").is_none(), "the build info was recorded");
}

/// Runs an example service on a free port and returns its environ page.
fn example_page(package: &str) -> Value {
    let mut command = Command::new(build(package, &[], None));
    command
        .env("PORT", "0")
        .env("HOST", "127.0.0.1")
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn");
    let server = ChildServer::start(command);
    let address = server.address();

    let mut stream = TcpStream::connect(address).unwrap();
    write!(
        stream,
        "GET /.well-known/heartbeat/environ HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();

    let (_, body) = answer.split_once("\r\n\r\n").expect("an HTTP answer");
    serde_json::from_str(body).unwrap_or_else(|_| panic!("{package} served {answer}"))
}

#[test]
fn each_example_serves_what_cargo_links_into_it() {
    let _one_build_at_a_time = BUILDS.lock().unwrap_or_else(|poison| poison.into_inner());
    for (package, framework) in [
        ("example-axum", "axum"),
        ("example-actix", "actix-web"),
        ("example-warp", "warp"),
    ] {
        let page = example_page(package);
        assert_same_crates(&page, package, &[]);
        assert_eq!(page["package"]["name"], package);
        assert!(names(&page).contains(framework), "{package}: {framework}");
    }
}
