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
    let mut warnings = Vec::new();

    // nix
    let nix_opts = nix::NixOptions {
        nixpkgs: args.nixpkgs.clone(),
        cache_dir: dir.clone(),
        ..nix::NixOptions::default()
    };
    let nix_line = if !nix::on_path(&nix_opts.program, &env) {
        "not available (nix-instantiate is not on PATH)".to_string()
    } else {
        match nix::resolve_nixpkgs_from(nix_opts.nixpkgs.as_deref(), &args.cwd, &env) {
            None => "not available (<nixpkgs> does not resolve: a flake.lock with nixpkgs in the \
                     store, NIX_PATH, a flake registry or a channel)"
                .to_string(),
            Some((p, from)) => match nix::lookup_candidates_with(&nix_opts, &env, set, &[]) {
                Ok(a) => format!(
                    "{} (from {from}), nixpkgs {}, {} attrs in {set}",
                    p.display(),
                    a.version.as_deref().unwrap_or("(version unknown)"),
                    a.set_size.map(thousands).unwrap_or_else(|| "?".into())
                ),
                Err(e) => format!("{} — fails: {e}", p.display()),
            },
        }
    };

    // channel
    let channel_line = match dir.as_deref().map(channel::status) {
        None => "no cache directory (set XDG_CACHE_HOME or HOME)".to_string(),
        Some(Ok(None)) => "no cached listing (run `pip-guard index update`)".to_string(),
        Some(Err(c)) => {
            format!("the cache is corrupt and ignored ({c}): run `pip-guard index update`")
        }
        Some(Ok(Some(s))) => {
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
    };

    // embedded
    let snap = embedded::date();
    let embedded_line = format!(
        "nixpkgs {}, {} (approximate){}, {} Python attrs, no versions",
        embedded::commit(),
        snap,
        time::parse_date(snap)
            .map(|t| format!(", {}", age(t, now)))
            .unwrap_or_default(),
        thousands(crate::index::Index::embedded(set).len())
    );

    // which one an audit would use
    let used = load::load_with(
        &LoadOptions {
            choice: args.index,
            nix: nix_opts,
            cache_dir: dir.clone(),
            env,
            ..LoadOptions::default()
        },
        set,
        &[],
    );
    let used_line = match &used {
        Ok(ix) => ix
            .meta
            .as_ref()
            .map(|m| {
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
            })
            .unwrap_or_default(),
        Err(e) => format!("none: {e}"),
    };
    writeln!(
        out,
        "index used ({}): {used_line}",
        format!("{:?}", args.index).to_lowercase()
    )?;
    writeln!(out, "  nix:      {nix_line}")?;
    writeln!(out, "  channel:  {channel_line}")?;
    writeln!(out, "  embedded: {embedded_line}")?;
    for w in warnings {
        writeln!(err, "pip-guard: warning: {w}")?;
    }
    used.map(|_| Exit::Success)
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
