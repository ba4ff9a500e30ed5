//! Whether the guard plans an install at all, and where it goes: pure
//! decisions on the parsed command line, the judged interpreter, pip's
//! configuration and the policy. [`super::install`] acts on them.

use super::sources::{Config, Location};
use crate::error::InputError;
use crate::invocation::{Invocation, Item, Opt};
use crate::policy::{Mode as PolicyMode, Policy};
use crate::target::Target;
use std::path::PathBuf;

/// How a command the guard does not plan reaches pip, unchanged but for
/// pip-guard's own flags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pass {
    /// The real pip as found on PATH (or `PIP_GUARD_REAL_PIP`).
    Real,
    /// `<python> -m pip`: the judged interpreter's own pip.
    Module(PathBuf),
    /// The real pip with `--python PY` before `install`: pip re-runs
    /// itself under the interpreter `--python` or `PIP_PYTHON` named
    /// (pip's own feature, which needs no pip in the target).
    Named,
}

/// Where a planned install goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// The user site of the externally-managed interpreter
    /// (`--user --break-system-packages`).
    User,
    /// `--target`, `--prefix` or `--root` (command line or pip's
    /// configuration): only the policy's blocks apply there.
    Elsewhere(Location),
}

/// The guard's route for one install.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// Not the guard's business: pip gets the command.
    Pass(Pass),
    /// Planned, explained, maybe passed on.
    Plan(Destination),
}

/// What the environment says about the interpreter, for [`route`].
#[derive(Debug, Clone, Copy, Default)]
pub struct Named {
    /// `PIP_PYTHON` is set (pip's own variable naming the interpreter).
    pub pip_python: bool,
}

/// The route before the policy is read: `--help`, installs into an
/// environment that is not externally managed (a virtualenv, with pip
/// running under the judged interpreter so it installs where the guard
/// looked), and refusals of pip configuration the guard cannot honour.
pub fn route(
    inv: &Invocation,
    target: &Target,
    config: &Config,
    named: Named,
) -> Result<Route, InputError> {
    if inv.has(Opt::Help) {
        return Ok(Route::Pass(Pass::Real));
    }
    // pip's main parser reads `python` from the configuration too and then
    // re-runs itself under that interpreter; the guard judges one
    // interpreter, named on the command line or by PIP_PYTHON.
    if let Some(s) = config.get("python").filter(|s| s.file.is_some()) {
        if inv.last(Opt::Python).is_none() {
            return Err(InputError::new(format!(
                "pip's configuration sets python ({}): pip would install with another \
                 interpreter than the one pip-guard checks. Remove the setting, or name the \
                 interpreter on the command line (pip --python PYTHON install …)",
                visible(&s.source)
            )));
        }
    }
    let location = location_from_args(inv).or_else(|| config.location().map(|(l, _)| l));
    let user = user_from_args(inv).unwrap_or_else(|| config.user().is_some());
    // Into the interpreter's own environment, which is not externally
    // managed (a virtualenv): not the guard's business. `--user` from a
    // virtualenv lands in the user site the system Python reads: that is
    // planned.
    let planned =
        location.is_some() || target.externally_managed || (user && target.probe.virtualenv);
    if !planned {
        let pass = if inv.last(Opt::Python).is_some() || named.pip_python {
            Pass::Named
        } else {
            match &target.python {
                Some(py) => Pass::Module(py.clone()),
                None => Pass::Real,
            }
        };
        return Ok(Route::Pass(pass));
    }
    let adding = config.adding();
    if !adding.is_empty() {
        let list: Vec<String> = adding
            .iter()
            .map(|s| visible(&format!("{} ({})", s.key, s.source)))
            .collect();
        return Err(InputError::new(format!(
            "pip's configuration adds requirements pip-guard does not plan: {}. pip-guard runs \
             pip without its configuration, so they would be dropped; unset them and name the \
             requirements on the command line (-r FILE)",
            list.join(", ")
        )));
    }
    Ok(Route::Plan(match location {
        Some(l) => Destination::Elsewhere(l),
        None => Destination::User,
    }))
}

/// The route once the policy is known: mode `off` hands everything to the
/// real pip; outside the externally-managed Python (`--target`, `--prefix`,
/// `--root`) only the policy's blocks matter, so a policy with none to give
/// hands the command to the judged interpreter's pip unplanned.
pub fn after_policy(policy: &Policy, dest: &Destination, target: &Target) -> Option<Pass> {
    if policy.mode == PolicyMode::Off {
        return Some(Pass::Real);
    }
    if matches!(dest, Destination::Elsewhere(_)) && !can_block(policy) {
        return Some(match &target.python {
            Some(py) => Pass::Module(py.clone()),
            None => Pass::Real,
        });
    }
    None
}

/// Where the command line puts the install: `--target`, `--prefix` or
/// `--root` (the last value of the first one given, as pip reads them).
fn location_from_args(inv: &Invocation) -> Option<Location> {
    [Opt::Target, Opt::Prefix, Opt::Root]
        .into_iter()
        .find_map(|k| Location::from_option(k.long(), inv.last(k)?))
}

/// Whether the command line asks for `--user` (the last of `--user` and
/// `--no-user` wins); `None` when it says neither.
fn user_from_args(inv: &Invocation) -> Option<bool> {
    inv.items.iter().rev().find_map(|it| match it {
        Item::Opt { spec, .. } if spec.id == Opt::User => Some(true),
        Item::Opt { spec, .. } if spec.id == Opt::NoUser => Some(false),
        _ => None,
    })
}

/// Whether a policy can block anything: mode `enforce`, or a `deny` rule
/// in force (which also blocks requirements whose name is unknown).
pub fn can_block(policy: &Policy) -> bool {
    match policy.mode {
        PolicyMode::Off => false,
        PolicyMode::Enforce => true,
        PolicyMode::Advise => !policy.deny.is_empty(),
    }
}

/// Whether the command line names no requirement source at all (no
/// positional, no `-r`/`-e`/`--group`/`--requirements-from-script`).
pub fn names_no_source(inv: &Invocation) -> bool {
    use crate::invocation::options::Role;
    !inv.items.iter().any(|it| match it {
        Item::Positional { .. } => true,
        Item::Opt { spec, .. } => spec.role == Role::Source && spec.id != Opt::Constraint,
    })
}

/// Text from a config file or a file name, one line, with control and
/// format characters shown visibly.
pub fn visible(s: &str) -> String {
    crate::escape::terminal(s).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invocation::parse::{parse_install, Mode};

    fn inv(args: &[&str]) -> Invocation {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        parse_install(&args, Mode::Guard).expect("parses")
    }

    fn target(externally_managed: bool, virtualenv: bool) -> Target {
        let mut t = crate::render::guard::fixture::target();
        t.externally_managed = externally_managed;
        t.probe.virtualenv = virtualenv;
        t.python = Some(PathBuf::from("/venv/bin/python"));
        t
    }

    #[test]
    fn which_installs_are_planned() {
        let none = Config::default();
        let venv = target(false, true);
        let system = target(true, false);
        let named = Named::default();
        let module = Route::Pass(Pass::Module(PathBuf::from("/venv/bin/python")));
        assert_eq!(route(&inv(&["x"]), &venv, &none, named), Ok(module));
        assert_eq!(
            route(&inv(&["--python", "/p", "x"]), &venv, &none, named),
            Ok(Route::Pass(Pass::Named))
        );
        assert_eq!(
            route(&inv(&["x"]), &venv, &none, Named { pip_python: true }),
            Ok(Route::Pass(Pass::Named))
        );
        assert_eq!(
            route(&inv(&["-h"]), &system, &none, named),
            Ok(Route::Pass(Pass::Real))
        );
        // --user from a virtualenv lands in the system's user site.
        assert_eq!(
            route(&inv(&["--user", "x"]), &venv, &none, named),
            Ok(Route::Plan(Destination::User))
        );
        assert_eq!(
            route(&inv(&["--user", "--no-user", "x"]), &venv, &none, named),
            route(&inv(&["x"]), &venv, &none, named),
            "the last of --user and --no-user wins"
        );
        assert_eq!(
            route(&inv(&["x"]), &system, &none, named),
            Ok(Route::Plan(Destination::User))
        );
        // --target plans even from a virtualenv (the deny still applies).
        assert!(matches!(
            route(&inv(&["--target", "/t", "x"]), &venv, &none, named),
            Ok(Route::Plan(Destination::Elsewhere(_)))
        ));
    }

    #[test]
    fn policies_that_pass_the_install_on() {
        use crate::policy::Rule;
        let t = target(true, false);
        let elsewhere = Destination::Elsewhere(Location::Target("/t".into()));
        let mut p = Policy {
            mode: PolicyMode::Off,
            ..Policy::default()
        };
        assert_eq!(after_policy(&p, &Destination::User, &t), Some(Pass::Real));
        p.mode = PolicyMode::Advise;
        assert_eq!(after_policy(&p, &Destination::User, &t), None);
        assert_eq!(
            after_policy(&p, &elsewhere, &t),
            Some(Pass::Module(PathBuf::from("/venv/bin/python")))
        );
        p.deny
            .push(Rule::new("x", None, "t:1", 1).expect("a valid pattern"));
        assert_eq!(after_policy(&p, &elsewhere, &t), None);
    }

    #[test]
    fn which_policies_can_block() {
        use crate::policy::Rule;
        let mut p = Policy::default();
        assert!(!can_block(&p), "advise without deny");
        p.deny
            .push(Rule::new("x", None, "t:1", 1).expect("a valid pattern"));
        assert!(can_block(&p));
        p.mode = PolicyMode::Off;
        assert!(!can_block(&p));
        let enforce = Policy {
            mode: PolicyMode::Enforce,
            ..Policy::default()
        };
        assert!(can_block(&enforce));
    }
}
