//! The pipeline's stages: target → requirements → index and plan, each a
//! function taking what the one before returned. `audit`, `explain` and
//! `nixify` run them in order with [`run`]; the guard runs them itself, with
//! its routing in between (`guard::install`).

use crate::alternatives::Alternatives;
use crate::cli::IndexChoice;
use crate::error::InputError;
use crate::invocation::{Invocation, Opt};
use crate::origin::Origin;
use crate::plan::Plan;
use crate::policy::Policy;
use crate::redact::Redacted;
use crate::requirements::RequirementSet;
use crate::settings::Settings;
use crate::target::{Overrides, Target};
use color_eyre::eyre;
use std::path::{Path, PathBuf};

/// pip-guard's own flags that steer the pipeline.
#[derive(Debug, Clone, Default)]
pub struct PlanFlags {
    /// `--index` / `--nix-index` / `--guard-index`.
    pub index: Option<IndexChoice>,
    /// `--policy` / `--guard-policy`.
    pub policy: Option<PathBuf>,
}

impl PlanFlags {
    /// The flags written among pip's arguments (`--nix-index` and
    /// `--policy` for audit, `--guard-index` and `--guard-policy` for the
    /// guard: `index_flag` names the one this mode reads), over `before`
    /// (clap's flags before the pip arguments).
    pub fn from_invocation(
        inv: &Invocation,
        index_flag: &str,
        before: PlanFlags,
    ) -> Result<PlanFlags, InputError> {
        Ok(PlanFlags {
            index: match &inv.own.index {
                Some(v) => Some(crate::cli::value_of::<IndexChoice>(index_flag, v)?),
                None => before.index,
            },
            policy: inv.own.policy.as_ref().map(PathBuf::from).or(before.policy),
        })
    }
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

/// Stage: the interpreter pip would use, probed (cached). `--python` wins,
/// then pip's own `PIP_PYTHON`, then `PIP_GUARD_PYTHON`, then `fallback`
/// (the guard: the real pip's own Python), then `python3` on PATH.
pub fn target(
    inv: &Invocation,
    settings: &Settings,
    fallback: Option<&Path>,
) -> eyre::Result<Target> {
    let python = inv
        .last(Opt::Python)
        .map(String::from)
        .or_else(|| settings.env.nonempty("PIP_PYTHON").map(String::from))
        .or_else(|| settings.guard_python().map(String::from))
        .or_else(|| fallback.map(|p| p.to_string_lossy().into_owned()));
    crate::target::discover(settings, python.as_deref(), &overrides(inv))
}

/// Stage: every requirement and constraint the invocation names, read as
/// pip reads them. `constraints` are constraint files from outside the
/// command line (pip's configuration: `PIP_CONSTRAINT`, `[install]
/// constraint`), read before the `-c` files as pip does, with where they
/// were named.
pub fn requirements(
    inv: &Invocation,
    settings: &Settings,
    cwd: &Path,
    constraints: &[(String, Option<Origin>)],
) -> eyre::Result<RequirementSet> {
    let env = settings.env.getter();
    crate::requirements::collect::collect_with_constraints(
        inv,
        cwd,
        &env,
        &crate::requirements::fs::RealFs,
        constraints,
    )
    .map_err(|e| eyre::eyre!(e))
}

/// Stage: the index for the requirements, then the plan. The requirements
/// move into the plan; the outcome keeps the file options and a copy of
/// the constraints (what the fallthrough reads).
pub fn plan(
    inv: &Invocation,
    settings: &Settings,
    flags: &PlanFlags,
    set: RequirementSet,
    target: Target,
    policy: Policy,
) -> eyre::Result<Outcome> {
    let package_set = policy
        .package_set
        .clone()
        .unwrap_or_else(|| target.package_set());
    // Names for the index, each once; `name[extra,…]` asks a nix source
    // about extras. Dropped before the plan is built (a million-line file
    // would hold a million copies through it).
    let index = {
        let mut seen = std::collections::HashSet::new();
        let mut names = Vec::new();
        for r in &set.requirements {
            let Some(n) = r.normalized.as_deref() else {
                continue;
            };
            let name: std::borrow::Cow<str> = if r.extras().is_empty() {
                n.into()
            } else {
                format!("{n}[{}]", r.extras().join(",")).into()
            };
            if seen.insert(name.clone()) {
                names.push(name.into_owned());
            }
        }
        load_index(settings, flags.index, &policy, &package_set, &names)?
    };
    let alternatives = Alternatives::embedded();
    let ctx = context(inv, &set);
    let RequirementSet {
        requirements,
        file_options,
    } = set;
    let constraints = requirements
        .iter()
        .filter(|r| r.constraint)
        .cloned()
        .collect();
    let plan = Plan::build_owned(requirements, &target, &index, &alternatives, &policy, &ctx);
    let set = RequirementSet {
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

/// The whole pipeline for `audit`, `explain` and `nixify`: policy, target,
/// requirements, plan, each stage once. (The guard runs the same stages
/// itself, with its routing between them: `guard::install`.)
pub fn run(inv: &Invocation, settings: &Settings, flags: &PlanFlags) -> eyre::Result<Outcome> {
    let cwd = settings.cwd()?;
    let policy = crate::policy::load(settings, cwd, flags.policy.as_deref())?.policy;
    let set = requirements(inv, settings, cwd, &[])?;
    let target = target(inv, settings, None)?;
    plan(inv, settings, flags, set, target, policy)
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
                .filter_map(|o| o.value.as_ref().map(|v| v.expose().to_string())),
        );
    // Only the redacted URL goes on: it is shown in the CUDA advice.
    let cuda_index = urls
        .filter_map(|u| crate::cuda::index_tag(&u).map(|t| (t, Redacted::new(&u).to_string())))
        .next();
    crate::resolve::Context {
        cuda_index,
        ..Default::default()
    }
}

/// Load the index for `names` from the flag's source, else the policy's,
/// with the policy's nixpkgs path.
pub fn load_index(
    settings: &Settings,
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
        env: crate::index::Environment::from_settings(settings),
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
