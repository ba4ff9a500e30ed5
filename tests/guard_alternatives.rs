//! `data/alternatives.toml` is generated from the shared
//! `native-alternatives.tsv` by `scripts/build-alternatives.py`, never by hand:
//! regenerating it must give the same bytes, and every row of the TSV must
//! be in the embedded table with the same names.

use pip_guard::alternatives::Alternatives;
use std::path::PathBuf;
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shared data dir: `$PIP_GUARD_SHARED/data`, `../shared/data` (CI), or
/// `../../shared/data` (a worktree one level deeper).
fn shared_tsv() -> Option<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(s) = std::env::var_os("PIP_GUARD_SHARED") {
        dirs.push(PathBuf::from(s).join("data"));
    }
    dirs.push(repo().join("../shared/data"));
    dirs.push(repo().join("../../shared/data"));
    let found = dirs
        .into_iter()
        .map(|d| d.join("native-alternatives.tsv"))
        .find(|p| p.is_file());
    if found.is_none() {
        let msg = "native-alternatives.tsv is missing (../shared/data): run tests/setup.sh \
                   in the project checkout, or set PIP_GUARD_SHARED";
        if matches!(std::env::var("CI").as_deref(), Ok("true") | Ok("1")) {
            panic!("{msg}");
        }
        eprintln!("SKIPPED: {msg}");
    }
    found
}

#[test]
fn regenerating_gives_the_same_file() {
    let Some(tsv) = shared_tsv() else {
        return;
    };
    let out = Command::new("python3")
        .arg(repo().join("scripts/build-alternatives.py"))
        .arg("--check")
        .arg("--tsv")
        .arg(&tsv)
        .output()
        .expect("run python3");
    assert!(
        out.status.success(),
        "data/alternatives.toml is stale; regenerate it with \
         `python3 scripts/build-alternatives.py`:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn every_tsv_row_is_embedded() {
    let Some(tsv) = shared_tsv() else {
        return;
    };
    let text = std::fs::read_to_string(&tsv).expect("read tsv");
    let table = Alternatives::embedded();
    let mut rows = 0;
    for (i, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        rows += 1;
        let cols: Vec<&str> = line.split('\t').collect();
        let attr = cols[1].trim();
        let entry = table
            .entries
            .iter()
            .find(|a| a.attr == attr)
            .unwrap_or_else(|| {
                panic!(
                    "{}:{}: {attr} is not in data/alternatives.toml",
                    tsv.display(),
                    i + 1
                )
            });
        let mut names: Vec<String> = cols[0]
            .split(',')
            .filter(|n| !n.trim().is_empty())
            .map(|n| pip_guard::names::normalize(n.trim()))
            .collect();
        names.sort();
        names.dedup();
        assert_eq!(entry.pypi, names, "{attr}");
        for n in &names {
            assert!(table.for_name(n).any(|a| a.attr == attr), "{n} → {attr}");
        }
        assert_eq!(entry.language, cols[3].trim(), "{attr}");
        assert_eq!(entry.kind, cols[4].trim(), "{attr}");
    }
    assert_eq!(rows, table.entries.len(), "one entry per TSV row");
}

/// The check can fail: a changed table is reported as stale.
#[test]
fn a_stale_table_is_reported() {
    let Some(tsv) = shared_tsv() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tmp");
    let out_file = dir.path().join("alternatives.toml");
    std::fs::write(&out_file, "# hand-edited\n").expect("write");
    let out = Command::new("python3")
        .arg(repo().join("scripts/build-alternatives.py"))
        .args(["--check", "--tsv"])
        .arg(&tsv)
        .arg("--out")
        .arg(&out_file)
        .output()
        .expect("run python3");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("scripts/build-alternatives.py"));
}
