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
    let out = pipeline::run(
        &inv,
        &Settings {
            index,
            policy,
            ..Settings::default()
        },
        &cwd,
    )?;
    use crate::output::Kind;
    let (kind, text) = match format {
        FormatArg::Json => (Kind::Json, render::json::render(&out.plan)),
        FormatArg::Markdown => (Kind::Markdown, render::markdown::render(&out.plan)),
        FormatArg::Github => (Kind::Annotations, render::github::render(&out.plan)),
        FormatArg::Text => {
            let style = render::text::Style::for_stream(crate::output::Stream::Stdout);
            (Kind::Text, render::text::render(&out.plan, &style))
        }
    };
    crate::output::print_stdout_as(kind, &text)?;
    let warned = out.plan.entries.iter().any(|e| e.verdict == Verdict::Warn);
    let exit = if out.plan.blocked() || (strict && warned) {
        Exit::Blocked
    } else {
        Exit::Success
    };
    // The process ends right after: freeing a million requirements one by
    // one would cost 5 % of a big audit for nothing.
    std::mem::forget(out);
    drop(text);
    Ok(exit)
}
