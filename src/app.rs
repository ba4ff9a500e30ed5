//! Entry point: the pip wrapper (`argv[0]` is `pip`, `pip3`, `pip3.N`, or the
//! first argument is `pip`) or pip-guard's own CLI.

use crate::cli::{Cli, Command, IndexAction, PolicyAction};
use crate::exit::Exit;
use crate::settings::Settings;
use clap::Parser;
use std::ffi::OsString;

/// Whether a program name is one pip-guard answers to as pip.
pub fn is_pip_name(name: &str) -> bool {
    match name.strip_prefix("pip") {
        Some("") | Some("3") => true,
        Some(rest) => rest
            .strip_prefix("3.")
            .is_some_and(|minor| !minor.is_empty() && minor.chars().all(|c| c.is_ascii_digit())),
        None => false,
    }
}

/// Run pip-guard and return the process status.
pub fn main() -> std::process::ExitCode {
    // The process is read here, once; everything below takes it from
    // `settings`.
    let settings = Settings::from_process();
    crate::output::init(&settings);
    let args = &settings.argv;
    let argv0 = args
        .first()
        .and_then(|a| std::path::Path::new(a).file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // The wrapper's fast path: no clap, no index, no policy before we know
    // the command is `install`.
    if is_pip_name(&argv0) {
        crate::shell::trace_argv(&settings, args);
        return finish(crate::guard::run(&settings, &argv0, &args[1..]));
    }
    // `pip-guard pip ARGS`, and `pip-guard pip3.12 ARGS` (what the shell
    // snippet's pip3.N functions call).
    if let Some(name) = args
        .get(1)
        .and_then(|a| a.to_str())
        .filter(|a| is_pip_name(a))
    {
        crate::shell::trace_argv(&settings, args);
        return finish(crate::guard::run(&settings, name, &args[2..]));
    }
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            // clap quotes the offending value: redact it and escape it
            // (printed plain when it held a credential or a control
            // character, else in clap's own style).
            let plain = e.render().to_string();
            let red = crate::redact::redact(&plain);
            let stream = if e.use_stderr() {
                crate::output::Stream::Stderr
            } else {
                crate::output::Stream::Stdout
            };
            let clean = matches!(red, std::borrow::Cow::Borrowed(_))
                && matches!(
                    crate::output::prepare(crate::output::Kind::Text, &plain, false, false),
                    std::borrow::Cow::Borrowed(_)
                )
                && !crate::output::github_actions();
            if clean {
                let _ = e.print();
            } else {
                let _ = crate::output::print(stream, crate::output::Kind::Text, &red);
            }
            return if e.use_stderr() {
                Exit::Usage.into()
            } else {
                Exit::Success.into()
            };
        }
    };
    if let Err(e) = crate::numbers::check_env(&settings.env) {
        return finish(Err(color_eyre::eyre::eyre!(e)));
    }
    finish(dispatch(cli, &settings))
}

fn dispatch(cli: Cli, settings: &Settings) -> color_eyre::Result<Exit> {
    use crate::commands;
    match cli.command {
        Command::Audit {
            format,
            index,
            policy,
            strict,
            check_wheels,
            args,
        } => commands::audit::run(
            settings,
            commands::audit::Flags {
                format,
                index,
                policy,
                strict,
                check_wheels,
            },
            &args,
        ),
        Command::Wheels {
            format,
            python,
            files,
        } => commands::wheels::run(settings, format, python, &files),
        Command::Pip { args } => {
            let os: Vec<OsString> = args.into_iter().map(OsString::from).collect();
            crate::guard::run(settings, "pip", &os)
        }
        Command::Explain {
            format,
            index,
            requirement,
        } => commands::explain::run(settings, &requirement, format, index),
        Command::Nixify {
            index,
            output,
            force,
            args,
        } => commands::nixify::run(settings, index, output.as_deref(), force, &args),
        Command::Index { action } => match action {
            IndexAction::Update {
                channel,
                from,
                timeout,
                min_packages,
                quiet,
            } => commands::index::update(
                settings,
                &commands::index::UpdateArgs {
                    channel,
                    from,
                    timeout,
                    min_packages,
                    quiet,
                },
            ),
            IndexAction::Status { index, package_set } => {
                commands::index::status_cli(settings, index.unwrap_or_default(), package_set)
            }
        },
        Command::Policy { action } => match action {
            PolicyAction::Show { format } => commands::policy::show(settings, format),
            PolicyAction::Check { file } => commands::policy::check(settings, file.as_deref()),
        },
        Command::Init { shell } => commands::init::run(settings, shell),
        Command::Doctor { format } => commands::doctor::run(settings, format),
        Command::Completions { shell } => commands::completions::completions(shell),
        Command::Man => commands::completions::man(),
    }
}

/// Print an error once, at the top, and map it to an exit status.
fn finish(result: color_eyre::Result<Exit>) -> std::process::ExitCode {
    match result {
        Ok(exit) => exit.into(),
        Err(report) => {
            if is_broken_pipe(&report) {
                return Exit::Success.into();
            }
            let exit = crate::error::exit_for(&report);
            crate::output::eprintln(&format_report(&report));
            exit.into()
        }
    }
}

fn is_broken_pipe(report: &color_eyre::eyre::Report) -> bool {
    report.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// `error: what` then one `  caused by: …` line per cause, redacted.
pub fn format_report(report: &color_eyre::eyre::Report) -> String {
    let mut out = String::new();
    for (i, cause) in report.chain().enumerate() {
        let text = crate::redact::redact(&cause.to_string()).into_owned();
        if i == 0 {
            out.push_str("error: ");
            out.push_str(&text);
        } else {
            out.push_str("\n  caused by: ");
            out.push_str(&text.replace('\n', "\n    "));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::is_pip_name;
    #[test]
    fn pip_names() {
        for n in ["pip", "pip3", "pip3.12", "pip3.9"] {
            assert!(is_pip_name(n), "{n}");
        }
        for n in ["pip-guard", "pip3.", "pip4", "pipx", "pip3.x", ""] {
            assert!(!is_pip_name(n), "{n}");
        }
    }
}
