//! `pip install` through the guard.
//!
//! 1. Parse pip's install grammar (with the guard's own `--guard-*` flags).
//! 2. Not externally managed (a virtualenv, `--target`/`--prefix`/`--root`,
//!    no `EXTERNALLY-MANAGED`), help, or policy mode `off`: the real pip,
//!    unchanged but for our own flags.
//! 3. Else plan as `audit` does, explain on stderr, [`decide`]: what Nix or a
//!    native alternative covers is held back (unless `--guard-all`), what the
//!    policy blocks is held back always, the rest falls through to
//!    `pip install --user --break-system-packages` after an explicit yes.

use super::pip_input::{self, Destination, Request};
use super::prompt::{self, Confirmation, Inputs};
use super::realpip::{self, RealPip};
use super::sources::{Location, Setting};
use crate::audit_log::{self, Action, Record};
use crate::cli::IndexChoice;
use crate::error::{EnvError, InputError};
use crate::exit::Exit;
use crate::invocation::parse::{parse_install, Mode};
use crate::invocation::Opt;
use crate::invocation::{Invocation, Item};
use crate::origin::Origin;
use crate::pipeline::{self, Settings};
use crate::plan::Plan;
use crate::plan::{decide, Decision};
use crate::policy::{AuditLogSettings, Mode as PolicyMode, Verdict};
use crate::render::guard::{self as explain, GuardText};
use crate::render::layout;
use crate::render::text::Style;
use color_eyre::eyre;
use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// The exit status once the decision is known and pip has (or has not) run.
///
/// - pip ran and failed: pip's status;
/// - pip ran and succeeded: 0, or 1 when something asked for was held back;
/// - pip was needed but not confirmed: 3;
/// - pip was not needed (or `--dry-run`): 1 when something was held back, else 0.
pub fn exit_for(d: &Decision, pip: Option<u8>, dry_run: bool) -> Exit {
    let held_or_ok = if d.held() {
        Exit::Blocked
    } else {
        Exit::Success
    };
    match pip {
        Some(0) => held_or_ok,
        Some(c) => Exit::from_pip(c),
        None if !dry_run && !d.pip.is_empty() => Exit::NotConfirmed,
        None => held_or_ok,
    }
}

/// The `[y/N]` question: it names what pip would install (the first
/// [`QUESTION_NAMES`] names, then how many more), so a prompt drawn by
/// anything else cannot pass for it.
pub fn question(plan: &Plan, d: &Decision) -> String {
    let names: Vec<String> = d
        .pip
        .iter()
        .filter_map(|&i| plan.entries.get(i))
        .map(|e| match &e.req.name {
            Some(n) => n.clone(),
            None => explain::title(e),
        })
        .collect();
    let mut shown = names
        .iter()
        .take(QUESTION_NAMES)
        .map(|n| crate::escape::terminal(n).into_owned())
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > QUESTION_NAMES {
        shown.push_str(&format!(" and {} more", names.len() - QUESTION_NAMES));
    }
    format!("Install {shown} with pip --user --break-system-packages?")
}

/// How many names the question lists.
pub const QUESTION_NAMES: usize = 5;

/// Whether what falls through still needs an explicit yes. In `enforce`
/// mode the policy has already decided: requirements it allows (pip-tier
/// with `allow_pip_fallback`, or matching `allow`) fall through after the
/// explanation without a prompt. Anything else (advise mode, or a `warn`
/// verdict under a locked advise floor) needs the yes.
pub fn needs_yes(plan: &Plan, d: &Decision) -> bool {
    plan.policy_mode != PolicyMode::Enforce
        || d.pip
            .iter()
            .filter_map(|&i| plan.entries.get(i))
            .any(|e| e.verdict != Verdict::Allow)
}

/// What to log for a run that did not start pip, if anything: a dry run
/// logs only when something was held back; a run that needed pip and got
/// no yes is `declined`; a run with something held back is `blocked`.
pub fn action_without_pip(d: &Decision, dry_run: bool) -> Option<Action> {
    if dry_run {
        return d.held().then_some(Action::DryRun);
    }
    if !d.pip.is_empty() {
        return Some(Action::Declined);
    }
    d.held().then_some(Action::Blocked)
}

/// The process's own command line, for the audit log (redacted there).
fn own_argv() -> Vec<String> {
    std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect()
}

/// Append one record to the audit log; a failure is a warning (printed by
/// [`audit_log::log`]), never an error.
fn log_event(settings: &AuditLogSettings, plan: &Plan, cwd: &Path, action: Action) {
    let record = Record::for_plan(&own_argv(), cwd, plan, action);
    audit_log::log(settings, &record);
}

/// The arguments minus pip-guard's own flags, for passing on to pip: the
/// tokens no pip option or positional accounts for (except `--`).
pub fn strip_own(args: &[String], inv: &Invocation) -> Vec<String> {
    strip_own_and(args, inv, &[])
}

/// [`strip_own`], also leaving out the tokens of the options in `drop`.
fn strip_own_and(args: &[String], inv: &Invocation, drop: &[Opt]) -> Vec<String> {
    let mut covered = vec![false; args.len()];
    for item in &inv.items {
        if matches!(item, Item::Opt { spec, .. } if drop.contains(&spec.id)) {
            continue;
        }
        let (start, len) = match item {
            Item::Opt { index, written, .. } => (*index, written.len()),
            Item::Positional { index, .. } => (*index, 1),
        };
        for c in covered.iter_mut().skip(start).take(len) {
            *c = true;
        }
    }
    args.iter()
        .zip(covered)
        .filter(|(a, c)| *c || a.as_str() == "--")
        .map(|(a, _)| a.clone())
        .collect()
}

fn passthrough(
    real: Result<RealPip, EnvError>,
    args: Vec<String>,
    depth: u32,
) -> eyre::Result<Exit> {
    let real = real.map_err(|e| eyre::eyre!(e))?;
    passthrough_with(&real, args, depth)
}

fn passthrough_with(real: &RealPip, args: Vec<String>, depth: u32) -> eyre::Result<Exit> {
    let mut os: Vec<OsString> = vec![OsString::from("install")];
    os.extend(args.into_iter().map(OsString::from));
    Err(eyre::eyre!(realpip::exec(real, &os, depth)))
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
pub fn can_block(policy: &crate::policy::Policy) -> bool {
    match policy.mode {
        PolicyMode::Off => false,
        PolicyMode::Enforce => true,
        PolicyMode::Advise => !policy.deny.is_empty(),
    }
}

/// Whether the command line names no requirement source at all (no
/// positional, no `-r`/`-e`/`--group`/`--requirements-from-script`).
fn names_no_source(inv: &Invocation) -> bool {
    use crate::invocation::options::Role;
    !inv.items.iter().any(|it| match it {
        Item::Positional { .. } => true,
        Item::Opt { spec, .. } => spec.role == Role::Source && spec.id != Opt::Constraint,
    })
}

fn index_choice(v: &str) -> Result<IndexChoice, InputError> {
    v.parse::<IndexChoice>().map_err(|_| {
        InputError::new(format!(
            "invalid value {v:?} for --guard-index (expected auto, nix, channel or embedded)"
        ))
    })
}

/// `pip-guard nixify …` with the same arguments, for the dev-shell hint.
fn nixify_hint(args: &[String]) -> String {
    let quoted: Vec<String> = args
        .iter()
        .map(|a| crate::shell::sh_quote(&crate::redact::redact(a)))
        .collect();
    let joined = quoted.join(" ");
    if joined.chars().count() > 40 {
        "pip-guard nixify <the same arguments>".to_string()
    } else {
        format!("pip-guard nixify {joined}")
    }
}

/// Text from a config file or a file name, one line, with control and
/// format characters shown visibly.
fn visible(s: &str) -> String {
    crate::escape::terminal(s).into_owned()
}

/// The refusal for settings that would add requirements behind the plan.
fn refuse_adding(adding: &[&Setting]) -> InputError {
    let list: Vec<String> = adding
        .iter()
        .map(|s| visible(&format!("{} ({})", s.key, s.source)))
        .collect();
    InputError::new(format!(
        "pip's configuration adds requirements pip-guard does not plan: {}. pip-guard runs \
         pip without its configuration, so they would be dropped; unset them and name the \
         requirements on the command line (-r FILE)",
        list.join(", ")
    ))
}

/// Run `pip install` (`args`: the command's arguments as pip sees them,
/// [`TopLevel::rest`](crate::invocation::toplevel::TopLevel::rest)).
pub fn run(argv0: &str, args: &[String], depth: u32) -> eyre::Result<Exit> {
    crate::numbers::check_env().map_err(|e| eyre::eyre!(e))?;
    let real = realpip::locate(argv0, &realpip::Env::from_process());
    let inv = parse_install(args, Mode::Guard).map_err(|e| eyre::eyre!(e))?;
    let pass_on = strip_own(args, &inv);
    if inv.has(Opt::Help) {
        return passthrough(real, pass_on, depth);
    }
    let mut settings = Settings {
        index: inv
            .own
            .index
            .as_deref()
            .map(index_choice)
            .transpose()
            .map_err(|e| eyre::eyre!(e))?,
        policy: inv.own.policy.as_ref().map(PathBuf::from),
        ..Settings::default()
    };
    let cwd = std::env::current_dir()?;
    // One interpreter: the one judged here is the one every pip the guard
    // starts for this install runs under.
    let real_python = real.as_ref().ok().and_then(RealPip::interpreter);
    let target = pipeline::target_for_python(&inv, real_python.as_deref())?;
    // pip's configuration, as the user's pip would read it: the guard
    // plans it (pip itself will not read it, see pip_input).
    let vars: Vec<(String, String)> = std::env::vars().collect();
    let env = |k: &str| std::env::var(k).ok();
    // pip's site file is `<sys.prefix>/pip.conf`: the venv's own directory
    // for a virtualenv, else the installation prefix.
    let prefix = if target.probe.virtualenv {
        target
            .python
            .as_deref()
            .and_then(super::sources::venv_prefix)
    } else {
        super::sources::prefix_from_stdlib(&target.probe.stdlib)
    };
    let config = super::sources::read(&env, &vars, prefix.as_deref(), inv.has(Opt::Isolated))
        .map_err(|e| eyre::eyre!(e))?;
    // pip's main parser reads `python` from the configuration too and then
    // re-runs itself under that interpreter; the guard judges one
    // interpreter, named on the command line or by PIP_PYTHON.
    if let Some(s) = config.get("python").filter(|s| s.file.is_some()) {
        if inv.last(Opt::Python).is_none() {
            return Err(eyre::eyre!(InputError::new(format!(
                "pip's configuration sets python ({}): pip would install with another \
                 interpreter than the one pip-guard checks. Remove the setting, or name the \
                 interpreter on the command line (pip --python PYTHON install …)",
                visible(&s.source)
            ))));
        }
    }
    let location = location_from_args(&inv).or_else(|| config.location().map(|(l, _)| l));
    let user = user_from_args(&inv).unwrap_or_else(|| config.user().is_some());
    let elsewhere = location.is_some();
    // Into the interpreter's own environment, which is not externally
    // managed (a virtualenv): not the guard's business. pip runs under the
    // judged interpreter, so it installs where the guard looked. `--user`
    // from a virtualenv lands in the user site the system Python reads:
    // that is planned.
    let planned = elsewhere || target.externally_managed || (user && target.probe.virtualenv);
    if !planned {
        // `--python`/`PIP_PYTHON` named the interpreter: the real pip runs
        // itself under it (pip's own feature, which needs no pip in the
        // target). Otherwise the judged interpreter's own pip.
        let named = inv.last(Opt::Python).is_some()
            || std::env::var_os("PIP_PYTHON").is_some_and(|v| !v.is_empty());
        return match (&target.python, &real) {
            (_, Ok(r)) if named => {
                // pip acts on `--python` only before the command name.
                let mut os: Vec<OsString> = Vec::new();
                if let Some(py) = inv.last(Opt::Python) {
                    os.extend([OsString::from("--python"), OsString::from(py)]);
                }
                os.push(OsString::from("install"));
                os.extend(
                    strip_own_and(args, &inv, &[Opt::Python])
                        .into_iter()
                        .map(OsString::from),
                );
                Err(eyre::eyre!(realpip::exec(r, &os, depth)))
            }
            (Some(py), _) => passthrough_with(&RealPip::Module(py.clone()), pass_on, depth),
            (None, _) => passthrough(real, pass_on, depth),
        };
    }
    let adding = config.adding();
    if !adding.is_empty() {
        return Err(eyre::eyre!(refuse_adding(&adding)));
    }
    let policy = crate::policy::load(&cwd, settings.policy.as_deref())?.policy;
    if policy.mode == PolicyMode::Off {
        return passthrough(real, pass_on, depth);
    }
    // Outside the externally-managed Python (--target, --prefix, --root)
    // only the policy's blocks matter: when it has none to give, pip gets
    // the command unchanged, with nothing planned.
    if elsewhere && !can_block(&policy) {
        return match &target.python {
            Some(py) => passthrough_with(&RealPip::Module(py.clone()), pass_on, depth),
            None => passthrough(real, pass_on, depth),
        };
    }
    // Constraint files of pip's configuration are planned like `-c`.
    settings.constraints = config
        .constraints()
        .into_iter()
        .map(|(f, s)| {
            let at = s.file.as_ref().map(|file| Origin::File {
                file: file.as_path().into(),
                line: s.line,
            });
            (f, at)
        })
        .collect();
    let out = pipeline::run_with_policy(&inv, &settings, real_python.as_deref(), &cwd, policy)?;
    let quiet = inv.has(Opt::Quiet);
    let style = Style::for_stream(crate::output::Stream::Stderr);
    let carried = config.carried(&|n| {
        inv.items
            .iter()
            .any(|it| matches!(it, Item::Opt { spec, .. } if spec.long[0] == n))
    });
    let ignored = config.ignored();
    let note_ignored = || -> eyre::Result<()> {
        if ignored.is_empty() || quiet {
            return Ok(());
        }
        let list: Vec<String> = ignored
            .iter()
            .map(|s| visible(&format!("{} ({})", s.key, s.source)))
            .collect();
        let mut msg = String::new();
        layout::push_wrapped(
            &mut msg,
            &format!(
                "pip-guard runs pip without its configuration; not used: {}. Pass what you \
                 need on the command line.",
                list.join(", ")
            ),
            "",
            "  ",
        );
        eprint_all(&msg)
    };
    let Some(python) = target.python.clone() else {
        return Err(eyre::eyre!(EnvError(
            "no Python interpreter found to run pip with (set PIP_GUARD_PYTHON)".into()
        )));
    };
    if let Some(loc) = location {
        let blocked: Vec<usize> = (0..out.plan.entries.len())
            .filter(|&i| {
                let e = &out.plan.entries[i];
                !e.req.constraint && e.verdict == Verdict::Block
            })
            .collect();
        if !blocked.is_empty() {
            eprint_all(&explain::elsewhere(&out.plan, &blocked, &style))?;
            log_event(&out.policy.audit_log, &out.plan, &cwd, Action::Blocked);
            return Ok(Exit::Blocked);
        }
        let fall: Vec<usize> = (0..out.plan.entries.len())
            .filter(|&i| !out.plan.entries[i].req.constraint)
            .collect();
        if fall.is_empty() && names_no_source(&inv) {
            return passthrough(real, pass_on, depth);
        }
        // Everything else goes to pip, with the deny constraints, through
        // the one builder: pip reads nothing else.
        let input = pip_input::build(&Request {
            inv: &inv,
            set: &out.set,
            plan: &out.plan,
            fall: &fall,
            python: &python,
            cwd: &cwd,
            destination: Destination::Elsewhere(loc),
            carried,
            deny: pip_input::deny_names(&out.policy),
            markers: &target.markers,
        })
        .map_err(|e| eyre::eyre!(e))?;
        note_ignored()?;
        let status = super::fallthrough::run(&input, depth)?;
        return Ok(Exit::from_pip(status.code()));
    }
    if !out.plan.entries.iter().any(|e| !e.req.constraint) {
        // A bare `pip install`: pip's own error. Sources that gave nothing
        // (an empty -r file) are never handed to pip unplanned.
        if names_no_source(&inv) {
            return passthrough(real, pass_on, depth);
        }
        eprint_all("pip-guard: nothing to install.\n")?;
        return Ok(Exit::Success);
    }
    let plan = &out.plan;
    let all = inv.own.all;
    let d = decide(plan, all);
    let shown_python = python.display().to_string();
    let mut text = explain::guard(
        &GuardText {
            plan,
            python: shown_python,
            pep668: target.probe.externally_managed.as_deref(),
            quiet,
            nixify_hint: Some(nixify_hint(&pass_on)),
        },
        &style,
    );
    text.push('\n');
    text.push_str(&explain::decision(plan, &d, all, &style));
    eprint_all(&text)?;

    let dry_run = inv.has(Opt::DryRun);
    let log = |action: Action| log_event(&out.policy.audit_log, plan, &cwd, action);
    if dry_run || d.pip.is_empty() {
        if dry_run {
            eprint_all("Dry run: nothing installed.\n")?;
        }
        if let Some(action) = action_without_pip(&d, dry_run) {
            log(action);
        }
        return Ok(exit_for(&d, None, dry_run));
    }
    // Built before asking: a constraint pip-guard cannot write is an error
    // now, not after a yes.
    let mut input = pip_input::build(&Request {
        inv: &inv,
        set: &out.set,
        plan,
        fall: &d.pip,
        python: &python,
        cwd: &cwd,
        destination: Destination::User,
        carried,
        deny: pip_input::deny_names(&out.policy),
        markers: &target.markers,
    })
    .map_err(|e| eyre::eyre!(e))?;
    // What pip would install, read before asking (docs/wheels.md). Not
    // for --dry-run, which runs no pip at all (`audit --check-wheels` does).
    let prepared = if wheel_check_enabled() {
        let roots = [PathBuf::from(&target.probe.user_site)];
        let p = crate::wheels::prepare::prepare(&input, plan, None, depth, &roots);
        if !quiet || p.unloadable().next().is_some() {
            eprint_all(&crate::wheels::render::prepared(&p))?;
        }
        Some(p)
    } else {
        None
    };
    if let Some(p) = &prepared {
        if plan.policy_mode == PolicyMode::Enforce
            && out.policy.block_unloadable_wheels
            && p.unloadable().next().is_some()
        {
            let mut msg = String::new();
            crate::render::layout::push_wrapped(
                &mut msg,
                "Blocked: a wheel above will not load with this interpreter, and the \
                 policy sets block_unloadable_wheels = true. Nothing installed.",
                "",
                "  ",
            );
            eprint_all(&msg)?;
            log(Action::Blocked);
            return Ok(Exit::Blocked);
        }
    }
    let answer = if needs_yes(plan, &d) {
        let flag = inv.own.yes || prompt::env_yes(std::env::var("PIP_GUARD_YES").ok().as_deref());
        let inputs = Inputs {
            flag,
            interactive: std::io::stdin().is_terminal() && std::io::stderr().is_terminal(),
            no_input: inv.has(Opt::NoInput)
                || prompt::env_yes(std::env::var("PIP_NO_INPUT").ok().as_deref()),
        };
        prompt::confirm(inputs, &question(plan, &d))
    } else {
        eprint_all("The policy (mode enforce) allows them: no confirmation needed.\n")?;
        Confirmation::Flag
    };
    if !answer.yes() {
        let why = match answer {
            Confirmation::Declined => "declined",
            Confirmation::Interrupted => "interrupted",
            _ => "not confirmed (no terminal to ask on)",
        };
        let mut msg = String::new();
        layout::push_wrapped(
            &mut msg,
            &format!(
                "Nothing installed: {why}. To let pip install {}, re-run with \
                 --guard-yes (or PIP_GUARD_YES=1).",
                if d.pip.len() == 1 { "it" } else { "them" }
            ),
            "",
            "  ",
        );
        eprint_all(&msg)?;
        log(Action::Declined);
        if answer == Confirmation::Interrupted {
            return Ok(Exit::Interrupted);
        }
        return Ok(exit_for(&d, None, false));
    }
    // Install the very files that were checked.
    if let Some(p) = &prepared {
        p.point_at_files(&mut input);
    }
    if input.constraints.lines().any(|l| l.ends_with("<0")) && !quiet {
        let mut msg = String::new();
        layout::push_wrapped(
            &mut msg,
            "pip gets the policy's denied projects as constraints (NAME<0): \
             should one be needed as a dependency, pip stops without installing \
             anything.",
            "",
            "  ",
        );
        eprint_all(&msg)?;
    }
    note_ignored()?;
    log(Action::Fallthrough);
    let status = super::fallthrough::run(&input, depth)?;
    let code = status.code();
    let exit = exit_for(&d, Some(code), false);
    if code == 0 && wheel_check_enabled() {
        // What pip reported, plus every named requirement that went to pip
        // (local projects are installed in a second run pip did not report).
        let mut dists: Vec<String> = prepared.as_ref().map(|p| p.dists()).unwrap_or_default();
        for name in d
            .pip
            .iter()
            .filter_map(|&i| plan.entries.get(i)?.req.name.clone())
        {
            let n = crate::names::normalize(&name);
            if !dists.iter().any(|x| crate::names::normalize(x) == n) {
                dists.push(name);
            }
        }
        let check = crate::wheels::imports::check(&python, &dists);
        let kind = prepared
            .as_ref()
            .and_then(|p| p.kind.clone())
            .unwrap_or(crate::wheels::loader::LoaderKind::System);
        eprint_all(&crate::wheels::render::imports(&check, &kind))?;
        // The fallthrough record is already written; a failed import (or a
        // failed check) adds one `import-check` record with every result.
        if check.error.is_some() || check.failures().next().is_some() {
            let mut record = Record::for_plan(&own_argv(), &cwd, plan, Action::ImportCheck);
            record.imports = Some(check.imports.clone());
            record.import_error = check.error.clone();
            audit_log::log(&out.policy.audit_log, &record);
        }
    }
    if code == 0 && d.held() {
        eprint_all(
            "pip-guard: pip succeeded; the requirements held back above are for Nix (exit 1).\n",
        )?;
    }
    Ok(exit)
}

/// The wheel check and the import check run unless
/// `PIP_GUARD_WHEEL_CHECK=0`.
fn wheel_check_enabled() -> bool {
    std::env::var("PIP_GUARD_WHEEL_CHECK").map_or(true, |v| v != "0")
}

/// Write text to stderr, escaped ([`crate::output`]); a closed stderr is
/// not worth failing over.
fn eprint_all(s: &str) -> eyre::Result<()> {
    let _ = crate::output::print(crate::output::Stream::Stderr, crate::output::Kind::Text, s);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes() {
        let held = Decision {
            nix: vec![0],
            ..Decision::default()
        };
        let pip = Decision {
            pip: vec![0],
            ..Decision::default()
        };
        let both = Decision {
            nix: vec![0],
            pip: vec![1],
            ..Decision::default()
        };
        let skipped = Decision {
            skipped: vec![0],
            ..Decision::default()
        };
        // Nothing for pip, something held back.
        assert_eq!(exit_for(&held, None, false), Exit::Blocked);
        // Needed pip, no yes.
        assert_eq!(exit_for(&pip, None, false), Exit::NotConfirmed);
        assert_eq!(exit_for(&both, None, false), Exit::NotConfirmed);
        // pip ran.
        assert_eq!(exit_for(&pip, Some(0), false), Exit::Success);
        assert_eq!(exit_for(&pip, Some(2), false), Exit::External(102));
        assert_eq!(
            exit_for(&pip, Some(3), false),
            Exit::External(103),
            "pip's 3 is not the guard's 3"
        );
        assert_eq!(exit_for(&pip, Some(143), false), Exit::External(143));
        assert_eq!(exit_for(&both, Some(0), false), Exit::Blocked);
        assert_eq!(exit_for(&both, Some(1), false), Exit::External(101));
        // Dry run.
        assert_eq!(exit_for(&pip, None, true), Exit::Success);
        assert_eq!(exit_for(&both, None, true), Exit::Blocked);
        // Only skipped requirements.
        assert_eq!(exit_for(&skipped, None, false), Exit::Success);
    }

    #[test]
    fn what_is_logged_without_pip() {
        let held = Decision {
            blocked: vec![0],
            ..Decision::default()
        };
        let pip = Decision {
            pip: vec![0],
            ..Decision::default()
        };
        let nothing = Decision {
            skipped: vec![0],
            ..Decision::default()
        };
        assert_eq!(action_without_pip(&held, false), Some(Action::Blocked));
        assert_eq!(action_without_pip(&held, true), Some(Action::DryRun));
        assert_eq!(action_without_pip(&pip, false), Some(Action::Declined));
        assert_eq!(action_without_pip(&pip, true), None);
        assert_eq!(action_without_pip(&nothing, false), None);
        assert_eq!(action_without_pip(&nothing, true), None);
    }

    #[test]
    fn which_policies_can_block() {
        use crate::policy::{Policy, Rule};
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

    #[test]
    fn enforce_needs_no_yes_for_what_it_allows() {
        use crate::alternatives::Alternatives;
        use crate::policy::Policy;
        use crate::render::guard::fixture;
        let plan_for = |policy: &Policy, args: &[&str]| {
            let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
            let inv = parse_install(&args, Mode::Guard).expect("parses");
            let set =
                crate::requirements::collect::collect(&inv, std::path::Path::new("/"), &|_| None)
                    .expect("collects");
            Plan::build(
                &set,
                &fixture::target(),
                &fixture::index(&["requests"]),
                &Alternatives::embedded(),
                policy,
            )
        };
        let advise = Policy::default();
        let plan = plan_for(&advise, &["frobnitz"]);
        assert!(needs_yes(&plan, &decide(&plan, false)), "advise asks");
        let enforce = Policy {
            mode: PolicyMode::Enforce,
            allow_pip_fallback: true,
            ..Policy::default()
        };
        let plan = plan_for(&enforce, &["frobnitz"]);
        let d = decide(&plan, false);
        assert_eq!(d.pip, [0]);
        assert!(!needs_yes(&plan, &d), "enforce allowed it: no yes");
        // requests is for Nix: blocked in enforce, even with --guard-all.
        let plan = plan_for(&enforce, &["requests", "frobnitz"]);
        let d = decide(&plan, true);
        assert_eq!(
            (d.blocked.as_slice(), d.pip.as_slice()),
            (&[0][..], &[1][..])
        );
    }

    #[test]
    fn own_flags_are_stripped() {
        let args: Vec<String> = [
            "-qUr",
            "req.txt",
            "--guard-yes",
            "--guard-index",
            "embedded",
            "--index-url",
            "https://x/simple",
            "--guard-policy=p.toml",
            "--",
            "--guard-all",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let inv = parse_install(&args, Mode::Guard).expect("parses");
        assert!(inv.own.yes);
        assert_eq!(
            strip_own(&args, &inv),
            [
                "-qUr",
                "req.txt",
                "--index-url",
                "https://x/simple",
                "--",
                "--guard-all"
            ]
        );
    }
}
