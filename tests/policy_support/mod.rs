//! Shared by `tests/policy_*.rs`: a sealed sandbox (temp HOME and XDG dirs,
//! a cleared environment) and a child mode of the test binary itself, so
//! every case runs in a fresh process with exactly the environment it sets.
//!
//! Each test file that uses it declares `#[test] fn child() { child_main() }`:
//! a no-op unless `PG_CHILD_OP` is set, in which case it runs one operation
//! and exits with pip-guard's exit code.
#![allow(dead_code)]

use pip_guard::commands::policy::{check_in, render, ShowFormat};
use pip_guard::error::exit_for;
use pip_guard::exit::Exit;
use pip_guard::policy::load::Discovery;
use pip_guard::resolve::Tier;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The real system layer: its presence would change every result.
pub const SYSTEM: &str = "/etc/pip-guard/policy.toml";

/// A temp dir with `home/`, `config/` (XDG_CONFIG_HOME), `state/`
/// (XDG_STATE_HOME) and `work/` (a directory to run in).
pub struct Sandbox {
    pub dir: tempfile::TempDir,
    pub home: PathBuf,
    pub config: PathBuf,
    pub state: PathBuf,
    pub work: PathBuf,
}

/// What a child run produced.
#[derive(Debug)]
pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    /// stdout as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{self:#?}"))
    }
}

impl Sandbox {
    /// A fresh sandbox, or `None` (skip) when the machine has a system
    /// policy that would leak into every case. Under `CI=true` that fails.
    pub fn new() -> Option<Sandbox> {
        if Path::new(SYSTEM).exists() {
            let msg = format!(
                "{SYSTEM} exists on this machine; these tests need it absent \
                 (it is a real layer by design, see docs/policy.md)"
            );
            return super::common::missing(&msg);
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().to_path_buf();
        let s = Sandbox {
            home: root.join("home"),
            config: root.join("config"),
            state: root.join("state"),
            work: root.join("work"),
            dir,
        };
        for d in [&s.home, &s.config, &s.state, &s.work] {
            std::fs::create_dir_all(d).expect("mkdir");
        }
        Some(s)
    }

    /// Write `text` at `rel` under the sandbox root (parents created).
    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.dir.path().join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, text).expect("write");
        p
    }

    /// The user config file under XDG_CONFIG_HOME.
    pub fn user_file(&self, text: &str) -> PathBuf {
        self.write("config/pip-guard/policy.toml", text)
    }

    /// Run one child operation in `cwd` with the sandbox's HOME and XDG
    /// dirs plus `env` (everything else cleared).
    pub fn run(&self, op: &str, cwd: &Path, env: &[(&str, &str)]) -> Outcome {
        self.run_with(op, cwd, env, true)
    }

    /// Like [`Sandbox::run`], choosing whether `XDG_CONFIG_HOME` is set.
    pub fn run_with(&self, op: &str, cwd: &Path, env: &[(&str, &str)], xdg: bool) -> Outcome {
        let out_file = self.dir.path().join(format!("out-{}", std::process::id()));
        let _ = std::fs::remove_file(&out_file);
        let mut cmd = Command::new(std::env::current_exe().expect("test binary"));
        cmd.args(["--exact", "child", "--nocapture", "--test-threads=1", "-q"])
            .env_clear()
            .env("PG_CHILD_OP", op)
            .env("PG_CHILD_OUT", &out_file)
            .env("HOME", &self.home)
            .env("XDG_STATE_HOME", &self.state)
            .current_dir(cwd);
        if xdg {
            cmd.env("XDG_CONFIG_HOME", &self.config);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("spawn the test binary");
        let stdout = std::fs::read_to_string(&out_file).unwrap_or_default();
        Outcome {
            code: out.status.code().unwrap_or(-1),
            stdout,
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// `policy show --format json` in `cwd`, with verdicts for `names`
    /// (`name:tier`, comma-separated) under key `verdicts`.
    pub fn show(&self, cwd: &Path, env: &[(&str, &str)]) -> Outcome {
        self.run("show", cwd, env)
    }
}

fn tier(s: &str) -> Tier {
    match s {
        "nixpkgs" => Tier::Nixpkgs,
        "native" => Tier::Native,
        "dev-shell" => Tier::DevShell,
        "skipped" => Tier::Skipped,
        _ => Tier::Pip,
    }
}

/// The child side. Env: `PG_CHILD_OP` (show | show-text | check),
/// `PG_CHILD_OUT` (stdout file), `PG_EXPLICIT` (--policy FILE),
/// `PG_CHECK` (the FILE of `policy check`), `PG_NAMES` (`name:tier,…`).
pub fn child_main() {
    let Ok(op) = std::env::var("PG_CHILD_OP") else {
        return;
    };
    let out = std::env::var("PG_CHILD_OUT").expect("PG_CHILD_OUT");
    let cwd = std::env::current_dir().expect("cwd");
    // The child's own process, read once as pip-guard's entry point does.
    let settings = pip_guard::settings::Settings::from_process();
    let explicit = std::env::var("PG_EXPLICIT").ok().map(PathBuf::from);
    let result: color_eyre::eyre::Result<String> = match op.as_str() {
        "show" => (|| {
            let text = render(&settings, &cwd, explicit.as_deref(), ShowFormat::Json)?;
            let mut v: serde_json::Value = serde_json::from_str(&text)?;
            let eff = Discovery::from_settings(&settings, &cwd, explicit.as_deref()).load()?;
            let mut verdicts = serde_json::Map::new();
            for item in std::env::var("PG_NAMES").unwrap_or_default().split(',') {
                let Some((name, t)) = item.split_once(':') else {
                    continue;
                };
                let norm = pip_guard::names::normalize(name);
                let (verdict, why) = eff.policy.verdict(Some(&norm), tier(t), false);
                verdicts.insert(
                    item.to_string(),
                    serde_json::json!({"verdict": verdict, "why": why}),
                );
            }
            v["verdicts"] = verdicts.into();
            Ok(serde_json::to_string_pretty(&v)?)
        })(),
        "show-text" => render(&settings, &cwd, explicit.as_deref(), ShowFormat::Text),
        "check" => {
            let file = std::env::var("PG_CHECK").ok().map(PathBuf::from);
            check_in(&settings, &cwd, file.as_deref())
        }
        other => panic!("unknown PG_CHILD_OP {other}"),
    };
    let code = match result {
        Ok(text) => {
            std::fs::write(&out, text).expect("write child output");
            Exit::Success
        }
        Err(e) => {
            eprintln!("error: {e}");
            exit_for(&e)
        }
    };
    std::process::exit(i32::from(code.code()));
}
