//! The module structure stays a one-way pipeline: no file of `src/` names an
//! item of a file that names it back (checked by `scripts/module-graph.py`,
//! which docs/architecture.md describes).

mod common;

use std::process::Command;

#[test]
fn no_module_imports_a_module_that_imports_it_back() {
    let Some(python) = common::require("python3") else {
        return;
    };
    let out = Command::new(python)
        .arg(common::repo_root().join("scripts/module-graph.py"))
        .output()
        .expect("run scripts/module-graph.py");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "module cycles in src/:\n{}\n{stderr}",
        String::from_utf8_lossy(&out.stdout)
    );
    // The checker saw the tree (a broken script would see nothing).
    let files: usize = stderr
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(
        files > 50,
        "module-graph.py read only {files} files: {stderr}"
    );
}

/// The checker finds a cycle when there is one: a copy of `src/` where
/// `plan.rs` names `render::guard` (which names `plan`) fails.
#[test]
fn the_checker_finds_a_planted_cycle() {
    let Some(python) = common::require("python3") else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    std::fs::create_dir_all(root.join("scripts")).expect("mkdir");
    std::fs::copy(
        common::repo_root().join("scripts/module-graph.py"),
        root.join("scripts/module-graph.py"),
    )
    .expect("copy script");
    let status = Command::new("cp")
        .arg("-r")
        .arg(common::repo_root().join("src"))
        .arg(root.join("src"))
        .status()
        .expect("cp");
    assert!(status.success());
    let plan = root.join("src/plan.rs");
    let mut text = std::fs::read_to_string(&plan).expect("read plan.rs");
    text.push_str("\nfn _planted() { let _ = crate::render::guard::one; }\n");
    std::fs::write(&plan, text).expect("write plan.rs");
    let out = Command::new(python)
        .arg(root.join("scripts/module-graph.py"))
        .output()
        .expect("run");
    assert!(!out.status.success(), "the planted cycle was not found");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("src/plan.rs -> src/render/guard.rs"),
        "{stdout}"
    );
}

/// What the process gives pip-guard (command line, environment, working
/// directory, executable, the per-user directories) is read once, at the
/// edge, by `src/settings.rs`, and passed down: no other file of `src/`
/// reads it. Each pattern below is how Rust reads one of them.
#[test]
fn the_process_is_read_in_one_place() {
    const READS: &[&str] = &[
        "env::var(",
        "env::var_os(",
        "env::vars(",
        "env::vars_os(",
        "env::args(",
        "env::args_os(",
        "env::current_dir(",
        "env::current_exe(",
        "directories::",
    ];
    let src = common::repo_root().join("src");
    let mut found = Vec::new();
    for (rel, code) in source_files() {
        if rel == std::path::Path::new("settings.rs") {
            continue;
        }
        for (n, line) in code.lines().enumerate() {
            if READS.iter().any(|r| line.contains(r)) {
                found.push(format!("src/{}:{}: {}", rel.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "read the process in src/settings.rs and pass it down:\n{}",
        found.join("\n")
    );
    // The check reads what it should: settings.rs itself matches.
    let settings = std::fs::read_to_string(src.join("settings.rs")).expect("read settings.rs");
    assert!(READS.iter().filter(|r| settings.contains(*r)).count() >= 4);
}

/// A `Secret` (the exact requirement text and option values for pip, which
/// may hold credentials) is opened only where pip's input is built and
/// where the CUDA index is looked for (kept redacted there): nowhere that
/// prints.
#[test]
fn secrets_are_opened_only_for_pip() {
    const ALLOWED: &[&str] = &["redact.rs", "guard/pip_input.rs", "pipeline.rs"];
    let mut found = Vec::new();
    let mut seen = 0;
    for (rel, code) in source_files() {
        if code.contains(".expose()") {
            seen += 1;
            if !ALLOWED.iter().any(|a| rel == std::path::Path::new(a)) {
                found.push(rel.display().to_string());
            }
        }
    }
    assert!(found.is_empty(), "Secret::expose called in {found:?}");
    assert!(seen >= 2, "the check sees the builder's calls ({seen})");
}

/// Every `.rs` file of `src/` (its path under `src/`) with its code before
/// its unit tests (`#[cfg(test)]`: a file's tests may set up what its code
/// may not do).
fn source_files() -> Vec<(std::path::PathBuf, String)> {
    let src = common::repo_root().join("src");
    let mut files = Vec::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read src/") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("read a source file");
                let code = text.split("#[cfg(test)]").next().unwrap_or("").to_string();
                let rel = path.strip_prefix(&src).expect("under src/").to_path_buf();
                files.push((rel, code));
            }
        }
    }
    assert!(files.len() > 50, "found only {} files", files.len());
    files
}
