//! Everything the index reads from the process environment, as plain
//! data: where the caches are, how to reach the user's nixpkgs (`NIX_PATH`,
//! the flake registries, the store), the `nix-instantiate` timeout.
//! [`Environment::from_env`] (and [`Environment::from_process`], which
//! calls it) is the only reader of these variables; the rest of the index
//! takes an [`Environment`], so tests can hand it a made-up one.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The environment variables the index depends on, read once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Environment {
    /// `$PIP_GUARD_CACHE_DIR`, when set and not empty: pip-guard's cache
    /// directory, instead of [`Environment::user_cache_dir`].
    pub cache_dir: Option<PathBuf>,
    /// The user's cache directory for pip-guard (`$XDG_CACHE_HOME/pip-guard`,
    /// `~/.cache/pip-guard`; the platform's own elsewhere), when there is a
    /// home directory.
    pub user_cache_dir: Option<PathBuf>,
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
}

impl Environment {
    /// The values `get` gives for each variable (the process's own in
    /// [`Environment::from_process`], made-up ones in tests). The user's
    /// cache directory follows the XDG rule: `$XDG_CACHE_HOME` when it is
    /// an absolute path, else `$HOME/.cache`, then `pip-guard`; none
    /// without a `$HOME`.
    pub fn from_env(get: &dyn Fn(&str) -> Option<OsString>) -> Environment {
        let nonempty = |k: &str| get(k).filter(|v| !v.is_empty()).map(PathBuf::from);
        let home = get("HOME").map(PathBuf::from);
        let user_cache_dir = home
            .as_ref()
            .filter(|h| !h.as_os_str().is_empty())
            .map(|h| {
                nonempty("XDG_CACHE_HOME")
                    .filter(|x| x.is_absolute())
                    .unwrap_or_else(|| h.join(".cache"))
                    .join("pip-guard")
            });
        Environment {
            cache_dir: nonempty("PIP_GUARD_CACHE_DIR"),
            user_cache_dir,
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
        }
    }

    /// The process's own environment: the one place the index reads it.
    /// The user's cache directory is the
    /// platform's (the `directories` crate: XDG on Linux, with the password
    /// database when `$HOME` is unset).
    pub fn from_process() -> Environment {
        Environment {
            user_cache_dir: directories::ProjectDirs::from("", "", "pip-guard")
                .map(|p| p.cache_dir().to_path_buf()),
            ..Environment::from_env(&|k| std::env::var_os(k))
        }
    }

    /// pip-guard's cache directory: `$PIP_GUARD_CACHE_DIR` if set, else the
    /// user's cache directory.
    pub fn pip_guard_cache_dir(&self) -> Option<PathBuf> {
        self.cache_dir
            .clone()
            .or_else(|| self.user_cache_dir.clone())
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
        assert_eq!(e.cache_dir, None);
        assert_eq!(e.store_dir(), Path::new("/nix/store"));
        assert_eq!(e.nix_conf_dir(), Path::new("/etc/nix"));
        assert_eq!(e.config_home(), Some(PathBuf::from("/home/u/.config")));
        assert_eq!(
            e.pip_guard_cache_dir(),
            Some(PathBuf::from("/home/u/.cache/pip-guard"))
        );
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
        assert_eq!(e.pip_guard_cache_dir(), Some(PathBuf::from("/c")));
        assert_eq!(e.user_cache_dir, Some(PathBuf::from("/x/pip-guard")));
        assert_eq!(e.config_home(), Some(PathBuf::from("/cfg")));
        assert_eq!(e.store_dir(), Path::new("/s"));
        assert_eq!(e.nix_timeout, Some(Duration::from_secs(3)));
        assert_eq!(e.nix_path, "nixpkgs=/n");
        // A relative XDG_CACHE_HOME is ignored; no home, no cache directory.
        assert_eq!(
            env(&[("XDG_CACHE_HOME", "x"), ("HOME", "/h")]).user_cache_dir,
            Some(PathBuf::from("/h/.cache/pip-guard"))
        );
        assert_eq!(env(&[("PIP_GUARD_NIX_TIMEOUT", "soon")]).nix_timeout, None);
        assert_eq!(env(&[]).pip_guard_cache_dir(), None);
    }
}
