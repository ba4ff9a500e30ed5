//! pip-guard's own command line (clap derive). Help, completions and the
//! man page are generated from these definitions.
//!
//! `audit`, `nixify` and `pip` take pip's own `install` grammar after their
//! flags; it is parsed by [`crate::invocation`], not by clap.

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// A drop-in pip for Nix users: Nix packages first, native alternatives,
/// dev shells, and pip --user --break-system-packages only as a last resort.
#[derive(Debug, Parser)]
#[command(name = "pip-guard", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

pub use crate::index::load::IndexChoice;

/// The value of one of pip-guard's own flags written among pip's
/// arguments (`--format`, `--nix-index`, `--guard-index`), parsed as clap
/// parses the same flag before them; the error names the flag and the
/// accepted values.
pub fn value_of<T: ValueEnum>(flag: &str, v: &str) -> Result<T, crate::error::InputError> {
    T::from_str(v, false).map_err(|_| {
        let names: Vec<String> = T::value_variants()
            .iter()
            .filter_map(|x| x.to_possible_value())
            .map(|p| p.get_name().to_string())
            .collect();
        crate::error::InputError::new(format!(
            "invalid value {v:?} for --{flag} (expected one of: {})",
            names.join(", ")
        ))
    })
}

/// Output format for reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// For people.
    Text,
    /// Schema pip-guard.audit/v1.
    Json,
    /// A table for a pull-request comment.
    Markdown,
    /// GitHub workflow commands.
    Github,
}

/// A shell pip-guard can integrate with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShellArg {
    /// GNU bash.
    Bash,
    /// Z shell.
    Zsh,
    /// fish.
    Fish,
}

/// pip-guard's commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Audit what `pip install ARGS` would install, without installing.
    ///
    /// Takes exactly the arguments of `pip install` (all 77 options of pip
    /// 26.3). pip-guard's own flags below match only when spelled in full.
    #[command(disable_help_flag = false)]
    Audit {
        /// Output format.
        #[arg(long, value_enum)]
        format: Option<FormatArg>,
        /// Index source.
        #[arg(long, value_enum)]
        index: Option<IndexChoice>,
        /// Policy file (highest precedence).
        #[arg(long)]
        policy: Option<PathBuf>,
        /// Fail (exit 1) on warnings too.
        #[arg(long)]
        strict: bool,
        /// Ask the real pip what it would install for the requirements that
        /// fall through, read those wheels' native code, and report what the
        /// target interpreter cannot load (see docs/wheels.md).
        #[arg(long)]
        check_wheels: bool,
        /// `pip install` arguments: requirements, -r FILE, -c FILE, -e …, --group …
        #[arg(
            trailing_var_arg = true,
            allow_hyphen_values = true,
            value_name = "PIP_INSTALL_ARGS"
        )]
        args: Vec<String>,
    },
    /// Read wheel files' native code and say whether the target interpreter
    /// can load it: the libraries each needs, those its loader cannot find,
    /// and the fixes. Exit 1 when one will not load.
    Wheels {
        /// Output format (text or json).
        #[arg(long, value_enum)]
        format: Option<FormatArg>,
        /// The target interpreter (default: PIP_GUARD_PYTHON, else python3 on PATH).
        #[arg(long, value_name = "PYTHON")]
        python: Option<PathBuf>,
        /// Wheel files.
        #[arg(required = true, value_name = "WHEEL")]
        files: Vec<PathBuf>,
    },
    /// Run as pip: `install` is guarded, everything else goes to the real pip.
    #[command(disable_help_flag = true)]
    Pip {
        /// pip's own arguments.
        #[arg(
            trailing_var_arg = true,
            allow_hyphen_values = true,
            value_name = "PIP_ARGS"
        )]
        args: Vec<String>,
    },
    /// Explain the priority order for one requirement.
    Explain {
        /// Output format.
        #[arg(long, value_enum)]
        format: Option<FormatArg>,
        /// Index source.
        #[arg(long, value_enum)]
        index: Option<IndexChoice>,
        /// A requirement, e.g. `numpy>=1.26` or `openai-whisper`.
        requirement: String,
    },
    /// Print a flake.nix with a dev shell for a whole requirements set.
    Nixify {
        /// Index source.
        #[arg(long, value_enum)]
        index: Option<IndexChoice>,
        /// Write the flake to FILE instead of printing it (refuses to
        /// overwrite an existing file without --force).
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<std::path::PathBuf>,
        /// With --output: overwrite FILE if it exists.
        #[arg(long, requires = "output")]
        force: bool,
        /// `pip install` arguments.
        #[arg(
            trailing_var_arg = true,
            allow_hyphen_values = true,
            value_name = "PIP_INSTALL_ARGS"
        )]
        args: Vec<String>,
    },
    /// Manage the nixpkgs index.
    Index {
        /// What to do.
        #[command(subcommand)]
        action: IndexAction,
    },
    /// Show or check the team policy.
    Policy {
        /// What to do.
        #[command(subcommand)]
        action: PolicyAction,
    },
    /// Print the shell snippet that routes pip through the guard.
    ///
    /// Add `eval "$(pip-guard init bash)"` to ~/.bashrc (zsh: ~/.zshrc;
    /// fish: `pip-guard init fish | source` in config.fish).
    Init {
        /// The shell.
        shell: ShellArg,
    },
    /// Check this machine against the lessons of Python packaging with Nix.
    Doctor {
        /// Output format (text or json).
        #[arg(long, value_enum)]
        format: Option<FormatArg>,
    },
    /// Print shell completions for pip-guard.
    #[command(hide = true)]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    #[command(hide = true)]
    Man,
}

/// `pip-guard index …`.
#[derive(Debug, Subcommand)]
pub enum IndexAction {
    /// Download a channel's package listing into the cache.
    Update {
        /// Channel name (default: nixpkgs-unstable, or the policy's `[index] channel`).
        #[arg(long)]
        channel: Option<String>,
        /// A URL or local path of a packages.json(.br) instead of the channel's.
        #[arg(long, value_name = "URL_OR_PATH")]
        from: Option<String>,
        /// Total deadline of the download in seconds; each read also stalls out after 30 s at most (default: $PIP_GUARD_HTTP_TIMEOUT, else 300).
        #[arg(long, value_name = "SECONDS", value_parser = crate::numbers::seconds)]
        timeout: Option<f64>,
        /// Refuse a listing with fewer packages (default 50,000).
        #[arg(long, value_name = "N")]
        min_packages: Option<usize>,
        /// No progress bar, no summary.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Print which index would be used, and how old it is.
    Status {
        /// Index source to report on.
        #[arg(long, value_enum)]
        index: Option<IndexChoice>,
        /// The Python package set (default: python3Packages, or a Nix-store interpreter's own set).
        #[arg(long, value_name = "SET")]
        package_set: Option<String>,
    },
}

/// `pip-guard policy …`.
#[derive(Debug, Subcommand)]
pub enum PolicyAction {
    /// Print the effective policy and which file set each value.
    Show {
        /// Output format (text or json).
        #[arg(long, value_enum)]
        format: Option<FormatArg>,
    },
    /// Validate a policy file (default: the nearest .pip-guard.toml).
    Check {
        /// The file.
        file: Option<PathBuf>,
    },
}
