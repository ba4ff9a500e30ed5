//! Finding and reading the policy layers (the I/O edge of [`super`]).
//!
//! Order, lowest precedence first:
//!
//! 1. built-in defaults;
//! 2. [`SYSTEM_POLICY`] (`/etc/pip-guard/policy.toml`);
//! 3. the file named by `PIP_GUARD_SYSTEM_POLICY`, an *extra* system layer
//!    read after `/etc` (it never replaces it, so it cannot loosen a locked
//!    `/etc` file);
//! 4. the user's config: `policy.toml` in the config dir of the
//!    `directories` crate (`$XDG_CONFIG_HOME/pip-guard/` on Linux);
//! 5. the nearest `.pip-guard.toml` from the working directory upward,
//!    stopping after the first directory that holds `.git` (file or
//!    directory), or at the filesystem root;
//! 6. the file named by `PIP_GUARD_POLICY`;
//! 7. `--policy FILE`.
//!
//! Files 2, 4 and 5 are optional; a file named by an environment variable
//! or a flag must exist.

use super::file::{self, Trust};
use super::layers::{merge, EffectivePolicy, Layer, LayerKind};
use crate::error::InputError;
use crate::origin::display_path;
use crate::settings::Settings;
use color_eyre::eyre;
use std::path::{Path, PathBuf};

/// The system policy, fixed at compile time.
pub const SYSTEM_POLICY: &str = "/etc/pip-guard/policy.toml";
/// The project file name.
pub const PROJECT_FILE: &str = ".pip-guard.toml";
/// The user config file name, inside the config dir.
pub const USER_FILE: &str = "policy.toml";
/// Environment variable naming a policy file above the project layer.
pub const ENV_POLICY: &str = "PIP_GUARD_POLICY";
/// Environment variable naming an extra system layer after `/etc`.
pub const ENV_SYSTEM_POLICY: &str = "PIP_GUARD_SYSTEM_POLICY";

/// Where each layer would be read from. [`Discovery::from_settings`] fills it
/// from the process; tests fill it by hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discovery {
    /// The working directory (project search starts here; messages show
    /// paths relative to it).
    pub cwd: PathBuf,
    /// The system file (optional).
    pub system: PathBuf,
    /// `PIP_GUARD_SYSTEM_POLICY` (must exist when set).
    pub system_extra: Option<PathBuf>,
    /// The user config file (optional).
    pub user: Option<PathBuf>,
    /// The nearest project file, if any.
    pub project: Option<PathBuf>,
    /// `PIP_GUARD_POLICY` (must exist when set).
    pub env: Option<PathBuf>,
    /// `--policy FILE` (must exist when given).
    pub explicit: Option<PathBuf>,
    /// The home directory, for `~/` in paths.
    pub home: Option<PathBuf>,
}

/// The user config file, in pip-guard's configuration directory.
pub fn user_config_path(settings: &Settings) -> Option<PathBuf> {
    settings.dirs.config.as_ref().map(|d| d.join(USER_FILE))
}

/// The directory to search upward from: the shell's logical working
/// directory (`$PWD`) when it names the same directory as the physical
/// `cwd`, so that a symlinked subdirectory of a project keeps the project's
/// policy (`cd proj/data` where `data` is a link elsewhere); else `cwd`.
pub fn logical_cwd(cwd: &Path, pwd: Option<&std::ffi::OsStr>) -> PathBuf {
    use std::os::unix::fs::MetadataExt;
    let Some(pwd) = pwd.map(Path::new) else {
        return cwd.to_path_buf();
    };
    let plain = pwd.is_absolute()
        && pwd.components().all(|c| {
            !matches!(
                c,
                std::path::Component::CurDir | std::path::Component::ParentDir
            )
        });
    let same = || match (std::fs::metadata(pwd), std::fs::metadata(cwd)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    };
    if plain && pwd != cwd && same() {
        pwd.to_path_buf()
    } else {
        cwd.to_path_buf()
    }
}

/// The nearest `.pip-guard.toml` from `cwd` upward (from the logical
/// working directory, see [`logical_cwd`]). The search stops after a
/// directory that holds `.git` (that directory is searched), or at the root.
pub fn find_project_file(settings: &Settings, cwd: &Path) -> Option<PathBuf> {
    let start = logical_cwd(cwd, settings.env.get_os("PWD"));
    for dir in start.ancestors() {
        let candidate = dir.join(PROJECT_FILE);
        if candidate.symlink_metadata().is_ok() {
            return Some(candidate);
        }
        if dir.join(".git").symlink_metadata().is_ok() {
            return None;
        }
    }
    None
}

fn env_path(settings: &Settings, var: &str, cwd: &Path) -> Option<PathBuf> {
    Some(cwd.join(settings.env.nonempty_os(var)?))
}

impl Discovery {
    /// The layers for this process: its settings, `cwd` and `--policy`.
    pub fn from_settings(settings: &Settings, cwd: &Path, explicit: Option<&Path>) -> Discovery {
        Discovery {
            cwd: cwd.to_path_buf(),
            system: PathBuf::from(SYSTEM_POLICY),
            system_extra: env_path(settings, ENV_SYSTEM_POLICY, cwd),
            user: user_config_path(settings),
            project: find_project_file(settings, cwd),
            env: env_path(settings, ENV_POLICY, cwd),
            explicit: explicit.map(|p| cwd.join(p)),
            home: settings.dirs.home.clone(),
        }
    }

    /// The candidate files: (kind, path, must exist).
    pub fn candidates(&self) -> Vec<(LayerKind, &Path, bool)> {
        let mut out = vec![(LayerKind::System, self.system.as_path(), false)];
        let optional = [
            (LayerKind::SystemExtra, &self.system_extra, true),
            (LayerKind::User, &self.user, false),
            (LayerKind::Project, &self.project, true),
            (LayerKind::Env, &self.env, true),
            (LayerKind::Explicit, &self.explicit, true),
        ];
        for (kind, path, required) in optional {
            if let Some(p) = path {
                out.push((kind, p.as_path(), required));
            }
        }
        out
    }

    /// How a path is shown: relative to the cwd when inside it.
    pub fn display(&self, path: &Path) -> String {
        display_path(path, &self.cwd).to_string_lossy().into_owned()
    }

    /// Read, validate and merge every layer. Warnings are returned, not printed.
    pub fn load(&self) -> eyre::Result<EffectivePolicy> {
        let mut layers = Vec::new();
        for (kind, path, required) in self.candidates() {
            let display = self.display(path);
            let Some((text, owner)) = read_policy_owned(path, &display, kind, required)? else {
                continue;
            };
            let trust = if kind == LayerKind::Project {
                Trust::Project
            } else {
                Trust::Local
            };
            let file = file::parse(&text, path, &display, trust, self.home.as_deref())?;
            if file.locked {
                if let Some(why) = owner.and_then(|o| unsafe_lock(o, euid())) {
                    return Err(InputError::new(format!(
                        "{display} sets `locked = true`, but {why}; pip-guard refuses a \
                         lock that others could loosen"
                    ))
                    .into());
                }
            }
            layers.push(Layer {
                kind,
                source: display,
                file,
            });
        }
        Ok(merge(&layers)?)
    }
}

/// Policy files larger than this are refused (1 MiB: a real policy is a
/// few hundred bytes; the cap keeps `/dev/zero`-like input from eating memory).
pub const MAX_POLICY_SIZE: u64 = 1024 * 1024;

/// Who owns a policy file and who may write it (for the lock check).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ownership {
    /// Owner uid.
    pub uid: u32,
    /// Permission bits.
    pub mode: u32,
}

/// Read one policy file: `None` when an optional file is absent.
pub fn read_policy(
    path: &Path,
    display: &str,
    kind: LayerKind,
    required: bool,
) -> eyre::Result<Option<String>> {
    Ok(read_policy_owned(path, display, kind, required)?.map(|(t, _)| t))
}

/// [`read_policy`], with the file's owner and mode. Only a regular file on
/// a real file system is read (never a FIFO, a device or `/proc`), without
/// blocking, at most [`MAX_POLICY_SIZE`] bytes.
pub fn read_policy_owned(
    path: &Path,
    display: &str,
    kind: LayerKind,
    required: bool,
) -> eyre::Result<Option<(String, Option<Ownership>)>> {
    use crate::safefile::{open_regular, FileError};
    use std::io::Read;
    let cannot = |e: &dyn std::fmt::Display| -> eyre::Report {
        InputError::new(format!(
            "{display}: cannot read the {} policy: {e}",
            kind.as_str()
        ))
        .into()
    };
    let (file, meta) = match open_regular(path) {
        Ok(x) => x,
        Err(FileError::NotFound) if !required => return Ok(None),
        Err(FileError::NotFound) => {
            let by = match kind {
                LayerKind::Env | LayerKind::SystemExtra => format!(" (named by {})", kind.as_str()),
                _ => String::new(),
            };
            return Err(InputError::new(format!("{display}: no such policy file{by}")).into());
        }
        Err(e) => return Err(cannot(&e)),
    };
    if meta.len() > MAX_POLICY_SIZE {
        return Err(cannot(&FileError::TooLarge(meta.len(), MAX_POLICY_SIZE)));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_POLICY_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| cannot(&e))?;
    if bytes.len() as u64 > MAX_POLICY_SIZE {
        return Err(cannot(&FileError::TooLarge(
            bytes.len() as u64,
            MAX_POLICY_SIZE,
        )));
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| InputError::new(format!("{display}: the policy file is not UTF-8 text")))?;
    #[cfg(unix)]
    let owner = {
        use std::os::unix::fs::MetadataExt;
        Some(Ownership {
            uid: meta.uid(),
            mode: meta.mode(),
        })
    };
    #[cfg(not(unix))]
    let owner = None;
    Ok(Some((text, owner)))
}

/// Why a locked file cannot be trusted to lock, if it cannot: writable by
/// everyone, or owned by a user other than root and the invoking user
/// (the rule sudo applies to sudoers and OpenSSH's `StrictModes` to
/// `authorized_keys`).
pub fn unsafe_lock(owner: Ownership, euid: u32) -> Option<String> {
    if owner.mode & 0o002 != 0 {
        return Some(format!(
            "it is writable by every user (mode {:03o}): anyone could rewrite the lock; \
             fix it with `chmod o-w`",
            owner.mode & 0o777
        ));
    }
    if owner.uid != 0 && owner.uid != euid {
        return Some(format!(
            "it is owned by uid {}, neither root nor you (uid {euid}): that user could \
             rewrite the lock; fix it with `chown root`",
            owner.uid
        ));
    }
    None
}

fn euid() -> u32 {
    #[cfg(unix)]
    {
        // SAFETY: geteuid has no preconditions and cannot fail.
        unsafe { libc::geteuid() }
    }
    #[cfg(not(unix))]
    {
        0
    }
}

/// The effective policy for this process (see the module docs for the
/// layers). Loosening attempts against a locked layer are printed to stderr,
/// one warning each, and ignored.
pub fn load(
    settings: &Settings,
    cwd: &Path,
    explicit: Option<&Path>,
) -> eyre::Result<EffectivePolicy> {
    let effective = Discovery::from_settings(settings, cwd, explicit).load()?;
    for w in &effective.warnings {
        crate::output::eprintln(&format!("pip-guard: warning: {w}"));
    }
    Ok(effective)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_search_stops_at_git() {
        let t = tempfile::tempdir().expect("test setup");
        let root = t.path();
        std::fs::write(root.join(PROJECT_FILE), "").expect("test setup");
        let repo = root.join("repo");
        let deep = repo.join("a/b");
        std::fs::create_dir_all(&deep).expect("test setup");
        // No .git: the file above is found.
        assert_eq!(
            find_project_file(&Settings::default(), &deep),
            Some(root.join(PROJECT_FILE))
        );
        // A .git file (worktree or submodule) is a boundary too.
        std::fs::write(repo.join(".git"), "gitdir: x").expect("test setup");
        assert_eq!(find_project_file(&Settings::default(), &deep), None);
        // The boundary directory itself is searched.
        std::fs::write(repo.join(PROJECT_FILE), "").expect("test setup");
        assert_eq!(
            find_project_file(&Settings::default(), &deep),
            Some(repo.join(PROJECT_FILE))
        );
    }
}
