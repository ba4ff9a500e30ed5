//! Locked means locked for the index (issue 10 item 5, issue 14 items 5
//! and 9), through the built binary with the real `nix-instantiate`:
//!
//! - a locked `[index] source = "embedded"` is not overridden by `--index
//!   nix` with a `NIX_PATH` naming a fake nixpkgs that lacks `requests`;
//! - under a locked `auto`, a fake but plausible nixpkgs on `NIX_PATH` can
//!   add packages, never remove one (the same without a lock does remove it:
//!   the contrast shows the lock is what holds);
//! - a fake nixpkgs whose Python set has 14 attrs is refused as implausible;
//! - a locked `max_age_days = 1` makes a listing dated 2000 unusable: auto
//!   falls back to the embedded snapshot and says why, a locked
//!   `source = "channel"` fails with exit 4;
//! - a locked `channel = "nixos-24.05"` ignores a nixpkgs-unstable cache;
//! - a listing where `evil-six` has pname `six`: `explain six` recommends
//!   the exact attr `six`, and says which rule matched.

mod common;
mod index_support;

use common::TestEnv;
use index_support::generate_json;
use serde_json::Value;
use std::path::PathBuf;

/// A nixpkgs-shaped tree whose Python sets hold `n` filler packages (and
/// nothing real: no `requests`, no `django`).
fn fake_nixpkgs(env: &TestEnv, name: &str, n: usize) -> PathBuf {
    let dir = env.root().join(name);
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(
        dir.join("default.nix"),
        format!(
            r#"{{ config ? {{ }}, ... }}:
let
  mk = n: {{ type = "derivation"; pname = n; version = "1.0"; name = "python3-${{n}}-1.0"; }};
  set = builtins.listToAttrs (builtins.genList (i: {{ name = "filler-${{toString i}}"; value = mk "filler-${{toString i}}"; }}) {n});
in {{
  lib = {{ version = "25.05.20250101.abcdef0"; }};
  python311Packages = set; python312Packages = set; python313Packages = set;
  python3Packages = set; python3 = {{ pythonVersion = "3.13"; }};
}}
"#
        ),
    )
    .expect("write the fake nixpkgs");
    dir
}

fn nix_present() -> bool {
    common::which("nix-instantiate").is_some() || common::missing::<()>("nix-instantiate").is_some()
}

/// Write a system policy and return the env pair naming it.
fn policy(env: &TestEnv, text: &str) -> (String, String) {
    let p = env.write("system-policy.toml", text);
    ("PIP_GUARD_SYSTEM_POLICY".into(), p.display().to_string())
}

/// `audit --format json` of `names` with extra env vars; (json, stderr, code).
fn audit(env: &TestEnv, args: &[&str], vars: &[(String, String)]) -> (Value, String, Option<i32>) {
    let mut c = env.pip_guard(["audit", "--format", "json"]);
    c.args(args);
    for (k, v) in vars {
        c.env(k, v);
    }
    let r = c.run();
    let v = serde_json::from_str(&r.stdout).unwrap_or(Value::Null);
    (v, r.stderr, r.code)
}

fn tier_of(v: &Value, name: &str) -> String {
    v["requirements"]
        .as_array()
        .and_then(|a| a.iter().find(|r| r["normalized"] == name))
        .map(|r| r["tier"].as_str().unwrap_or("").to_string())
        .unwrap_or_default()
}

#[test]
fn a_locked_embedded_source_is_not_overridden_by_flag_or_nix_path() {
    if !nix_present() {
        return;
    }
    let env = TestEnv::new();
    let fake = fake_nixpkgs(&env, "fake-nixpkgs", 5_000);
    let vars = vec![
        policy(
            &env,
            "mode = \"enforce\"\nlocked = true\n[index]\nsource = \"embedded\"\n",
        ),
        ("NIX_PATH".into(), format!("nixpkgs={}", fake.display())),
    ];
    let (v, stderr, _) = audit(&env, &["--index", "nix", "requests"], &vars);
    assert_eq!(v["index"]["source"], "embedded", "{stderr}");
    assert_eq!(tier_of(&v, "requests"), "nixpkgs", "{v}");
    assert!(stderr.contains("--index nix ignored"), "{stderr}");
    // The same inline, as pip-style option (the guard's `--guard-index`
    // goes through the same pipeline::load_index).
    let (v, _, _) = audit(&env, &["--nix-index", "nix", "requests"], &vars);
    assert_eq!(v["index"]["source"], "embedded");
}

#[test]
fn under_a_locked_auto_nix_path_cannot_remove_packages() {
    if !nix_present() {
        return;
    }
    let env = TestEnv::new();
    let fake = fake_nixpkgs(&env, "fake-nixpkgs", 5_000);
    let nix_path = (
        "NIX_PATH".to_string(),
        format!("nixpkgs={}", fake.display()),
    );
    // Without a lock the user's own nixpkgs is the truth: requests is missing.
    let (v, stderr, _) = audit(&env, &["requests"], std::slice::from_ref(&nix_path));
    assert_eq!(v["index"]["source"], "nix", "{stderr}");
    assert_eq!(tier_of(&v, "requests"), "pip", "{v}");
    // Locked: nix may add, never remove.
    let vars = vec![
        policy(&env, "mode = \"enforce\"\nlocked = true\n"),
        nix_path,
    ];
    let (v, stderr, _) = audit(&env, &["requests", "filler-7"], &vars);
    assert_eq!(v["index"]["source"], "nix", "{stderr}");
    assert_eq!(tier_of(&v, "requests"), "nixpkgs", "{v}");
    assert_eq!(tier_of(&v, "filler-7"), "nixpkgs", "nix still adds: {v}");
    assert!(
        stderr.contains("the policy is locked: requests"),
        "{stderr}"
    );
}

#[test]
fn a_nixpkgs_with_a_handful_of_python_attrs_is_refused() {
    if !nix_present() {
        return;
    }
    let env = TestEnv::new();
    let fake = fake_nixpkgs(&env, "tiny-nixpkgs", 14);
    let nix_path = (
        "NIX_PATH".to_string(),
        format!("nixpkgs={}", fake.display()),
    );
    // Unlocked or locked, auto does not use it.
    for vars in [
        vec![nix_path.clone()],
        vec![
            policy(&env, "mode = \"enforce\"\nlocked = true\n"),
            nix_path.clone(),
        ],
    ] {
        let (v, stderr, _) = audit(&env, &["requests"], &vars);
        assert_eq!(v["index"]["source"], "embedded", "{stderr}");
        assert_eq!(tier_of(&v, "requests"), "nixpkgs");
        assert!(stderr.contains("implausible"), "{stderr}");
    }
    // Forced, it is an environment error.
    let (_, stderr, code) = audit(&env, &["--index", "nix", "requests"], &[nix_path]);
    assert_eq!(code, Some(4), "{stderr}");
}

/// Seed the channel cache with a real-looking small listing: the JSON file's
/// mtime is its date (`index update --from FILE` uses it as Last-Modified).
fn seed_cache(env: &TestEnv, channel: &str, mtime_unix: Option<i64>, json: &str) -> Vec<u8> {
    let file = env.write("listing.json", json);
    if let Some(t) = mtime_unix {
        let f = std::fs::File::options()
            .write(true)
            .open(&file)
            .expect("open");
        f.set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(t as u64))
            .expect("set mtime");
    }
    env.pip_guard([
        "index",
        "update",
        "--quiet",
        "--channel",
        channel,
        "--min-packages",
        "1000",
        "--from",
    ])
    .arg(&file)
    .run()
    .success();
    std::fs::read(cache_file(env)).expect("cache written")
}

fn cache_file(env: &TestEnv) -> PathBuf {
    env.cache_dir().join("pip-guard/index/channel.idx")
}

#[test]
fn a_locked_max_age_makes_a_25_year_old_listing_unusable() {
    let env = TestEnv::new();
    // The listing knows no django: used, it would send django to pip.
    let (json, _) = generate_json(3_000, true);
    let json = json.replace(
        "\"python312Packages.django\"",
        "\"python312Packages.djangoo\"",
    );
    let before = seed_cache(&env, "nixpkgs-unstable", Some(946_684_800), &json); // 2000-01-01
    let no_nix = ("PATH".to_string(), "/usr/bin:/bin".to_string());
    let lock = policy(
        &env,
        "mode = \"enforce\"\npackage_set = \"python312Packages\"\nlocked = true\n\
         [index]\nmax_age_days = 1\n",
    );
    let (v, stderr, _) = audit(&env, &["django"], &[lock, no_nix.clone()]);
    assert_eq!(v["index"]["source"], "embedded", "{stderr}");
    assert_eq!(tier_of(&v, "django"), "nixpkgs", "{v}");
    assert!(
        stderr.contains("older than index.max_age_days = 1"),
        "{stderr}"
    );
    // A locked channel source cannot fall back: exit 4.
    let lock = policy(
        &env,
        "mode = \"enforce\"\npackage_set = \"python312Packages\"\nlocked = true\n\
         [index]\nsource = \"channel\"\nmax_age_days = 1\n",
    );
    let (_, stderr, code) = audit(&env, &["django"], &[lock, no_nix]);
    assert_eq!(code, Some(4), "{stderr}");
    assert!(stderr.contains("2000-01-01"), "{stderr}");
    assert_eq!(std::fs::read(cache_file(&env)).expect("cache"), before);
}

#[test]
fn a_locked_channel_ignores_a_cache_of_another_channel() {
    let env = TestEnv::new();
    let (json, _) = generate_json(3_000, true);
    seed_cache(&env, "nixpkgs-unstable", None, &json);
    let no_nix = ("PATH".to_string(), "/usr/bin:/bin".to_string());
    // Unlocked: the fresh cache is used.
    let open = policy(&env, "package_set = \"python312Packages\"\n");
    let (v, stderr, _) = audit(&env, &["requests"], &[open, no_nix.clone()]);
    assert_eq!(v["index"]["source"], "channel", "{stderr}");
    let lock = policy(
        &env,
        "mode = \"enforce\"\npackage_set = \"python312Packages\"\nlocked = true\n\
         [index]\nchannel = \"nixos-24.05\"\n",
    );
    let (v, stderr, _) = audit(&env, &["requests"], &[lock, no_nix]);
    assert_eq!(v["index"]["source"], "embedded", "{stderr}");
    assert!(stderr.contains("listing of nixpkgs-unstable"), "{stderr}");
}

#[test]
fn the_exact_attr_beats_a_poisoned_pname() {
    let env = TestEnv::new();
    let (json, _) = generate_json(3_000, true);
    // A poisoned entry: attr evil-six, pname six (sorted before `six`).
    let evil = "\"python312Packages.evil-six\":{\"name\":\"python3.12-six-1.17.0\",\"pname\":\"six\",\"version\":\"1.17.0\"},";
    let json = json.replacen("\"packages\":{", &format!("\"packages\":{{{evil}"), 1);
    seed_cache(&env, "nixpkgs-unstable", None, &json);
    let vars = [("PATH", "/usr/bin:/bin"), ("PIP_GUARD_POLICY", "p.toml")];
    env.write("p.toml", "package_set = \"python312Packages\"\n");
    let mut c = env.pip_guard(["explain", "six", "--format", "json"]);
    for (k, v) in vars {
        c.env(k, v);
    }
    let r = c.run().success();
    let v: Value = serde_json::from_str(&r.stdout).expect("json");
    let nix = &v["requirements"][0]["nix"];
    assert_eq!(nix["attr"], "python312Packages.six", "{v}");
    assert_eq!(nix["matched_by"], "attr", "{v}");
    let mut c = env.pip_guard(["explain", "six"]);
    for (k, v) in vars {
        c.env(k, v);
    }
    let r = c.run().success();
    assert!(!r.stdout.contains("evil-six"), "{}", r.stdout);
    assert!(
        r.stdout.contains("matched by its attr name"),
        "{}",
        r.stdout
    );
}

#[test]
fn index_update_fetches_the_locked_channel() {
    let env = TestEnv::new();
    let (json, _) = generate_json(3_000, true);
    let lock = policy(
        &env,
        "mode = \"enforce\"\npackage_set = \"python312Packages\"\nlocked = true\n\
         [index]\nchannel = \"nixos-24.05\"\n",
    );
    let file = env.write("listing.json", &json);
    // No --channel: the locked channel is the default, and the cache is used.
    env.pip_guard([
        "index",
        "update",
        "--quiet",
        "--min-packages",
        "1000",
        "--from",
    ])
    .arg(&file)
    .env(&lock.0, &lock.1)
    .run()
    .success();
    let no_nix = ("PATH".to_string(), "/usr/bin:/bin".to_string());
    let (v, stderr, _) = audit(&env, &["requests"], &[lock.clone(), no_nix]);
    assert_eq!(v["index"]["source"], "channel", "{stderr}");
    assert!(
        v["index"]["nixpkgs"]
            .as_str()
            .unwrap_or("")
            .starts_with("nixos-24.05"),
        "{v}"
    );
    // Another channel is fetched on request, with a warning that it is unused.
    let r = env
        .pip_guard([
            "index",
            "update",
            "--quiet",
            "--channel",
            "nixpkgs-unstable",
            "--min-packages",
            "1000",
            "--from",
        ])
        .arg(&file)
        .env(&lock.0, &lock.1)
        .run()
        .success();
    assert!(r.stderr.contains("will not be used"), "{}", r.stderr);
}
