//! The embedded snapshot's tables are well-formed and current: sorted,
//! unique, every alias and table target an existing attr, and exactly what
//! `scripts/build-data.py` regenerates from the vendored facts (data/upstream).

mod common;

use pip_guard::index::embedded::data;
use pip_guard::index::{Index, Lookup};
use pip_guard::names::normalize;
use std::path::Path;
use std::process::Command;

/// `(line number, line)` of the data lines of an embedded file.
fn lines(text: &'static str) -> Vec<(usize, &'static str)> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
        .map(|(i, l)| (i + 1, l))
        .collect()
}

fn key(line: &str) -> &str {
    line.split('\t').next().unwrap_or(line)
}

fn check_sorted_unique(file: &str, text: &'static str, problems: &mut Vec<String>) {
    let ls = lines(text);
    for w in ls.windows(2) {
        let ((_, a), (n, b)) = (w[0], w[1]);
        if key(a) >= key(b) {
            problems.push(format!(
                "data/{file}:{n}: {:?} is out of order or duplicated (after {:?})",
                key(b),
                key(a)
            ));
        }
    }
}

#[test]
fn tables_are_sorted_unique_and_point_at_attrs() {
    let mut problems = Vec::new();
    for (file, text) in [
        ("nixpkgs-python-attrs.txt", data::ATTRS),
        ("nixpkgs-python-attrs-unnormalized.tsv", data::UNNORMALIZED),
        ("nixpkgs-python-aliases.tsv", data::ALIASES),
        ("nixpkgs-python-removed.tsv", data::REMOVED),
        ("nixpkgs-python-pnames.tsv", data::PNAMES),
        ("pypi-to-nixpkgs.tsv", data::TABLE),
        ("pypi-to-nixpkgs-apps.tsv", data::APPS),
    ] {
        check_sorted_unique(file, text, &mut problems);
    }
    let ix = Index::embedded("python312Packages");
    for (n, l) in lines(data::ATTRS) {
        if l.starts_with("bootstrap") || l.contains('\t') || l.contains(' ') {
            problems.push(format!(
                "data/nixpkgs-python-attrs.txt:{n}: {l:?} is not a package attr"
            ));
        }
    }
    for (file, text, cols) in [
        ("nixpkgs-python-aliases.tsv", data::ALIASES, 2),
        ("nixpkgs-python-removed.tsv", data::REMOVED, 2),
        ("nixpkgs-python-pnames.tsv", data::PNAMES, 2),
        ("pypi-to-nixpkgs.tsv", data::TABLE, 3),
        ("pypi-to-nixpkgs-apps.tsv", data::APPS, 3),
    ] {
        for (n, l) in lines(text) {
            let f: Vec<&str> = l.split('\t').collect();
            if f.len() != cols || f.iter().any(|c| c.trim().is_empty()) {
                problems.push(format!(
                    "data/{file}:{n}: expected {cols} non-empty columns: {l:?}"
                ));
                continue;
            }
            let is_key_normalized = file != "nixpkgs-python-pnames.tsv";
            if is_key_normalized && normalize(f[0]) != f[0] {
                problems.push(format!(
                    "data/{file}:{n}: key {:?} is not PEP 503-normalized",
                    f[0]
                ));
            }
            let target_must_be_attr = matches!(
                file,
                "nixpkgs-python-aliases.tsv" | "pypi-to-nixpkgs.tsv" | "nixpkgs-python-pnames.tsv"
            );
            let target = if file == "nixpkgs-python-pnames.tsv" {
                f[0]
            } else {
                f[1]
            };
            if target_must_be_attr && !ix.contains(target) {
                problems.push(format!(
                    "data/{file}:{n}: {:?} → {target:?}: not an attr of the snapshot",
                    f[0]
                ));
            }
            if file == "pypi-to-nixpkgs.tsv" && f[0] == f[1] {
                problems.push(format!("data/{file}:{n}: {:?} maps to itself", f[0]));
            }
            if file == "nixpkgs-python-removed.tsv" && ix.contains(f[0]) {
                problems.push(format!(
                    "data/{file}:{n}: {:?} is removed but also an attr",
                    f[0]
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "embedded data problems:\n{}",
        problems.join("\n")
    );
}

#[test]
fn every_table_entry_resolves_through_the_table_or_an_earlier_rule() {
    // A table entry is only useful where the earlier rules do not already
    // answer; whatever answers, the name must resolve.
    let ix = Index::embedded("python312Packages");
    for (n, l) in lines(data::TABLE) {
        let name = key(l);
        assert!(
            matches!(ix.lookup(name), Lookup::Found { .. }),
            "data/pypi-to-nixpkgs.tsv:{n}: {name} does not resolve"
        );
    }
}

#[test]
fn data_is_what_build_data_py_regenerates() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let Some(python) = common::require("python3") else {
        return;
    };
    let out = Command::new(python)
        .arg(repo.join("scripts/build-data.py"))
        .arg("--check")
        .output()
        .expect("run python3 scripts/build-data.py");
    assert!(
        out.status.success(),
        "data/ is not what the build script makes; regenerate with `python3 scripts/build-data.py` and commit:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The data files issue 11 added: sorted, unique, pointing at real attrs.
#[test]
fn stdlib_cuda_extras_and_toplevel_tables_are_well_formed() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let read = |f: &str| std::fs::read_to_string(repo.join("data").join(f)).expect("data file");
    let mut problems = Vec::new();
    for f in [
        "python-stdlib.tsv",
        "cuda-wheels.tsv",
        "nixpkgs-toplevel-apps.txt",
        "stdlib-backports.tsv",
        "extras-as-attrs.tsv",
    ] {
        let text: &'static str = Box::leak(read(f).into_boxed_str());
        if f != "extras-as-attrs.tsv" {
            check_sorted_unique(f, text, &mut problems);
        }
    }
    let ix = Index::embedded("python3Packages");
    for (n, l) in lines(Box::leak(read("extras-as-attrs.tsv").into_boxed_str())) {
        let c: Vec<&str> = l.split('\t').collect();
        if c.len() != 4 || !ix.contains(c[2]) || !ix.contains(c[0]) {
            problems.push(format!(
                "data/extras-as-attrs.tsv:{n}: {l:?}: attrs must exist"
            ));
        }
    }
    for (n, l) in lines(Box::leak(read("python-stdlib.tsv").into_boxed_str())) {
        let c: Vec<&str> = l.split('\t').collect();
        // A name that is always built in is never also a package.
        if c.get(1) == Some(&"always") && ix.contains(c[0]) {
            problems.push(format!("data/python-stdlib.tsv:{n}: {} is an attr", c[0]));
        }
    }
    let apps: Vec<&str> = lines(data::APPS)
        .iter()
        .map(|(_, l)| l.split('\t').nth(1).unwrap_or(""))
        .collect();
    for (n, l) in lines(Box::leak(
        read("nixpkgs-toplevel-apps.txt").into_boxed_str(),
    )) {
        if !apps.contains(&l) {
            problems.push(format!(
                "data/nixpkgs-toplevel-apps.txt:{n}: {l} is not in the apps table"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
