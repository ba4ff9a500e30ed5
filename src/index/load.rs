//! Choosing the index source: the user's nixpkgs (nix), the cached channel
//! listing (channel) or the embedded snapshot, best first.
//!
//! `auto` tries them in that order and says once, on stderr, why a better
//! source was skipped when it was expected to work (nix on PATH but failing,
//! a corrupt cache). A forced source that fails is an error (exit 4), except
//! `embedded`, which cannot fail.

use super::{channel, embedded, fsutil, nix, Environment, Index, Mappings};
use crate::error::EnvError;
use color_eyre::eyre;
use serde::Serialize;
use std::path::PathBuf;

/// Which index source to use (`--index auto|nix|channel|embedded`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum IndexChoice {
    /// nix if available, else the channel cache, else embedded.
    #[default]
    Auto,
    /// The user's nixpkgs through `nix-instantiate`.
    Nix,
    /// The cached channel listing.
    Channel,
    /// The snapshot compiled in.
    Embedded,
}

impl IndexChoice {
    /// The spelling on the command line and in the policy file.
    pub fn as_str(self) -> &'static str {
        match self {
            IndexChoice::Auto => "auto",
            IndexChoice::Nix => "nix",
            IndexChoice::Channel => "channel",
            IndexChoice::Embedded => "embedded",
        }
    }
}

/// An index source that is none of the four.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown index source {given:?}: expected auto, nix, channel or embedded")]
pub struct UnknownIndexChoice {
    /// The text given.
    pub given: String,
}

/// The one parser of the index source, for every place that reads one
/// (`--index`, `--guard-index`, `PIP_GUARD_INDEX`, the policy's
/// `index.source`): clap's, from the enum's variants.
impl std::str::FromStr for IndexChoice {
    type Err = UnknownIndexChoice;
    fn from_str(s: &str) -> Result<Self, UnknownIndexChoice> {
        <IndexChoice as clap::ValueEnum>::from_str(s, false).map_err(|_| UnknownIndexChoice {
            given: s.to_string(),
        })
    }
}

/// Everything that decides where the index comes from.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// The source wanted.
    pub choice: IndexChoice,
    /// The environment variables the sources read (`NIX_PATH`, the cache
    /// directory, …): [`Environment::from_settings`] for the real ones; the
    /// default is an empty environment.
    pub env: Environment,
    /// nix options (explicit nixpkgs path, timeout).
    pub nix: nix::NixOptions,
    /// The index cache directory (default: [`fsutil::index_dir`]).
    pub cache_dir: Option<PathBuf>,
    /// A channel listing older than this many days is not used
    /// (`index.max_age_days`; `None`: no bound).
    pub max_age_days: Option<u32>,
    /// Only a channel listing of this channel is used (a locked
    /// `index.channel`; `None`: any).
    pub channel: Option<String>,
    /// The policy is locked: the nix source may add packages to what the
    /// channel cache or the embedded snapshot know, never remove one (a
    /// `NIX_PATH` alone cannot make a package "not in nixpkgs").
    pub locked: bool,
    /// A channel listing older than this many days, when used, is said to
    /// be stale in the text report (the policy's `max_age_days`, enforced
    /// or not); `None`: not said.
    pub stale_after_days: Option<u32>,
}

/// What fixes a stale index, for the report.
const MAKE_NIXPKGS_VISIBLE: &str = "or make your nixpkgs visible to pip-guard: \
     NIX_PATH=nixpkgs=/path/to/nixpkgs, a flake.lock with a nixpkgs input in this project, \
     or a nixpkgs entry in ~/.config/nix/registry.json";

/// Mark `index` stale when `auto` ended on the embedded snapshot, or on a
/// channel listing older than `max_age_days` (the policy's, enforced or not).
fn mark_stale(mut index: Index, max_age_days: Option<u32>) -> Index {
    let Some(meta) = index.meta.as_mut() else {
        return index;
    };
    match meta.source {
        super::Source::Embedded => {
            meta.stale = Some(format!(
                "the index is the snapshot built into pip-guard (nixpkgs of about {}): \
                 newer packages and versions are unknown to it. Run `pip-guard index update` \
                 for a current channel listing, {MAKE_NIXPKGS_VISIBLE}",
                meta.date
            ));
        }
        super::Source::Channel => {
            let then = super::time::parse_date(&meta.date);
            let age = then.map(|t| super::time::age_days(t, super::time::now_unix()));
            if let (Some(age), Some(max_age_days)) = (age, max_age_days) {
                if age <= i64::from(max_age_days) {
                    return index;
                }
                meta.stale = Some(format!(
                    "the channel listing is {age} days old (older than max_age_days = {max_age_days}): \
                     run `pip-guard index update`, {MAKE_NIXPKGS_VISIBLE}"
                ));
            }
        }
        super::Source::Nix => {}
    }
    index
}

/// Candidate attrs to ask a source about for PEP 503 names: each name,
/// the attr it normalizes from in the snapshot (`plastex` → `plasTeX`),
/// and its alias and table targets; `@pkgs/APP` for its top-level
/// application, if any; `@extra/ATTR/EXTRA` for each extra of a name
/// written `name[extra,…]`; and `@python3` (the default interpreter).
/// Sorted, unique.
pub fn candidates(normalized_names: &[String]) -> Vec<String> {
    let m = embedded::mappings();
    candidates_with(&m, normalized_names)
}

fn candidates_with(m: &Mappings, names: &[String]) -> Vec<String> {
    let snapshot = Index::embedded("python3Packages");
    let mut out = Vec::with_capacity(names.len() * 2 + 1);
    out.push("@python3".to_string());
    for written in names {
        let (n, extras) = match written.split_once('[') {
            Some((n, rest)) => (n, rest.trim_end_matches(']')),
            None => (written.as_str(), ""),
        };
        let mut attrs = m.candidates(n);
        if let super::Lookup::Found { package, .. } = snapshot.lookup(n) {
            attrs.push(package.attr);
        }
        out.extend(crate::cuda::variants(n).iter().map(|v| v.to_string()));
        if let Some(app) = m.app(n) {
            out.push(format!("@pkgs/{app}"));
        }
        for e in extras.split(',').filter(|e| !e.is_empty()) {
            for a in &attrs {
                out.push(format!("@extra/{a}/{e}"));
            }
            for (own, _) in super::extras_as_attrs(n, e) {
                out.push(own.to_string());
            }
        }
        out.extend(attrs);
    }
    out.sort();
    out.dedup();
    out
}

fn say_once(msg: &str) {
    use std::sync::Mutex;
    static SAID: Mutex<Vec<String>> = Mutex::new(Vec::new());
    if let Ok(mut said) = SAID.lock() {
        if said.iter().any(|s| s == msg) {
            return;
        }
        said.push(msg.to_string());
    }
    crate::output::eprintln(&format!("pip-guard: {msg}"));
}

/// Load the index for `package_set` from the chosen source, with every
/// option. `names` are the PEP 503 names that will be looked up: a nix
/// evaluation answers only for their [`candidates`] (computed only when
/// nix is actually asked).
pub fn load_with(opts: &LoadOptions, package_set: &str, names: &[String]) -> eyre::Result<Index> {
    let env = &opts.env;
    let dir = opts.cache_dir.clone().or_else(|| fsutil::index_dir(env));
    let nix_opts = nix::NixOptions {
        cache_dir: opts.nix.cache_dir.clone().or_else(|| dir.clone()),
        ..opts.nix.clone()
    };
    let try_nix = || {
        nix::lookup_candidates_with(&nix_opts, env, package_set, &candidates(names))
            .map(|a| nix::index_from_answer(a, package_set))
    };
    let accept = channel::Accept {
        min_attrs: super::MIN_PYTHON_ATTRS,
        max_age_days: opts.max_age_days,
        channel: opts.channel.clone(),
    };
    let try_channel = || -> eyre::Result<Option<Index>> {
        let Some(d) = &dir else { return Ok(None) };
        channel::load_accepting(d, package_set, &accept).map_err(|why| {
            eyre::Report::new(EnvError(format!(
                "the channel cache {} is not used: {why}: run `pip-guard index update`",
                channel::cache_path(d).display()
            )))
        })
    };
    // The best source below nix: the channel cache, else the snapshot.
    let below_nix = || -> Index {
        match try_channel() {
            Ok(Some(ix)) => ix,
            Ok(None) => Index::embedded(package_set),
            Err(e) => {
                say_once(&format!("{e}; using the embedded snapshot"));
                Index::embedded(package_set)
            }
        }
    };
    let nix_then_floor = |ix: Index| -> Index {
        if opts.locked {
            keep_floor(ix, &below_nix(), names, package_set)
        } else {
            ix
        }
    };
    match opts.choice {
        IndexChoice::Embedded => Ok(Index::embedded(package_set)),
        IndexChoice::Nix => try_nix().map(nix_then_floor),
        IndexChoice::Channel => try_channel()?.ok_or_else(|| {
            eyre::Report::new(EnvError(format!(
                "no channel listing with {package_set} is cached: run `pip-guard index update`"
            )))
        }),
        IndexChoice::Auto => {
            let nix_usable = nix::on_path(&nix_opts.program, env)
                && nix::resolve_nixpkgs(nix_opts.nixpkgs.as_deref(), env).is_some();
            if nix_usable {
                match try_nix() {
                    Ok(ix) => return Ok(nix_then_floor(ix)),
                    Err(e) => say_once(&format!("{e}; falling back to the next index source")),
                }
            }
            Ok(mark_stale(below_nix(), opts.stale_after_days))
        }
    }
}

/// Under a locked policy: `nix`'s index, plus every package of `floor` (the
/// channel cache or the embedded snapshot) that one of `names` finds there
/// but not in nix's answer. Says once which names were kept that way.
fn keep_floor(nix: Index, floor: &Index, names: &[String], package_set: &str) -> Index {
    use super::Lookup;
    let mut kept = Vec::new();
    let mut extra = Vec::new();
    for n in names {
        if !matches!(nix.lookup(n), Lookup::Found { .. }) {
            if let Lookup::Found { package, .. } = floor.lookup(n) {
                kept.push(n.clone());
                extra.push(package);
            }
        }
    }
    if extra.is_empty() {
        return nix;
    }
    kept.sort();
    kept.dedup();
    let source = floor
        .meta
        .as_ref()
        .map(|m| format!("{:?}", m.source).to_lowercase())
        .unwrap_or_else(|| "embedded".into());
    say_once(&format!(
        "the policy is locked: {} not in the nixpkgs that NIX_PATH names but in the {source} \
         index, which is used for {} (a locked index never loses packages to NIX_PATH)",
        kept.join(", "),
        if kept.len() == 1 { "it" } else { "them" },
    ));
    let meta = nix.meta.clone();
    let mut packages: Vec<super::Package> = nix.packages().collect();
    packages.extend(extra);
    Index::from_packages(meta, package_set, packages, embedded::mappings())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choice_parses() {
        assert_eq!("nix".parse::<IndexChoice>(), Ok(IndexChoice::Nix));
        assert!("nixx".parse::<IndexChoice>().is_err());
    }

    #[test]
    fn candidates_cover_table_and_alias_targets() {
        let c = candidates(&["opencv-python".to_string(), "pytorch".to_string()]);
        for want in ["opencv-python", "opencv4", "pytorch", "torch"] {
            assert!(c.iter().any(|x| x == want), "{want} missing from {c:?}");
        }
    }
}
