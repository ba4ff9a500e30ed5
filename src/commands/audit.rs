//! `pip-guard audit`: the install you would have typed, never run.

use crate::cli::{FormatArg, IndexChoice};
use crate::exit::Exit;
use crate::invocation::parse::{parse_install, Mode};
use crate::pipeline::{self, PlanFlags};
use crate::policy::Verdict;
use crate::render;
use crate::settings::Settings;
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

/// Run an audit of `args` (pip install arguments).
pub fn run(settings: &Settings, flags: Flags, args: &[String]) -> eyre::Result<Exit> {
    // `--format github`: errors (even one in the arguments themselves) go
    // to the same Actions log as the report.
    let github = flags.format == Some(FormatArg::Github)
        || args.iter().any(|a| a == "--format=github")
        || args
            .windows(2)
            .any(|w| w[0] == "--format" && w[1] == "github");
    if github {
        crate::output::assume_github_log();
    }
    let inv = parse_install(args, Mode::Audit).map_err(|e| eyre::eyre!(e))?;
    let format = match &inv.own.format {
        Some(v) => crate::cli::value_of::<FormatArg>("format", v)?,
        None => flags.format.unwrap_or(FormatArg::Text),
    };
    let plan_flags = PlanFlags::from_invocation(
        &inv,
        "nix-index",
        PlanFlags {
            index: flags.index,
            policy: flags.policy,
        },
    )?;
    let strict = flags.strict || inv.own.strict;
    let out = pipeline::run(&inv, settings, &plan_flags)?;
    let wheels = if flags.check_wheels || inv.own.check_wheels {
        Some(crate::wheels::prepare::check_for_report(
            settings, &inv, &out,
        )?)
    } else {
        None
    };
    use crate::output::Kind;
    // The reports of `--format json` and `text` are streamed through the
    // output edge (a million requirements make a report of 700 MB).
    match format {
        FormatArg::Json if wheels.is_some() => {
            let mut v = render::json::to_value(&out.plan);
            if let Some(w) = &wheels {
                crate::wheels::prepare::attach_json(&mut v, &out.plan, w);
            }
            let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
            s.push('\n');
            crate::output::print_stdout_as(Kind::Json, &s)?;
        }
        FormatArg::Json => {
            crate::output::stream_stdout_as(Kind::Json, |w| render::json::render_to(&out.plan, w))?
        }
        FormatArg::Markdown => {
            crate::output::print_stdout_as(Kind::Markdown, &render::markdown::render(&out.plan))?
        }
        FormatArg::Github => {
            crate::output::print_stdout_as(Kind::Annotations, &render::github::render(&out.plan))?
        }
        FormatArg::Text => {
            let style = render::text::Style::for_stream(crate::output::Stream::Stdout);
            crate::output::stream_stdout_as(Kind::Text, |w| {
                render::text::render_to(&out.plan, &style, w)
                    .map_err(|_| std::io::Error::other("write error"))
            })?
        }
    }
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
    let exit = if out.plan.blocked() || (strict && warned) || block_wheels {
        Exit::Blocked
    } else {
        Exit::Success
    };
    // The process ends right after: freeing a million requirements one by
    // one would cost 5 % of a big audit for nothing.
    std::mem::forget(out);
    Ok(exit)
}
