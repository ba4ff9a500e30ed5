//! `pip-guard audit`: the install you would have typed, never run.

use crate::cli::{FormatArg, IndexChoice};
use crate::exit::Exit;
use crate::invocation::parse::{parse_install, Mode};
use crate::pipeline::{self, Settings};
use crate::policy::Verdict;
use crate::render;
use color_eyre::eyre;
use std::path::PathBuf;

/// Flags clap parsed before the pip arguments.
#[derive(Debug, Clone, Default)]
pub struct Flags {
    /// `--format`.
    pub format: Option<FormatArg>,
    /// `--index`.
    pub index: Option<IndexChoice>,
    /// `--policy`.
    pub policy: Option<PathBuf>,
    /// `--strict`.
    pub strict: bool,
    /// `--check-wheels`.
    pub check_wheels: bool,
}

fn own_value<T: clap::ValueEnum>(flag: &str, v: &str) -> eyre::Result<T> {
    T::from_str(v, false).map_err(|_| {
        let names: Vec<String> = T::value_variants()
            .iter()
            .filter_map(|x| x.to_possible_value())
            .map(|p| p.get_name().to_string())
            .collect();
        eyre::eyre!(crate::error::InputError::new(format!(
            "invalid value {v:?} for --{flag} (expected one of: {})",
            names.join(", ")
        )))
    })
}

/// Run an audit of `args` (pip install arguments).
pub fn run(flags: Flags, args: &[String]) -> eyre::Result<Exit> {
    let inv = parse_install(args, Mode::Audit).map_err(|e| eyre::eyre!(e))?;
    let format = match &inv.own.format {
        Some(v) => own_value::<FormatArg>("format", v)?,
        None => flags.format.unwrap_or(FormatArg::Text),
    };
    let index = match &inv.own.index {
        Some(v) => Some(own_value::<IndexChoice>("index", v)?),
        None => flags.index,
    };
    let policy = inv.own.policy.as_ref().map(PathBuf::from).or(flags.policy);
    let strict = flags.strict || inv.own.strict;
    let cwd = std::env::current_dir()?;
    let out = pipeline::run(&inv, &Settings { index, policy }, &cwd)?;
    let wheels = if flags.check_wheels || inv.own.check_wheels {
        Some(check_wheels(&inv, &out, &cwd)?)
    } else {
        None
    };
    use crate::output::Kind;
    let (kind, text) = match format {
        FormatArg::Json if wheels.is_some() => {
            let mut v = render::json::to_value(&out.plan);
            if let Some(w) = &wheels {
                crate::wheels::prepare::attach_json(&mut v, &out.plan, w);
            }
            let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
            s.push('\n');
            (Kind::Json, s)
        }
        FormatArg::Json => (Kind::Json, render::json::render(&out.plan)),
        FormatArg::Markdown => (Kind::Markdown, render::markdown::render(&out.plan)),
        FormatArg::Github => (Kind::Annotations, render::github::render(&out.plan)),
        FormatArg::Text => {
            let style = render::text::Style::for_stream(crate::output::Stream::Stdout);
            (Kind::Text, render::text::render(&out.plan, &style))
        }
    };
    crate::output::print_stdout_as(kind, &text)?;
    let mut unloadable = false;
    if let Some(w) = &wheels {
        unloadable = w.unloadable().next().is_some();
        if format != FormatArg::Json {
            let section = crate::wheels::render::prepared(w);
            if format == FormatArg::Text {
                crate::output::print_stdout_as(Kind::Text, &format!("\n{section}"))?;
            } else {
                let _ = crate::output::print(crate::output::Stream::Stderr, Kind::Text, &section);
            }
        }
    }
    let warned = out.plan.entries.iter().any(|e| e.verdict == Verdict::Warn);
    let block_wheels = unloadable
        && (strict
            || (out.policy.mode == crate::policy::Mode::Enforce
                && out.policy.block_unloadable_wheels));
    Ok(
        if out.plan.blocked() || (strict && warned) || block_wheels {
            Exit::Blocked
        } else {
            Exit::Success
        },
    )
}

/// `--check-wheels`: what pip would install for the requirements that fall
/// through, read and judged against the target interpreter.
fn check_wheels(
    inv: &crate::invocation::Invocation,
    out: &pipeline::Outcome,
    cwd: &std::path::Path,
) -> eyre::Result<crate::wheels::prepare::Prepared> {
    let Some(python) = out.target.python.clone() else {
        return Err(eyre::eyre!(crate::error::EnvError(
            "--check-wheels needs the target interpreter and its pip (set PIP_GUARD_PYTHON or pass --python)".into()
        )));
    };
    let d = crate::plan::decide(&out.plan, false);
    if d.pip.is_empty() {
        return Ok(crate::wheels::prepare::Prepared::default());
    }
    let mut child =
        crate::guard::fallthrough::build(inv, &out.set, &out.plan, &d.pip, &python, cwd);
    child.deny_constraints = crate::guard::fallthrough::deny_constraints(&out.policy);
    Ok(crate::wheels::prepare::prepare(
        &child,
        &out.plan,
        false,
        out.target.externally_managed,
        0,
        &[],
    ))
}
