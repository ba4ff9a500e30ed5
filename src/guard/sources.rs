//! pip's configuration, read the way pip 26.3 reads it, so the guard knows
//! what the user's pip would have done.
//!
//! The pip the guard starts reads none of it (`--isolated` and
//! `PIP_CONFIG_FILE=/dev/null`, see [`super::pip_input`]); this module is
//! what lets the guard *plan* those settings instead of silently dropping
//! them:
//!
//! - keys that add requirements (`requirement`, `editable`, `group`,
//!   `requirements-from-script`) make the guard refuse ([`Config::adding`]);
//! - `constraint` files are read and planned like `-c` ([`Config::constraints`]);
//! - `target`/`prefix`/`root`/`user` say where pip would install
//!   ([`Config::location`], [`Config::user`]);
//! - index and network options are vetted and passed on explicitly
//!   ([`Config::carried`]); the rest is reported as not used
//!   ([`Config::ignored`]).
//!
//! pip's sources, lowest precedence first (`configuration.py`): the site
//! files (`$XDG_CONFIG_DIRS/pip/pip.conf`, default `/etc/xdg/pip/pip.conf`,
//! then `/etc/pip.conf`), the user's (`~/.pip/pip.conf`,
//! `$XDG_CONFIG_HOME/pip/pip.conf`; skipped under `--isolated` or when
//! `PIP_CONFIG_FILE` names an existing file), the interpreter's
//! (`<sys.prefix>/pip.conf`), `PIP_CONFIG_FILE` (`/dev/null` turns every file
//! off), then `PIP_*` variables (skipped under `--isolated`). Within them,
//! sections `[global]`, then `[install]`, then the variables; the INI
//! `[DEFAULT]` section's keys appear in every section of its file
//! (`configparser`). Empty values are ignored.

use crate::error::InputError;
use std::path::{Path, PathBuf};

/// Option names (pip's normalized config keys) that add requirements.
pub const ADDING_KEYS: &[&str] = &[
    "requirement",
    "editable",
    "group",
    "requirements-from-script",
];

/// Largest pip configuration file read (pip's own are a few lines).
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// One effective setting for `pip install`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    /// pip's normalized key (`index-url`).
    pub key: String,
    /// The value as pip would see it (multi-line values joined by `\n`).
    pub value: String,
    /// Where it was set: `/etc/pip.conf [install]`, `PIP_INDEX_URL`.
    pub source: String,
    /// The file it was read from (`None` for a variable).
    pub file: Option<PathBuf>,
    /// Its 1-based line in that file.
    pub line: usize,
}

/// Where pip would install, from an option or setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// `--target DIR`.
    Target(String),
    /// `--prefix DIR`.
    Prefix(String),
    /// `--root DIR`.
    Root(String),
}

impl Location {
    /// pip's option name.
    pub fn option(&self) -> &'static str {
        match self {
            Location::Target(_) => "target",
            Location::Prefix(_) => "prefix",
            Location::Root(_) => "root",
        }
    }

    /// The directory.
    pub fn dir(&self) -> &str {
        match self {
            Location::Target(d) | Location::Prefix(d) | Location::Root(d) => d,
        }
    }

    /// From pip's option name and value.
    pub fn from_option(name: &str, value: &str) -> Option<Location> {
        let v = value.to_string();
        match name {
            "target" => Some(Location::Target(v)),
            "prefix" => Some(Location::Prefix(v)),
            "root" => Some(Location::Root(v)),
            _ => None,
        }
    }
}

/// Everything pip's configuration says about an install, in pip's
/// precedence (each key once, the winning value).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// The effective settings.
    pub settings: Vec<Setting>,
}

/// How a vetted option is passed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Carry {
    /// `--name=value`.
    Value,
    /// One `--name=item` per whitespace-separated item (pip's `append`).
    Split,
    /// `--name` when the value is true (pip's `strtobool`).
    Flag,
    /// `--name` when the value is any boolean (pip's `no-cache-dir` callback).
    AnyBool,
}

/// Settings the guard vets and passes on to pip explicitly: where packages
/// come from and how pip talks to the network. Nothing here adds a
/// requirement, changes the interpreter or the install location.
const CARRIED: &[(&str, Carry)] = &[
    ("index-url", Carry::Value),
    ("extra-index-url", Carry::Split),
    ("find-links", Carry::Split),
    ("trusted-host", Carry::Split),
    ("no-index", Carry::Flag),
    ("cert", Carry::Value),
    ("client-cert", Carry::Value),
    ("proxy", Carry::Value),
    ("timeout", Carry::Value),
    ("default-timeout", Carry::Value),
    ("retries", Carry::Value),
    ("keyring-provider", Carry::Value),
    ("pre", Carry::Flag),
    ("prefer-binary", Carry::Flag),
    ("only-binary", Carry::Value),
    ("no-binary", Carry::Value),
    ("cache-dir", Carry::Value),
    ("no-cache-dir", Carry::AnyBool),
    ("disable-pip-version-check", Carry::Flag),
    ("no-input", Carry::Flag),
    ("require-virtualenv", Carry::Flag),
    ("require-venv", Carry::Flag),
    ("progress-bar", Carry::Value),
    ("upgrade-strategy", Carry::Value),
    ("require-hashes", Carry::Flag),
    ("root-user-action", Carry::Value),
    ("no-color", Carry::Flag),
    ("no-warn-script-location", Carry::Flag),
    ("no-deps", Carry::Flag),
    ("no-dependencies", Carry::Flag),
];

/// Settings the guard decides itself (interpreter, location, isolation):
/// planned by the guard, never passed on, never reported as ignored.
const DECIDED: &[&str] = &[
    "requirement",
    "editable",
    "group",
    "requirements-from-script",
    "constraint",
    "target",
    "prefix",
    "root",
    "user",
    "no-user",
    "break-system-packages",
    "python",
    "isolated",
    "config-file",
];

/// pip's `strtobool`.
pub fn strtobool(v: &str) -> Option<bool> {
    match v.to_lowercase().as_str() {
        "y" | "yes" | "t" | "true" | "on" | "1" => Some(true),
        "n" | "no" | "f" | "false" | "off" | "0" => Some(false),
        _ => None,
    }
}

impl Config {
    /// The effective value of `key`, if set.
    pub fn get(&self, key: &str) -> Option<&Setting> {
        self.settings.iter().find(|s| s.key == key)
    }

    /// Settings that would add requirements pip-guard does not plan.
    pub fn adding(&self) -> Vec<&Setting> {
        self.settings
            .iter()
            .filter(|s| ADDING_KEYS.contains(&s.key.as_str()))
            .collect()
    }

    /// Constraint files (pip splits the value on whitespace), with the
    /// setting that named them.
    pub fn constraints(&self) -> Vec<(String, &Setting)> {
        self.get("constraint")
            .map(|s| {
                s.value
                    .split_whitespace()
                    .map(|f| (f.to_string(), s))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// An install location set by `target`, `prefix` or `root` (the first
    /// of those, in that order, as pip checks them).
    pub fn location(&self) -> Option<(Location, &Setting)> {
        ["target", "prefix", "root"].iter().find_map(|k| {
            let s = self.get(k)?;
            Some((Location::from_option(k, &s.value)?, s))
        })
    }

    /// `user = true` (pip's `--user`), unless `no-user` wins.
    pub fn user(&self) -> Option<&Setting> {
        let s = self.get("user")?;
        (strtobool(&s.value) == Some(true)).then_some(s)
    }

    /// The vetted settings as pip options (`--index-url=…`), skipping store
    /// options the command line sets itself (`on_command_line(name)`): for
    /// those the command line wins, as in pip. Append options are kept: pip
    /// extends the configured list with the command line's.
    pub fn carried(&self, on_command_line: &dyn Fn(&str) -> bool) -> Vec<String> {
        let mut out = Vec::new();
        for s in &self.settings {
            let Some((_, how)) = CARRIED.iter().find(|(k, _)| *k == s.key) else {
                continue;
            };
            let name = canonical_name(&s.key);
            match how {
                Carry::Value if !on_command_line(name) => {
                    out.push(format!("--{name}={}", s.value.trim()));
                }
                Carry::Value => {}
                Carry::Split => {
                    for item in s.value.split_whitespace() {
                        out.push(format!("--{name}={item}"));
                    }
                }
                Carry::Flag => {
                    if strtobool(&s.value) == Some(true) {
                        out.push(format!("--{name}"));
                    }
                }
                Carry::AnyBool => {
                    if strtobool(&s.value).is_some() {
                        out.push(format!("--{name}"));
                    }
                }
            }
        }
        out
    }

    /// Settings neither carried nor decided by the guard: the isolated pip
    /// does not see them (the guard says so).
    pub fn ignored(&self) -> Vec<&Setting> {
        self.settings
            .iter()
            .filter(|s| {
                !CARRIED.iter().any(|(k, _)| *k == s.key) && !DECIDED.contains(&s.key.as_str())
            })
            .collect()
    }
}

/// The primary spelling of an alias pip accepts in config files.
fn canonical_name(key: &str) -> &str {
    match key {
        "default-timeout" => "timeout",
        "require-venv" => "require-virtualenv",
        "no-dependencies" => "no-deps",
        other => other,
    }
}

/// pip's config-key normalization: lowercase, `_` → `-`, no leading `--`.
pub fn normalize_key(k: &str) -> String {
    let k = k.to_lowercase().replace('_', "-");
    k.strip_prefix("--").unwrap_or(&k).to_string()
}

/// One `key = value` of an INI file, with its section and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IniEntry {
    /// The section (`DEFAULT` for the default section).
    pub section: String,
    /// The normalized key.
    pub key: String,
    /// The value, continuation lines joined by `\n`.
    pub value: String,
    /// 1-based line of the key.
    pub line: usize,
}

/// A file pip would fail to load (`configparser.Error`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IniError {
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Parse INI text as Python's `configparser.RawConfigParser` does with
/// pip's settings (delimiters `=` and `:`, full-line `#`/`;` comments,
/// continuation lines indented deeper than their key, empty lines kept
/// inside values, strict: no duplicate section or key), then give each
/// real section the `[DEFAULT]` keys it does not set itself, as
/// `parser.items(section)` does. Returns the entries of every section but
/// `DEFAULT`.
pub fn parse_ini(text: &str) -> Result<Vec<IniEntry>, IniError> {
    struct Raw {
        section: String,
        key: String,
        lines: Vec<String>,
        line: usize,
    }
    let mut raws: Vec<Raw> = Vec::new();
    let mut sections: Vec<String> = Vec::new();
    let mut section: Option<String> = None;
    let mut current: Option<usize> = None; // index into raws: the open option
    let mut indent_level = 0usize;
    // Python's str.splitlines-like iteration over file lines (\n, \r\n).
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let n = i + 1;
        let line = line.trim_end_matches(['\n', '\r']);
        let stripped = line.trim();
        let comment = stripped.starts_with('#') || stripped.starts_with(';');
        let value = if comment { "" } else { stripped };
        if value.is_empty() {
            if !comment {
                if let Some(c) = current {
                    raws[c].lines.push(String::new());
                }
            }
            continue;
        }
        let cur_indent = line.len() - line.trim_start().len();
        if section.is_some() && current.is_some() && cur_indent > indent_level {
            if let Some(c) = current {
                raws[c].lines.push(value.to_string());
            }
            continue;
        }
        indent_level = cur_indent;
        if let Some(header) = value
            .strip_prefix('[')
            .and_then(|rest| rest.rfind(']').map(|end| &rest[..end]))
            .filter(|h| !h.is_empty())
        {
            if header != "DEFAULT" {
                if sections.iter().any(|s| s == header) {
                    return Err(IniError {
                        line: n,
                        message: format!("section [{header}] appears twice"),
                    });
                }
                sections.push(header.to_string());
            }
            section = Some(header.to_string());
            current = None;
            continue;
        }
        let Some(sect) = &section else {
            return Err(IniError {
                line: n,
                message: "a key before any [section] header".into(),
            });
        };
        let Some(d) = value.find(['=', ':']) else {
            return Err(IniError {
                line: n,
                message: "a line that is neither `key = value` nor a [section]".into(),
            });
        };
        let key = value[..d].trim_end();
        if key.is_empty() {
            return Err(IniError {
                line: n,
                message: "a line with no key before its `=`".into(),
            });
        }
        let key = normalize_key(key);
        if raws.iter().any(|r| &r.section == sect && r.key == key) {
            return Err(IniError {
                line: n,
                message: format!("the key `{key}` appears twice in [{sect}]"),
            });
        }
        raws.push(Raw {
            section: sect.clone(),
            key,
            lines: vec![value[d + 1..].trim().to_string()],
            line: n,
        });
        current = Some(raws.len() - 1);
    }
    let joined = |r: &Raw| r.lines.join("\n").trim_end().to_string();
    let mut out = Vec::new();
    for s in &sections {
        for r in raws.iter().filter(|r| &r.section == s) {
            out.push(IniEntry {
                section: s.clone(),
                key: r.key.clone(),
                value: joined(r),
                line: r.line,
            });
        }
        for d in raws.iter().filter(|r| r.section == "DEFAULT") {
            if !raws.iter().any(|r| &r.section == s && r.key == d.key) {
                out.push(IniEntry {
                    section: s.clone(),
                    key: d.key.clone(),
                    value: joined(d),
                    line: d.line,
                });
            }
        }
    }
    Ok(out)
}

/// pip's config files in pip's order (see the module doc). `prefix` is
/// the interpreter's `sys.prefix`, when known.
pub fn config_files(
    env: &dyn Fn(&str) -> Option<String>,
    prefix: Option<&Path>,
    isolated: bool,
) -> Vec<PathBuf> {
    let env_file = env("PIP_CONFIG_FILE");
    if env_file.as_deref() == Some("/dev/null") {
        return Vec::new();
    }
    let mut v = Vec::new();
    let xdg_dirs = env("XDG_CONFIG_DIRS")
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "/etc/xdg".into());
    for d in xdg_dirs.split(':') {
        v.push(Path::new(d).join("pip").join("pip.conf"));
    }
    v.push(PathBuf::from("/etc/pip.conf"));
    let env_exists = env_file
        .as_deref()
        .is_some_and(|f| !f.is_empty() && Path::new(f).exists());
    if !isolated && !env_exists {
        if let Some(home) = env("HOME").filter(|h| !h.is_empty()) {
            v.push(Path::new(&home).join(".pip").join("pip.conf"));
            let xdg = env("XDG_CONFIG_HOME")
                .filter(|x| !x.trim().is_empty())
                .map(PathBuf::from)
                .unwrap_or_else(|| Path::new(&home).join(".config"));
            v.push(xdg.join("pip").join("pip.conf"));
        }
    }
    if let Some(p) = prefix {
        v.push(p.join("pip.conf"));
    }
    if let Some(f) = env_file.filter(|f| !f.is_empty()) {
        v.push(PathBuf::from(f));
    }
    v
}

/// Read one config file as pip would: a missing file is no file; anything
/// but a regular file, a file over [`MAX_CONFIG_BYTES`], bad UTF-8 or bad
/// INI is an error (pip too stops on a file it cannot load).
fn read_config(path: &Path) -> Result<Option<String>, InputError> {
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(None);
    };
    let show = path.display();
    if !meta.is_file() {
        return Err(InputError::new(format!(
            "pip configuration {show} is not a regular file; pip-guard does not read it"
        )));
    }
    if meta.len() > MAX_CONFIG_BYTES {
        return Err(InputError::new(format!(
            "pip configuration {show} is larger than {MAX_CONFIG_BYTES} bytes"
        )));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| InputError::new(format!("cannot read pip configuration {show}: {e}")))?;
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| InputError::new(format!("pip configuration {show} is not valid UTF-8")))
}

/// The effective configuration for `pip install` (see the module doc).
pub fn read(
    env: &dyn Fn(&str) -> Option<String>,
    vars: &[(String, String)],
    prefix: Option<&Path>,
    isolated: bool,
) -> Result<Config, InputError> {
    read_files(&config_files(env, prefix, isolated), vars, isolated)
}

/// [`read`] over the given files (in pip's order) and variables.
pub fn read_files(
    files: &[PathBuf],
    vars: &[(String, String)],
    isolated: bool,
) -> Result<Config, InputError> {
    // (section rank, key) → setting; later sources override.
    let mut by_section: Vec<(usize, Setting)> = Vec::new();
    let mut put = |rank: usize, s: Setting| {
        if let Some(slot) = by_section
            .iter_mut()
            .find(|(r, x)| *r == rank && x.key == s.key)
        {
            slot.1 = s;
        } else {
            by_section.push((rank, s));
        }
    };
    for f in files {
        let Some(text) = read_config(f)? else {
            continue;
        };
        let entries = parse_ini(&text).map_err(|e| {
            InputError::new(format!(
                "{}:{}: pip cannot load this configuration file: {}",
                f.display(),
                e.line,
                e.message
            ))
        })?;
        for e in entries {
            let rank = match e.section.as_str() {
                "global" => 0,
                "install" => 1,
                _ => continue,
            };
            put(
                rank,
                Setting {
                    source: format!("{}:{} [{}]", f.display(), e.line, e.section),
                    key: e.key,
                    value: e.value,
                    file: Some(f.clone()),
                    line: e.line,
                },
            );
        }
    }
    if !isolated {
        for (k, v) in vars {
            let Some(rest) = k.strip_prefix("PIP_") else {
                continue;
            };
            let key = normalize_key(rest);
            if key == "version" || key == "help" || key.starts_with("guard-") {
                continue;
            }
            put(
                2,
                Setting {
                    key,
                    value: v.clone(),
                    source: format!("the environment variable {k}"),
                    file: None,
                    line: 0,
                },
            );
        }
    }
    // pip drops empty values, then applies global < install < environment.
    let mut settings: Vec<Setting> = Vec::new();
    by_section.sort_by_key(|(r, _)| *r);
    for (_, s) in by_section.into_iter().filter(|(_, s)| !s.value.is_empty()) {
        settings.retain(|x| x.key != s.key);
        settings.push(s);
    }
    Ok(Config { settings })
}

/// A virtualenv's `sys.prefix`: the directory of its `pyvenv.cfg`, next to
/// the interpreter or one level up (PEP 405).
pub fn venv_prefix(python: &Path) -> Option<PathBuf> {
    let dir = python.parent()?;
    [Some(dir), dir.parent()]
        .into_iter()
        .flatten()
        .find(|d| d.join("pyvenv.cfg").is_file())
        .map(Path::to_path_buf)
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

    fn keys(ini: &str) -> Vec<(String, String, String)> {
        parse_ini(ini)
            .expect("parses")
            .into_iter()
            .map(|e| (e.section, e.key, e.value))
            .collect()
    }

    fn t(s: &str, k: &str, v: &str) -> (String, String, String) {
        (s.into(), k.into(), v.into())
    }

    #[test]
    fn ini_like_configparser() {
        assert_eq!(
            keys("[global]\nindex-url = https://x\nRequirement= a.txt\n\n[install]\n# requirement = no\neditable:\n   ./pkg\n"),
            [
                t("global", "index-url", "https://x"),
                t("global", "requirement", "a.txt"),
                t("install", "editable", "\n./pkg"),
            ]
        );
        // DEFAULT keys show up in every real section, even an empty one.
        assert_eq!(
            keys("[DEFAULT]\nrequirement = evil.txt\n[install]\n"),
            [t("install", "requirement", "evil.txt")]
        );
        assert_eq!(keys("[DEFAULT]\nrequirement = evil.txt\n"), []);
        // An indented key right after a header is a key, not a continuation.
        assert_eq!(
            keys("[install]\n  requirement = evil.txt\n"),
            [t("install", "requirement", "evil.txt")]
        );
        // Deeper indentation after a key continues its value.
        assert_eq!(
            keys("[install]\nfind-links = a\n   requirement = b\n"),
            [t("install", "find-links", "a\nrequirement = b")]
        );
        assert_eq!(
            keys("[install]\nREQUIREMENTS_FROM_SCRIPT = s.py\n"),
            [t("install", "requirements-from-script", "s.py")]
        );
        assert!(parse_ini("requirement = x\n").is_err());
        assert!(parse_ini("[install]\nuser = 1\nuser = 0\n").is_err());
        assert!(parse_ini("[install]\njust words\n").is_err());
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
        // --isolated drops the user's files only; the site files and
        // PIP_CONFIG_FILE are still pip's.
        let f = config_files(&env, None, true);
        assert_eq!(f.len(), 3, "{f:?}");
        assert!(config_files(
            &|k| (k == "PIP_CONFIG_FILE").then(|| "/dev/null".into()),
            None,
            false
        )
        .is_empty());
    }

    #[test]
    fn precedence_and_carry_over() {
        let dir = tempfile::tempdir().expect("tmp");
        let conf = dir.path().join("pip.conf");
        std::fs::write(
            &conf,
            "[global]\nindex-url = https://g/simple\nextra-index-url = https://a https://b\n\
             timeout = 5\n[install]\nindex-url = https://i/simple\nno-index = yes\n\
             constraint = c1.txt c2.txt\nsrc = /x\n",
        )
        .expect("write");
        let files = [conf];
        let vars = vec![
            ("PIP_TIMEOUT".to_string(), "9".to_string()),
            ("PIP_TARGET".to_string(), "/t".to_string()),
            ("PIP_GUARD_YES".to_string(), "1".to_string()),
            ("PIP_USER".to_string(), "".to_string()),
        ];
        let cfg = read_files(&files, &vars, false).expect("reads");
        assert_eq!(
            cfg.get("index-url").map(|s| s.value.as_str()),
            Some("https://i/simple")
        );
        assert_eq!(cfg.get("timeout").map(|s| s.value.as_str()), Some("9"));
        assert_eq!(
            cfg.location().map(|(l, _)| l),
            Some(Location::Target("/t".into()))
        );
        assert!(cfg.user().is_none(), "an empty value is no value");
        assert_eq!(
            cfg.constraints()
                .into_iter()
                .map(|(f, _)| f)
                .collect::<Vec<_>>(),
            ["c1.txt", "c2.txt"]
        );
        let carried = cfg.carried(&|n| n == "timeout");
        assert_eq!(
            carried,
            [
                "--extra-index-url=https://a",
                "--extra-index-url=https://b",
                "--index-url=https://i/simple",
                "--no-index",
            ]
        );
        let ignored: Vec<&str> = cfg.ignored().iter().map(|s| s.key.as_str()).collect();
        assert_eq!(ignored, ["src"]);
        // Isolated: no variables.
        let cfg = read_files(&files, &vars, true).expect("reads");
        assert!(cfg.location().is_none());
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
