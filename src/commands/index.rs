//! `pip-guard index update|status`: fetch a channel listing into the cache,
//! and tell which index source an audit would use and how old it is.

use crate::exit::Exit;
use crate::index::channel::{self, Outcome, UpdateOptions};
use crate::index::load::{IndexChoice, LoadOptions};
use crate::index::{embedded, fsutil, load, nix, time};
use crate::settings::{Env, Settings};
use color_eyre::eyre;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

/// A cache older than this many days gets a warning.
pub const STALE_DAYS: i64 = 30;

/// Arguments of `pip-guard index update`.
#[derive(Debug, Clone, Default)]
pub struct UpdateArgs {
    /// `--channel NAME` (default `nixpkgs-unstable`).
    pub channel: Option<String>,
    /// `--from URL_OR_PATH`: a mirror or a local `packages.json(.br)`.
    pub from: Option<String>,
    /// `--timeout SECONDS`: the total deadline (default: `$PIP_GUARD_HTTP_TIMEOUT`, else 300).
    pub timeout: Option<f64>,
    /// `--min-packages N` (default: `$PIP_GUARD_INDEX_MIN_PACKAGES`, else 50,000).
    pub min_packages: Option<usize>,
    /// `--quiet`: no progress bar, no summary.
    pub quiet: bool,
}

fn env_number<T: std::str::FromStr>(env: &Env, name: &str) -> Option<T> {
    env.get(name).and_then(|v| v.trim().parse().ok())
}

impl UpdateArgs {
    /// The update options these arguments (and the environment) ask for.
    pub fn options(&self, settings: &Settings) -> UpdateOptions {
        let env = &settings.env;
        let timeout = self
            .timeout
            .or_else(|| env_number(env, "PIP_GUARD_HTTP_TIMEOUT"))
            .filter(|t| t.is_finite() && *t > 0.0 && *t <= crate::numbers::MAX_SECONDS)
            .and_then(|t| Duration::try_from_secs_f64(t).ok())
            .unwrap_or(channel::DEFAULT_TIMEOUT);
        UpdateOptions {
            channel: self
                .channel
                .clone()
                .unwrap_or_else(|| channel::DEFAULT_CHANNEL.to_string()),
            from: self.from.clone(),
            timeout,
            stall: None,
            max_bytes: None,
            min_packages: self
                .min_packages
                .or_else(|| env_number(env, "PIP_GUARD_INDEX_MIN_PACKAGES"))
                .unwrap_or(channel::DEFAULT_MIN_PACKAGES),
            cache_dir: None,
            progress: !self.quiet,
            env: crate::index::Environment::from_settings(settings),
        }
    }
}

fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `pip-guard index update`. Exit 0 when the cache was updated or is
/// current (304); errors carry [`crate::error::EnvError`] (exit 4) or
/// [`crate::error::InputError`] (exit 2, bad `--channel`/`--from`).
pub fn update(settings: &Settings, args: &UpdateArgs) -> eyre::Result<Exit> {
    let mut opts = args.options(settings);
    // The policy's `index.channel` is the default channel; under a lock it
    // is the only one the guard will use, so another one gets a warning.
    let cwd = settings.cwd()?;
    let policy = crate::policy::load(settings, cwd, None)?.policy;
    match &args.channel {
        None => opts.channel = policy.index.channel.clone(),
        Some(c) if policy.floor.is_some() && *c != policy.index.channel => eprintln!(
            "pip-guard: warning: the locked policy sets index.channel = {:?}: a listing of {} \
             will not be used",
            policy.index.channel,
            crate::escape::terminal(c)
        ),
        Some(_) => {}
    }
    let outcome = channel::update(&opts)?;
    if args.quiet {
        return Ok(Exit::Success);
    }
    let mut err = Vec::new();
    match outcome {
        Outcome::Updated {
            path,
            packages,
            sets,
            revision,
        } => {
            let sets: Vec<String> = sets
                .iter()
                .map(|(n, c)| format!("{n} {}", thousands(*c)))
                .collect();
            let _ = writeln!(
                err,
                "pip-guard: cached {} packages of {}{} ({}) in {}",
                thousands(packages),
                opts.channel,
                revision.map(|r| format!(" at {r}")).unwrap_or_default(),
                sets.join(", "),
                path.display()
            );
        }
        Outcome::NotModified { path } => {
            let _ = writeln!(
                err,
                "pip-guard: {} has not changed since the last update; {} is current",
                opts.channel,
                path.display()
            );
        }
    }
    crate::output::print(
        crate::output::Stream::Stderr,
        crate::output::Kind::Text,
        &String::from_utf8_lossy(&err),
    )?;
    Ok(Exit::Success)
}

/// Arguments of `pip-guard index status`.
#[derive(Debug, Clone, Default)]
pub struct StatusArgs {
    /// The package set of the target (`python312Packages`).
    pub package_set: String,
    /// `--index`: the source an audit would be forced to.
    pub index: IndexChoice,
    /// An explicit nixpkgs path (else `NIX_PATH`).
    pub nixpkgs: Option<PathBuf>,
    /// The index cache directory (default: the XDG cache dir).
    pub cache_dir: Option<PathBuf>,
    /// The working directory (a `flake.lock` there names nixpkgs).
    pub cwd: PathBuf,
    /// What the index reads from the environment (`NIX_PATH`, `PATH`, the
    /// cache directory, …).
    pub env: crate::index::Environment,
}

fn age(then: i64, now: i64) -> String {
    match time::age_days(then, now) {
        0 => "today".to_string(),
        1 => "1 day ago".to_string(),
        d => format!("{d} days ago"),
    }
}

/// `pip-guard index status`: each source and the one an audit would use on
/// `out`; on `err`, a warning when the channel cache is older than 30 days.
pub fn status(args: &StatusArgs, out: &mut dyn Write, err: &mut dyn Write) -> eyre::Result<Exit> {
    let facts = gather(args);
    let text = status_text(&facts);
    for line in &text.out {
        writeln!(out, "{line}")?;
    }
    for w in &text.warnings {
        writeln!(err, "pip-guard: warning: {w}")?;
    }
    facts.used.map(|_| Exit::Success)
}

/// What `index status` found out about each source, gathered by [`gather`]
/// (the I/O) and told by [`status_text`] (pure).
struct StatusFacts {
    /// The package set asked about.
    set: String,
    /// Unix seconds now.
    now: i64,
    /// `--index`.
    choice: IndexChoice,
    nix: NixFact,
    channel: ChannelFact,
    embedded: EmbeddedFact,
    /// The index an audit would use (its metadata), or why there is none.
    used: eyre::Result<Option<crate::index::IndexMeta>>,
}

/// What became of `nix-instantiate`.
enum NixFact {
    /// `nix-instantiate` is not on `PATH`.
    NotOnPath,
    /// `<nixpkgs>` does not resolve.
    Unresolved,
    /// The nixpkgs found, how, and what asking it gave.
    Found {
        path: PathBuf,
        from: &'static str,
        answer: Result<nix::NixAnswer, String>,
    },
}

/// What the channel cache holds.
enum ChannelFact {
    /// No cache directory.
    NoDir,
    /// No cache file.
    NoCache,
    /// A corrupt cache, and why.
    Corrupt(String),
    /// A sound cache.
    Cached(Box<channel::CacheStatus>),
}

/// The embedded snapshot.
struct EmbeddedFact {
    commit: String,
    date: String,
    /// Python attrs in the set asked about.
    attrs: usize,
}

/// What `index status` prints: lines for stdout, warnings for stderr.
#[derive(Debug, PartialEq, Eq)]
struct StatusText {
    out: Vec<String>,
    warnings: Vec<String>,
}

/// Ask each source (runs nix, reads the cache, loads the index).
fn gather(args: &StatusArgs) -> StatusFacts {
    let set = if args.package_set.is_empty() {
        crate::target::DEFAULT_SET
    } else {
        &args.package_set
    };
    let now = time::now_unix();
    let env = crate::index::Environment {
        cwd: Some(args.cwd.clone()),
        ..args.env.clone()
    };
    let dir = args.cache_dir.clone().or_else(|| fsutil::index_dir(&env));
    let nix_opts = nix::NixOptions {
        nixpkgs: args.nixpkgs.clone(),
        cache_dir: dir.clone(),
        ..nix::NixOptions::default()
    };
    let nix = if !nix::on_path(&nix_opts.program, &env) {
        NixFact::NotOnPath
    } else {
        match nix::resolve_nixpkgs_from(nix_opts.nixpkgs.as_deref(), &args.cwd, &env) {
            None => NixFact::Unresolved,
            Some((path, from)) => NixFact::Found {
                path,
                from,
                answer: nix::lookup_candidates_with(&nix_opts, &env, set, &[])
                    .map_err(|e| e.to_string()),
            },
        }
    };
    let channel = match dir.as_deref().map(channel::status) {
        None => ChannelFact::NoDir,
        Some(Ok(None)) => ChannelFact::NoCache,
        Some(Err(c)) => ChannelFact::Corrupt(c.to_string()),
        Some(Ok(Some(s))) => ChannelFact::Cached(Box::new(s)),
    };
    let embedded = EmbeddedFact {
        commit: embedded::commit().to_string(),
        date: embedded::date().to_string(),
        attrs: crate::index::Index::embedded(set).len(),
    };
    let used = load::load_with(
        &LoadOptions {
            choice: args.index,
            nix: nix_opts,
            cache_dir: dir,
            env,
            ..LoadOptions::default()
        },
        set,
        &[],
    )
    .map(|ix| ix.meta);
    StatusFacts {
        set: set.to_string(),
        now,
        choice: args.index,
        nix,
        channel,
        embedded,
        used,
    }
}

/// The lines and warnings of `index status` for `facts`.
fn status_text(facts: &StatusFacts) -> StatusText {
    let mut warnings = Vec::new();
    let used_line = match &facts.used {
        Ok(meta) => meta.as_ref().map(used_line).unwrap_or_default(),
        Err(e) => format!("none: {e}"),
    };
    let channel_line = channel_line(&facts.channel, &facts.set, facts.now, &mut warnings);
    let out = vec![
        format!(
            "index used ({}): {used_line}",
            format!("{:?}", facts.choice).to_lowercase()
        ),
        format!("  nix:      {}", nix_line(&facts.nix, &facts.set)),
        format!("  channel:  {channel_line}"),
        format!("  embedded: {}", embedded_line(&facts.embedded, facts.now)),
    ];
    StatusText { out, warnings }
}

/// The `nix:` line.
fn nix_line(fact: &NixFact, set: &str) -> String {
    match fact {
        NixFact::NotOnPath => "not available (nix-instantiate is not on PATH)".to_string(),
        NixFact::Unresolved => {
            "not available (<nixpkgs> does not resolve: a flake.lock with nixpkgs in the \
             store, NIX_PATH, a flake registry or a channel)"
                .to_string()
        }
        NixFact::Found {
            path,
            from,
            answer: Ok(a),
        } => format!(
            "{} (from {from}), nixpkgs {}, {} attrs in {set}",
            path.display(),
            a.version.as_deref().unwrap_or("(version unknown)"),
            a.set_size.map(thousands).unwrap_or_else(|| "?".into())
        ),
        NixFact::Found {
            path,
            answer: Err(e),
            ..
        } => format!("{} — fails: {e}", path.display()),
    }
}

/// The `channel:` line; a cache older than [`STALE_DAYS`] adds a warning.
fn channel_line(fact: &ChannelFact, set: &str, now: i64, warnings: &mut Vec<String>) -> String {
    match fact {
        ChannelFact::NoDir => "no cache directory (set XDG_CACHE_HOME or HOME)".to_string(),
        ChannelFact::NoCache => "no cached listing (run `pip-guard index update`)".to_string(),
        ChannelFact::Corrupt(c) => {
            format!("the cache is corrupt and ignored ({c}): run `pip-guard index update`")
        }
        ChannelFact::Cached(s) => {
            let h = &s.header;
            let days = time::age_days(h.fetched, now);
            if days > STALE_DAYS {
                warnings.push(format!(
                    "the channel cache is {days} days old: run `pip-guard index update`"
                ));
            }
            let count = s
                .sets
                .iter()
                .find(|(n, _)| n == set)
                .map(|(_, c)| format!("{} in {set}", thousands(*c)))
                .unwrap_or_else(|| format!("no {set} in this listing"));
            format!(
                "{}{}, listing date {}, fetched {} ({}), {} Python packages; from {}; {}",
                h.channel,
                if h.revision.is_empty() {
                    String::new()
                } else {
                    format!(" at {}", h.revision)
                },
                if h.date.is_empty() {
                    "unknown"
                } else {
                    &h.date[..h.date.len().min(10)]
                },
                time::date(h.fetched),
                age(h.fetched, now),
                count,
                h.url,
                s.path.display()
            )
        }
    }
}

/// The `embedded:` line.
fn embedded_line(fact: &EmbeddedFact, now: i64) -> String {
    format!(
        "nixpkgs {}, {} (approximate){}, {} Python attrs, no versions",
        fact.commit,
        fact.date,
        time::parse_date(&fact.date)
            .map(|t| format!(", {}", age(t, now)))
            .unwrap_or_default(),
        thousands(fact.attrs)
    )
}

/// What the `index used` line says of the index an audit would use.
fn used_line(m: &crate::index::IndexMeta) -> String {
    format!(
        "{} ({}, {}, {} packages)",
        serde_json::to_value(m.source)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        m.nixpkgs,
        m.date,
        thousands(m.packages)
    )
}

/// `pip-guard index status` from the command line: the package set follows
/// `--package-set`, else the policy, else the target interpreter.
pub fn status_cli(
    settings: &Settings,
    index: IndexChoice,
    package_set: Option<String>,
) -> eyre::Result<Exit> {
    let cwd = settings.cwd()?;
    let policy = crate::policy::load(settings, cwd, None)?.policy;
    let package_set = match package_set.or_else(|| policy.package_set.clone()) {
        Some(s) => s,
        None => crate::target::discover(
            settings,
            settings.guard_python(),
            &crate::target::Overrides::default(),
        )?
        .package_set(),
    };
    let args = StatusArgs {
        package_set,
        index,
        nixpkgs: policy.index.nixpkgs.clone(),
        cache_dir: None,
        cwd: cwd.to_path_buf(),
        env: crate::index::Environment::from_settings(settings),
    };
    let mut out = Vec::new();
    let mut err = Vec::new();
    let exit = status(&args, &mut out, &mut err);
    crate::output::print(
        crate::output::Stream::Stderr,
        crate::output::Kind::Text,
        &String::from_utf8_lossy(&err),
    )?;
    let exit = exit?;
    crate::output::print_stdout(&String::from_utf8_lossy(&out))?;
    Ok(exit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::cache::Header;
    use crate::index::{IndexMeta, Source};

    const DAY: i64 = 86_400;

    fn facts(nix: NixFact, channel: ChannelFact) -> StatusFacts {
        StatusFacts {
            set: "python313Packages".into(),
            now: 1_000 * DAY,
            choice: IndexChoice::Auto,
            nix,
            channel,
            embedded: EmbeddedFact {
                commit: "abc".into(),
                date: time::date(990 * DAY),
                attrs: 12_345,
            },
            used: Ok(Some(IndexMeta {
                source: Source::Channel,
                nixpkgs: "nixos-25.05@abc".into(),
                date: "2025-06-01".into(),
                packages: 9_000,
                nixpkgs_from: None,
                default_set: None,
                stale: None,
            })),
        }
    }

    fn cached(fetched_days: i64, date: &str) -> ChannelFact {
        ChannelFact::Cached(Box::new(channel::CacheStatus {
            path: PathBuf::from("/c/channel.idx"),
            header: Header {
                channel: "nixos-25.05".into(),
                url: "https://x/packages.json.br".into(),
                fetched: fetched_days * DAY,
                revision: "abc".into(),
                date: date.into(),
                ..Header::default()
            },
            sets: vec![("python313Packages".into(), 8_900)],
        }))
    }

    #[test]
    fn status_lines_tell_each_source() {
        let t = status_text(&facts(
            NixFact::NotOnPath,
            cached(999, "2025-06-01T00:00:00Z"),
        ));
        assert_eq!(
            t.out,
            [
                "index used (auto): channel (nixos-25.05@abc, 2025-06-01, 9,000 packages)".to_string(),
                "  nix:      not available (nix-instantiate is not on PATH)".to_string(),
                format!(
                    "  channel:  nixos-25.05 at abc, listing date 2025-06-01, fetched {} (1 day ago), \
                     8,900 in python313Packages Python packages; from https://x/packages.json.br; /c/channel.idx",
                    time::date(999 * DAY)
                ),
                format!(
                    "  embedded: nixpkgs abc, {} (approximate), 10 days ago, 12,345 Python attrs, no versions",
                    time::date(990 * DAY)
                ),
            ]
        );
        assert!(t.warnings.is_empty());
    }

    #[test]
    fn an_old_cache_warns_and_failures_are_told() {
        let mut f = facts(
            NixFact::Found {
                path: PathBuf::from("/nix/store/n"),
                from: "NIX_PATH",
                answer: Err("boom".into()),
            },
            cached(969, ""),
        );
        f.set = "python312Packages".into();
        f.used = Err(eyre::eyre!("no index"));
        let t = status_text(&f);
        assert_eq!(t.out[0], "index used (auto): none: no index");
        assert_eq!(t.out[1], "  nix:      /nix/store/n — fails: boom");
        assert!(
            t.out[2].contains("listing date unknown, ")
                && t.out[2].contains("(31 days ago), no python312Packages in this listing"),
            "{}",
            t.out[2]
        );
        assert_eq!(
            t.warnings,
            ["the channel cache is 31 days old: run `pip-guard index update`"]
        );
        // 30 days is not yet stale.
        let t = status_text(&facts(NixFact::Unresolved, cached(970, "")));
        assert!(t.warnings.is_empty());
        assert!(t.out[1].starts_with("  nix:      not available (<nixpkgs> does not resolve"));
        for (fact, line) in [
            (
                ChannelFact::NoDir,
                "no cache directory (set XDG_CACHE_HOME or HOME)",
            ),
            (
                ChannelFact::NoCache,
                "no cached listing (run `pip-guard index update`)",
            ),
            (
                ChannelFact::Corrupt("bad".into()),
                "the cache is corrupt and ignored (bad): run `pip-guard index update`",
            ),
        ] {
            let t = status_text(&facts(NixFact::NotOnPath, fact));
            assert_eq!(t.out[2], format!("  channel:  {line}"));
        }
    }

    #[test]
    fn the_nix_line_tells_the_answer() {
        let answer = nix::NixAnswer {
            nixpkgs: PathBuf::from("/nix/store/n"),
            nixpkgs_from: "flake.lock",
            packages: Vec::new(),
            absent: Vec::new(),
            set_size: Some(8_900),
            version: Some("25.05".into()),
            cached: false,
        };
        let fact = NixFact::Found {
            path: PathBuf::from("/nix/store/n"),
            from: "flake.lock",
            answer: Ok(answer),
        };
        assert_eq!(
            nix_line(&fact, "python313Packages"),
            "/nix/store/n (from flake.lock), nixpkgs 25.05, 8,900 attrs in python313Packages"
        );
    }
}
