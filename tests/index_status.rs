//! `pip-guard index status`: sources, ages, and the 30-day warning.

use pip_guard::commands::index::{status, StatusArgs};
use pip_guard::index::cache::{encode, Entry, Header};
use pip_guard::index::channel::cache_path;
use pip_guard::index::load::IndexChoice;
use pip_guard::index::time::now_unix;
use std::path::Path;

fn write_cache(dir: &Path, age_days: i64) {
    write_cache_at(dir, age_days, "0123456789ab");
}

fn write_cache_at(dir: &Path, age_days: i64, revision: &str) {
    let header = Header {
        channel: "nixos-25.05".into(),
        url: "https://user:secret@mirror.example/nixos-25.05/packages.json.br".into(),
        fetched: now_unix() - age_days * 86_400,
        revision: revision.into(),
        date: "2025-06-01T00:00:00Z".into(),
        packages: 120_000,
        ..Header::default()
    };
    let rows = (0..9_000)
        .map(|i| Entry {
            attr: format!("pkg{i:05}"),
            pname: None,
            version: Some("1.0".into()),
        })
        .collect();
    let bytes = encode(&header, &mut [("python312Packages".to_string(), rows)]);
    std::fs::create_dir_all(dir).expect("mkdir");
    std::fs::write(cache_path(dir), bytes).expect("write cache");
}

fn run(dir: &Path) -> (String, String) {
    let args = StatusArgs {
        package_set: "python312Packages".into(),
        index: IndexChoice::Channel,
        nixpkgs: None,
        cache_dir: Some(dir.to_path_buf()),
        cwd: std::path::PathBuf::from("/"),
        env: pip_guard::index::Environment::from_env(&|k| std::env::var_os(k)),
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    status(&args, &mut out, &mut err).expect("status");
    (
        String::from_utf8_lossy(&out).into_owned(),
        String::from_utf8_lossy(&err).into_owned(),
    )
}

#[test]
fn status_reports_the_channel_and_warns_when_old() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write_cache(tmp.path(), 40);
    let (out, err) = run(tmp.path());
    assert!(
        out.contains("index used (channel): channel (nixos-25.05@0123456789ab"),
        "{out}"
    );
    assert!(out.contains("9,000 in python312Packages"), "{out}");
    assert!(out.contains("40 days ago"), "{out}");
    assert!(
        out.contains("embedded: nixpkgs 5e3666d1e47b01abe7ec65a20e421dc6c871f82d"),
        "{out}"
    );
    assert!(
        !out.contains("secret") && !err.contains("secret"),
        "{out}{err}"
    );
    assert!(
        err.contains("warning: the channel cache is 40 days old"),
        "{err}"
    );

    write_cache(tmp.path(), 2);
    let (out, err) = run(tmp.path());
    assert!(out.contains("2 days ago"), "{out}");
    assert!(err.is_empty(), "no warning for a fresh cache: {err}");
}

#[test]
fn status_says_when_there_is_no_cache_or_it_is_corrupt() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let args = StatusArgs {
        package_set: "python312Packages".into(),
        index: IndexChoice::Embedded,
        nixpkgs: None,
        cache_dir: Some(tmp.path().to_path_buf()),
        cwd: std::path::PathBuf::from("/"),
        env: pip_guard::index::Environment::from_env(&|k| std::env::var_os(k)),
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    status(&args, &mut out, &mut err).expect("status");
    let out = String::from_utf8_lossy(&out);
    assert!(
        out.contains("no cached listing (run `pip-guard index update`)"),
        "{out}"
    );
    assert!(out.contains("index used (embedded): embedded"), "{out}");

    write_cache(tmp.path(), 1);
    let p = cache_path(tmp.path());
    let bytes = std::fs::read(&p).expect("read");
    std::fs::write(&p, &bytes[..bytes.len() / 2]).expect("truncate");
    let (mut out, mut err) = (Vec::new(), Vec::new());
    status(&args, &mut out, &mut err).expect("status");
    let out = String::from_utf8_lossy(&out);
    assert!(out.contains("the cache is corrupt and ignored"), "{out}");
}

/// Issue 14.9: a listing's `revision` holding ESC sequences, `::` workflow
/// commands and `##[error]` is printed by `index status` (the real binary)
/// escaped: no raw control character on a terminal, no workflow command in
/// a GitHub Actions log.
#[test]
fn a_hostile_revision_is_printed_escaped() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let cache = tmp.path().join("cache");
    let hostile = "\x1b[8m\x1b]52;c;eA==\x07\u{202e}x ##[error]boom";
    write_cache_at(&cache.join("index"), 2, hostile);
    for github in [false, true] {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_pip-guard"));
        c.args(["index", "status", "--index", "channel"])
            .args(["--package-set", "python312Packages"])
            .env("PIP_GUARD_CACHE_DIR", &cache)
            .env("HOME", tmp.path())
            .env_remove("PIP_GUARD_POLICY")
            .env_remove("GITHUB_ACTIONS")
            .current_dir(tmp.path());
        if github {
            c.env("GITHUB_ACTIONS", "true");
        }
        let o = c.output().expect("run pip-guard");
        let out = String::from_utf8_lossy(&o.stdout);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "{out}{err}");
        assert!(out.contains(r"\e[8m\e]52;c;eA==\x07\u{202e}x"), "{out}");
        for text in [&out, &err] {
            assert!(
                !text.contains(|c: char| c.is_control() && c != '\n' || c == '\u{202e}'),
                "{text:?}"
            );
            if github {
                assert!(!text.contains("##["), "{text:?}");
            }
        }
    }
}

/// Issue 10.7: a channel listing's attr versions holding ESC sequences and
/// workflow commands reach `explain` and `audit` escaped (the real binary,
/// Debian's python3 as the target, the cached channel index forced).
#[test]
fn hostile_listing_versions_are_printed_escaped() {
    if !Path::new("/usr/bin/python3").is_file() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let cache = tmp.path().join("cache");
    let version = "1.0\x1b[8m\u{202e} ::add-mask::v ##[error]v";
    let header = Header {
        channel: "nixos-25.05".into(),
        url: "https://mirror.example/nixos-25.05/packages.json.br".into(),
        fetched: now_unix(),
        revision: "0123456789ab".into(),
        date: "2025-06-01T00:00:00Z".into(),
        packages: 120_000,
        ..Header::default()
    };
    let rows = |extra: &str| -> Vec<Entry> {
        let mut v: Vec<Entry> = (0..9_000)
            .map(|i| Entry {
                attr: format!("pkg{i:05}"),
                pname: None,
                version: Some("1.0".into()),
            })
            .collect();
        v.push(Entry {
            attr: extra.into(),
            pname: None,
            version: Some(version.into()),
        });
        v.sort_by(|a, b| a.attr.cmp(&b.attr));
        v
    };
    let bytes = encode(
        &header,
        &mut [
            ("python311Packages".to_string(), rows("six")),
            ("python312Packages".to_string(), rows("six")),
            // The listing's python3: python3Packages is its python311Packages.
            (
                pip_guard::index::cache::TOPLEVEL.to_string(),
                vec![Entry {
                    attr: "python3".into(),
                    pname: None,
                    version: Some("3.11.2".into()),
                }],
            ),
        ],
    );
    std::fs::create_dir_all(cache.join("index")).expect("mkdir");
    std::fs::write(cache_path(&cache.join("index")), bytes).expect("write cache");
    for github in [false, true] {
        for args in [
            &["explain", "--index", "channel", "six"][..],
            &["audit", "--index", "channel", "six"],
            &["audit", "--index", "channel", "--format", "markdown", "six"],
        ] {
            let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_pip-guard"));
            c.args(args)
                .env("PIP_GUARD_CACHE_DIR", &cache)
                .env("PIP_GUARD_PYTHON", "/usr/bin/python3")
                .env("HOME", tmp.path())
                .env("XDG_CACHE_HOME", tmp.path().join("xdg-cache"))
                .env_remove("PIP_GUARD_POLICY")
                .env_remove("GITHUB_ACTIONS")
                .current_dir(tmp.path());
            if github {
                c.env("GITHUB_ACTIONS", "true");
            }
            let o = c.output().expect("run pip-guard");
            let out = String::from_utf8_lossy(&o.stdout);
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(o.status.success(), "{args:?}: {out}{err}");
            assert!(out.contains("six"), "{args:?}: {out}");
            // Markdown names the attr only; the others show the version.
            if !args.contains(&"markdown") {
                assert!(
                    out.contains(r"\e[8m"),
                    "{args:?}: the version is not shown escaped: {out}"
                );
            }
            for text in [&out, &err] {
                assert!(
                    !text.contains(|c: char| c.is_control() && c != '\n' || c == '\u{202e}'),
                    "{args:?}: {text:?}"
                );
                if github {
                    assert!(!text.contains("##["), "{args:?}: {text:?}");
                }
            }
        }
    }
}
