//! `pip-guard nixify ARGS…`: a `flake.nix` with a dev shell for a whole
//! requirements set (the same arguments as `pip install`); for a local
//! project (`-e .[dev]`), its dependencies and a package
//! ([`crate::nixproject`]). `--output FILE` writes it (never over an
//! existing file without `--force`).

use crate::cli::IndexChoice;
use crate::exit::Exit;
use crate::invocation::parse::{parse_install, Mode};
use crate::nixsnip::Suggestion;
use crate::pipeline::{self, PlanFlags};
use crate::settings::Settings;
use color_eyre::eyre;
use std::path::Path;

/// Print (or write to `output`) the flake for the requirements `args` name.
pub fn run(
    settings: &Settings,
    index: Option<IndexChoice>,
    output: Option<&Path>,
    force: bool,
    args: &[String],
) -> eyre::Result<Exit> {
    if let Some(o) = output {
        if !force && (o.exists() || o.is_symlink()) {
            return Err(eyre::eyre!(crate::error::InputError::new(format!(
                "{} exists: pip-guard nixify does not overwrite it without --force",
                o.display()
            ))));
        }
    }
    let inv = parse_install(args, Mode::Audit).map_err(|e| eyre::eyre!(e))?;
    let plan_flags = PlanFlags::from_invocation(
        &inv,
        "nix-index",
        PlanFlags {
            index,
            policy: None,
        },
    )?;
    let out = pipeline::run(&inv, settings, &plan_flags)?;
    let flake = match crate::nixproject::flake(&out.plan) {
        Some(f) => f,
        None => {
            let mut suggestion = Suggestion::from_plan(&out.plan);
            if inv.own.check_wheels {
                suggestion.library_path = Some(library_attrs(settings, &inv, &out)?);
            }
            suggestion.flake()
        }
    };
    match output {
        None => crate::output::print_stdout(&flake)?,
        Some(o) => {
            write_new(o, flake.as_bytes(), force)?;
            crate::output::eprintln(&format!(
                "pip-guard nixify: wrote {}",
                crate::redact::redact(&crate::escape::terminal_os(o.as_os_str()))
            ));
        }
    }
    Ok(Exit::Success)
}

/// Write `bytes` to `path`: created new (an existing file is an error
/// unless `force`, checked again at creation so a race cannot clobber it).
fn write_new(path: &Path, bytes: &[u8], force: bool) -> eyre::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true);
    if force {
        opts.create(true).truncate(true);
    } else {
        opts.create_new(true);
    }
    let mut f = opts.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            eyre::eyre!(crate::error::InputError::new(format!(
                "{} exists: pip-guard nixify does not overwrite it without --force",
                path.display()
            )))
        } else {
            eyre::eyre!(crate::error::EnvError(format!(
                "cannot write {}: {e}",
                path.display()
            )))
        }
    })?;
    f.write_all(bytes).map_err(|e| {
        eyre::eyre!(crate::error::EnvError(format!(
            "cannot write {}: {e}",
            path.display()
        )))
    })
}

/// `--check-wheels`: the nixpkgs attrs of every host library the native
/// code of pip's wheels needs (in the dev shell the interpreter is Nix's,
/// which finds none of them on its own).
fn library_attrs(
    settings: &Settings,
    inv: &crate::invocation::Invocation,
    out: &pipeline::Outcome,
) -> eyre::Result<Vec<String>> {
    let p = crate::wheels::prepare::check_for_report(settings, inv, out)?;
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
