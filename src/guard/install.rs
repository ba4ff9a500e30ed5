//! `pip install` through the guard, as one pass over the pipeline's
//! stages, each called once, in order, each taking what the one before
//! returned ([`run`]):
//!
//! 1. argv → [`Invocation`] (pip's install grammar with the guard's own
//!    `--guard-*` flags);
//! 2. → [`Target`]: the one interpreter the guard
//!    judges and every pip it starts runs under;
//! 3. → pip's configuration ([`super::sources`]);
//! 4. → the [`route`](mod@super::route): not externally managed (a virtualenv),
//!    `--help`, policy mode `off`, … pass the command to pip unchanged but
//!    for our own flags; the rest is planned, for the user site or for
//!    `--target`/`--prefix`/`--root`;
//! 5. → [`RequirementSet`](crate::requirements::RequirementSet) → [`Plan`]
//!    (index, tiers, policy verdicts);
//! 6. → [`Decision`] ([`decide`]): what Nix or a native alternative covers
//!    is held back (unless `--guard-all`), what the policy blocks is held
//!    back always, the rest may go to pip;
//! 7. act: explain on stderr, check the wheels, ask, run
//!    `pip install --user --break-system-packages`, check the imports.

use super::pip_input::{self, PipInput, Request};
use super::prompt::{self, Confirmation, Inputs};
use super::realpip::{self, RealPip};
use super::route::{self, Destination, Pass, Route};
use super::sources::{Config, Location};
use crate::audit_log::{self, Action, Record};
use crate::error::EnvError;
use crate::exit::Exit;
use crate::invocation::parse::{parse_install, Mode};
use crate::invocation::Opt;
use crate::invocation::{Invocation, Item};
use crate::origin::Origin;
use crate::pipeline::{self, Outcome, PlanFlags};
use crate::plan::Plan;
use crate::plan::{decide, Decision};
use crate::policy::{Mode as PolicyMode, Verdict};
use crate::render::guard::{self as explain, GuardText};
use crate::render::layout;
use crate::render::text::Style;
use crate::settings::Settings;
use crate::target::Target;
use crate::wheels::prepare::Prepared;
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
            Some(n) => n.to_string(),
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
fn own_argv(settings: &Settings) -> Vec<String> {
    settings
        .argv
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect()
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

/// What every stage after parsing shares: the command line, how to reach
/// the real pip, where we are.
struct Call<'a> {
    settings: &'a Settings,
    inv: Invocation,
    /// `args` minus pip-guard's own flags.
    pass_on: Vec<String>,
    args: &'a [String],
    real: Result<RealPip, EnvError>,
    depth: u32,
}

impl Call<'_> {
    /// Hand the command to pip, unplanned (`exec`: returns only on error).
    fn pass(&self, how: Pass, target: Option<&Target>) -> eyre::Result<Exit> {
        let module = |py: &Path| {
            let mut os = vec![OsString::from("install")];
            os.extend(self.pass_on.iter().map(OsString::from));
            Err(eyre::eyre!(realpip::exec(
                &RealPip::Module(py.to_path_buf()),
                &os,
                self.depth
            )))
        };
        // `--python` without a real pip to re-run: the judged interpreter's
        // own pip.
        let how = match (how, &self.real, target.and_then(|t| t.python.as_deref())) {
            (Pass::Named, Err(_), Some(py)) => Pass::Module(py.to_path_buf()),
            (how, ..) => how,
        };
        match (how, &self.real) {
            (Pass::Named, Ok(real)) => {
                // pip acts on `--python` only before the command name.
                let mut os: Vec<OsString> = Vec::new();
                if let Some(py) = self.inv.last(Opt::Python) {
                    os.extend([OsString::from("--python"), OsString::from(py)]);
                }
                os.push(OsString::from("install"));
                os.extend(
                    strip_own_and(self.args, &self.inv, &[Opt::Python])
                        .into_iter()
                        .map(OsString::from),
                );
                Err(eyre::eyre!(realpip::exec(real, &os, self.depth)))
            }
            (Pass::Module(py), _) => module(&py),
            (_, real) => {
                let real = real.as_ref().map_err(|e| eyre::eyre!(e.clone()))?;
                let mut os = vec![OsString::from("install")];
                os.extend(self.pass_on.iter().map(OsString::from));
                Err(eyre::eyre!(realpip::exec(real, &os, self.depth)))
            }
        }
    }
}

/// Run `pip install` (`args`: the command's arguments as pip sees them,
/// [`TopLevel::rest`](crate::invocation::toplevel::TopLevel::rest)): the
/// stages of the module doc, in order.
pub fn run(settings: &Settings, argv0: &str, args: &[String], depth: u32) -> eyre::Result<Exit> {
    crate::numbers::check_env(&settings.env).map_err(|e| eyre::eyre!(e))?;
    // 1. argv → Invocation.
    let inv = parse_install(args, Mode::Guard).map_err(|e| eyre::eyre!(e))?;
    let call = Call {
        settings,
        pass_on: strip_own(args, &inv),
        inv,
        args,
        real: realpip::locate(argv0, &realpip::Env::from_settings(settings)),
        depth,
    };
    let inv = &call.inv;
    if inv.has(Opt::Help) {
        return call.pass(Pass::Real, None);
    }
    let flags = PlanFlags::from_invocation(inv, "guard-index", PlanFlags::default())
        .map_err(|e| eyre::eyre!(e))?;
    let cwd = settings.cwd()?;
    // 2. → Target: the one interpreter.
    let real_python = call
        .real
        .as_ref()
        .ok()
        .and_then(|r| r.interpreter(settings.path()));
    let target = pipeline::target(inv, settings, real_python.as_deref())?;
    // 3. → pip's configuration, as the user's pip would read it: the guard
    // plans it (pip itself will not read it, see pip_input).
    let config = read_config(settings, inv, &target)?;
    // 4. → the route.
    let named = route::Named {
        pip_python: settings.env.nonempty_os("PIP_PYTHON").is_some(),
    };
    let dest = match route::route(inv, &target, &config, named).map_err(|e| eyre::eyre!(e))? {
        Route::Pass(how) => return call.pass(how, Some(&target)),
        Route::Plan(dest) => dest,
    };
    let policy = crate::policy::load(settings, cwd, flags.policy.as_deref())?.policy;
    if let Some(how) = route::after_policy(&policy, &dest, &target) {
        return call.pass(how, Some(&target));
    }
    // 5. → RequirementSet → Plan. Constraint files of pip's configuration
    // are planned like `-c`.
    let constraints: Vec<(String, Option<Origin>)> = config
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
    let set = pipeline::requirements(inv, settings, cwd, &constraints)?;
    let out = pipeline::plan(inv, settings, &flags, set, target, policy)?;
    let Some(python) = out.target.python.clone() else {
        return Err(eyre::eyre!(EnvError(
            "no Python interpreter found to run pip with (set PIP_GUARD_PYTHON)".into()
        )));
    };
    // 6. → Decision, 7. act.
    let quiet = inv.has(Opt::Quiet);
    let carried = config.carried(&|n| {
        inv.items
            .iter()
            .any(|it| matches!(it, Item::Opt { spec, .. } if spec.long[0] == n))
    });
    let act = Act {
        call: &call,
        out: &out,
        cwd,
        python: &python,
        quiet,
        style: Style::for_stream(crate::output::Stream::Stderr),
        carried,
        ignored: (!quiet).then(|| not_used(&config)).flatten(),
    };
    match dest {
        Destination::Elsewhere(loc) => act.elsewhere(loc),
        Destination::User => act.user_site(),
    }
}

/// pip's configuration for the judged interpreter. pip's site file is
/// `<sys.prefix>/pip.conf`: the venv's own directory for a virtualenv,
/// else the installation prefix.
fn read_config(settings: &Settings, inv: &Invocation, target: &Target) -> eyre::Result<Config> {
    let prefix = if target.probe.virtualenv {
        target
            .python
            .as_deref()
            .and_then(super::sources::venv_prefix)
    } else {
        super::sources::prefix_from_stdlib(&target.probe.stdlib)
    };
    let env = settings.env.getter();
    super::sources::read(
        &env,
        &settings.env.lossy_pairs(),
        prefix.as_deref(),
        inv.has(Opt::Isolated),
    )
    .map_err(|e| eyre::eyre!(e))
}

/// The note about pip settings the guard does not pass on, if any.
fn not_used(config: &Config) -> Option<String> {
    let ignored = config.ignored();
    if ignored.is_empty() {
        return None;
    }
    let list: Vec<String> = ignored
        .iter()
        .map(|s| route::visible(&format!("{} ({})", s.key, s.source)))
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
    Some(msg)
}

/// Stage 7: acting on the plan.
struct Act<'a> {
    call: &'a Call<'a>,
    out: &'a Outcome,
    cwd: &'a Path,
    /// The judged interpreter: pip runs under it.
    python: &'a Path,
    quiet: bool,
    style: Style,
    /// Vetted settings from pip's configuration, passed on explicitly.
    carried: Vec<String>,
    /// The note about pip settings not passed on (`None` with `-q`).
    ignored: Option<String>,
}

impl Act<'_> {
    fn settings(&self) -> &Settings {
        self.call.settings
    }

    /// Append one record to the audit log; a failure is a warning (printed
    /// by [`audit_log::log`]), never an error.
    fn log(&self, action: Action) {
        let record = Record::for_plan(
            &self.settings().env,
            &own_argv(self.settings()),
            self.cwd,
            &self.out.plan,
            action,
        );
        audit_log::log(self.settings(), &self.out.policy.audit_log, &record);
    }

    /// Build everything pip gets, through the one builder: pip reads
    /// nothing else.
    fn pip_input(
        &self,
        fall: &[usize],
        destination: pip_input::Destination,
    ) -> eyre::Result<PipInput> {
        pip_input::build(&Request {
            inv: &self.call.inv,
            set: &self.out.set,
            plan: &self.out.plan,
            fall,
            python: self.python,
            cwd: self.cwd,
            destination,
            carried: self.carried.clone(),
            deny: pip_input::deny_names(&self.out.policy),
            markers: &self.out.target.markers,
            env: &self.settings().env,
        })
        .map_err(|e| eyre::eyre!(e))
    }

    fn note_ignored(&self) {
        if let Some(msg) = &self.ignored {
            eprint_all(msg);
        }
    }

    /// `--target`, `--prefix`, `--root`: what the policy blocks stops the
    /// install; everything else goes to pip, with the deny constraints.
    fn elsewhere(&self, loc: Location) -> eyre::Result<Exit> {
        let plan = &self.out.plan;
        let blocked: Vec<usize> = (0..plan.entries.len())
            .filter(|&i| {
                let e = &plan.entries[i];
                !e.req.constraint && e.verdict == Verdict::Block
            })
            .collect();
        if !blocked.is_empty() {
            eprint_all(&explain::elsewhere(plan, &blocked, &self.style));
            self.log(Action::Blocked);
            return Ok(Exit::Blocked);
        }
        let fall: Vec<usize> = (0..plan.entries.len())
            .filter(|&i| !plan.entries[i].req.constraint)
            .collect();
        if fall.is_empty() && route::names_no_source(&self.call.inv) {
            return self.call.pass(Pass::Real, None);
        }
        let input = self.pip_input(&fall, pip_input::Destination::Elsewhere(loc))?;
        self.note_ignored();
        let status = super::fallthrough::run(&input, self.call.depth)?;
        Ok(Exit::from_pip(status.code()))
    }

    /// The user site of the externally-managed interpreter: explain,
    /// decide, check the wheels, ask, install, check the imports.
    fn user_site(&self) -> eyre::Result<Exit> {
        let plan = &self.out.plan;
        let inv = &self.call.inv;
        if !plan.entries.iter().any(|e| !e.req.constraint) {
            // A bare `pip install`: pip's own error. Sources that gave
            // nothing (an empty -r file) are never handed to pip unplanned.
            if route::names_no_source(inv) {
                return self.call.pass(Pass::Real, None);
            }
            eprint_all("pip-guard: nothing to install.\n");
            return Ok(Exit::Success);
        }
        let all = inv.own.all;
        let d = decide(plan, all);
        let mut text = explain::guard(
            &GuardText {
                plan,
                python: self.python.display().to_string(),
                pep668: self.out.target.probe.externally_managed.as_deref(),
                quiet: self.quiet,
                nixify_hint: Some(nixify_hint(&self.call.pass_on)),
            },
            &self.style,
        );
        text.push('\n');
        text.push_str(&explain::decision(plan, &d, all, &self.style));
        eprint_all(&text);

        let dry_run = inv.has(Opt::DryRun);
        if dry_run || d.pip.is_empty() {
            if dry_run {
                eprint_all("Dry run: nothing installed.\n");
            }
            if let Some(action) = action_without_pip(&d, dry_run) {
                self.log(action);
            }
            return Ok(exit_for(&d, None, dry_run));
        }
        // Built before asking: a constraint pip-guard cannot write is an
        // error now, not after a yes.
        let mut input = self.pip_input(&d.pip, pip_input::Destination::User)?;
        let prepared = self.check_wheels(&input);
        if let Some(p) = &prepared {
            if plan.policy_mode == PolicyMode::Enforce
                && self.out.policy.block_unloadable_wheels
                && p.unloadable().next().is_some()
            {
                eprint_wrapped(
                    "Blocked: a wheel above will not load with this interpreter, and the \
                     policy sets block_unloadable_wheels = true. Nothing installed.",
                );
                self.log(Action::Blocked);
                return Ok(Exit::Blocked);
            }
        }
        let answer = self.confirm(&d);
        if !answer.yes() {
            let why = match answer {
                Confirmation::Declined => "declined",
                Confirmation::Interrupted => "interrupted",
                _ => "not confirmed (no terminal to ask on)",
            };
            eprint_wrapped(&format!(
                "Nothing installed: {why}. To let pip install {}, re-run with \
                 --guard-yes (or PIP_GUARD_YES=1).",
                if d.pip.len() == 1 { "it" } else { "them" }
            ));
            self.log(Action::Declined);
            if answer == Confirmation::Interrupted {
                return Ok(Exit::Interrupted);
            }
            return Ok(exit_for(&d, None, false));
        }
        // Install the very files that were checked.
        if let Some(p) = &prepared {
            p.point_at_files(&mut input);
        }
        if input.constraints.lines().any(|l| l.ends_with("<0")) && !self.quiet {
            eprint_wrapped(
                "pip gets the policy's denied projects as constraints (NAME<0): \
                 should one be needed as a dependency, pip stops without installing \
                 anything.",
            );
        }
        self.note_ignored();
        self.log(Action::Fallthrough);
        let status = super::fallthrough::run(&input, self.call.depth)?;
        let code = status.code();
        if code == 0 && self.settings().wheel_check() {
            self.check_imports(&d, prepared.as_ref());
        }
        if code == 0 && d.held() {
            eprint_all(
                "pip-guard: pip succeeded; the requirements held back above are for Nix (exit 1).\n",
            );
        }
        Ok(exit_for(&d, Some(code), false))
    }

    /// What pip would install, read before asking (docs/wheels.md); `None`
    /// when `PIP_GUARD_WHEEL_CHECK=0`.
    fn check_wheels(&self, input: &PipInput) -> Option<Prepared> {
        if !self.settings().wheel_check() {
            return None;
        }
        let roots = [PathBuf::from(&self.out.target.probe.user_site)];
        let p = crate::wheels::prepare::prepare(
            &self.settings().env,
            input,
            &self.out.plan,
            None,
            self.call.depth,
            &roots,
        );
        if !self.quiet || p.unloadable().next().is_some() {
            eprint_all(&crate::wheels::render::prepared(&p));
        }
        Some(p)
    }

    /// The explicit yes, unless the policy (mode `enforce`) already allows
    /// everything that goes to pip.
    fn confirm(&self, d: &Decision) -> Confirmation {
        let plan = &self.out.plan;
        if !needs_yes(plan, d) {
            eprint_all("The policy (mode enforce) allows them: no confirmation needed.\n");
            return Confirmation::Flag;
        }
        let env = &self.settings().env;
        let inputs = Inputs {
            flag: self.call.inv.own.yes || prompt::env_yes(env.get("PIP_GUARD_YES")),
            interactive: std::io::stdin().is_terminal() && std::io::stderr().is_terminal(),
            no_input: self.call.inv.has(Opt::NoInput) || prompt::env_yes(env.get("PIP_NO_INPUT")),
        };
        prompt::confirm(inputs, &question(plan, d))
    }

    /// After a successful install: import what pip reported, plus every
    /// named requirement that went to pip (local projects are installed in
    /// a second run pip did not report). A failed import (or a failed
    /// check) adds one `import-check` record to the audit log.
    fn check_imports(&self, d: &Decision, prepared: Option<&Prepared>) {
        let plan = &self.out.plan;
        let mut dists: Vec<String> = prepared.map(|p| p.dists()).unwrap_or_default();
        for name in d
            .pip
            .iter()
            .filter_map(|&i| plan.entries.get(i)?.req.name.as_deref().map(str::to_string))
        {
            let n = crate::names::normalize(&name);
            if !dists.iter().any(|x| crate::names::normalize(x) == n) {
                dists.push(name);
            }
        }
        let check = crate::wheels::imports::check(self.python, &dists);
        let kind = prepared
            .and_then(|p| p.kind.clone())
            .unwrap_or(crate::wheels::loader::LoaderKind::System);
        eprint_all(&crate::wheels::render::imports(&check, &kind));
        if check.error.is_some() || check.failures().next().is_some() {
            let env = &self.settings().env;
            let mut record = Record::for_plan(
                env,
                &own_argv(self.settings()),
                self.cwd,
                plan,
                Action::ImportCheck,
            );
            record.imports = Some(check.imports.clone());
            record.import_error = check.error.clone();
            audit_log::log(self.settings(), &self.out.policy.audit_log, &record);
        }
    }
}

/// Write text to stderr, escaped ([`crate::output`]); a closed stderr is
/// not worth failing over.
fn eprint_all(s: &str) {
    let _ = crate::output::print(crate::output::Stream::Stderr, crate::output::Kind::Text, s);
}

/// [`eprint_all`] of one paragraph, wrapped at 80 columns.
fn eprint_wrapped(s: &str) {
    let mut msg = String::new();
    layout::push_wrapped(&mut msg, s, "", "  ");
    eprint_all(&msg);
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
