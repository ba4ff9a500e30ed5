//! What pip-guard reads from its process at start-up, read once, at the
//! edge, and passed down (the way ripgrep builds its `HiArgs`).
//!
//! [`Settings::from_process`] is the only place in `src/` that reads the
//! command line, the environment, the working directory or the executable's
//! path (checked by
//! `tests/architecture.rs`). Everything below the entry point takes what it
//! needs from a [`Settings`] or from its [`Env`] snapshot, so a test can
//! give any part of the program an environment without touching the
//! process's own.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

/// A snapshot of the process environment, taken once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Env {
    vars: BTreeMap<OsString, OsString>,
}

impl Env {
    /// The process environment as it is now (called once, by
    /// [`Settings::from_process`]).
    fn from_process() -> Env {
        Env::from_pairs(std::env::vars_os())
    }

    /// An environment holding exactly `pairs` (tests; a later duplicate
    /// wins, as with `env`).
    pub fn from_pairs<I, K, V>(pairs: I) -> Env
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<OsString>,
        V: Into<OsString>,
    {
        Env {
            vars: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    /// The raw value of `key`, set or empty.
    pub fn get_os(&self, key: &str) -> Option<&OsStr> {
        self.vars.get(OsStr::new(key)).map(OsString::as_os_str)
    }

    /// The value of `key` when set and valid UTF-8 (empty included).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.get_os(key).and_then(OsStr::to_str)
    }

    /// The value of `key` when set, valid UTF-8 and not empty.
    pub fn nonempty(&self, key: &str) -> Option<&str> {
        self.get(key).filter(|v| !v.is_empty())
    }

    /// The raw value of `key` when set and not empty.
    pub fn nonempty_os(&self, key: &str) -> Option<&OsStr> {
        self.get_os(key).filter(|v| !v.is_empty())
    }

    /// A getter closure over [`Env::get`] (owned values), for parsers that
    /// take one.
    pub fn getter(&self) -> impl Fn(&str) -> Option<String> + '_ {
        move |k| self.get(k).map(str::to_string)
    }

    /// Every variable, in byte order of the names.
    pub fn iter(&self) -> impl Iterator<Item = (&OsStr, &OsStr)> {
        self.vars
            .iter()
            .map(|(k, v)| (k.as_os_str(), v.as_os_str()))
    }

    /// Every variable, names and values converted to UTF-8 lossily (an
    /// invalid byte becomes U+FFFD, so it is seen, never a crash), in byte
    /// order of the names.
    pub fn lossy_pairs(&self) -> Vec<(String, String)> {
        self.iter()
            .map(|(k, v)| {
                (
                    k.to_string_lossy().into_owned(),
                    v.to_string_lossy().into_owned(),
                )
            })
            .collect()
    }
}

/// The per-user directories pip-guard uses, found once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dirs {
    /// The home directory.
    pub home: Option<PathBuf>,
    /// pip-guard's cache: `$PIP_GUARD_CACHE_DIR`, else the XDG cache dir
    /// (`$XDG_CACHE_HOME/pip-guard`, `~/.cache/pip-guard`).
    pub cache: Option<PathBuf>,
    /// pip-guard's configuration directory (`$XDG_CONFIG_HOME/pip-guard`).
    pub config: Option<PathBuf>,
    /// pip-guard's state directory (`$XDG_STATE_HOME/pip-guard`, else
    /// `~/.local/state/pip-guard`).
    pub state: Option<PathBuf>,
}

impl Dirs {
    /// The directories `env` names, by the XDG rules (`directories`'
    /// rules, applied to the snapshot instead of the live environment).
    pub fn from_env(env: &Env) -> Dirs {
        let get = |k: &str| env.get_os(k).map(OsString::from);
        let home = absolute(&get, "HOME")
            .or_else(|| directories::BaseDirs::new().map(|b| b.home_dir().into()));
        let home = home.as_deref();
        Dirs {
            cache: cache_dir(&get, home),
            config: xdg_dir(&get, home, "XDG_CONFIG_HOME", ".config"),
            state: xdg_dir(&get, home, "XDG_STATE_HOME", ".local/state"),
            home: home.map(Path::to_path_buf),
        }
    }
}

/// The value of `var` when it is an absolute path (the XDG rule: a
/// relative value is ignored).
fn absolute(get: &dyn Fn(&str) -> Option<OsString>, var: &str) -> Option<PathBuf> {
    get(var).map(PathBuf::from).filter(|p| p.is_absolute())
}

/// pip-guard's directory under one XDG base: `$VAR/pip-guard` when `VAR`
/// is absolute, else `HOME/FALLBACK/pip-guard`; none without either.
pub fn xdg_dir(
    get: &dyn Fn(&str) -> Option<OsString>,
    home: Option<&Path>,
    var: &str,
    fallback: &str,
) -> Option<PathBuf> {
    absolute(get, var)
        .or_else(|| home.map(|h| h.join(fallback)))
        .map(|d| d.join("pip-guard"))
}

/// pip-guard's cache directory: `$PIP_GUARD_CACHE_DIR` when set and not
/// empty, else [`xdg_dir`] of `XDG_CACHE_HOME` (`HOME/.cache`). The one
/// rule for every cache (index, interpreter probes).
pub fn cache_dir(get: &dyn Fn(&str) -> Option<OsString>, home: Option<&Path>) -> Option<PathBuf> {
    get("PIP_GUARD_CACHE_DIR")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| xdg_dir(get, home, "XDG_CACHE_HOME", ".cache"))
}

/// Everything pip-guard takes from its process, read at start-up.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// The command line, program name first.
    pub argv: Vec<OsString>,
    /// The environment.
    pub env: Env,
    /// The working directory, when it can be read (a deleted working
    /// directory is an error only for the commands that need one).
    pub cwd: Option<PathBuf>,
    /// pip-guard's own executable, when known.
    pub self_exe: Option<PathBuf>,
    /// The per-user directories.
    pub dirs: Dirs,
}

impl Settings {
    /// Read the process: command line, environment, working directory,
    /// executable.
    pub fn from_process() -> Settings {
        let env = Env::from_process();
        Settings {
            argv: std::env::args_os().collect(),
            dirs: Dirs::from_env(&env),
            cwd: std::env::current_dir().ok(),
            self_exe: std::env::current_exe().ok(),
            env,
        }
    }

    /// The working directory, or an error saying it cannot be read.
    pub fn cwd(&self) -> std::io::Result<&Path> {
        self.cwd.as_deref().ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "the current directory cannot be read (was it deleted?)",
            )
        })
    }

    /// `PIP_GUARD_PYTHON`: the interpreter pip-guard judges when nothing
    /// on the command line names one (not empty).
    pub fn guard_python(&self) -> Option<&str> {
        self.env.nonempty("PIP_GUARD_PYTHON")
    }

    /// `PATH`.
    pub fn path(&self) -> Option<&OsStr> {
        self.env.get_os("PATH")
    }

    /// Whether the wheel check and the import check run
    /// (`PIP_GUARD_WHEEL_CHECK=0` turns them off).
    pub fn wheel_check(&self) -> bool {
        self.env.get("PIP_GUARD_WHEEL_CHECK") != Some("0")
    }

    /// Whether this process writes to a GitHub Actions log
    /// (`GITHUB_ACTIONS=true`, set by the runner).
    pub fn github_actions(&self) -> bool {
        self.env.get_os("GITHUB_ACTIONS") == Some(OsStr::new("true"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_lookups() {
        let env = Env::from_pairs([("A", "1"), ("E", ""), ("A", "2")]);
        assert_eq!(env.get("A"), Some("2"));
        assert_eq!(env.get("E"), Some(""));
        assert_eq!(env.nonempty("E"), None);
        assert_eq!(env.get("B"), None);
        assert_eq!(env.lossy_pairs().len(), 2);
    }

    #[test]
    fn dirs_follow_xdg_and_the_override() {
        let env = Env::from_pairs([("HOME", "/h"), ("XDG_STATE_HOME", "/s")]);
        let d = Dirs::from_env(&env);
        assert_eq!(d.cache, Some(PathBuf::from("/h/.cache/pip-guard")));
        assert_eq!(d.config, Some(PathBuf::from("/h/.config/pip-guard")));
        assert_eq!(d.state, Some(PathBuf::from("/s/pip-guard")));
        // A relative XDG value is ignored (the XDG spec), the override is not.
        let env = Env::from_pairs([
            ("HOME", "/h"),
            ("XDG_CACHE_HOME", "rel"),
            ("XDG_CONFIG_HOME", "/c"),
        ]);
        let d = Dirs::from_env(&env);
        assert_eq!(d.cache, Some(PathBuf::from("/h/.cache/pip-guard")));
        assert_eq!(d.config, Some(PathBuf::from("/c/pip-guard")));
        let env = Env::from_pairs([("HOME", "/h"), ("PIP_GUARD_CACHE_DIR", "/x")]);
        assert_eq!(Dirs::from_env(&env).cache, Some(PathBuf::from("/x")));
    }
}
