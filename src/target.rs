//! The interpreter pip would install into: version, platform, venv, PEP 668.
//!
//! Probing Python costs tens of milliseconds, so the probe is cached in the
//! XDG cache dir, keyed by the interpreter's canonical path and mtime.

use crate::error::InputError;
use crate::settings::Settings;
use color_eyre::eyre::{self, WrapErr};
use pep508_rs::{MarkerEnvironment, MarkerEnvironmentBuilder};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::process::Command;

/// What the probe learns about an interpreter (also the cache format).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Probe {
    /// `sys.executable`.
    pub executable: String,
    /// `platform.python_version()`, e.g. `3.12.4`.
    pub python_full_version: String,
    /// `implementation_name`, e.g. `cpython`.
    pub implementation_name: String,
    /// `implementation_version`.
    pub implementation_version: String,
    /// `os.name`.
    pub os_name: String,
    /// `platform.machine()`.
    pub platform_machine: String,
    /// `platform.python_implementation()`.
    pub platform_python_implementation: String,
    /// `platform.release()`.
    pub platform_release: String,
    /// `platform.system()`.
    pub platform_system: String,
    /// `platform.version()`.
    pub platform_version: String,
    /// `sys.platform`.
    pub sys_platform: String,
    /// `sys.prefix != sys.base_prefix`.
    pub virtualenv: bool,
    /// The stdlib directory (`sysconfig.get_path("stdlib")`).
    pub stdlib: String,
    /// The `Error=` text of `EXTERNALLY-MANAGED`, if the file exists.
    pub externally_managed: Option<String>,
    /// `site.USER_BASE`.
    pub user_base: String,
    /// `site.getusersitepackages()`.
    pub user_site: String,
}

/// The target environment for marker evaluation and install decisions.
#[derive(Debug, Clone)]
pub struct Target {
    /// The interpreter, when one was found.
    pub python: Option<PathBuf>,
    /// What the probe said (or the defaults, with overrides applied).
    pub probe: Probe,
    /// `X.Y`.
    pub python_version: String,
    /// `linux`, `darwin`, `win32`, … (`sys.platform`).
    pub platform: String,
    /// Externally managed (PEP 668) and not a virtualenv.
    pub externally_managed: bool,
    /// The marker environment.
    pub markers: MarkerEnvironment,
    /// The Nix store directory (`NIX_STORE_DIR`, else `/nix/store`), for
    /// [`Target::is_nix_store_python`].
    pub nix_store: PathBuf,
}

const PROBE_SCRIPT: &str = r#"
import json, os, platform, site, sys, sysconfig, configparser
stdlib = sysconfig.get_path("stdlib")
em = None
p = os.path.join(stdlib, "EXTERNALLY-MANAGED")
if os.path.isfile(p):
    em = ""
    try:
        c = configparser.ConfigParser(interpolation=None)
        c.read(p, encoding="utf-8")
        em = c.get("externally-managed", "Error", fallback="")
    except Exception:
        pass
impl = sys.implementation
# Under -S, site.py does not move sys.prefix into a venv (3.11 and older):
# pyvenv.cfg next to the executable or one level up says it is one.
v = impl.version
iv = "{0.major}.{0.minor}.{0.micro}".format(v)
if v.releaselevel != "final":
    iv += v.releaselevel[0] + str(v.serial)
print(json.dumps({
  "executable": sys.executable,
  "python_full_version": platform.python_version(),
  "implementation_name": impl.name,
  "implementation_version": iv,
  "os_name": os.name,
  "platform_machine": platform.machine(),
  "platform_python_implementation": platform.python_implementation(),
  "platform_release": platform.release(),
  "platform_system": platform.system(),
  "platform_version": platform.version(),
  "sys_platform": sys.platform,
  "virtualenv": sys.prefix != getattr(sys, "base_prefix", sys.prefix) or any(
      os.path.isfile(os.path.join(d, "pyvenv.cfg"))
      for d in (os.path.dirname(sys.executable), os.path.dirname(os.path.dirname(sys.executable)))),
  "stdlib": stdlib,
  "externally_managed": em,
  "user_base": site.getuserbase() or "",
  "user_site": site.getusersitepackages() or "",
}))
"#;

/// nixpkgs' default Python package set.
pub const DEFAULT_SET: &str = "python3Packages";

/// Overrides from pip's own flags.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--python-version` (`3`, `3.12`, `3.12.1`, `312`).
    pub python_version: Option<String>,
    /// `--platform` tags (the first decides).
    pub platform: Option<String>,
    /// `--implementation` (`cp`, `pp`, …).
    pub implementation: Option<String>,
}

/// Find the interpreter: `PIP_GUARD_PYTHON`, else `python3` on PATH.
pub fn find_python(
    env_python: Option<&str>,
    path_var: Option<&std::ffi::OsStr>,
) -> Option<PathBuf> {
    if let Some(p) = env_python.filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    which("python3", path_var)
}

/// Look up an executable on a PATH value.
pub fn which(name: &str, path_var: Option<&std::ffi::OsStr>) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let path_var = path_var?;
    std::env::split_paths(path_var)
        .map(|d| d.join(name))
        .find(|p| {
            std::fs::metadata(p)
                .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
                .unwrap_or(false)
        })
}

fn cache_file(settings: &Settings, python: &Path) -> Option<PathBuf> {
    use std::hash::{Hash, Hasher};
    let canon = std::fs::canonicalize(python).ok()?;
    let meta = std::fs::metadata(&canon).ok()?;
    let mtime = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (
        python,
        &canon,
        mtime.as_nanos(),
        meta.len(),
        settings.env.get_os("PYTHONUSERBASE"),
        PROBE_SCRIPT,
    )
        .hash(&mut h);
    Some(
        settings
            .dirs
            .cache
            .as_ref()?
            .join("targets")
            .join(format!("{:016x}.json", h.finish())),
    )
}

/// Probe `python`, using the cache when the interpreter has not changed.
pub fn probe(settings: &Settings, python: &Path) -> eyre::Result<Probe> {
    let cache = cache_file(settings, python);
    if let Some(c) = &cache {
        if let Ok(bytes) = std::fs::read(c) {
            if let Ok(p) = serde_json::from_slice::<Probe>(&bytes) {
                // The cache is the user's to write: its facts that decide
                // passthrough are checked against the file system first.
                if cached_facts_hold(python, &p) {
                    return Ok(p);
                }
            }
        }
    }
    let out = Command::new(python)
        .args(["-S", "-c", PROBE_SCRIPT])
        .env_remove("PYTHONPATH")
        .output()
        .wrap_err_with(|| {
            format!(
                "could not run {} to learn the target environment",
                python.display()
            )
        })?;
    if !out.status.success() {
        return Err(eyre::eyre!(crate::error::EnvError(format!(
            "{} failed while probing the target environment: {}",
            python.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ))));
    }
    let probe: Probe = serde_json::from_slice(&out.stdout)
        .wrap_err_with(|| format!("{} printed an unexpected probe result", python.display()))?;
    if let Some(c) = &cache {
        // A cache that cannot be written only costs time next run.
        let _ =
            crate::index::fsutil::atomic_write(c, &serde_json::to_vec(&probe).unwrap_or_default());
    }
    Ok(probe)
}

/// Whether a cached probe agrees with what the file system says about
/// `python` now, for every fact that decides whether the guard passes an
/// install through:
///
/// - `virtualenv` ⇔ a `pyvenv.cfg` next to the interpreter or one level up
///   (the file that makes CPython a virtualenv, PEP 405), for `python` as
///   given and for the cached `executable`;
/// - the cached `executable` is the same file as `python`;
/// - outside a virtualenv, `stdlib` is `<prefix>/lib/pythonX.Y` of the
///   interpreter's real location (`<prefix>/bin/python…`), with the cached
///   version, and `externally_managed` ⇔ `EXTERNALLY-MANAGED` is there.
///
/// Anything else (a hand-edited cache, an interpreter laid out some other
/// way) is re-probed: the probe is the truth, the cache only saves time.
pub fn cached_facts_hold(python: &Path, p: &Probe) -> bool {
    let venv_marker = |exe: &Path| {
        let dir = exe.parent();
        [dir, dir.and_then(Path::parent)]
            .into_iter()
            .flatten()
            .any(|d| d.join("pyvenv.cfg").is_file())
    };
    let Ok(canon) = std::fs::canonicalize(python) else {
        return false;
    };
    let exe = Path::new(&p.executable);
    if std::fs::canonicalize(exe).ok().as_deref() != Some(canon.as_path()) {
        return false;
    }
    let marker = venv_marker(python) || venv_marker(exe);
    if p.virtualenv != marker {
        return false;
    }
    if p.virtualenv {
        return true;
    }
    let mut v = p.python_full_version.split('.');
    let (Some(major), Some(minor)) = (v.next(), v.next()) else {
        return false;
    };
    let Some(prefix) = canon.parent().and_then(Path::parent) else {
        return false;
    };
    let expected = prefix.join("lib").join(format!("python{major}.{minor}"));
    let stdlib = Path::new(&p.stdlib);
    if std::fs::canonicalize(stdlib).ok() != std::fs::canonicalize(&expected).ok()
        || !stdlib.join("os.py").is_file()
    {
        return false;
    }
    p.externally_managed.is_some() == stdlib.join("EXTERNALLY-MANAGED").is_file()
}

/// A probe for when no interpreter is available: CPython 3.12 on Linux.
pub fn default_probe() -> Probe {
    Probe {
        executable: String::new(),
        python_full_version: "3.12.0".into(),
        implementation_name: "cpython".into(),
        implementation_version: "3.12.0".into(),
        os_name: "posix".into(),
        platform_machine: std::env::consts::ARCH.into(),
        platform_python_implementation: "CPython".into(),
        platform_release: String::new(),
        platform_system: "Linux".into(),
        platform_version: String::new(),
        sys_platform: "linux".into(),
        virtualenv: false,
        stdlib: String::new(),
        externally_managed: None,
        user_base: String::new(),
        user_site: String::new(),
    }
}

/// Apply pip's `--python-version` / `--platform` / `--implementation`.
pub fn apply_overrides(mut p: Probe, o: &Overrides) -> Result<Probe, InputError> {
    if let Some(v) = &o.python_version {
        let full = parse_python_version(v)?;
        p.python_full_version = full.clone();
        if p.implementation_name == "cpython" {
            p.implementation_version = full;
        }
    }
    if let Some(tag) = &o.platform {
        let (sys_platform, system, machine, os_name) = platform_from_tag(tag);
        p.sys_platform = sys_platform.into();
        p.platform_system = system.into();
        p.platform_machine = machine;
        p.os_name = os_name.into();
        p.platform_release = String::new();
        p.platform_version = String::new();
    }
    if let Some(i) = &o.implementation {
        let (name, py) = match i.as_str() {
            "pp" => ("pypy", "PyPy"),
            "jy" => ("jython", "Jython"),
            "ip" => ("ironpython", "IronPython"),
            _ => ("cpython", "CPython"),
        };
        p.implementation_name = name.into();
        p.platform_python_implementation = py.into();
    }
    Ok(p)
}

/// pip's `--python-version`: `3`, `3.12`, `3.12.1`, or `312` (digits only:
/// first digit is the major version).
pub fn parse_python_version(v: &str) -> Result<String, InputError> {
    let bad = || {
        InputError::new(format!(
            "invalid --python-version value: {v:?} (expected e.g. 3.12, 3.12.1 or 312)"
        ))
    };
    let parts: Vec<&str> = if v.contains('.') {
        v.split('.').collect()
    } else if v.len() > 1 && v.chars().all(|c| c.is_ascii_digit()) {
        vec![&v[..1], &v[1..]]
    } else {
        vec![v]
    };
    if parts.is_empty()
        || parts.len() > 3
        || parts
            .iter()
            .any(|s| s.is_empty() || !s.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(bad());
    }
    let mut nums: Vec<String> = parts
        .iter()
        .map(|s| s.trim_start_matches('0').to_string())
        .map(|s| if s.is_empty() { "0".into() } else { s })
        .collect();
    while nums.len() < 3 {
        nums.push("0".into());
    }
    Ok(nums.join("."))
}

/// Marker values implied by a wheel platform tag.
fn platform_from_tag(tag: &str) -> (&'static str, &'static str, String, &'static str) {
    let arch = |prefix_len: usize| tag.get(prefix_len..).unwrap_or("").to_string();
    if let Some(rest) = tag.strip_prefix("macosx_") {
        // macosx_14_0_arm64 → arm64; macosx_10_9_x86_64 → x86_64; universal2 → arm64
        let mut it = rest.splitn(3, '_');
        let _ = (it.next(), it.next());
        let m = it.next().unwrap_or("arm64");
        let m = if m == "universal2" || m == "universal" {
            "arm64"
        } else {
            m
        };
        return ("darwin", "Darwin", m.to_string(), "posix");
    }
    if tag == "win32" {
        return ("win32", "Windows", "x86".into(), "nt");
    }
    if let Some(m) = tag.strip_prefix("win_") {
        let m = match m {
            "amd64" => "AMD64".to_string(),
            "arm64" => "ARM64".to_string(),
            other => other.to_string(),
        };
        return ("win32", "Windows", m, "nt");
    }
    for prefix in ["manylinux2014_", "manylinux2010_", "manylinux1_", "linux_"] {
        if tag.starts_with(prefix) {
            return ("linux", "Linux", arch(prefix.len()), "posix");
        }
    }
    if tag.starts_with("manylinux_") || tag.starts_with("musllinux_") {
        // manylinux_2_17_x86_64: machine after the second version number.
        let m = tag.splitn(4, '_').nth(3).unwrap_or("").to_string();
        return ("linux", "Linux", m, "posix");
    }
    (
        "linux",
        "Linux",
        tag.rsplit('_').next().unwrap_or("").to_string(),
        "posix",
    )
}

impl Target {
    /// Build the target from a probe.
    pub fn from_probe(python: Option<PathBuf>, probe: Probe) -> eyre::Result<Target> {
        let python_version = {
            let mut it = probe.python_full_version.split('.');
            format!("{}.{}", it.next().unwrap_or("3"), it.next().unwrap_or("12"))
        };
        let markers = MarkerEnvironment::try_from(MarkerEnvironmentBuilder {
            implementation_name: &probe.implementation_name,
            implementation_version: &probe.implementation_version,
            os_name: &probe.os_name,
            platform_machine: &probe.platform_machine,
            platform_python_implementation: &probe.platform_python_implementation,
            platform_release: &probe.platform_release,
            platform_system: &probe.platform_system,
            platform_version: &probe.platform_version,
            python_full_version: &probe.python_full_version,
            python_version: &python_version,
            sys_platform: &probe.sys_platform,
        })
        .map_err(|e| {
            eyre::eyre!(InputError::new(format!(
                "invalid Python version for markers: {e}"
            )))
        })?;
        Ok(Target {
            platform: probe.sys_platform.clone(),
            externally_managed: probe.externally_managed.is_some() && !probe.virtualenv,
            python_version,
            python,
            probe,
            markers,
            nix_store: PathBuf::from("/nix/store"),
        })
    }

    /// The nixpkgs Python set to suggest: nixpkgs' default
    /// `python3Packages` (the set its binary cache builds), unless the
    /// interpreter is itself a Nix-store Python: then its own versioned set
    /// (`python312Packages`), the only one it can import.
    pub fn package_set(&self) -> String {
        if self.is_nix_store_python() {
            self.versioned_set()
        } else {
            DEFAULT_SET.to_string()
        }
    }

    /// The versioned set of this interpreter's version, e.g. `python312Packages`.
    pub fn versioned_set(&self) -> String {
        format!("python{}Packages", self.python_version.replace('.', ""))
    }

    /// Whether the interpreter lives in the Nix store (symlinks followed).
    pub fn is_nix_store_python(&self) -> bool {
        let store = &self.nix_store;
        let exe = Path::new(&self.probe.executable);
        if exe.as_os_str().is_empty() {
            return false;
        }
        exe.starts_with(store) || std::fs::canonicalize(exe).is_ok_and(|p| p.starts_with(store))
    }
}

/// Discover, probe (cached) and apply overrides.
pub fn discover(
    settings: &Settings,
    env_python: Option<&str>,
    overrides: &Overrides,
) -> eyre::Result<Target> {
    let python = find_python(env_python, settings.path());
    let probe = match &python {
        Some(p) => probe(settings, p)?,
        None => default_probe(),
    };
    let probe = apply_overrides(probe, overrides).map_err(|e| eyre::eyre!(e))?;
    Ok(Target {
        nix_store: crate::index::Environment::from_settings(settings).store_dir(),
        ..Target::from_probe(python, probe)?
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_version_forms() {
        assert_eq!(parse_python_version("3.12").ok(), Some("3.12.0".into()));
        assert_eq!(parse_python_version("312").ok(), Some("3.12.0".into()));
        assert_eq!(parse_python_version("3").ok(), Some("3.0.0".into()));
        assert_eq!(parse_python_version("3.11.4").ok(), Some("3.11.4".into()));
        assert!(parse_python_version("three").is_err());
        assert!(parse_python_version("3..1").is_err());
    }

    #[test]
    fn platform_tags() {
        let p = apply_overrides(
            default_probe(),
            &Overrides {
                platform: Some("macosx_14_0_arm64".into()),
                ..Default::default()
            },
        )
        .expect("ok");
        assert_eq!(
            (
                p.sys_platform.as_str(),
                p.platform_system.as_str(),
                p.platform_machine.as_str()
            ),
            ("darwin", "Darwin", "arm64")
        );
        let p = apply_overrides(
            default_probe(),
            &Overrides {
                platform: Some("win_amd64".into()),
                ..Default::default()
            },
        )
        .expect("ok");
        assert_eq!(
            (
                p.sys_platform.as_str(),
                p.os_name.as_str(),
                p.platform_machine.as_str()
            ),
            ("win32", "nt", "AMD64")
        );
        let p = apply_overrides(
            default_probe(),
            &Overrides {
                platform: Some("manylinux_2_17_aarch64".into()),
                ..Default::default()
            },
        )
        .expect("ok");
        assert_eq!(p.platform_machine, "aarch64");
    }

    #[test]
    fn package_set_follows_version() {
        let p = apply_overrides(
            default_probe(),
            &Overrides {
                python_version: Some("3.13".into()),
                ..Default::default()
            },
        )
        .expect("ok");
        let t = Target::from_probe(None, p).expect("target");
        assert_eq!(t.versioned_set(), "python313Packages");
        // Not a Nix-store Python: nixpkgs' default set.
        assert_eq!(t.package_set(), "python3Packages");
    }
}
