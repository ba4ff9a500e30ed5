//! Everything the index reads from the process environment, as plain
//! data: where the caches are, how to reach the user's nixpkgs (`NIX_PATH`,
//! the flake registries, the store), the `nix-instantiate` timeout.
//! The index reads none of them itself: [`Environment::from_settings`]
//! takes them from what `src/settings.rs` read at start-up, and the rest of
//! the index takes an [`Environment`], so tests can hand it a made-up one
//! ([`Environment::from_env`]).

use crate::settings::Settings;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The environment variables the index depends on, read once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Environment {
    /// pip-guard's cache directory: `$PIP_GUARD_CACHE_DIR` when set and not
    /// empty, else `$XDG_CACHE_HOME/pip-guard` (an absolute
    /// `XDG_CACHE_HOME`), else `~/.cache/pip-guard`; none without a home.
    pub cache_dir: Option<PathBuf>,
    /// `$PIP_GUARD_NIX_TIMEOUT`, when it is a valid duration: the bound on
    /// the `nix-instantiate` call.
    pub nix_timeout: Option<Duration>,
    /// `$NIX_PATH` (empty when unset or not UTF-8).
    pub nix_path: String,
    /// `$PATH`, where `nix-instantiate` is looked for.
    pub path: Option<OsString>,
    /// `$HOME` as set (possibly empty): its `.nix-defexpr/channels`, and
    /// `.config` when `XDG_CONFIG_HOME` is not set.
    pub home: Option<PathBuf>,
    /// `$XDG_CONFIG_HOME`, when set and not empty (the user's flake registry).
    pub xdg_config_home: Option<PathBuf>,
    /// `$NIX_CONF_DIR`, when set and not empty (the system's flake registry).
    pub nix_conf_dir: Option<PathBuf>,
    /// `$NIX_STORE_DIR`, when set and not empty (the Nix store directory).
    pub nix_store_dir: Option<PathBuf>,
    /// The working directory (a `flake.lock` at or above it names the
    /// project's nixpkgs); `None`: it cannot be read, `/` is used.
    pub cwd: Option<PathBuf>,
}

impl Environment {
    /// The values `get` gives for each variable (pip-guard's settings in
    /// [`Environment::from_settings`], made-up ones in tests), and no
    /// working directory. The cache directory follows the XDG rule with
    /// `$HOME` as the home directory.
    pub fn from_env(get: &dyn Fn(&str) -> Option<OsString>) -> Environment {
        let nonempty = |k: &str| get(k).filter(|v| !v.is_empty()).map(PathBuf::from);
        let home = get("HOME").map(PathBuf::from);
        let cache_dir =
            crate::settings::cache_dir(get, home.as_deref().filter(|h| h.is_absolute()));
        Environment {
            cache_dir,
            nix_timeout: get("PIP_GUARD_NIX_TIMEOUT")
                .and_then(|v| v.into_string().ok())
                .and_then(|s| crate::numbers::duration(&s).ok()),
            nix_path: get("NIX_PATH")
                .and_then(|v| v.into_string().ok())
                .unwrap_or_default(),
            path: get("PATH"),
            home,
            xdg_config_home: nonempty("XDG_CONFIG_HOME"),
            nix_conf_dir: nonempty("NIX_CONF_DIR"),
            nix_store_dir: nonempty("NIX_STORE_DIR"),
            cwd: None,
        }
    }

    /// What pip-guard read from its process at start-up: its environment,
    /// its cache directory ([`crate::settings::Dirs`]: the same for every
    /// cache) and its working directory.
    pub fn from_settings(settings: &Settings) -> Environment {
        Environment {
            cache_dir: settings.dirs.cache.clone(),
            cwd: settings.cwd.clone(),
            ..Environment::from_env(&|k| settings.env.get_os(k).map(OsString::from))
        }
    }

    /// The Nix store directory: `$NIX_STORE_DIR`, else `/nix/store` (as Nix).
    pub fn store_dir(&self) -> PathBuf {
        self.nix_store_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from("/nix/store"))
    }

    /// The user's configuration directory: `$XDG_CONFIG_HOME`, else
    /// `$HOME/.config`.
    pub fn config_home(&self) -> Option<PathBuf> {
        self.xdg_config_home
            .clone()
            .or_else(|| self.home.as_deref().map(|h| h.join(".config")))
    }

    /// Nix's configuration directory: `$NIX_CONF_DIR`, else `/etc/nix`.
    pub fn nix_conf_dir(&self) -> PathBuf {
        self.nix_conf_dir
            .clone()
            .unwrap_or_else(|| Path::new("/etc/nix").to_path_buf())
    }

    /// The working directory, `/` when it cannot be read.
    pub fn cwd(&self) -> PathBuf {
        self.cwd.clone().unwrap_or_else(|| PathBuf::from("/"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(vars: &[(&str, &str)]) -> Environment {
        let vars: HashMap<String, OsString> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), OsString::from(v)))
            .collect();
        Environment::from_env(&|k| vars.get(k).cloned())
    }

    #[test]
    fn empty_values_count_as_unset_where_nix_says_so() {
        let e = env(&[
            ("PIP_GUARD_CACHE_DIR", ""),
            ("NIX_STORE_DIR", ""),
            ("NIX_CONF_DIR", ""),
            ("XDG_CONFIG_HOME", ""),
            ("HOME", "/home/u"),
        ]);
        assert_eq!(e.store_dir(), Path::new("/nix/store"));
        assert_eq!(e.nix_conf_dir(), Path::new("/etc/nix"));
        assert_eq!(e.config_home(), Some(PathBuf::from("/home/u/.config")));
        assert_eq!(e.cache_dir, Some(PathBuf::from("/home/u/.cache/pip-guard")));
        assert_eq!(e.cwd(), Path::new("/"));
    }

    #[test]
    fn from_settings_takes_the_snapshot_the_cache_dir_and_the_cwd() {
        use crate::settings::{Dirs, Env};
        let settings = Settings {
            env: Env::from_pairs([("NIX_PATH", "nixpkgs=/n"), ("PATH", "/bin")]),
            dirs: Dirs {
                cache: Some(PathBuf::from("/c/pip-guard")),
                ..Dirs::default()
            },
            cwd: Some(PathBuf::from("/proj")),
            ..Settings::default()
        };
        let e = Environment::from_settings(&settings);
        assert_eq!(e.nix_path, "nixpkgs=/n");
        assert_eq!(e.path, Some(OsString::from("/bin")));
        assert_eq!(e.cache_dir, Some(PathBuf::from("/c/pip-guard")));
        assert_eq!(e.cwd(), Path::new("/proj"));
        assert_eq!(e.home, None);
    }

    #[test]
    fn set_values_win() {
        let e = env(&[
            ("PIP_GUARD_CACHE_DIR", "/c"),
            ("XDG_CACHE_HOME", "/x"),
            ("XDG_CONFIG_HOME", "/cfg"),
            ("HOME", "/home/u"),
            ("NIX_STORE_DIR", "/s"),
            ("PIP_GUARD_NIX_TIMEOUT", "3"),
            ("NIX_PATH", "nixpkgs=/n"),
        ]);
        assert_eq!(e.cache_dir, Some(PathBuf::from("/c")));
        assert_eq!(
            env(&[("XDG_CACHE_HOME", "/x"), ("HOME", "/h")]).cache_dir,
            Some(PathBuf::from("/x/pip-guard"))
        );
        assert_eq!(e.config_home(), Some(PathBuf::from("/cfg")));
        assert_eq!(e.store_dir(), Path::new("/s"));
        assert_eq!(e.nix_timeout, Some(Duration::from_secs(3)));
        assert_eq!(e.nix_path, "nixpkgs=/n");
        // A relative XDG_CACHE_HOME is ignored; no home, no cache directory.
        assert_eq!(
            env(&[("XDG_CACHE_HOME", "x"), ("HOME", "/h")]).cache_dir,
            Some(PathBuf::from("/h/.cache/pip-guard"))
        );
        assert_eq!(env(&[("PIP_GUARD_NIX_TIMEOUT", "soon")]).nix_timeout, None);
        assert_eq!(env(&[]).cache_dir, None);
    }
}
