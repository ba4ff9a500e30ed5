//! Wheels that will not load, end to end with the real Debian pip: the
//! guard reads what pip would install before the prompt, installs those
//! files, imports them afterwards; `audit --check-wheels` reports them.
//! The four wheels (tests/common/native.rs) are built with gcc and served
//! from a `--find-links` directory; installs go to a temporary user site
//! of Debian's /usr/bin/python3.
//!
//! Prerequisites (tests/setup.sh): Debian's python3 with python3-pip, gcc,
//! python3-dev. Missing → skipped, or failed under CI.

mod common;
mod debian;

use common::native::{self, four_wheels, Built};
use debian::{flat, run, show, Sandbox, LONG, PY};
use serde_json::Value;
use std::process::Stdio;

fn sandbox() -> Option<(Sandbox, Vec<Built>)> {
    if !native::available() {
        return None;
    }
    let sb = Sandbox::empty()?;
    let built = four_wheels(&sb.wheels, &sb.root.join("scratch"));
    Some((sb, built))
}

fn imports_with_python(sb: &Sandbox, module: &str) -> bool {
    sb.cmd(PY)
        .args([
            "-c",
            &format!("import {module}; assert {module}.answer() == 42"),
        ])
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// For each wheel: the guard's prediction before the install matches what
/// the import does after it, and the guard's own import check agrees.
#[test]
fn prediction_before_matches_import_after() {
    let Some((sb, built)) = sandbox() else { return };
    for b in &built {
        let records_before = sb.records().len();
        let mut args = sb.install_args(&["--guard-yes", "--guard-index", "embedded"]);
        args.push(b.project.to_string());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = run(sb.pip(&args), LONG);
        let err = flat(&String::from_utf8_lossy(&o.stderr));
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}: pip succeeded\n{}",
            b.project,
            show(&o)
        );
        let predicted_bad = err.contains("will not load");
        assert_eq!(
            predicted_bad,
            !b.loads_on_debian,
            "{}: the prediction\n{}",
            b.project,
            show(&o)
        );
        // The prediction comes before pip installs anything.
        let at = |needle: &str| err.find(needle);
        let predicted_at = at("Native code: pip would install").expect("the check ran");
        let imported_at = at("pip-guard: import check").expect("the import check ran");
        assert!(predicted_at < imported_at, "{}", show(&o));
        // What really happens.
        let really = if b.project == "pgt-pure" {
            sb.imports(b.module)
        } else {
            imports_with_python(&sb, b.module)
        };
        assert_eq!(
            really,
            b.loads_on_debian,
            "{}: the import\n{}",
            b.project,
            show(&o)
        );
        assert!(sb.user_site_has(b.module), "{}: installed", b.project);
        // The guard's own check after the install says the same.
        if b.loads_on_debian {
            assert!(
                err.contains("import check: 1 module imported."),
                "{}",
                show(&o)
            );
        } else {
            assert!(
                err.contains("import check: 1 of 1 imports failed"),
                "{}",
                show(&o)
            );
            assert!(
                err.contains("libpgtgone.so.1: cannot open shared object file"),
                "{}",
                show(&o)
            );
        }
        // The audit log records the fallthrough, and a failed import check.
        let records = sb.records();
        let added = if b.loads_on_debian { 1 } else { 2 };
        assert_eq!(records.len(), records_before + added, "{}", show(&o));
        assert_eq!(records[records_before]["action"], "fallthrough");
        if !b.loads_on_debian {
            let last = records.last().expect("a record");
            assert_eq!(last["action"], "import-check");
            let imports = last["imports"].as_array().expect("imports[]");
            assert_eq!(imports.len(), 1, "{last}");
            assert_eq!(imports[0]["module"], b.module);
            assert_eq!(imports[0]["ok"], false, "{last}");
            assert!(
                imports[0]["error"]
                    .as_str()
                    .is_some_and(|e| e.contains("libpgtgone.so.1")),
                "{last}"
            );
        }
    }
}

/// The prediction names the wheel, the library and the fix, before the
/// prompt (no --guard-yes, no terminal: nothing installed, exit 3).
#[test]
fn explained_before_the_prompt() {
    let Some((sb, _)) = sandbox() else { return };
    let args = sb.install_args(&["--guard-index", "embedded", "pgt-gone"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = run(sb.pip(&args), LONG);
    assert_eq!(o.status.code(), Some(3), "{}", show(&o));
    let err = flat(&String::from_utf8_lossy(&o.stderr));
    assert!(
        err.contains("pgt_gone-1.0-cp311-cp311-linux_x86_64.whl will not load: the loader cannot find libpgtgone.so.1"),
        "{}",
        show(&o)
    );
    assert!(err.contains("is needed by pgt_gone/_gone"), "{}", show(&o));
    assert!(
        err.contains("nix-locate -w lib/libpgtgone.so.1"),
        "{}",
        show(&o)
    );
    assert!(sb.userbase_files().is_empty(), "nothing installed");
}

/// `block_unloadable_wheels` in enforce mode blocks the wheel that will not
/// load and lets the one that loads through.
#[test]
fn the_policy_can_block_unloadable_wheels() {
    let Some((sb, _)) = sandbox() else { return };
    sb.project_policy(
        "mode = \"enforce\"\nallow_pip_fallback = true\nblock_unloadable_wheels = true\n[index]\nsource = \"embedded\"\n",
    );
    let args = sb.install_args(&["pgt-gone"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let before = sb.records().len();
    let o = run(sb.pip(&args), LONG);
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    let err = flat(&String::from_utf8_lossy(&o.stderr));
    assert!(
        err.contains("block_unloadable_wheels = true"),
        "{}",
        show(&o)
    );
    assert!(
        sb.userbase_files().is_empty(),
        "nothing installed\n{}",
        show(&o)
    );
    let records = sb.records();
    assert_eq!(records.len(), before + 1);
    assert_eq!(records.last().expect("record")["action"], "blocked");

    let args = sb.install_args(&["pgt-hostlibs"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = run(sb.pip(&args), LONG);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    assert!(imports_with_python(&sb, "pgt_hostlibs"));
}

/// `audit --check-wheels --format json`: per requirement `wheels[]` with
/// `file`, `needs[]`, `missing[]`, `fixes[]`.
#[test]
fn audit_check_wheels_json() {
    let Some((sb, built)) = sandbox() else { return };
    let mut c = sb.cmd(common::bin());
    c.args([
        "audit",
        "--check-wheels",
        "--format",
        "json",
        "--nix-index",
        "embedded",
    ])
    .args(sb.find_links())
    .args(built.iter().map(|b| b.project))
    .env("PIP_GUARD_PYTHON", PY);
    let o = run(c, LONG);
    let v: Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("JSON ({e})\n{}", show(&o)));
    assert_eq!(v["schema"], "pip-guard.audit/v1");
    let reqs = v["requirements"].as_array().expect("requirements");
    assert_eq!(reqs.len(), 4);
    for (b, r) in built.iter().zip(reqs) {
        let w = r["wheels"].as_array().expect("wheels[]");
        assert_eq!(w.len(), 1, "{}: {r:#}", b.project);
        let w = &w[0];
        assert!(
            w["file"].as_str().is_some_and(|f| f.ends_with(".whl")),
            "{w:#}"
        );
        assert!(w["needs"].is_array() && w["fixes"].is_array());
        let missing = w["missing"].as_array().expect("missing[]");
        assert_eq!(
            missing.is_empty(),
            b.loads_on_debian,
            "{}: {w:#}",
            b.project
        );
    }
    assert_eq!(
        reqs[0]["wheels"][0]["needs"],
        serde_json::json!(["libstdc++.so.6", "libz.so.1"])
    );
    assert_eq!(
        reqs[1]["wheels"][0]["missing"][0]["soname"],
        "libpgtgone.so.1"
    );
    assert!(
        v["wheel_check"]["loader"].is_string(),
        "{:#}",
        v["wheel_check"]
    );
    // Every field docs/schema.md documents for a wheel is there.
    let doc =
        std::fs::read_to_string(common::repo_root().join("docs/schema.md")).expect("schema.md");
    let section = doc
        .split("Each wheel:")
        .nth(1)
        .and_then(|s| s.split("The top-level object gets").next())
        .expect("the wheels table");
    let fields: Vec<&str> = section
        .lines()
        .filter_map(|l| l.strip_prefix("| "))
        .filter_map(|l| l.split(" |").next())
        .filter(|f| !matches!(*f, "field" | "---"))
        .flat_map(|f| f.split(", "))
        .collect();
    assert!(fields.len() >= 9, "{fields:?}");
    for r in reqs {
        for w in r["wheels"].as_array().expect("wheels") {
            for f in &fields {
                assert!(w.get(*f).is_some(), "{f} documented, missing in {w:#}");
            }
        }
    }
    for key in [
        "loader",
        "distributions",
        "dependency_wheels",
        "not_wheels",
        "notes",
    ] {
        assert!(v["wheel_check"].get(key).is_some(), "wheel_check.{key}");
    }
    assert_eq!(
        o.status.code(),
        Some(0),
        "advise mode, not strict\n{}",
        show(&o)
    );
    assert!(sb.userbase_files().is_empty(), "audit installs nothing");
    // --strict makes it fail.
    let mut c = sb.cmd(common::bin());
    c.args([
        "audit",
        "--check-wheels",
        "--strict",
        "--nix-index",
        "embedded",
    ])
    .args(sb.find_links())
    .arg("pgt-gone")
    .env("PIP_GUARD_PYTHON", PY);
    let o = run(c, LONG);
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    assert!(
        flat(&String::from_utf8_lossy(&o.stdout)).contains("will not load"),
        "{}",
        show(&o)
    );
}

/// `nixify --check-wheels`: the dev shell gets the library path for the
/// host libraries pip's wheels need; without the flag, a commented hint.
#[test]
fn nixify_adds_the_library_path() {
    let Some((sb, _)) = sandbox() else { return };
    let mut c = sb.cmd(common::bin());
    c.args(["nixify", "--check-wheels", "--nix-index", "embedded"])
        .args(sb.find_links())
        .args(["pgt-hostlibs", "pgt-bundled", "pgt-pure"])
        .env("PIP_GUARD_PYTHON", PY);
    let o = run(c, LONG);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    let flake = String::from_utf8_lossy(&o.stdout);
    assert!(
        flake.contains(
            "LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [ pkgs.stdenv.cc.cc.lib pkgs.zlib ];"
        ),
        "{flake}"
    );
    if let Some(nix) = common::require("nix-instantiate") {
        let f = sb.root.join("flake.nix");
        std::fs::write(&f, flake.as_bytes()).expect("write");
        let p = std::process::Command::new(nix)
            .arg("--parse")
            .arg(&f)
            .output()
            .expect("nix-instantiate");
        assert!(p.status.success(), "{}", String::from_utf8_lossy(&p.stderr));
    }
    // Only the bundled and pure wheels: no host library, no binding.
    let mut c = sb.cmd(common::bin());
    c.args(["nixify", "--check-wheels", "--nix-index", "embedded"])
        .args(sb.find_links())
        .args(["pgt-bundled", "pgt-pure"])
        .env("PIP_GUARD_PYTHON", PY);
    let o = run(c, LONG);
    let flake = String::from_utf8_lossy(&o.stdout);
    assert!(!flake.contains("LD_LIBRARY_PATH"), "{flake}");
    // Without --check-wheels: a hint, commented out.
    let mut c = sb.cmd(common::bin());
    c.args(["nixify", "--nix-index", "embedded", "pgt-hostlibs"])
        .env("PIP_GUARD_PYTHON", PY);
    let o = run(c, LONG);
    let flake = String::from_utf8_lossy(&o.stdout);
    assert!(
        flake.contains("# LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath"),
        "{flake}"
    );
}

/// A loopback HTTP server (Python's http.server) serving the wheel
/// directory as a `--find-links` page; its request log on stderr.
struct Server {
    child: std::process::Child,
    url: String,
    log: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Server {
    fn start(dir: &std::path::Path) -> Server {
        use std::io::{BufRead, BufReader};
        let mut child = std::process::Command::new(PY)
            .args(["-u", "-m", "http.server", "--bind", "127.0.0.1", "0"])
            .current_dir(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start http.server");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the server's first line");
        // "Serving HTTP on 127.0.0.1 port 43127 (http://127.0.0.1:43127/) ..."
        let port = line
            .split_whitespace()
            .skip_while(|w| *w != "port")
            .nth(1)
            .expect("a port")
            .to_string();
        let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let sink = log.clone();
        let err = child.stderr.take().expect("stderr");
        std::thread::spawn(move || {
            for l in BufReader::new(err).lines().map_while(Result::ok) {
                if let Ok(mut s) = sink.lock() {
                    s.push_str(&l);
                    s.push('\n');
                }
            }
        });
        Server {
            child,
            url: format!("http://127.0.0.1:{port}/"),
            log,
        }
    }

    fn gets(&self, needle: &str) -> usize {
        self.log
            .lock()
            .map(|s| {
                s.lines()
                    .filter(|l| l.contains("\"GET /") && l.contains(needle))
                    .count()
            })
            .unwrap_or(0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A wheel from a remote `--find-links` page: pip's report names an
/// http:// URL, the guard downloads it once (pip download, with the hash
/// pip reported), reads it, and the install reads that file
/// (`--no-index --find-links TMP`) instead of fetching it again.
#[test]
fn a_remote_wheel_is_downloaded_once_and_installed_from_that_file() {
    let Some((sb, built)) = sandbox() else { return };
    let server = Server::start(&sb.wheels);
    let gone = built
        .iter()
        .find(|b| b.project == "pgt-gone")
        .expect("pgt-gone");
    let file = gone
        .wheel
        .file_name()
        .and_then(|f| f.to_str())
        .expect("name")
        .to_string();
    let args = [
        "install",
        "--guard-yes",
        "--guard-index",
        "embedded",
        "--no-index",
        "--find-links",
        server.url.as_str(),
        "pgt-gone",
    ];
    let o = run(sb.pip(&args), LONG);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    let err = flat(&String::from_utf8_lossy(&o.stderr));
    assert!(
        err.contains(&format!(
            "{file} will not load: the loader cannot find libpgtgone.so.1"
        )),
        "predicted from the downloaded file\n{}",
        show(&o)
    );
    assert!(sb.user_site_has("pgt_gone"), "installed\n{}", show(&o));
    // pip's dry run fetched it once, pip download once; the install none.
    let n = server.gets(&file);
    assert_eq!(
        n,
        2,
        "GETs of {file}:\n{:?}",
        server.log.lock().map(|s| s.clone())
    );
    // The control: pip alone, without the guard's files, fetches it again.
    let before = server.gets(&file);
    let mut c = sb.real_pip(&[
        "install",
        "--user",
        "--break-system-packages",
        "--force-reinstall",
        "--no-index",
        "--find-links",
        server.url.as_str(),
        "pgt-gone",
    ]);
    c.env("PIP_NO_CACHE_DIR", "1");
    let o = run(c, LONG);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    assert_eq!(
        server.gets(&file),
        before + 1,
        "a plain install downloads it"
    );
}
