//! `pip-guard index update` against a real HTTP server on loopback serving
//! a realistic `packages.json.br` (≥100,000 packages, ≥100 MB of JSON),
//! with faults. After every fault the cache must be byte for byte what it
//! was before.

mod index_support;

use index_support::{big_fixture, brotli, generate_json, Route, Server};
use pip_guard::error::exit_for;
use pip_guard::exit::Exit;
use pip_guard::index::channel::{self, Outcome, UpdateOptions};
use pip_guard::index::load::{load_with, IndexChoice, LoadOptions};
use pip_guard::index::{Lookup, MatchedBy, Source};
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

const LAST_MODIFIED: &str = "Tue, 30 Sep 2025 12:00:00 GMT";

fn server() -> &'static Server {
    static S: OnceLock<Server> = OnceLock::new();
    S.get_or_init(|| {
        let (path, _) = big_fixture();
        let body = Arc::new(std::fs::read(path).expect("read the fixture"));
        let s = Server::start();
        s.route(
            "/nixpkgs-25.11pre891648.a8d610af3f1a/packages.json.br",
            Route::Ok {
                body: body.clone(),
                etag: "\"v1\"".into(),
                last_modified: LAST_MODIFIED.into(),
            },
        );
        s.route(
            "/nixpkgs-unstable/packages.json.br",
            Route::Redirect("/nixpkgs-25.11pre891648.a8d610af3f1a/packages.json.br".into()),
        );
        s.route("/404/packages.json.br", Route::Status(404));
        s.route("/500/packages.json.br", Route::Status(500));
        s.route(
            "/truncated/packages.json.br",
            Route::Truncate {
                body: body.clone(),
                send: body.len() / 2,
            },
        );
        s.route(
            "/stall/packages.json.br",
            Route::Stall {
                body: body.clone(),
                send: 256 * 1024,
                stall: Duration::from_secs(12),
            },
        );
        let mut corrupt = (*body).clone();
        let mid = corrupt.len() / 2;
        for b in &mut corrupt[mid..mid + 4096] {
            *b = 0xA5;
        }
        s.route(
            "/corrupt/packages.json.br",
            Route::Ok {
                body: Arc::new(corrupt),
                etag: "\"c\"".into(),
                last_modified: LAST_MODIFIED.into(),
            },
        );
        let not_brotli = b"{\"version\":\"2\",\"packages\":{}}".to_vec();
        s.route(
            "/not-brotli/packages.json.br",
            Route::Ok {
                body: Arc::new(not_brotli),
                etag: "\"n\"".into(),
                last_modified: LAST_MODIFIED.into(),
            },
        );
        let wrong = brotli(br#"{"version":"2","packages":["not","an","object"]}"#, 5);
        s.route(
            "/wrong-json/packages.json.br",
            Route::Ok {
                body: Arc::new(wrong),
                etag: "\"w\"".into(),
                last_modified: LAST_MODIFIED.into(),
            },
        );
        let html = brotli(b"<html><body>captive portal</body></html>", 5);
        s.route(
            "/html/packages.json.br",
            Route::Ok {
                body: Arc::new(html),
                etag: "\"h\"".into(),
                last_modified: LAST_MODIFIED.into(),
            },
        );
        let (small, _) = generate_json(2_000, true);
        s.route(
            "/small/packages.json.br",
            Route::Ok {
                body: Arc::new(brotli(small.as_bytes(), 5)),
                etag: "\"s\"".into(),
                last_modified: LAST_MODIFIED.into(),
            },
        );
        s
    })
}

fn opts(dir: &Path, url: &str) -> UpdateOptions {
    UpdateOptions {
        channel: "nixpkgs-unstable".into(),
        from: Some(url.to_string()),
        // A generous total deadline; a stall is noticed after 2 s.
        timeout: Duration::from_secs(120),
        stall: Some(Duration::from_secs(2)),
        cache_dir: Some(dir.to_path_buf()),
        progress: false,
        ..UpdateOptions::default()
    }
}

fn update_ok(dir: &Path) -> Vec<u8> {
    let url = server().url("/nixpkgs-unstable/packages.json.br");
    let start = Instant::now();
    let out = channel::update(&opts(dir, &url)).expect("update from the loopback listing");
    eprintln!("update took {:?}", start.elapsed());
    match out {
        Outcome::Updated {
            packages,
            sets,
            revision,
            ..
        } => {
            assert_eq!(packages, big_fixture().1.packages);
            assert_eq!(
                revision.as_deref(),
                Some("a8d610af3f1a"),
                "revision from the redirect target"
            );
            assert!(
                sets.iter()
                    .any(|(n, c)| n == "python312Packages" && *c >= 8_000),
                "{sets:?}"
            );
        }
        other => panic!("expected an update, got {other:?}"),
    }
    std::fs::read(channel::cache_path(dir)).expect("the cache exists")
}

#[test]
fn fixture_is_realistic() {
    let (path, g) = big_fixture();
    assert!(g.packages >= 100_000, "{g:?}");
    assert!(g.python >= 8_000, "{g:?}");
    assert!(g.json_bytes >= 100 * 1024 * 1024, "{g:?}");
    let compressed = std::fs::metadata(path).expect("fixture").len();
    assert!(compressed < g.json_bytes as u64 / 4, "brotli did compress");
}

#[test]
fn update_caches_the_python_sets_and_loads_fast() {
    let dir = tempfile::tempdir().expect("tempdir");
    update_ok(dir.path());
    let ix = channel::load(dir.path(), "python312Packages")
        .expect("valid cache")
        .expect("python312Packages cached");
    let meta = ix.meta.clone().expect("meta");
    assert_eq!(meta.source, Source::Channel);
    assert_eq!(meta.nixpkgs, "nixpkgs-unstable@a8d610af3f1a");
    assert_eq!(meta.date, "2025-09-30");
    assert_eq!(meta.packages, big_fixture().1.python312);
    match ix.lookup("requests") {
        Lookup::Found {
            package,
            matched_by,
            ..
        } => {
            assert_eq!(package.version.as_deref(), Some("2.32.3"));
            assert_eq!(matched_by, MatchedBy::Attr);
        }
        other => panic!("requests: {other:?}"),
    }
    // pname "opencv" comes from the listing.
    assert!(matches!(
        ix.lookup("opencv"),
        Lookup::Found {
            matched_by: MatchedBy::Pname,
            ..
        }
    ));
    // An exact attr wins (nixpkgs 2025 has opencv-python); the table
    // answers where no attr does (pygobject → pygobject3).
    assert_eq!(
        ix.lookup("opencv-python").found(),
        Some(("opencv-python", MatchedBy::Attr))
    );
    match ix.lookup("pygobject") {
        Lookup::Found {
            package,
            matched_by,
            ..
        } => {
            assert_eq!(
                (package.attr.as_str(), matched_by),
                ("pygobject3", MatchedBy::Table)
            );
            assert!(package.version.is_some());
        }
        other => panic!("pygobject: {other:?}"),
    }
    // nixpkgs' default set: the listing's python3 is 3.13, so
    // python3Packages is its python313Packages section.
    let default = channel::load(dir.path(), "python3Packages")
        .expect("valid cache")
        .expect("python3Packages resolves to the listing's python3 set");
    let m = default.meta.clone().expect("meta");
    assert_eq!(m.default_set.as_deref(), Some("python313Packages"));
    assert_eq!(default.package_set, "python3Packages");
    assert!(default.contains("requests"));
    // Top-level apps present in the listing are reported.
    match ix.lookup("black") {
        Lookup::Found { app, .. } => assert_eq!(app.as_deref(), Some("black")),
        other => panic!("black: {other:?}"),
    }
    // The auto source picks the channel cache when nix is not usable.
    let auto = load_with(
        &LoadOptions {
            choice: IndexChoice::Channel,
            cache_dir: Some(dir.path().to_path_buf()),
            max_age_days: None,
            ..LoadOptions::default()
        },
        "python313Packages",
        &[],
    )
    .expect("channel index");
    assert_eq!(auto.meta.map(|m| m.source), Some(Source::Channel));
}

fn assert_fault(dir: &Path, before: &[u8], path: &str, expect: &[&str]) {
    let url = server().url(path);
    let start = Instant::now();
    let err = channel::update(&opts(dir, &url)).expect_err(&format!("{path} must fail"));
    let msg = format!("{err:#}");
    eprintln!("{path}: {msg}");
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "{path}: took {:?}",
        start.elapsed()
    );
    assert_eq!(exit_for(&err), Exit::Environment, "{path}: {msg}");
    assert!(
        expect.iter().any(|e| msg.contains(e)),
        "{path}: message {msg:?} says none of {expect:?}"
    );
    assert!(
        msg.contains(&server().base),
        "{path}: message names the URL: {msg}"
    );
    let after = std::fs::read(channel::cache_path(dir)).expect("cache still there");
    assert!(after == before, "{path}: the cache changed");
    let leftovers: Vec<_> = std::fs::read_dir(dir)
        .expect("dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "{path}: temp files left: {leftovers:?}"
    );
}

#[test]
fn every_fault_keeps_the_previous_cache_byte_for_byte() {
    let dir = tempfile::tempdir().expect("tempdir");
    let before = update_ok(dir.path());
    assert_fault(dir.path(), &before, "/404/packages.json.br", &["HTTP 404"]);
    assert_fault(dir.path(), &before, "/500/packages.json.br", &["HTTP 500"]);
    assert_fault(
        dir.path(),
        &before,
        "/truncated/packages.json.br",
        &["download failed", "truncated", "ends early"],
    );
    assert_fault(
        dir.path(),
        &before,
        "/stall/packages.json.br",
        &["timed out"],
    );
    assert_fault(
        dir.path(),
        &before,
        "/corrupt/packages.json.br",
        &["brotli", "not a valid packages.json"],
    );
    assert_fault(
        dir.path(),
        &before,
        "/not-brotli/packages.json.br",
        &["brotli"],
    );
    assert_fault(
        dir.path(),
        &before,
        "/wrong-json/packages.json.br",
        &["not a valid packages.json"],
    );
    assert_fault(
        dir.path(),
        &before,
        "/html/packages.json.br",
        &["not a valid packages.json"],
    );
    assert_fault(
        dir.path(),
        &before,
        "/small/packages.json.br",
        &["fewer than"],
    );
    // Nothing listens on this port any more: connection refused.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let url = format!("http://127.0.0.1:{closed}/packages.json.br");
    let err = channel::update(&opts(dir.path(), &url)).expect_err("refused");
    assert_eq!(exit_for(&err), Exit::Environment);
    assert_eq!(
        std::fs::read(channel::cache_path(dir.path())).expect("cache"),
        before
    );

    // 304: the same listing again is not downloaded and not rewritten.
    let url = server().url("/nixpkgs-unstable/packages.json.br");
    let out = channel::update(&opts(dir.path(), &url)).expect("304 is fine");
    assert!(matches!(out, Outcome::NotModified { .. }), "{out:?}");
    assert_eq!(
        std::fs::read(channel::cache_path(dir.path())).expect("cache"),
        before
    );
    let log = server().log.lock().expect("log").clone();
    assert!(
        log.iter()
            .any(|(p, inm)| p.contains("a8d610af3f1a") && inm.as_deref() == Some("\"v1\"")),
        "a conditional request was sent: {log:?}"
    );
}

#[test]
fn concurrent_updates_do_not_corrupt_the_cache() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path().to_path_buf();
    let url = server().url("/nixpkgs-unstable/packages.json.br");
    let handles: Vec<_> = (0..3)
        .map(|_| {
            let (d, url) = (d.clone(), url.clone());
            std::thread::spawn(move || {
                channel::update(&opts(&d, &url)).map_err(|e| format!("{e:#}"))
            })
        })
        .collect();
    let results: Vec<_> = handles
        .into_iter()
        .map(|h| h.join().expect("thread"))
        .collect();
    let updated = results
        .iter()
        .filter(|r| matches!(r, Ok(Outcome::Updated { .. })))
        .count();
    assert!(results.iter().all(|r| r.is_ok()), "{results:?}");
    // The lock serializes them: the first downloads, the others get 304.
    assert_eq!(updated, 1, "{results:?}");
    let status = channel::status(&d)
        .expect("valid cache")
        .expect("cache exists");
    assert!(status
        .sets
        .iter()
        .any(|(n, c)| n == "python312Packages" && *c >= 8_000));
}

#[test]
fn corrupt_cache_is_detected_ignored_and_replaced() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bytes = update_ok(dir.path());
    let path = channel::cache_path(dir.path());
    // Truncated, then one flipped byte in a section body.
    std::fs::write(&path, &bytes[..bytes.len() - 100]).expect("truncate");
    assert!(channel::load(dir.path(), "python312Packages").is_err());
    // A byte inside the python312Packages body (the first section).
    let body_start = bytes
        .windows(2)
        .position(|w| w == b"\n\n")
        .expect("header end")
        + 2;
    let mut flipped = bytes.clone();
    flipped[body_start + 1_000] ^= 0x20;
    std::fs::write(&path, &flipped).expect("flip");
    assert!(channel::load(dir.path(), "python312Packages").is_err());
    assert!(channel::status(dir.path()).is_err());
    // auto falls back to the embedded snapshot; a forced channel is an error.
    let load = |choice| {
        load_with(
            &LoadOptions {
                choice,
                cache_dir: Some(dir.path().to_path_buf()),
                max_age_days: None,
                // No nix here: auto goes straight to the channel cache.
                nix: pip_guard::index::nix::NixOptions {
                    program: "/nonexistent/nix-instantiate".into(),
                    ..Default::default()
                },
                ..LoadOptions::default()
            },
            "python312Packages",
            &[],
        )
    };
    let auto = load(IndexChoice::Auto).expect("auto never fails");
    assert_eq!(auto.meta.map(|m| m.source), Some(Source::Embedded));
    let forced = load(IndexChoice::Channel).expect_err("forced channel fails");
    assert_eq!(exit_for(&forced), Exit::Environment);
    assert!(format!("{forced:#}").contains("corrupt"));
    // An update replaces it.
    let after = update_ok(dir.path());
    assert!(channel::load(dir.path(), "python312Packages")
        .expect("valid")
        .is_some());
    assert_eq!(after.len(), bytes.len());
}

#[test]
fn old_format_local_file_and_bad_from() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (json, g) = generate_json(3_000, false);
    let file = dir.path().join("packages.json");
    std::fs::write(&file, json).expect("write");
    let mut o = opts(dir.path(), &file.display().to_string());
    o.min_packages = 1_000;
    match channel::update(&o).expect("old format from a local file") {
        Outcome::Updated { packages, .. } => assert_eq!(packages, g.packages),
        other => panic!("{other:?}"),
    }
    let ix = channel::load(dir.path(), "python312Packages")
        .expect("valid")
        .expect("set");
    match ix.lookup("jinja2") {
        Lookup::Found { package, .. } => {
            // pname parsed from "python3.12-Jinja2", interpreter prefix removed.
            assert_eq!(package.pname.as_deref(), Some("Jinja2"));
            assert_eq!(
                package.version.as_deref(),
                Some(index_support::version_of("jinja2").as_str())
            );
        }
        other => panic!("{other:?}"),
    }
    // A brotli file works too.
    let br = dir.path().join("packages.json.br");
    std::fs::write(&br, brotli(&std::fs::read(&file).expect("read"), 5)).expect("write br");
    let mut o2 = opts(dir.path(), &br.display().to_string());
    o2.min_packages = 1_000;
    assert!(channel::update(&o2).is_ok());
    // A missing file is bad input (exit 2); a bad channel name too.
    let before = std::fs::read(channel::cache_path(dir.path())).expect("cache");
    let err =
        channel::update(&opts(dir.path(), "/nonexistent/packages.json.br")).expect_err("missing");
    assert_eq!(exit_for(&err), Exit::Usage);
    let mut bad = opts(dir.path(), "x");
    bad.channel = "../../etc".into();
    assert_eq!(
        exit_for(&channel::update(&bad).expect_err("bad channel")),
        Exit::Usage
    );
    assert_eq!(
        std::fs::read(channel::cache_path(dir.path())).expect("cache"),
        before
    );
}

#[test]
fn credentials_in_the_mirror_url_are_never_stored() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = server()
        .url("/nixpkgs-unstable/packages.json.br")
        .replace("http://", "http://user:s3cret-token@");
    let _ = channel::update(&opts(dir.path(), &url)).expect("update with userinfo");
    let text =
        String::from_utf8_lossy(&std::fs::read(channel::cache_path(dir.path())).expect("cache"))
            .into_owned();
    assert!(!text.contains("s3cret-token"));
    let err = channel::update(&opts(dir.path(), &url.replace("nixpkgs-unstable", "404")))
        .expect_err("404");
    assert!(!format!("{err:#}").contains("s3cret-token"));
}

// ---------------------------------------------------------------------
// Bounds (issue 14 item 4), plausibility (issue 10 item 5), conditional
// requests (issue 14 item 5). Each makes the real attempt against the
// loopback server; the cache must be byte for byte what it was.
// ---------------------------------------------------------------------

/// A listing of `total` packages whose python312Packages has `python` attrs.
fn listing_with_python(total: usize, python: usize) -> String {
    let mut out = String::from("{\"version\":\"2\",\"packages\":{");
    for i in 0..total {
        if i > 0 {
            out.push(',');
        }
        if i < python {
            out.push_str(&format!(
                "\"python312Packages.p{i}\":{{\"name\":\"python3.12-p{i}-1.0\",\"pname\":\"p{i}\",\"version\":\"1.0\"}}"
            ));
        } else {
            out.push_str(&format!(
                "\"pkg{i}\":{{\"name\":\"pkg{i}-1.0\",\"pname\":\"pkg{i}\",\"version\":\"1.0\"}}"
            ));
        }
    }
    out.push_str("}}");
    out
}

/// A valid small listing (all real Python attrs, ~17,000 packages) in the
/// cache of `dir`, from a local file; returns the cache bytes.
fn small_cache(dir: &Path) -> Vec<u8> {
    let (json, _) = generate_json(3_000, true);
    let file = dir.join("seed.json");
    std::fs::write(&file, json).expect("write");
    let mut o = opts(dir, &file.display().to_string());
    o.min_packages = 1_000;
    channel::update(&o).expect("seed the cache");
    std::fs::read(channel::cache_path(dir)).expect("cache")
}

fn route(path: &str, r: Route) -> String {
    server().route(path, r);
    server().url(path)
}

/// Child mode: one update from `IC_URL` into `IC_DIR` with a total deadline
/// of `IC_TIMEOUT` seconds; exit 4 with the message on an environment
/// error. Run by `update_in_child` under an address-space limit.
#[test]
fn child() {
    let (Ok(url), Ok(dir)) = (std::env::var("IC_URL"), std::env::var("IC_DIR")) else {
        return;
    };
    let timeout: u64 = std::env::var("IC_TIMEOUT")
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(60);
    let mut o = opts(Path::new(&dir), &url);
    o.timeout = Duration::from_secs(timeout);
    o.stall = None;
    // The default bound is 512 MiB; a debug build decompresses whitespace
    // too slowly for that, so the child uses 32 MiB (same code path).
    o.max_bytes = std::env::var("IC_MAX_BYTES")
        .ok()
        .and_then(|b| b.parse().ok());
    match channel::update(&o) {
        Ok(_) => std::process::exit(0),
        Err(e) => {
            eprintln!("UPDATE-ERROR: {e:#}");
            std::process::exit(if exit_for(&e) == Exit::Environment {
                4
            } else {
                3
            });
        }
    }
}

/// Run one update in a child process limited to 1 GiB of address space:
/// (exit code, stderr, seconds it took).
fn update_in_child(dir: &Path, url: &str, timeout: u64) -> (Option<i32>, String, f64) {
    use std::os::unix::process::CommandExt;
    let mut cmd = std::process::Command::new(std::env::current_exe().expect("test binary"));
    cmd.args(["--exact", "child", "--nocapture", "--test-threads=1", "-q"])
        .env("IC_URL", url)
        .env("IC_DIR", dir)
        .env("IC_TIMEOUT", timeout.to_string())
        .env("IC_MAX_BYTES", (32u64 << 20).to_string())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    // SAFETY: setrlimit is async-signal-safe.
    unsafe {
        cmd.pre_exec(|| {
            let lim = libc::rlimit {
                rlim_cur: 1 << 30,
                rlim_max: 1 << 30,
            };
            libc::setrlimit(libc::RLIMIT_AS, &lim);
            Ok(())
        });
    }
    let start = Instant::now();
    let out = cmd.output().expect("run the child");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        start.elapsed().as_secs_f64(),
    )
}

#[test]
fn a_listing_with_a_handful_of_python_attrs_is_implausible() {
    let dir = tempfile::tempdir().expect("tempdir");
    let before = small_cache(dir.path());
    // 120,000 packages, 14 of them Python: passes the package count, not
    // the plausibility of its Python set.
    let url = route(
        "/few-python/packages.json.br",
        Route::Ok {
            body: Arc::new(brotli(listing_with_python(120_000, 14).as_bytes(), 5)),
            etag: "\"f\"".into(),
            last_modified: LAST_MODIFIED.into(),
        },
    );
    let err = channel::update(&opts(dir.path(), &url)).expect_err("14 Python attrs");
    let msg = format!("{err:#}");
    assert_eq!(exit_for(&err), Exit::Environment, "{msg}");
    assert!(
        msg.contains("implausible") && msg.contains("14 attrs"),
        "{msg}"
    );
    assert_eq!(
        std::fs::read(channel::cache_path(dir.path())).expect("cache"),
        before
    );
    // A cache holding such a set is refused when loaded, too.
    assert!(channel::load(dir.path(), "python312Packages")
        .expect("the seeded cache is plausible")
        .is_some());
}

#[test]
fn endless_and_dripping_downloads_stop_within_their_bounds() {
    let dir = tempfile::tempdir().expect("tempdir");
    let before = small_cache(dir.path());
    let cases: Vec<(&str, Route, u64, &[&str])> = vec![
        (
            // An endless brotli stream of whitespace: a decompression bomb.
            "/bomb/packages.json.br",
            Route::Endless {
                prefix: b"{\"version\":\"2\",\"packages\":{".to_vec(),
                fill: b" ".to_vec(),
                brotli: true,
            },
            120,
            &["over 32 MiB decompressed"],
        ),
        (
            // An endless JSON body of Python entries.
            "/entries/packages.json",
            Route::Endless {
                prefix: b"{\"version\":\"2\",\"packages\":{\"python312Packages.a\":{}".to_vec(),
                fill: b",\"python312Packages.b\":{\"pname\":\"b\",\"version\":\"1\"}".to_vec(),
                brotli: false,
            },
            120,
            &["more than 500000 Python packages"],
        ),
        (
            // An endless string (a key that never ends).
            "/string/packages.json",
            Route::Endless {
                prefix: b"{\"version\":\"2\",\"packages\":{\"".to_vec(),
                fill: b"python312Packages".to_vec(),
                brotli: false,
            },
            120,
            &["string over 1 MiB"],
        ),
        (
            // One byte every 3 s with a 5 s deadline.
            "/drip/packages.json.br",
            Route::Drip {
                body: Arc::new(vec![b' '; 64]),
                every: Duration::from_secs(3),
            },
            5,
            &["deadline"],
        ),
    ];
    for (path, r, timeout, expect) in cases {
        let url = route(path, r);
        let (code, stderr, secs) = update_in_child(dir.path(), &url, timeout);
        eprintln!("{path}: exit {code:?} after {secs:.1} s: {stderr}");
        assert_eq!(code, Some(4), "{path}: exit 4, not a crash: {stderr}");
        assert!(
            expect.iter().any(|e| stderr.contains(e)),
            "{path}: {stderr} says none of {expect:?}"
        );
        // The deadline is total: a 5 s deadline never runs to 40 s.
        assert!(secs < 30.0, "{path}: took {secs:.1} s");
        assert_eq!(
            std::fs::read(channel::cache_path(dir.path())).expect("cache"),
            before,
            "{path}: the cache changed"
        );
    }
}

#[test]
fn a_304_without_a_matching_cache_is_not_current() {
    let url = route("/always-304/packages.json.br", Route::Always304);
    // No cache at all: nothing may be called current, nothing is written.
    let empty = tempfile::tempdir().expect("tempdir");
    let err = channel::update(&opts(empty.path(), &url)).expect_err("304 with no cache");
    assert_eq!(exit_for(&err), Exit::Environment);
    assert!(format!("{err:#}").contains("304"), "{err:#}");
    assert!(!channel::cache_path(empty.path()).exists());
    // A cache of another URL: no validators are sent, so a 304 is a lie too.
    let dir = tempfile::tempdir().expect("tempdir");
    let before = small_cache(dir.path());
    let err = channel::update(&opts(dir.path(), &url)).expect_err("304 for another URL");
    assert_eq!(exit_for(&err), Exit::Environment);
    assert_eq!(
        std::fs::read(channel::cache_path(dir.path())).expect("cache"),
        before
    );
    let log = server().log.lock().expect("log").clone();
    assert!(log
        .iter()
        .filter(|(p, _)| p == "/always-304/packages.json.br")
        .all(|(_, inm)| inm.is_none()));
}
