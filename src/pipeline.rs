//! The pipeline in one place: invocation → requirements → target → index →
//! plan. Used by `audit`, `explain`, `nixify` and the guard.

use crate::alternatives::Alternatives;
use crate::cli::IndexChoice;
use crate::invocation::{Invocation, Opt};
use crate::plan::Plan;
use crate::policy::Policy;
use crate::requirements::RequirementSet;
use crate::target::{Overrides, Target};
use color_eyre::eyre;
use std::path::{Path, PathBuf};

/// Settings that come from pip-guard's own flags.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// `--index` / `--guard-index`.
    pub index: Option<IndexChoice>,
    /// `--policy` / `--guard-policy`.
    pub policy: Option<PathBuf>,
    /// Constraint files from outside the command line (pip's configuration:
    /// `PIP_CONSTRAINT`, `[install] constraint`), read before the `-c`
    /// files as pip does, with where they were named.
    pub constraints: Vec<(String, Option<crate::origin::Origin>)>,
}

/// Everything the pipeline produced.
#[derive(Debug)]
pub struct Outcome {
    /// The file options read, and the constraints among the requirements
    /// (every requirement, constraints included, is in `plan.entries`, in
    /// order: they move there instead of being copied).
    pub set: RequirementSet,
    /// The target environment.
    pub target: Target,
    /// The effective policy.
    pub policy: Policy,
    /// The plan.
    pub plan: Plan,
}

/// pip's target-selecting options.
pub fn overrides(inv: &Invocation) -> Overrides {
    Overrides {
        python_version: inv.last(Opt::PythonVersion).map(String::from),
        platform: inv.values(Opt::Platform).next().map(String::from),
        implementation: inv.last(Opt::Implementation).map(String::from),
    }
}

/// The interpreter pip would use: `--python` wins, then `PIP_GUARD_PYTHON`.
pub fn target_for(inv: &Invocation) -> eyre::Result<Target> {
    target_for_python(inv, None)
}

/// The interpreter pip would use: `--python` wins, then pip's own
/// `PIP_PYTHON`, then `PIP_GUARD_PYTHON`, then `fallback` (the guard: the
/// real pip's own Python), then `python3` on PATH.
pub fn target_for_python(inv: &Invocation, fallback: Option<&Path>) -> eyre::Result<Target> {
    let nonempty = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let env_python = inv
        .last(Opt::Python)
        .map(String::from)
        .or_else(|| nonempty("PIP_PYTHON"))
        .or_else(|| nonempty("PIP_GUARD_PYTHON"))
        .or_else(|| fallback.map(|p| p.to_string_lossy().into_owned()));
    crate::target::discover(
        env_python.as_deref(),
        std::env::var_os("PATH").as_deref(),
        &overrides(inv),
    )
}

/// Run the pipeline for an install invocation.
pub fn run(inv: &Invocation, settings: &Settings, cwd: &Path) -> eyre::Result<Outcome> {
    run_for(inv, settings, None, cwd)
}

/// [`run`], with the interpreter to assume when nothing names one (see
/// [`target_for_python`]).
pub fn run_for(
    inv: &Invocation,
    settings: &Settings,
    python: Option<&Path>,
    cwd: &Path,
) -> eyre::Result<Outcome> {
    let policy = crate::policy::load(cwd, settings.policy.as_deref())?.policy;
    run_with_policy(inv, settings, python, cwd, policy)
}

/// [`run_for`] with the effective policy already loaded (the guard loads
/// it first for installs outside the externally-managed Python).
pub fn run_with_policy(
    inv: &Invocation,
    settings: &Settings,
    python: Option<&Path>,
    cwd: &Path,
    policy: Policy,
) -> eyre::Result<Outcome> {
    let env = |k: &str| std::env::var(k).ok();
    let set = crate::requirements::collect::collect_with_constraints(
        inv,
        cwd,
        &env,
        &crate::requirements::fs::RealFs,
        &settings.constraints,
    )
    .map_err(|e| eyre::eyre!(e))?;
    let target = target_for_python(inv, python)?;
    let package_set = policy
        .package_set
        .clone()
        .unwrap_or_else(|| target.package_set());
    // Names for the index; `name[extra,…]` asks a nix source about extras.
    let names: Vec<String> = set
        .requirements
        .iter()
        .filter_map(|r| {
            let n = r.normalized.clone()?;
            Some(if r.extras.is_empty() {
                n
            } else {
                format!("{n}[{}]", r.extras.join(","))
            })
        })
        .collect();
    let index = load_index(settings.index, &policy, &package_set, &names)?;
    let alternatives = Alternatives::embedded();
    let ctx = context(inv, &set);
    // The requirements move into the plan; the outcome keeps the file
    // options and a copy of the constraints (what the fallthrough reads).
    let crate::requirements::RequirementSet {
        requirements,
        file_options,
    } = set;
    let constraints = requirements
        .iter()
        .filter(|r| r.constraint)
        .cloned()
        .collect();
    let plan = Plan::build_owned(requirements, &target, &index, &alternatives, &policy, &ctx);
    let set = crate::requirements::RequirementSet {
        requirements: constraints,
        file_options,
    };
    Ok(Outcome {
        set,
        target,
        policy,
        plan,
    })
}

/// What the invocation and the files say beyond the requirements: a
/// PyTorch-style CUDA index among `--index-url`/`--extra-index-url`.
pub fn context(inv: &Invocation, set: &RequirementSet) -> crate::resolve::Context {
    let urls = inv
        .values(Opt::IndexUrl)
        .chain(inv.values(Opt::ExtraIndexUrl))
        .map(String::from)
        .chain(
            set.file_options
                .iter()
                .filter(|o| o.name == "--index-url" || o.name == "--extra-index-url")
                .filter_map(|o| o.value.clone()),
        );
    let cuda_index = urls
        .filter_map(|u| crate::cuda::index_tag(&u).map(|t| (t, u)))
        .next();
    crate::resolve::Context { cuda_index }
}

/// Load the index for `names` from the flag's source, else the policy's,
/// with the policy's nixpkgs path.
pub fn load_index(
    flag: Option<IndexChoice>,
    policy: &Policy,
    package_set: &str,
    names: &[String],
) -> eyre::Result<crate::index::Index> {
    // A locked policy fixes its [index] table: the flag cannot change the
    // source, only the locked channel is used, and nix cannot drop packages.
    let locked = policy.floor.is_some();
    let policy_choice: IndexChoice = policy.index.source;
    let choice = match flag {
        Some(f) if locked && f != policy_choice => {
            eprintln!(
                "pip-guard: warning: the locked policy sets index.source = {:?}: --index {} \
                 ignored",
                policy.index.source.as_str(),
                format!("{f:?}").to_lowercase()
            );
            policy_choice
        }
        Some(f) => f,
        None => policy_choice,
    };
    let mut opts = crate::index::load::LoadOptions {
        choice,
        env: crate::index::Environment::from_process(),
        // The built-in 30 days is advisory (`index status` warns); a value
        // a policy file sets, or any value under a lock, is enforced.
        max_age_days: (locked
            || policy.index.max_age_days != crate::policy::model::DEFAULT_MAX_AGE_DAYS)
            .then_some(policy.index.max_age_days),
        channel: locked.then(|| policy.index.channel.clone()),
        locked,
        stale_after_days: Some(policy.index.max_age_days),
        ..Default::default()
    };
    opts.nix.nixpkgs = policy.index.nixpkgs.clone();
    crate::index::load::load_with(&opts, package_set, names)
}
