//! Index benchmarks (`cargo bench --bench index`; figures in
//! docs/performance.md, section "Index"):
//!
//! 1. building the embedded index, alone and + resolving 1,000 names;
//! 2. loading the cached channel index + resolving 1,000 names;
//! 3. `index update` of the realistic fixture (≥100,000 packages, ≥100 MB
//!    of JSON) from a loopback HTTP server, in a child process measured
//!    with `/usr/bin/time -v` (wall time and peak RSS).
//!
//! No external harness: each figure is the median of repeated runs.

#[path = "../tests/index_support/mod.rs"]
mod index_support;

use pip_guard::index::channel::{self, UpdateOptions};
use pip_guard::index::{Index, Lookup};
use pip_guard::names::normalize;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn names() -> Vec<String> {
    include_str!("../data/pypi-top1000.tsv")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .map(|(_, n)| normalize(n))
        .collect()
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn bench(label: &str, runs: usize, mut f: impl FnMut() -> usize) {
    let mut times = Vec::with_capacity(runs);
    let mut sink = 0;
    for _ in 0..runs {
        let t = Instant::now();
        sink += f();
        times.push(t.elapsed());
    }
    let min = *times.iter().min().unwrap_or(&Duration::ZERO);
    println!(
        "{label:<58} median {:>9.3} ms   min {:>9.3} ms   ({runs} runs, {sink} found)",
        median(times).as_secs_f64() * 1e3,
        min.as_secs_f64() * 1e3
    );
}

fn resolve_all(ix: &Index, names: &[String]) -> usize {
    names
        .iter()
        .filter(|n| matches!(ix.lookup(n), Lookup::Found { .. }))
        .count()
}

fn update_once(url: &str, dir: &Path) {
    let opts = UpdateOptions {
        from: Some(url.to_string()),
        cache_dir: Some(dir.to_path_buf()),
        progress: false,
        ..UpdateOptions::default()
    };
    let t = Instant::now();
    match channel::update(&opts) {
        Ok(o) => println!("update-once: {o:?} in {:?}", t.elapsed()),
        Err(e) => {
            eprintln!("update-once failed: {e:#}");
            std::process::exit(4);
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "update-once") {
        let (Some(url), Some(dir)) = (args.get(i + 1), args.get(i + 2)) else {
            eprintln!("usage: index update-once URL DIR");
            std::process::exit(2);
        };
        update_once(url, Path::new(dir));
        return;
    }
    let names = names();
    bench("embedded: Index::embedded", 300, || {
        Index::embedded("python312Packages").len()
    });
    bench(
        "embedded: Index::embedded + resolve 1,000 names",
        300,
        || {
            let ix = Index::embedded("python312Packages");
            resolve_all(&ix, &names)
        },
    );

    let (fixture, facts) = index_support::big_fixture();
    println!(
        "fixture: {} packages, {} Python, {:.1} MB JSON, {:.1} MB brotli",
        facts.packages,
        facts.python,
        facts.json_bytes as f64 / 1e6,
        std::fs::metadata(fixture).map(|m| m.len()).unwrap_or(0) as f64 / 1e6
    );
    let server = index_support::Server::start();
    let body = Arc::new(std::fs::read(fixture).expect("fixture"));
    server.route(
        "/nixpkgs-unstable/packages.json.br",
        index_support::Route::Ok {
            body,
            etag: "\"bench\"".into(),
            last_modified: "Tue, 30 Sep 2025 12:00:00 GMT".into(),
        },
    );
    let url = server.url("/nixpkgs-unstable/packages.json.br");

    // index update in a child process, measured by /usr/bin/time -v.
    let exe = std::env::current_exe().expect("bench exe");
    for run in 1..=3 {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = Command::new("/usr/bin/time")
            .arg("-v")
            .arg(&exe)
            .arg("update-once")
            .arg(&url)
            .arg(dir.path())
            .output();
        match out {
            Ok(o) => {
                let err = String::from_utf8_lossy(&o.stderr);
                let field = |name: &str| {
                    err.lines()
                        .find(|l| l.trim_start().starts_with(name))
                        .and_then(|l| l.rsplit(": ").next())
                        .unwrap_or("?")
                        .trim()
                        .to_string()
                };
                println!(
                    "index update from loopback (run {run}): wall {} s, peak RSS {} KB, exit {}",
                    field("Elapsed (wall clock) time"),
                    field("Maximum resident set size"),
                    o.status.code().unwrap_or(-1)
                );
            }
            Err(e) => {
                println!("index update: cannot run /usr/bin/time ({e}); apt-get install time")
            }
        }
    }

    // The cache those updates write, loaded + 1,000 names resolved.
    let dir = tempfile::tempdir().expect("tempdir");
    update_once(&url, dir.path());
    bench("channel cache: channel::load", 200, || {
        channel::load(dir.path(), "python312Packages")
            .ok()
            .flatten()
            .map_or(0, |ix| ix.len())
    });
    bench(
        "channel cache: channel::load + resolve 1,000 names",
        200,
        || {
            let ix = channel::load(dir.path(), "python312Packages")
                .ok()
                .flatten()
                .expect("cache");
            resolve_all(&ix, &names)
        },
    );
}
