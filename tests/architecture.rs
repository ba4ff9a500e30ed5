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
