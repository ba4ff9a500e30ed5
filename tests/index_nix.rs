//! The user's nixpkgs through the real `nix-instantiate` (Debian's
//! `nix-bin`, installed by tests/setup.sh) against a small nixpkgs-shaped
//! fixture (`tests/fixtures/nixpkgs`, `NIX_PATH=nixpkgs=…`) that includes
//! packages whose evaluation throws.

mod common;

use pip_guard::error::exit_for;
use pip_guard::exit::Exit;
use pip_guard::index::load::{load_with, IndexChoice, LoadOptions};
use pip_guard::index::nix::{self, NixOptions};
use pip_guard::index::{Environment, Lookup, MatchedBy, Source};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The index's view of this test process's environment.
fn process_env() -> Environment {
    Environment::from_settings(&pip_guard::settings::Settings::from_process())
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// `true` when nix-instantiate is usable; otherwise fails under CI and
/// skips (with a note) elsewhere.
fn nix_present() -> bool {
    if nix::on_path(Path::new("nix-instantiate"), &process_env()) {
        return true;
    }
    common::missing::<()>("nix-instantiate (Debian's nix-bin)");
    false
}

fn opts(cache: &Path) -> NixOptions {
    NixOptions {
        nixpkgs: Some(fixture("nixpkgs")),
        timeout: Some(Duration::from_secs(20)),
        cache_dir: Some(cache.to_path_buf()),
        ..NixOptions::default()
    }
}

fn names(xs: &[&str]) -> Vec<String> {
    xs.iter().map(|s| s.to_string()).collect()
}

#[test]
fn one_call_answers_every_candidate_and_survives_throwing_packages() {
    if !nix_present() {
        return;
    }
    let cache = tempfile::tempdir().expect("tempdir");
    let candidates = names(&[
        "requests",
        "broken-package",
        "asserting-package",
        "no-version",
        "pytorch",
        "not-there",
        "opencv4",
    ]);
    let env = process_env();
    let a =
        nix::lookup_candidates_with(&opts(cache.path()), &env, "python312Packages", &candidates)
            .expect("nix answers despite throwing packages");
    assert!(!a.cached);
    assert_eq!(a.set_size, Some(5016), "16 packages and 5,000 fillers");
    assert_eq!(a.version.as_deref(), Some("25.05.20250315.0123456"));
    let got: Vec<(&str, Option<&str>, Option<&str>)> = a
        .packages
        .iter()
        .map(|p| (p.attr.as_str(), p.pname.as_deref(), p.version.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            ("requests", Some("requests"), Some("2.32.3")),
            ("no-version", Some("no-version"), None),
            ("opencv4", Some("opencv"), Some("4.11.0")),
        ],
        "throwing, asserting, alias-only and missing attrs are absent"
    );

    // Same candidates again: answered from the cache, nix is not started
    // (the program does not even exist now).
    let mut no_nix = opts(cache.path());
    no_nix.program = PathBuf::from("/nonexistent/nix-instantiate");
    let again = nix::lookup_candidates_with(&no_nix, &env, "python312Packages", &candidates[..3])
        .expect("cached answer");
    assert!(again.cached);
    assert_eq!(again.packages.len(), 1);
    // A new candidate needs nix: with no program that is an environment error.
    let err = nix::lookup_candidates_with(&no_nix, &env, "python312Packages", &names(&["numpy"]))
        .expect_err("needs nix");
    assert_eq!(exit_for(&err), Exit::Environment);
}

#[test]
fn auto_uses_nix_and_the_table_finds_versions() {
    if !nix_present() {
        return;
    }
    let cache = tempfile::tempdir().expect("tempdir");
    let wanted = names(&["opencv-python", "requests", "pytorch", "jinja2", "django"]);
    let start = Instant::now();
    let ix = load_with(
        &LoadOptions {
            choice: IndexChoice::Auto,
            env: process_env(),
            nix: opts(cache.path()),
            cache_dir: Some(cache.path().to_path_buf()),
            ..LoadOptions::default()
        },
        "python313Packages",
        &wanted,
    )
    .expect("auto index");
    eprintln!("nix load took {:?}", start.elapsed());
    let meta = ix.meta.clone().expect("meta");
    assert_eq!(meta.source, Source::Nix);
    assert_eq!(meta.date, "2025-03-15");
    assert_eq!(meta.packages, 5016);
    let found = |n: &str| match ix.lookup(n) {
        Lookup::Found {
            package,
            matched_by,
            ..
        } => Some((package.attr, package.version, matched_by)),
        _ => None,
    };
    assert_eq!(
        found("opencv-python"),
        Some(("opencv4".into(), Some("4.11.0".into()), MatchedBy::Table))
    );
    assert_eq!(
        found("requests"),
        Some(("requests".into(), Some("2.32.3".into()), MatchedBy::Attr))
    );
    // nixpkgs' alias list maps pytorch to torch, which nix then answers for.
    assert_eq!(
        found("pytorch"),
        Some(("torch".into(), Some("2.7.1".into()), MatchedBy::Alias))
    );
    // Not in this nixpkgs at all.
    assert_eq!(found("django"), None);
}

#[test]
fn nix_path_is_honoured() {
    if !nix_present() {
        return;
    }
    // A made-up environment: no process variable is changed.
    let env = Environment {
        nix_path: format!("nixpkgs={}", fixture("nixpkgs").display()),
        ..process_env()
    };
    let resolved = nix::resolve_nixpkgs(None, &env);
    let cache = tempfile::tempdir().expect("tempdir");
    let o = NixOptions {
        nixpkgs: None,
        cache_dir: Some(cache.path().to_path_buf()),
        ..NixOptions::default()
    };
    let r = nix::lookup_candidates_with(&o, &env, "python312Packages", &names(&["numpy"]));
    assert_eq!(resolved, std::fs::canonicalize(fixture("nixpkgs")).ok());
    let a = r.expect("NIX_PATH nixpkgs answers");
    assert_eq!(a.packages[0].version.as_deref(), Some("2.2.6"));
}

#[test]
fn a_failing_or_slow_nix_falls_back_or_errors() {
    if !nix_present() {
        return;
    }
    let cache = tempfile::tempdir().expect("tempdir");
    let broken = NixOptions {
        nixpkgs: Some(fixture("nixpkgs-broken")),
        ..opts(cache.path())
    };
    let load = |choice, nix: &NixOptions| {
        load_with(
            &LoadOptions {
                choice,
                env: process_env(),
                nix: nix.clone(),
                cache_dir: Some(cache.path().to_path_buf()),
                ..LoadOptions::default()
            },
            "python312Packages",
            &names(&["requests"]),
        )
    };
    // Forced nix: an environment error naming the nixpkgs and nix's message.
    let err = load(IndexChoice::Nix, &broken).expect_err("broken nixpkgs");
    assert_eq!(exit_for(&err), Exit::Environment);
    let msg = format!("{err:#}");
    assert!(
        msg.contains("nixpkgs-broken")
            && msg.contains("nix-instantiate failed")
            && msg.contains("unexpected ';'"),
        "nix's own message, not the caret under it: {msg}"
    );
    // auto: falls back (no channel cache here) to the embedded snapshot.
    let ix = load(IndexChoice::Auto, &broken).expect("auto falls back");
    assert_eq!(ix.meta.map(|m| m.source), Some(Source::Embedded));

    // A nix that hangs is killed at the timeout.
    let dir = tempfile::tempdir().expect("tempdir");
    let slow = dir.path().join("nix-instantiate");
    std::fs::write(&slow, "#!/bin/sh\nexec sleep 30\n").expect("write script");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&slow, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let hanging = NixOptions {
        program: slow,
        timeout: Some(Duration::from_millis(500)),
        ..opts(cache.path())
    };
    let start = Instant::now();
    let err = load(IndexChoice::Nix, &hanging).expect_err("times out");
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    assert!(
        format!("{err:#}").contains("did not answer within"),
        "{err:#}"
    );
    let ix = load(IndexChoice::Auto, &hanging).expect("auto falls back");
    assert_eq!(ix.meta.map(|m| m.source), Some(Source::Embedded));
}

/// A relative `NIX_PATH` entry is not used (it would depend on the working
/// directory); the error says so instead of claiming there is no entry.
#[test]
fn a_relative_nix_path_entry_is_named_in_the_error() {
    let home = tempfile::tempdir().expect("tempdir");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_pip-guard"))
        .args(["audit", "--index", "nix", "requests"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("HOME", home.path())
        .env("XDG_CACHE_HOME", home.path().join(".cache"))
        .env("NIX_PATH", "nixpkgs=tests/fixtures/nixpkgs")
        .env("PIP_GUARD_PYTHON", "/usr/bin/python3")
        .output()
        .expect("run pip-guard");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains("existing absolute path"),
        "the message names what NIX_PATH lacks: {stderr}"
    );
}
