//! `pip-guard nixify ARGS…`: a `flake.nix` with a dev shell for a whole
//! requirements set (the same arguments as `pip install`).

use crate::cli::IndexChoice;
use crate::exit::Exit;
use crate::invocation::parse::{parse_install, Mode};
use crate::nixsnip::Suggestion;
use crate::pipeline::{self, Settings};
use color_eyre::eyre;
use std::path::PathBuf;

/// Print the flake for the requirements `args` name.
pub fn run(index: Option<IndexChoice>, args: &[String]) -> eyre::Result<Exit> {
    let inv = parse_install(args, Mode::Audit).map_err(|e| eyre::eyre!(e))?;
    let index = match &inv.own.index {
        Some(v) => Some(
            <IndexChoice as clap::ValueEnum>::from_str(v, false).map_err(|_| {
                eyre::eyre!(crate::error::InputError::new(format!(
                    "invalid value {v:?} for --index (expected auto, nix, channel or embedded)"
                )))
            })?,
        ),
        None => index,
    };
    let cwd = std::env::current_dir()?;
    let out = pipeline::run(
        &inv,
        &Settings {
            index,
            policy: inv.own.policy.as_ref().map(PathBuf::from),
        },
        &cwd,
    )?;
    let mut suggestion = Suggestion::from_plan(&out.plan);
    if inv.own.check_wheels {
        suggestion.library_path = Some(library_attrs(&inv, &out, &cwd)?);
    }
    let flake = suggestion.flake();
    crate::output::print_stdout(&flake)?;
    Ok(Exit::Success)
}

/// `--check-wheels`: the nixpkgs attrs of every host library the native
/// code of pip's wheels needs (in the dev shell the interpreter is Nix's,
/// which finds none of them on its own).
fn library_attrs(
    inv: &crate::invocation::Invocation,
    out: &pipeline::Outcome,
    cwd: &std::path::Path,
) -> eyre::Result<Vec<String>> {
    let Some(python) = out.target.python.clone() else {
        return Err(eyre::eyre!(crate::error::EnvError(
            "--check-wheels needs an interpreter with pip (set PIP_GUARD_PYTHON)".into()
        )));
    };
    let d = crate::plan::decide(&out.plan, false);
    if d.pip.is_empty() {
        return Ok(Vec::new());
    }
    let mut child =
        crate::guard::fallthrough::build(inv, &out.set, &out.plan, &d.pip, &python, cwd);
    child.deny_constraints = crate::guard::fallthrough::deny_constraints(&out.policy);
    let p = crate::wheels::prepare::prepare(
        &child,
        &out.plan,
        false,
        out.target.externally_managed,
        0,
        &[],
    );
    for n in &p.notes {
        let _ = crate::output::print(
            crate::output::Stream::Stderr,
            crate::output::Kind::Text,
            &format!("pip-guard nixify: {n}\n"),
        );
    }
    let mut attrs: Vec<String> = Vec::new();
    for c in &p.checks {
        for soname in &c.needs {
            if let Some(l) = crate::wheels::libs::lookup(soname) {
                if !l.is_glibc() && !attrs.iter().any(|a| a == l.attr) {
                    attrs.push(l.attr.to_string());
                }
            }
        }
    }
    Ok(attrs)
}
