//! Requirement sources pip reads from outside the command line.
//!
//! pip turns every `PIP_<OPTION>` variable and every `[global]`/`[install]`
//! key of its config files into a default for the option of that long name
//! (`ConfigOptionParser._update_defaults`, pip 26.3); for the `append`
//! options the default list is then extended by the command line. Four
//! install options add requirements that way: `requirement`, `editable`,
//! `group` and `requirements-from-script`. pip-guard would not see them in
//! its plan, so the guard refuses to go on while one is set, and strips the
//! variables from every pip it starts. (`constraint` only limits versions:
//! it is left alone.)

use std::path::{Path, PathBuf};

/// Option names (pip's normalized config keys) that add requirements.
pub const ADDING_KEYS: &[&str] = &[
    "requirement",
    "editable",
    "group",
    "requirements-from-script",
];

/// Variables removed from the environment of every pip the guard starts on
/// an install: the requirement-adding ones, and those that would send pip
/// to another interpreter or location than the one planned for.
pub const CHILD_ENV_REMOVE: &[&str] = &[
    "PIP_REQUIREMENT",
    "PIP_EDITABLE",
    "PIP_GROUP",
    "PIP_REQUIREMENTS_FROM_SCRIPT",
    "PIP_PYTHON",
    "PIP_TARGET",
    "PIP_PREFIX",
    "PIP_ROOT",
];

/// A setting that would add requirements behind the plan's back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// `PIP_REQUIREMENT`, or `/etc/pip.conf [install] requirement`.
    pub what: String,
}

/// pip's config-key normalization: lowercase, `_` → `-`, no leading `--`.
pub fn normalize_key(k: &str) -> String {
    let k = k.trim().to_lowercase().replace('_', "-");
    k.strip_prefix("--").unwrap_or(&k).to_string()
}

/// Requirement-adding `PIP_*` variables among `vars` (name, value); empty
/// values are ignored, as pip ignores them.
pub fn from_env<'a>(vars: impl IntoIterator<Item = (&'a str, &'a str)>) -> Vec<Found> {
    let mut out = Vec::new();
    for (k, v) in vars {
        let Some(rest) = k.strip_prefix("PIP_") else {
            continue;
        };
        if v.is_empty() {
            continue;
        }
        if ADDING_KEYS.contains(&normalize_key(rest).as_str()) {
            out.push(Found {
                what: format!("the environment variable {k}"),
            });
        }
    }
    out
}

/// Keys of sections `global` and `install` that add requirements, in an
/// INI text as Python's `configparser` reads it (`key = value`, `key: value`,
/// indented continuation lines, `#`/`;` comment lines).
pub fn from_ini(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut section = String::new();
    let mut pending: Option<(String, String, bool)> = None; // (section, key, has value)
    let flush = |p: &mut Option<(String, String, bool)>, out: &mut Vec<(String, String)>| {
        if let Some((s, k, has)) = p.take() {
            if has && (s == "global" || s == "install") && ADDING_KEYS.contains(&k.as_str()) {
                out.push((s, k));
            }
        }
    };
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if let Some(p) = &mut pending {
                p.2 = true; // a continuation line gives the key a value
            }
            continue;
        }
        flush(&mut pending, &mut out);
        if let Some(name) = trimmed.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            section = name.trim().to_string();
            continue;
        }
        let split = trimmed.find(['=', ':']);
        let (k, v) = match split {
            Some(i) => (&trimmed[..i], trimmed[i + 1..].trim()),
            None => (trimmed, ""),
        };
        pending = Some((section.clone(), normalize_key(k), !v.is_empty()));
    }
    flush(&mut pending, &mut out);
    out
}

/// pip's config files on Linux/macOS-like systems, in pip's order: the
/// site-wide ones (`$XDG_CONFIG_DIRS/pip/pip.conf` or `/etc/xdg/pip/pip.conf`,
/// then `/etc/pip.conf`), the user's (`~/.pip/pip.conf`,
/// `$XDG_CONFIG_HOME/pip/pip.conf`), the interpreter's (`<prefix>/pip.conf`),
/// and `PIP_CONFIG_FILE`. `isolated` (pip's `--isolated`) drops the user's.
pub fn config_files(
    env: &dyn Fn(&str) -> Option<String>,
    prefix: Option<&Path>,
    isolated: bool,
) -> Vec<PathBuf> {
    let env_file = env("PIP_CONFIG_FILE").filter(|v| !v.is_empty());
    if env_file.as_deref() == Some("/dev/null") {
        return Vec::new();
    }
    let mut v = Vec::new();
    let xdg_dirs = env("XDG_CONFIG_DIRS")
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "/etc/xdg".into());
    for d in xdg_dirs.split(':').filter(|d| !d.is_empty()) {
        v.push(Path::new(d).join("pip").join("pip.conf"));
    }
    v.push(PathBuf::from("/etc/pip.conf"));
    let env_exists = env_file.as_deref().is_some_and(|f| Path::new(f).exists());
    if !isolated && !env_exists {
        if let Some(home) = env("HOME").filter(|h| !h.is_empty()) {
            v.push(Path::new(&home).join(".pip").join("pip.conf"));
            let xdg = env("XDG_CONFIG_HOME")
                .filter(|x| !x.is_empty())
                .map(PathBuf::from)
                .unwrap_or_else(|| Path::new(&home).join(".config"));
            v.push(xdg.join("pip").join("pip.conf"));
        }
    }
    if let Some(p) = prefix {
        v.push(p.join("pip.conf"));
    }
    if let Some(f) = env_file {
        v.push(PathBuf::from(f));
    }
    v
}

/// Everything that would add requirements outside the command line.
/// `prefix` is the interpreter's `sys.prefix`, when known.
pub fn scan(
    env: &dyn Fn(&str) -> Option<String>,
    vars: &[(String, String)],
    prefix: Option<&Path>,
    isolated: bool,
) -> Vec<Found> {
    let mut found = if isolated {
        Vec::new()
    } else {
        from_env(vars.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    };
    for f in config_files(env, prefix, isolated) {
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue;
        };
        for (section, key) in from_ini(&text) {
            found.push(Found {
                what: format!("{} [{section}] {key}", f.display()),
            });
        }
    }
    found
}

/// `sys.prefix` from the stdlib directory (`<prefix>/lib/pythonX.Y`).
pub fn prefix_from_stdlib(stdlib: &str) -> Option<PathBuf> {
    let p = Path::new(stdlib);
    let lib = p.parent()?;
    (lib.file_name()? == "lib").then(|| lib.parent().map(Path::to_path_buf))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_vars_that_add_requirements() {
        let vars = [
            ("PIP_REQUIREMENT", "x.txt"),
            ("PIP_CONSTRAINT", "c.txt"),
            ("PIP_EDITABLE", ""),
            ("PIP_REQUIREMENTS_FROM_SCRIPT", "s.py"),
            ("PIP_GROUP", "pyproject.toml:dev"),
            ("PIP_INDEX_URL", "https://x"),
        ];
        let f: Vec<String> = from_env(vars).into_iter().map(|f| f.what).collect();
        assert_eq!(
            f,
            [
                "the environment variable PIP_REQUIREMENT",
                "the environment variable PIP_REQUIREMENTS_FROM_SCRIPT",
                "the environment variable PIP_GROUP"
            ]
        );
    }

    #[test]
    fn ini_keys() {
        let ini = "[global]\nindex-url = https://x\nRequirement= a.txt\n\n[install]\n# requirement = no\neditable:\n   ./pkg\ngroup =\n[freeze]\nrequirement = f.txt\n";
        assert_eq!(
            from_ini(ini),
            [
                ("global".to_string(), "requirement".to_string()),
                ("install".to_string(), "editable".to_string())
            ]
        );
        assert_eq!(
            from_ini("[install]\nrequirements_from_script = s.py\n"),
            [(
                "install".to_string(),
                "requirements-from-script".to_string()
            )]
        );
    }

    #[test]
    fn files_in_pips_order() {
        let env = |k: &str| match k {
            "HOME" => Some("/h".to_string()),
            "PIP_CONFIG_FILE" => Some("/tmp/pip-guard-no-such.conf".to_string()),
            _ => None,
        };
        let f = config_files(&env, Some(Path::new("/usr")), false);
        let f: Vec<String> = f.iter().map(|p| p.display().to_string()).collect();
        assert_eq!(
            f,
            [
                "/etc/xdg/pip/pip.conf",
                "/etc/pip.conf",
                "/h/.pip/pip.conf",
                "/h/.config/pip/pip.conf",
                "/usr/pip.conf",
                "/tmp/pip-guard-no-such.conf"
            ]
        );
        assert!(config_files(
            &|k| (k == "PIP_CONFIG_FILE").then(|| "/dev/null".into()),
            None,
            false
        )
        .is_empty());
    }

    #[test]
    fn prefix() {
        assert_eq!(
            prefix_from_stdlib("/usr/lib/python3.11"),
            Some(PathBuf::from("/usr"))
        );
        assert_eq!(prefix_from_stdlib("/weird"), None);
    }
}
