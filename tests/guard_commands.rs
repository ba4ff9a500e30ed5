//! `pip-guard explain NAME` and `pip-guard nixify ARGS…` as built binaries.

mod common;

use std::process::{Command, Output};

fn pip_guard(args: &[&str]) -> Output {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut c = Command::new(env!("CARGO_BIN_EXE_pip-guard"));
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("PIP_") {
            c.env_remove(&k);
        }
    }
    c.args(args)
        .env("HOME", tmp.path())
        .env("XDG_CACHE_HOME", tmp.path().join("cache"))
        .env("XDG_CONFIG_HOME", tmp.path().join("config"))
        .env("NO_COLOR", "1")
        .current_dir(tmp.path())
        .output()
        .expect("run pip-guard")
}

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn explain_brings_up_whisper_cpp_and_its_commands() {
    let o = pip_guard(&["explain", "OpenAI_Whisper"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("2. Native alternative: whisper-cpp"),
        "{}",
        text(&o)
    );
    assert!(out.contains("whisper-cli"), "{}", text(&o));
    assert!(out.contains("Priority: 1. Nix packages"), "{}", text(&o));
    assert!(out.contains("nix-shell -p whisper-cpp"), "{}", text(&o));
    for l in out.lines() {
        assert!(l.chars().count() <= 80, "too wide: {l:?}");
    }
}

#[test]
fn explain_json_is_the_audit_schema() {
    let o = pip_guard(&["explain", "--format", "json", "thefuck"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["schema"], "pip-guard.audit/v1");
    assert_eq!(v["requirements"][0]["native"][0]["attr"], "pay-respects");
}

#[test]
fn explain_rejects_a_malformed_requirement() {
    let o = pip_guard(&["explain", "numpy>>1"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

#[test]
fn nixify_prints_a_flake_that_parses() {
    let o = pip_guard(&[
        "nixify",
        "openai-whisper",
        "pgtest-frobnitz==1.0",
        "thefuck",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let flake = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(flake.contains("devShells = forAllSystems"), "{flake}");
    assert!(flake.contains("pkgs.whisper-cpp"), "{flake}");
    assert!(flake.contains("pkgs.pay-respects"), "{flake}");
    assert!(flake.contains("#   pgtest-frobnitz==1.0"), "{flake}");
    let Some(nix) = common::require("nix-instantiate") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tmp");
    let f = dir.path().join("flake.nix");
    std::fs::write(&f, &flake).expect("write");
    let p = Command::new(nix)
        .arg("--parse")
        .arg(&f)
        .env("HOME", dir.path())
        .output()
        .expect("nix-instantiate");
    assert!(
        p.status.success(),
        "{flake}\n{}",
        String::from_utf8_lossy(&p.stderr)
    );
}

#[test]
fn pip_guard_pip_is_the_guard() {
    // `pip-guard pip --version` is pip's own --version (the real pip, by exec).
    let o = pip_guard(&["pip", "--version"]);
    let out = String::from_utf8_lossy(&o.stdout);
    if o.status.code() == Some(4) {
        // No pip and no python3 on this PATH: the guard says so.
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("no real pip"),
            "{}",
            text(&o)
        );
        return;
    }
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(out.starts_with("pip "), "{}", text(&o));
}
