//! A fresh clone, with nothing beside it, builds and runs the README's first
//! command, and nothing the build, the scripts or the tests read lives
//! outside the repository.
//!
//! The clone is of the committed `HEAD` (what a user or CI gets). Its
//! release build shares this checkout's `target/` (dependencies are built
//! once; only pip-guard itself is compiled again, from the clone's sources).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    common::repo_root()
}

/// The README's first set-up command, read from the README itself.
fn readme_first_command() -> String {
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("read README.md");
    let block = readme
        .split("```sh\n")
        .nth(1)
        .expect("README.md opens with a ```sh block");
    let line = block.lines().next().expect("a first command");
    line.split('#').next().unwrap_or(line).trim().to_string()
}

fn clone_head(into: &Path) -> PathBuf {
    let dest = into.join("pip-guard");
    let st = Command::new("git")
        .args(["clone", "-q", "--no-hardlinks"])
        .arg(repo())
        .arg(&dest)
        .status()
        .expect("run git clone");
    assert!(st.success(), "git clone of {} failed", repo().display());
    dest
}

#[test]
fn nothing_names_the_steering_repository() {
    // Nothing a clone runs may read the steering repository's data folder beside
    // the checkout (a user's clone has nothing beside it).
    let out = Command::new("git")
        .args([
            "grep",
            "-n",
            "-E",
            r"\.\./shar[e]d|PIP_GUARD_SHAR[E]D",
            "--",
        ])
        .args([
            "tests",
            "scripts",
            ".ci",
            "build.rs",
            "src",
            "benches",
            "Cargo.toml",
        ])
        .current_dir(repo())
        .output()
        .expect("run git grep");
    let hits: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.starts_with("tests/fresh_clone.rs:"))
        .map(str::to_string)
        .collect();
    assert!(
        hits.is_empty(),
        "reads outside the repository:\n{}",
        hits.join("\n")
    );
}

#[test]
fn every_file_the_build_embeds_is_tracked() {
    // include_str!/include_bytes! targets must be committed, not only present here.
    let tracked = Command::new("git")
        .args(["ls-files", "-z"])
        .current_dir(repo())
        .output()
        .expect("git ls-files");
    let tracked: std::collections::BTreeSet<String> = String::from_utf8_lossy(&tracked.stdout)
        .split('\0')
        .map(str::to_string)
        .collect();
    let re = regex::Regex::new(r#"include_(?:str|bytes)!\(\s*(?:concat!\(\s*env!\("CARGO_MANIFEST_DIR"\)\s*,\s*)?"([^"]+)""#)
        .expect("regex");
    let mut checked = 0;
    for f in tracked
        .iter()
        .filter(|f| f.starts_with("src/") && f.ends_with(".rs"))
    {
        let path = repo().join(f);
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        for cap in re.captures_iter(&text) {
            let target = &cap[1];
            let resolved = if let Some(rel) = target.strip_prefix('/') {
                PathBuf::from(rel)
            } else {
                path.parent().expect("a parent").join(target)
            };
            let resolved =
                std::fs::canonicalize(&resolved).unwrap_or_else(|e| panic!("{f}: {target}: {e}"));
            let rel = resolved
                .strip_prefix(repo().canonicalize().expect("repo"))
                .unwrap_or_else(|_| panic!("{f}: {target} is outside the repository"))
                .to_string_lossy()
                .into_owned();
            assert!(
                tracked.contains(&rel),
                "{f} embeds {rel}, which git does not track"
            );
            checked += 1;
        }
    }
    assert!(
        checked >= 5,
        "found only {checked} embedded files: is the regex still right?"
    );
}

#[test]
fn a_fresh_clone_runs_the_readme_first_command() {
    let Some(_git) = common::require("git") else {
        return;
    };
    let cmd = readme_first_command();
    assert!(
        cmd.starts_with("cargo run --release -- audit"),
        "the README's first command changed: {cmd}"
    );
    let tmp = tempfile::tempdir().expect("tempdir");
    let clone = clone_head(tmp.path());
    // Nothing beside the clone: its parent holds only the clone.
    let siblings: Vec<_> = std::fs::read_dir(tmp.path())
        .expect("read tmp")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(siblings, vec![std::ffi::OsString::from("pip-guard")]);

    // The data scripts find everything they need inside the clone.
    for script in ["scripts/build-data.py", "scripts/build-alternatives.py"] {
        let out = Command::new("python3")
            .arg(script)
            .arg("--check")
            .current_dir(&clone)
            .output()
            .expect("run python3");
        assert!(
            out.status.success(),
            "{script} --check fails in a fresh clone:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    // The README's first command, word for word, in the clone.
    let words = shell_words(&cmd);
    let out = Command::new(&words[0])
        .args(&words[1..])
        .current_dir(&clone)
        .env("CARGO_TARGET_DIR", repo().join("target"))
        .env("CARGO_NET_OFFLINE", "true")
        .env_remove("PIP_GUARD_INDEX")
        .env("XDG_CACHE_HOME", tmp.path().join("cache"))
        .env("XDG_CONFIG_HOME", tmp.path().join("config"))
        .env("NIX_PATH", "")
        .output()
        .expect("run the README's first command");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        matches!(out.status.code(), Some(0) | Some(1)),
        "`{cmd}` failed in a fresh clone ({:?}):\n{stderr}",
        out.status
    );
    // The audit read the example file: each of its named requirements is reported.
    for name in ["numpy", "pandas", "openai-whisper", "my-internal-tool"] {
        assert!(
            stdout.contains(name),
            "`{cmd}` did not report {name}:\n{stdout}"
        );
    }
}

/// Split a README command into words (it holds no quotes).
fn shell_words(cmd: &str) -> Vec<String> {
    assert!(
        !cmd.contains(['"', '\'', '\\', '$']),
        "unexpected shell syntax: {cmd}"
    );
    cmd.split_whitespace().map(str::to_string).collect()
}
