//! `data/alternatives.toml` is generated from the vendored
//! `data/upstream/native-alternatives.tsv` by `scripts/build-alternatives.py`, never by hand:
//! regenerating it must give the same bytes, and every row of the TSV must
//! be in the embedded table with the same names.

use pip_guard::alternatives::Alternatives;
use std::path::PathBuf;
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The vendored upstream table the generated file comes from.
fn upstream_tsv() -> PathBuf {
    repo().join("data/upstream/native-alternatives.tsv")
}

#[test]
fn regenerating_gives_the_same_file() {
    let tsv = upstream_tsv();
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
    let tsv = upstream_tsv();
    let text = std::fs::read_to_string(&tsv).expect("read tsv");
    let table = Alternatives::embedded();
    let mut rows = 0;
    // The provenance line (`# source: …`) and the header are not rows.
    let mut header_seen = false;
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        if !header_seen {
            header_seen = true;
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
    let tsv = upstream_tsv();
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
