//! The source revision the binary is built from: the git commit checked out,
//! or what the builder says.

use std::{
    collections::BTreeSet,
    env,
    path::{Path, PathBuf},
    process::Command,
};

use serde_json::{Map, Value};

use crate::existing;

/// The variable that gives the revision when the sources are no git
/// checkout.
pub(crate) const OVERRIDE: &str = "HEARTBEAT_REVISION";

/// `{"commit": …, "dirty": …}`, or `None` when there is nothing to tell.
/// Adds the git files whose change means a new revision to `watched`.
pub(crate) fn find(root: &Path, watched: &mut BTreeSet<PathBuf>) -> Option<Value> {
    let mut revision = Map::new();
    if let Some(commit) = env::var(OVERRIDE)
        .ok()
        .filter(|value| !value.trim().is_empty())
    {
        revision.insert("commit".into(), commit.trim().into());
        return Some(revision.into());
    }

    let commit = git(root, &["rev-parse", "--verify", "--quiet", "HEAD"])?;
    revision.insert("commit".into(), commit.trim().into());

    let mut files = vec!["HEAD", "index", "packed-refs"];
    let reference = git(root, &["rev-parse", "--symbolic-full-name", "HEAD"]);
    if let Some(reference) = reference.as_deref().map(str::trim) {
        if reference.starts_with("refs/") {
            files.push(reference);
        }
    }
    let mut args = vec!["rev-parse"];
    for file in &files {
        args.extend(["--git-path", file]);
    }
    if let Some(paths) = git(root, &args) {
        watched.extend(paths.lines().filter_map(|path| existing(&root.join(path))));
    }

    // `--no-optional-locks` (given to every call) keeps `status` from
    // rewriting the index, which is watched: a rewrite would run the build
    // script again on every build.
    if let Some(changes) = git(
        root,
        &["status", "--porcelain", "--untracked-files=no", "--", "."],
    ) {
        revision.insert("dirty".into(), (!changes.trim().is_empty()).into());
    }
    Some(revision.into())
}

/// What `git` printed, when it ran and succeeded.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .current_dir(dir)
        .arg("--no-optional-locks")
        .args(args)
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    String::from_utf8(output.stdout).ok()
}
