//! The one table of pip 26.3's `install` options (77, of which 42 take a value),
//! checked against pip's own parser by `tests/pip_oracle.rs`.

/// What pip-guard does with an option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A source of requirements pip-guard must read.
    Source,
    /// Chooses the target environment (markers, install location).
    Target,
    /// Affects how pip fetches or installs, passed on to pip unchanged.
    PassOn,
    /// `-h`/`--help`: pip prints help and installs nothing.
    Help,
}

/// Every option pip-guard knows, by its primary long name: code names an
/// option through this enum, so a misspelt option does not compile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Opt {
    /// `--requirement`
    Requirement,
    /// `--constraint`
    Constraint,
    /// `--build-constraint`
    BuildConstraint,
    /// `--requirements-from-script`
    RequirementsFromScript,
    /// `--no-deps`
    NoDeps,
    /// `--only-deps`
    OnlyDeps,
    /// `--editable`
    Editable,
    /// `--dry-run`
    DryRun,
    /// `--target`
    Target,
    /// `--platform`
    Platform,
    /// `--python-version`
    PythonVersion,
    /// `--implementation`
    Implementation,
    /// `--abi`
    Abi,
    /// `--user`
    User,
    /// `--no-user`
    NoUser,
    /// `--root`
    Root,
    /// `--prefix`
    Prefix,
    /// `--src`
    Src,
    /// `--upgrade`
    Upgrade,
    /// `--upgrade-strategy`
    UpgradeStrategy,
    /// `--force-reinstall`
    ForceReinstall,
    /// `--ignore-installed`
    IgnoreInstalled,
    /// `--ignore-requires-python`
    IgnoreRequiresPython,
    /// `--no-build-isolation`
    NoBuildIsolation,
    /// `--use-pep517`
    UsePep517,
    /// `--check-build-dependencies`
    CheckBuildDependencies,
    /// `--break-system-packages`
    BreakSystemPackages,
    /// `--config-settings`
    ConfigSettings,
    /// `--compile`
    Compile,
    /// `--no-compile`
    NoCompile,
    /// `--no-warn-script-location`
    NoWarnScriptLocation,
    /// `--no-warn-conflicts`
    NoWarnConflicts,
    /// `--require-hashes`
    RequireHashes,
    /// `--no-require-hashes`
    NoRequireHashes,
    /// `--progress-bar`
    ProgressBar,
    /// `--root-user-action`
    RootUserAction,
    /// `--report`
    Report,
    /// `--group`
    Group,
    /// `--no-clean`
    NoClean,
    /// `--pre`
    Pre,
    /// `--all-releases`
    AllReleases,
    /// `--only-final`
    OnlyFinal,
    /// `--no-binary`
    NoBinary,
    /// `--only-binary`
    OnlyBinary,
    /// `--prefer-binary`
    PreferBinary,
    /// `--index-url`
    IndexUrl,
    /// `--extra-index-url`
    ExtraIndexUrl,
    /// `--no-index`
    NoIndex,
    /// `--refresh-package`
    RefreshPackage,
    /// `--find-links`
    FindLinks,
    /// `--uploaded-prior-to`
    UploadedPriorTo,
    /// `--help`
    Help,
    /// `--debug`
    Debug,
    /// `--isolated`
    Isolated,
    /// `--require-virtualenv`
    RequireVirtualenv,
    /// `--python`
    Python,
    /// `--verbose`
    Verbose,
    /// `--quiet`
    Quiet,
    /// `--log`
    Log,
    /// `--no-input`
    NoInput,
    /// `--keyring-provider`
    KeyringProvider,
    /// `--proxy`
    Proxy,
    /// `--no-proxy-env`
    NoProxyEnv,
    /// `--retries`
    Retries,
    /// `--timeout`
    Timeout,
    /// `--exists-action`
    ExistsAction,
    /// `--trusted-host`
    TrustedHost,
    /// `--cert`
    Cert,
    /// `--client-cert`
    ClientCert,
    /// `--cache-dir`
    CacheDir,
    /// `--no-cache-dir`
    NoCacheDir,
    /// `--disable-pip-version-check`
    DisablePipVersionCheck,
    /// `--no-color`
    NoColor,
    /// `--no-python-version-warning`
    NoPythonVersionWarning,
    /// `--use-feature`
    UseFeature,
    /// `--use-deprecated`
    UseDeprecated,
    /// `--resume-retries`
    ResumeRetries,
    /// `--version`
    Version,
    /// `--hash`
    Hash,
}

impl Opt {
    /// The option's primary long name, without the dashes (`--hash` is a
    /// requirements-file option, not in the install table).
    pub fn long(self) -> &'static str {
        if self == Opt::Hash {
            return "hash";
        }
        INSTALL_OPTIONS
            .iter()
            .chain(global_options())
            .find(|s| s.id == self)
            .map_or("", |s| s.long[0])
    }
}

/// One pip option: every spelling pip accepts for it and whether it takes a value.
#[derive(Debug, PartialEq, Eq)]
pub struct OptSpec {
    /// Which option this is.
    pub id: Opt,
    /// Short spelling without the dash, if any.
    pub short: Option<char>,
    /// Long spellings without the dashes; the first is the primary name.
    pub long: &'static [&'static str],
    /// Whether it consumes a value (`--opt=v`, `--opt v`, `-ov`, `-o v`).
    pub takes_value: bool,
    /// pip's `dest` (for the oracle test and for reading).
    pub dest: &'static str,
    /// What pip-guard does with it.
    pub role: Role,
}

/// pip 26.3 `install` options, in pip's own order.
pub static INSTALL_OPTIONS: &[OptSpec] = &[
    OptSpec {
        id: Opt::Requirement,
        short: Some('r'),
        long: &["requirement"],
        takes_value: true,
        dest: "requirements",
        role: Role::Source,
    },
    OptSpec {
        id: Opt::Constraint,
        short: Some('c'),
        long: &["constraint"],
        takes_value: true,
        dest: "constraints",
        role: Role::Source,
    },
    OptSpec {
        id: Opt::BuildConstraint,
        short: None,
        long: &["build-constraint"],
        takes_value: true,
        dest: "build_constraints",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::RequirementsFromScript,
        short: None,
        long: &["requirements-from-script"],
        takes_value: true,
        dest: "requirements_from_scripts",
        role: Role::Source,
    },
    OptSpec {
        id: Opt::NoDeps,
        short: None,
        long: &["no-deps", "no-dependencies"],
        takes_value: false,
        dest: "ignore_dependencies",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::OnlyDeps,
        short: None,
        long: &["only-deps", "only-dependencies"],
        takes_value: false,
        dest: "only_dependencies",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::Editable,
        short: Some('e'),
        long: &["editable"],
        takes_value: true,
        dest: "editables",
        role: Role::Source,
    },
    OptSpec {
        id: Opt::DryRun,
        short: None,
        long: &["dry-run"],
        takes_value: false,
        dest: "dry_run",
        role: Role::Target,
    },
    OptSpec {
        id: Opt::Target,
        short: Some('t'),
        long: &["target"],
        takes_value: true,
        dest: "target_dir",
        role: Role::Target,
    },
    OptSpec {
        id: Opt::Platform,
        short: None,
        long: &["platform"],
        takes_value: true,
        dest: "platforms",
        role: Role::Target,
    },
    OptSpec {
        id: Opt::PythonVersion,
        short: None,
        long: &["python-version"],
        takes_value: true,
        dest: "python_version",
        role: Role::Target,
    },
    OptSpec {
        id: Opt::Implementation,
        short: None,
        long: &["implementation"],
        takes_value: true,
        dest: "implementation",
        role: Role::Target,
    },
    OptSpec {
        id: Opt::Abi,
        short: None,
        long: &["abi"],
        takes_value: true,
        dest: "abis",
        role: Role::Target,
    },
    OptSpec {
        id: Opt::User,
        short: None,
        long: &["user"],
        takes_value: false,
        dest: "use_user_site",
        role: Role::Target,
    },
    OptSpec {
        id: Opt::NoUser,
        short: None,
        long: &["no-user"],
        takes_value: false,
        dest: "use_user_site",
        role: Role::Target,
    },
    OptSpec {
        id: Opt::Root,
        short: None,
        long: &["root"],
        takes_value: true,
        dest: "root_path",
        role: Role::Target,
    },
    OptSpec {
        id: Opt::Prefix,
        short: None,
        long: &["prefix"],
        takes_value: true,
        dest: "prefix_path",
        role: Role::Target,
    },
    OptSpec {
        id: Opt::Src,
        short: None,
        long: &["src", "source", "source-dir", "source-directory"],
        takes_value: true,
        dest: "src_dir",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::Upgrade,
        short: Some('U'),
        long: &["upgrade"],
        takes_value: false,
        dest: "upgrade",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::UpgradeStrategy,
        short: None,
        long: &["upgrade-strategy"],
        takes_value: true,
        dest: "upgrade_strategy",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::ForceReinstall,
        short: None,
        long: &["force-reinstall"],
        takes_value: false,
        dest: "force_reinstall",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::IgnoreInstalled,
        short: Some('I'),
        long: &["ignore-installed"],
        takes_value: false,
        dest: "ignore_installed",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::IgnoreRequiresPython,
        short: None,
        long: &["ignore-requires-python"],
        takes_value: false,
        dest: "ignore_requires_python",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::NoBuildIsolation,
        short: None,
        long: &["no-build-isolation"],
        takes_value: false,
        dest: "build_isolation",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::UsePep517,
        short: None,
        long: &["use-pep517"],
        takes_value: false,
        dest: "use_pep517",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::CheckBuildDependencies,
        short: None,
        long: &["check-build-dependencies"],
        takes_value: false,
        dest: "check_build_deps",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::BreakSystemPackages,
        short: None,
        long: &["break-system-packages"],
        takes_value: false,
        dest: "override_externally_managed",
        role: Role::Target,
    },
    OptSpec {
        id: Opt::ConfigSettings,
        short: Some('C'),
        long: &["config-settings"],
        takes_value: true,
        dest: "config_settings",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::Compile,
        short: None,
        long: &["compile"],
        takes_value: false,
        dest: "compile",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::NoCompile,
        short: None,
        long: &["no-compile"],
        takes_value: false,
        dest: "compile",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::NoWarnScriptLocation,
        short: None,
        long: &["no-warn-script-location"],
        takes_value: false,
        dest: "warn_script_location",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::NoWarnConflicts,
        short: None,
        long: &["no-warn-conflicts"],
        takes_value: false,
        dest: "warn_about_conflicts",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::RequireHashes,
        short: None,
        long: &["require-hashes"],
        takes_value: false,
        dest: "require_hashes",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::NoRequireHashes,
        short: None,
        long: &["no-require-hashes"],
        takes_value: false,
        dest: "no_require_hashes",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::ProgressBar,
        short: None,
        long: &["progress-bar"],
        takes_value: true,
        dest: "progress_bar",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::RootUserAction,
        short: None,
        long: &["root-user-action"],
        takes_value: true,
        dest: "root_user_action",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::Report,
        short: None,
        long: &["report"],
        takes_value: true,
        dest: "json_report_file",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::Group,
        short: None,
        long: &["group"],
        takes_value: true,
        dest: "dependency_groups",
        role: Role::Source,
    },
    OptSpec {
        id: Opt::NoClean,
        short: None,
        long: &["no-clean"],
        takes_value: false,
        dest: "no_clean",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::Pre,
        short: None,
        long: &["pre"],
        takes_value: false,
        dest: "pre",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::AllReleases,
        short: None,
        long: &["all-releases"],
        takes_value: true,
        dest: "release_control",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::OnlyFinal,
        short: None,
        long: &["only-final"],
        takes_value: true,
        dest: "release_control",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::NoBinary,
        short: None,
        long: &["no-binary"],
        takes_value: true,
        dest: "format_control",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::OnlyBinary,
        short: None,
        long: &["only-binary"],
        takes_value: true,
        dest: "format_control",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::PreferBinary,
        short: None,
        long: &["prefer-binary"],
        takes_value: false,
        dest: "prefer_binary",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::IndexUrl,
        short: Some('i'),
        long: &["index-url", "pypi-url"],
        takes_value: true,
        dest: "index_url",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::ExtraIndexUrl,
        short: None,
        long: &["extra-index-url"],
        takes_value: true,
        dest: "extra_index_urls",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::NoIndex,
        short: None,
        long: &["no-index"],
        takes_value: false,
        dest: "no_index",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::RefreshPackage,
        short: None,
        long: &["refresh-package"],
        takes_value: true,
        dest: "refresh_package",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::FindLinks,
        short: Some('f'),
        long: &["find-links"],
        takes_value: true,
        dest: "find_links",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::UploadedPriorTo,
        short: None,
        long: &["uploaded-prior-to"],
        takes_value: true,
        dest: "uploaded_prior_to",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::Help,
        short: Some('h'),
        long: &["help"],
        takes_value: false,
        dest: "help",
        role: Role::Help,
    },
    OptSpec {
        id: Opt::Debug,
        short: None,
        long: &["debug"],
        takes_value: false,
        dest: "debug_mode",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::Isolated,
        short: None,
        long: &["isolated"],
        takes_value: false,
        dest: "isolated_mode",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::RequireVirtualenv,
        short: None,
        long: &["require-virtualenv", "require-venv"],
        takes_value: false,
        dest: "require_venv",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::Python,
        short: None,
        long: &["python"],
        takes_value: true,
        dest: "python",
        role: Role::Target,
    },
    OptSpec {
        id: Opt::Verbose,
        short: Some('v'),
        long: &["verbose"],
        takes_value: false,
        dest: "verbose",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::Quiet,
        short: Some('q'),
        long: &["quiet"],
        takes_value: false,
        dest: "quiet",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::Log,
        short: None,
        long: &["log", "log-file", "local-log"],
        takes_value: true,
        dest: "log",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::NoInput,
        short: None,
        long: &["no-input"],
        takes_value: false,
        dest: "no_input",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::KeyringProvider,
        short: None,
        long: &["keyring-provider"],
        takes_value: true,
        dest: "keyring_provider",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::Proxy,
        short: None,
        long: &["proxy"],
        takes_value: true,
        dest: "proxy",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::NoProxyEnv,
        short: None,
        long: &["no-proxy-env"],
        takes_value: false,
        dest: "no_proxy_env",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::Retries,
        short: None,
        long: &["retries"],
        takes_value: true,
        dest: "retries",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::Timeout,
        short: None,
        long: &["timeout", "default-timeout"],
        takes_value: true,
        dest: "timeout",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::ExistsAction,
        short: None,
        long: &["exists-action"],
        takes_value: true,
        dest: "exists_action",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::TrustedHost,
        short: None,
        long: &["trusted-host"],
        takes_value: true,
        dest: "trusted_hosts",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::Cert,
        short: None,
        long: &["cert"],
        takes_value: true,
        dest: "cert",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::ClientCert,
        short: None,
        long: &["client-cert"],
        takes_value: true,
        dest: "client_cert",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::CacheDir,
        short: None,
        long: &["cache-dir"],
        takes_value: true,
        dest: "cache_dir",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::NoCacheDir,
        short: None,
        long: &["no-cache-dir"],
        takes_value: false,
        dest: "cache_dir",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::DisablePipVersionCheck,
        short: None,
        long: &["disable-pip-version-check"],
        takes_value: false,
        dest: "disable_pip_version_check",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::NoColor,
        short: None,
        long: &["no-color"],
        takes_value: false,
        dest: "no_color",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::NoPythonVersionWarning,
        short: None,
        long: &["no-python-version-warning"],
        takes_value: false,
        dest: "no_python_version_warning",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::UseFeature,
        short: None,
        long: &["use-feature"],
        takes_value: true,
        dest: "features_enabled",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::UseDeprecated,
        short: None,
        long: &["use-deprecated"],
        takes_value: true,
        dest: "deprecated_features_enabled",
        role: Role::PassOn,
    },
    OptSpec {
        id: Opt::ResumeRetries,
        short: None,
        long: &["resume-retries"],
        takes_value: true,
        dest: "resume_retries",
        role: Role::PassOn,
    },
];

/// `-V/--version`: the one option of pip's main parser that `install` lacks.
pub static VERSION_OPTION: OptSpec = OptSpec {
    id: Opt::Version,
    short: Some('V'),
    long: &["version"],
    takes_value: false,
    dest: "version",
    role: Role::PassOn,
};

/// pip's general options (`-h` … `--resume-retries`): the tail of
/// [`INSTALL_OPTIONS`] from `--help` on, in pip's order.
pub fn general_options() -> impl Iterator<Item = &'static OptSpec> + Clone {
    INSTALL_OPTIONS.iter().skip_while(|s| s.dest != "help")
}

/// The options of pip's main parser (`pip [options] COMMAND`): `-V/--version`
/// and the general options, in pip's order.
pub fn global_options() -> impl Iterator<Item = &'static OptSpec> + Clone {
    std::iter::once(&VERSION_OPTION).chain(general_options())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each table row's id is its primary long name in CamelCase, and each
    /// id names exactly one spelling: `Opt::long` finds it back.
    #[test]
    fn ids_match_the_long_names() {
        let camel = |n: &str| -> String {
            n.split('-')
                .map(|w| {
                    let mut c = w.chars();
                    c.next()
                        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                        .unwrap_or_default()
                })
                .collect()
        };
        for spec in INSTALL_OPTIONS.iter().chain(global_options()) {
            assert_eq!(
                format!("{:?}", spec.id),
                camel(spec.long[0]),
                "{:?}",
                spec.long
            );
            assert_eq!(spec.id.long(), spec.long[0]);
        }
        assert_eq!(Opt::Hash.long(), "hash");
        assert_eq!(Opt::DryRun.long(), "dry-run");
    }
}
