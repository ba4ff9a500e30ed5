//! The user's nixpkgs on flake systems, found offline: a project's
//! `flake.lock` (its `narHash` turned into a store path exactly as Nix
//! does, checked against the real `nix-store --add`), the flake registries
//! for `NIX_PATH=nixpkgs=flake:nixpkgs`, `NIX_PATH` itself and the
//! channels; each evaluated by the real `nix-instantiate` over the fake
//! nixpkgs tree (`tests/fixtures/nixpkgs`), and reported as
//! `index.nixpkgs_from`.

mod common;
use base64::Engine as _;
use common::TestEnv;
use pip_guard::index::flake::{parse_sha256, source_store_path};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture() -> PathBuf {
    common::repo_root().join("tests/fixtures/nixpkgs")
}

/// The fixture added to the real store as `…-source` (as a flake input is),
/// and its NAR hash (hex) as `nix-hash` computes it.
fn add_fixture(env: &TestEnv) -> Option<(PathBuf, String)> {
    common::require("nix-store")?;
    let src = env.root().join("src/source");
    std::fs::create_dir_all(&src).expect("mkdir");
    for e in std::fs::read_dir(fixture()).expect("fixture") {
        let e = e.expect("entry");
        std::fs::copy(e.path(), src.join(e.file_name())).expect("copy fixture");
    }
    let out = Command::new("nix-store")
        .arg("--add")
        .arg(&src)
        .output()
        .expect("nix-store --add");
    assert!(out.status.success(), "nix-store --add: {out:?}");
    let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    let out = Command::new("nix-hash")
        .args(["--type", "sha256"])
        .arg(&src)
        .output()
        .expect("nix-hash");
    assert!(out.status.success(), "nix-hash: {out:?}");
    Some((
        path,
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
    ))
}

fn sri(hex: &str) -> String {
    let bytes = parse_sha256(&format!("sha256:{hex}")).expect("hex hash");
    format!(
        "sha256-{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

fn lock_json(nar_hash: &str) -> String {
    serde_json::json!({
        "nodes": {
            "nixpkgs": {
                "locked": {
                    "lastModified": 1758000000,
                    "narHash": nar_hash,
                    "owner": "NixOS",
                    "repo": "nixpkgs",
                    "rev": "5e3666d1e47b01abe7ec65a20e421dc6c871f82d",
                    "type": "github"
                },
                "original": { "owner": "NixOS", "ref": "nixos-25.11", "repo": "nixpkgs", "type": "github" }
            },
            "root": { "inputs": { "nixpkgs": "nixpkgs" } }
        },
        "root": "root",
        "version": 7
    })
    .to_string()
}

fn audit(env: &TestEnv, cwd: &Path, vars: &[(&str, &str)], reqs: &[&str]) -> (Value, common::Run) {
    let mut args = vec!["audit", "--format", "json", "--index", "nix"];
    args.extend_from_slice(reqs);
    let mut c = env.pip_guard(&args);
    c.current_dir(cwd)
        .env("NIX_PATH", "")
        .env("NIX_CONF_DIR", env.root().join("etc-nix"));
    for (k, v) in vars {
        c.env(k, v);
    }
    let run = c.run();
    let v = serde_json::from_str(&run.stdout).unwrap_or(Value::Null);
    (v, run)
}

fn req<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["requirements"]
        .as_array()
        .and_then(|a| a.iter().find(|r| r["normalized"] == name))
        .unwrap_or(&Value::Null)
}

#[test]
fn the_store_path_of_a_nar_hash_is_what_nix_store_add_gives() {
    let env = TestEnv::new();
    let Some((path, hex)) = add_fixture(&env) else {
        return;
    };
    let store = Path::new("/nix/store");
    for spelling in [format!("sha256:{hex}"), sri(&hex)] {
        let nar = parse_sha256(&spelling).expect("parses");
        assert_eq!(source_store_path(store, &nar), path, "{spelling}");
    }
    // Another tree, another hash: not the same path.
    let other = parse_sha256(&format!("sha256:{}", "0".repeat(64))).expect("zeros");
    assert_ne!(source_store_path(store, &other), path);
}

#[test]
fn a_projects_flake_lock_pins_the_nixpkgs_used() {
    if common::require("nix-instantiate").is_none() {
        return;
    }
    let env = TestEnv::new();
    let Some((path, hex)) = add_fixture(&env) else {
        return;
    };
    env.write("flake.lock", lock_json(&sri(&hex)));
    let sub = env.path("src/app");
    std::fs::create_dir_all(&sub).expect("mkdir");
    let (v, run) = audit(
        &env,
        &sub,
        &[],
        &["requests[socks]", "uvicorn[standard]", "typing"],
    );
    if run.code != Some(0) {
        run.fail("audit failed");
    }
    assert_eq!(v["index"]["source"], "nix", "{v}");
    assert_eq!(v["index"]["nixpkgs_from"], "flake.lock", "{v}");
    assert_eq!(v["index"]["nixpkgs"], path.display().to_string());
    assert_eq!(v["index"]["default_set"], "python313Packages");
    assert_eq!(v["target"]["package_set"], "python3Packages");
    let r = req(&v, "requests");
    assert_eq!(r["nix"]["attr"], "python3Packages.requests");
    assert_eq!(r["nix"]["version"], "2.32.3");
    // The fixture's requests has no optional-dependencies; uvicorn has `standard`.
    assert_eq!(r["nix"]["extras"]["missing"], serde_json::json!(["socks"]));
    let u = req(&v, "uvicorn");
    assert_eq!(u["nix"]["extras"]["known"], serde_json::json!(["standard"]));
    // The text report names the missing extra.
    let mut c = env.pip_guard(["audit", "--index", "nix", "requests[socks]"]);
    c.current_dir(&sub).env("NIX_PATH", "");
    let text = c.run();
    assert!(
        text.stdout
            .contains("extras nixpkgs lacks (left out): [socks]"),
        "{}",
        text.report()
    );
    let t = req(&v, "typing");
    assert_eq!(
        (&t["tier"], &t["skip_reason"]),
        (&Value::from("skipped"), &Value::from("stdlib"))
    );

    // A lock whose source is not in the store is not used: with nothing
    // else to go by, nix is not usable (exit 4, environment).
    env.write(
        "flake.lock",
        lock_json(&format!("sha256-{}", "A".repeat(43) + "=")),
    );
    let (_, run) = audit(&env, &sub, &[], &["requests"]);
    assert_eq!(run.code, Some(4), "{}", run.report());
    assert!(run.stderr.contains("nix flake archive"), "{}", run.report());
}

#[test]
fn flake_registries_resolve_nix_path_flake_nixpkgs() {
    if common::require("nix-instantiate").is_none() {
        return;
    }
    let env = TestEnv::new();
    let fixture = fixture().canonicalize().expect("fixture");
    // The user's registry: a `path` entry.
    let user = serde_json::json!({
        "version": 2,
        "flakes": [
            { "from": { "type": "indirect", "id": "home-manager" }, "to": { "type": "path", "path": "/nonexistent" } },
            { "from": { "type": "indirect", "id": "nixpkgs" }, "to": { "type": "path", "path": fixture.display().to_string() } }
        ]
    });
    std::fs::create_dir_all(env.config_dir().join("nix")).expect("mkdir");
    std::fs::write(env.config_dir().join("nix/registry.json"), user.to_string()).expect("write");
    let cwd = env.cwd.clone();
    let (v, run) = audit(
        &env,
        &cwd,
        &[("NIX_PATH", "nixpkgs=flake:nixpkgs")],
        &["requests"],
    );
    if run.code != Some(0) {
        run.fail("audit failed");
    }
    assert_eq!(v["index"]["nixpkgs_from"], "registry", "{v}");
    assert_eq!(v["index"]["nixpkgs"], fixture.display().to_string());

    // The system registry ($NIX_CONF_DIR/registry.json): a locked github
    // entry, used because its narHash's store path exists.
    std::fs::remove_file(env.config_dir().join("nix/registry.json")).expect("rm");
    let Some((path, hex)) = add_fixture(&env) else {
        return;
    };
    let system = serde_json::json!({
        "version": 2,
        "flakes": [{
            "exact": true,
            "from": { "type": "indirect", "id": "nixpkgs" },
            "to": { "type": "github", "owner": "NixOS", "repo": "nixpkgs",
                    "rev": "5e3666d1e47b01abe7ec65a20e421dc6c871f82d", "narHash": sri(&hex) }
        }]
    });
    std::fs::create_dir_all(env.root().join("etc-nix")).expect("mkdir");
    std::fs::write(env.root().join("etc-nix/registry.json"), system.to_string()).expect("write");
    let (v, run) = audit(
        &env,
        &cwd,
        &[("NIX_PATH", "nixpkgs=flake:nixpkgs")],
        &["requests"],
    );
    if run.code != Some(0) {
        run.fail("audit failed");
    }
    assert_eq!(v["index"]["nixpkgs_from"], "registry", "{v}");
    assert_eq!(v["index"]["nixpkgs"], path.display().to_string());

    // NIX_PATH unset on a flake system without channels: the registry still answers.
    let (v, _) = audit(&env, &cwd, &[], &["requests"]);
    assert_eq!(v["index"]["nixpkgs_from"], "registry", "{v}");
}

#[test]
fn nix_path_and_channels_are_named_too() {
    if common::require("nix-instantiate").is_none() {
        return;
    }
    let env = TestEnv::new();
    let fixture = fixture().canonicalize().expect("fixture");
    let cwd = env.cwd.clone();
    let np = format!("nixpkgs={}", fixture.display());
    let (v, run) = audit(&env, &cwd, &[("NIX_PATH", &np)], &["requests"]);
    if run.code != Some(0) {
        run.fail("audit failed");
    }
    assert_eq!(v["index"]["nixpkgs_from"], "NIX_PATH", "{v}");
    // ~/.nix-defexpr/channels/nixpkgs, NIX_PATH empty.
    let ch = env.home.join(".nix-defexpr/channels");
    std::fs::create_dir_all(&ch).expect("mkdir");
    std::os::unix::fs::symlink(&fixture, ch.join("nixpkgs")).expect("symlink");
    let (v, run) = audit(&env, &cwd, &[], &["requests"]);
    if run.code != Some(0) {
        run.fail("audit failed");
    }
    assert_eq!(v["index"]["nixpkgs_from"], "channels", "{v}");
}
