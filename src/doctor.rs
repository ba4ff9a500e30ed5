//! `pip-guard doctor`: check this machine against the lessons of Python
//! packaging with Nix.
//!
//! [`gather`] reads the environment, the filesystem and the interpreter
//! (the edge); [`checks`] is pure: facts in, verdicts out, so every check
//! is tested on hand-made [`Facts`]; [`render_text`] and [`render_json`]
//! print them.

use crate::names::normalize;
use crate::settings::{Env, Settings};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Fine.
    Ok,
    /// Works, but not the Nix way (or will bite later).
    Warn,
    /// Broken: `doctor` exits 1.
    Fail,
}

/// One check's verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Stable id, for scripts.
    pub id: &'static str,
    /// ok / warn / fail.
    pub status: Status,
    /// One line: what was found.
    pub summary: String,
    /// One line: what to do (`None` when ok).
    pub advice: Option<String>,
    /// More lines (e.g. the EXTERNALLY-MANAGED message, package lists).
    pub detail: Vec<String>,
}

/// What the interpreter said about itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PythonFacts {
    /// The interpreter as found (PATH entry or `PIP_GUARD_PYTHON`).
    pub path: PathBuf,
    /// Its canonical path (symlinks resolved).
    pub real: PathBuf,
    /// `X.Y`.
    pub version: String,
    /// `sys.prefix != sys.base_prefix`.
    pub virtualenv: bool,
    /// The `EXTERNALLY-MANAGED` marker's `Error=` text, when the marker exists.
    pub externally_managed: Option<String>,
    /// `site.USER_BASE`.
    pub user_base: PathBuf,
    /// `site.getusersitepackages()`.
    pub user_site: PathBuf,
}

/// Everything the checks look at, gathered once.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// The interpreter pip would install into; `None` if none was found.
    pub python: Option<PythonFacts>,
    /// Why probing the interpreter failed, if it did.
    pub python_error: Option<String>,
    /// `PATH`, split.
    pub path: Vec<PathBuf>,
    /// `PYTHONPATH`, split (empty entries dropped).
    pub pythonpath: Vec<PathBuf>,
    /// `DYLD_*` and `LD_LIBRARY_PATH` variables that are set (name, value).
    pub library_vars: Vec<(String, String)>,
    /// Distributions installed in the user site (names as written).
    pub user_site_dists: Vec<String>,
    /// The `pip` PATH lookup finds, canonicalized.
    pub pip_on_path: Option<PathBuf>,
    /// This pip-guard binary, canonicalized.
    pub current_exe: Option<PathBuf>,
    /// `PIP_GUARD_SHELL`, exported by the shell snippet (and so inherited
    /// by child shells, which do not inherit its functions).
    pub shell_integration: Option<String>,
    /// The interpreter's dynamic loader and what it can load.
    pub loader: Option<LoaderFacts>,
    /// `PIP_GUARD_PIP_TYPE`: what `pip` resolves to in the shell that ran
    /// doctor (`type pip` in bash and fish, `whence -w pip; whence -f pip`
    /// in zsh), passed by the snippet's `pip-guard` function.
    pub pip_type: Option<String>,
}

/// What the target interpreter's dynamic loader can load.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoaderFacts {
    /// Which loader, described.
    pub describe: String,
    /// A non-Nix interpreter on NixOS (the only case nix-ld serves).
    pub served_by_nix_ld: bool,
    /// `NIX_LD` is set (nix-ld's module sets it when enabled).
    pub nix_ld: Option<String>,
    /// Each common manylinux library (not glibc): soname, nixpkgs attr,
    /// where it was found (`None`: nowhere).
    pub libs: Vec<(String, String, Option<String>)>,
}

/// Run every check over `facts`. `nix_attr` answers "which attr of the
/// target's Python package set provides this PEP 503 name?".
pub fn checks(facts: &Facts, nix_attr: &dyn Fn(&str) -> Option<String>) -> Vec<Check> {
    let mut out = vec![python_from_nix(facts), externally_managed(facts)];
    out.push(user_bin_on_path(facts));
    out.push(redundant_pythonpath(facts));
    out.push(library_vars(facts));
    out.push(user_site_shadows_nix(facts, nix_attr));
    out.push(pip_is_guarded(facts));
    out.push(nix_ld(facts));
    out.push(manylinux_libraries(facts));
    out
}

/// Is nix-ld active, and does it matter for this interpreter?
pub fn nix_ld(f: &Facts) -> Check {
    const ID: &str = "nix-ld";
    let Some(l) = &f.loader else {
        return ok(ID, "not checked (no interpreter)".into());
    };
    match (&l.nix_ld, l.served_by_nix_ld) {
        (Some(p), true) => ok(
            ID,
            format!("nix-ld is active (NIX_LD={p}) and serves this interpreter"),
        ),
        (None, true) => bad(
            ID,
            Status::Warn,
            "this interpreter is not from Nix and nix-ld is not active: wheels' libraries \
             (and the interpreter itself) have no loader path"
                .into(),
            "enable it: programs.nix-ld.enable = true; (NixOS)",
        ),
        (Some(p), false) => ok(
            ID,
            format!(
                "nix-ld is active (NIX_LD={p}), but it does not serve this interpreter ({})",
                l.describe
            ),
        ),
        (None, false) => ok(
            ID,
            format!(
                "nix-ld is not active; this interpreter does not need it ({})",
                l.describe
            ),
        ),
    }
}

/// Which of the libraries manylinux wheels may assume can the target load?
pub fn manylinux_libraries(f: &Facts) -> Check {
    const ID: &str = "manylinux-libraries";
    let Some(l) = &f.loader else {
        return ok(ID, "not checked (no interpreter)".into());
    };
    let missing: Vec<&(String, String, Option<String>)> =
        l.libs.iter().filter(|(_, _, at)| at.is_none()).collect();
    let mut c = if missing.is_empty() {
        ok(
            ID,
            format!(
                "the interpreter can load all {} common manylinux libraries",
                l.libs.len()
            ),
        )
    } else {
        let advice = "set the library path in a dev shell (first line below)";
        bad(
            ID,
            Status::Warn,
            format!(
                "{} of {} common manylinux libraries cannot be loaded: {}",
                missing.len(),
                l.libs.len(),
                missing
                    .iter()
                    .map(|(s, _, _)| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            advice,
        )
    };
    let snippet = if missing.is_empty() {
        None
    } else {
        let mut attrs: Vec<&str> = Vec::new();
        for (_, a, _) in &missing {
            if !attrs.contains(&a.as_str()) {
                attrs.push(a);
            }
        }
        Some(crate::wheels::fixes::library_path_nix(&attrs))
    };
    c.detail = snippet
        .into_iter()
        .chain(
            l.libs
                .iter()
                .filter(|(_, _, at)| at.is_none())
                .map(|(s, a, _)| format!("{s} ({a}): not found")),
        )
        .collect();
    c
}

fn ok(id: &'static str, summary: String) -> Check {
    Check {
        id,
        status: Status::Ok,
        summary,
        advice: None,
        detail: Vec::new(),
    }
}

fn bad(id: &'static str, status: Status, summary: String, advice: &str) -> Check {
    Check {
        id,
        status,
        summary,
        advice: Some(advice.to_string()),
        detail: Vec::new(),
    }
}

/// Is python3 from the Nix store?
pub fn python_from_nix(f: &Facts) -> Check {
    const ID: &str = "python-from-nix";
    match &f.python {
        None => {
            let mut c = bad(
                ID,
                Status::Fail,
                "no python3 found on PATH".into(),
                "add Python to your profile: home.packages = [ pkgs.python3 ];",
            );
            if let Some(e) = &f.python_error {
                c.detail.push(e.clone());
            }
            c
        }
        Some(p) if p.real.starts_with("/nix/store") => ok(
            ID,
            format!(
                "python3 ({}) is from the Nix store: {}",
                p.version,
                p.real.display()
            ),
        ),
        Some(p) => bad(
            ID,
            Status::Warn,
            format!(
                "python3 ({}) is {}, not from the Nix store",
                p.version,
                p.real.display()
            ),
            "use Nix's Python, which nixpkgs' packages are built for: pkgs.python3",
        ),
    }
}

/// Is the target externally managed (PEP 668), or a virtualenv?
pub fn externally_managed(f: &Facts) -> Check {
    const ID: &str = "externally-managed";
    let Some(p) = &f.python else {
        return bad(
            ID,
            Status::Warn,
            "no interpreter to check".into(),
            "set PIP_GUARD_PYTHON=/path/to/python3, or put python3 on PATH",
        );
    };
    if p.virtualenv {
        return ok(
            ID,
            "a virtualenv is active: pip installs stay inside it".into(),
        );
    }
    match &p.externally_managed {
        Some(msg) => {
            let mut c = ok(
                ID,
                format!(
                    "{} is externally managed (PEP 668): pip refuses to install into it",
                    p.path.display()
                ),
            );
            c.detail = msg
                .lines()
                .map(str::trim_end)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect();
            c
        }
        None => bad(
            ID,
            Status::Warn,
            format!(
                "{} is not externally managed: pip installs straight into it",
                p.path.display()
            ),
            "prefer a Nix Python (externally managed), or work inside a virtualenv",
        ),
    }
}

/// Is the user base's bin dir (`~/.local/bin`) on PATH?
pub fn user_bin_on_path(f: &Facts) -> Check {
    const ID: &str = "user-bin-on-path";
    let Some(p) = &f.python else {
        return bad(
            ID,
            Status::Warn,
            "no interpreter: user base unknown".into(),
            "put python3 on PATH, then run pip-guard doctor again",
        );
    };
    let bin = p.user_base.join("bin");
    if f.path.iter().any(|d| same_dir(d, &bin)) {
        ok(ID, format!("{} is on PATH", bin.display()))
    } else {
        bad(
            ID,
            Status::Fail,
            format!(
                "{} is not on PATH: commands from pip install --user are unreachable",
                bin.display()
            ),
            "add it: home.sessionPath = [ \"$HOME/.local/bin\" ];",
        )
    }
}

/// Does PYTHONPATH point at the user site (Python adds it by itself)?
pub fn redundant_pythonpath(f: &Facts) -> Check {
    const ID: &str = "redundant-pythonpath";
    let Some(p) = &f.python else {
        return ok(ID, "no interpreter to compare PYTHONPATH with".into());
    };
    let hits: Vec<&PathBuf> = f
        .pythonpath
        .iter()
        .filter(|d| same_dir(d, &p.user_site))
        .collect();
    if hits.is_empty() {
        ok(
            ID,
            if f.pythonpath.is_empty() {
                "PYTHONPATH is not set".into()
            } else {
                "PYTHONPATH does not repeat the user site".into()
            },
        )
    } else {
        bad(
            ID,
            Status::Warn,
            format!(
                "PYTHONPATH holds the user site {}, which Python adds by itself",
                p.user_site.display()
            ),
            "remove it from PYTHONPATH (and from home.sessionVariables)",
        )
    }
}

/// Are DYLD_* or LD_LIBRARY_PATH set? They do not work reliably with Nix.
pub fn library_vars(f: &Facts) -> Check {
    const ID: &str = "library-path-vars";
    if f.library_vars.is_empty() {
        return ok(ID, "no DYLD_* or LD_LIBRARY_PATH set".into());
    }
    let names: Vec<&str> = f.library_vars.iter().map(|(k, _)| k.as_str()).collect();
    let mut c = bad(
        ID,
        Status::Warn,
        format!(
            "{} set: Nix binaries may load the wrong libraries",
            names.join(", ")
        ),
        "unset them; let Nix give programs their libraries (e.g. a dev shell)",
    );
    c.detail = f
        .library_vars
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    c
}

/// Packages in the user site that nixpkgs also provides shadow the Nix ones.
pub fn user_site_shadows_nix(f: &Facts, nix_attr: &dyn Fn(&str) -> Option<String>) -> Check {
    const ID: &str = "user-site-shadows-nix";
    let Some(p) = &f.python else {
        return ok(ID, "no interpreter: no user site to check".into());
    };
    // A Nix-store Python imports its own set; any other gets nixpkgs' default.
    let set = if p.real.starts_with("/nix/store") {
        format!("python{}Packages", p.version.replace('.', ""))
    } else {
        crate::target::DEFAULT_SET.to_string()
    };
    let mut shadowing: Vec<String> = f
        .user_site_dists
        .iter()
        .filter_map(|d| {
            let n = normalize(d);
            nix_attr(&n).map(|attr| format!("{d}: {set}.{attr}"))
        })
        .collect();
    shadowing.sort();
    shadowing.dedup();
    if shadowing.is_empty() {
        return ok(
            ID,
            format!(
                "{} package(s) in the user site, none also in nixpkgs",
                f.user_site_dists.len()
            ),
        );
    }
    let mut c = bad(
        ID,
        Status::Warn,
        format!(
            "{} package(s) in {} shadow nixpkgs' own",
            shadowing.len(),
            p.user_site.display()
        ),
        &format!(
            "pip uninstall them; use {}.withPackages (ps: [ ps.<attr> ])",
            // A Nix-store Python imports its own set; else nixpkgs' default.
            if p.real.starts_with("/nix/store") {
                format!("python{}", p.version.replace('.', ""))
            } else {
                "python3".to_string()
            }
        ),
    );
    c.detail = shadowing;
    c
}

/// Whether a shell's answer to "what is `pip`?" (see [`Facts::pip_type`])
/// is the snippet's function: reported as a function, not an alias, and
/// calling `__pip_guard_pip`.
pub fn routed_by_function(pip_type: &str) -> bool {
    let first = pip_type.lines().next().unwrap_or("");
    let function = first.contains("is a function")   // bash, fish
        || first.trim() == "pip: function"; // zsh
    function && pip_type.contains("__pip_guard_pip")
}

/// Does `pip` reach the guard in this shell?
///
/// Only the shell itself knows its functions and aliases: when doctor was
/// run through the snippet's `pip-guard` function, [`Facts::pip_type`]
/// says what `pip` is there. `PIP_GUARD_SHELL` alone proves nothing (it is
/// inherited by child shells, survives `unset -f pip`, and an alias wins
/// over the function).
pub fn pip_is_guarded(f: &Facts) -> Check {
    const ID: &str = "pip-is-guarded";
    let sh = f.shell_integration.as_deref().unwrap_or("shell");
    if let Some(t) = &f.pip_type {
        if routed_by_function(t) {
            return ok(
                ID,
                format!("pip is routed through pip-guard by the {sh} integration (checked in this shell)"),
            );
        }
        let first = t.lines().next().unwrap_or("").trim();
        let alias = first.contains("alias");
        let mut c = bad(
            ID,
            Status::Fail,
            format!("in this shell pip is not the guard's function: {first}"),
            if alias {
                "an alias wins over the function: remove it (unalias pip), or define it after the init line"
            } else {
                "the pip function is gone (unset -f / functions -e?): re-run eval \"$(pip-guard init bash)\" (or init zsh / init fish)"
            },
        );
        c.detail = t.lines().skip(1).take(6).map(String::from).collect();
        return c;
    }
    match (&f.pip_on_path, &f.current_exe) {
        (Some(pip), Some(me)) if pip == me => {
            ok(ID, format!("pip on PATH is pip-guard ({})", pip.display()))
        }
        (pip, _) => {
            let what = match pip {
                Some(p) => format!("pip is {}, not pip-guard", p.display()),
                None => "pip is not on PATH".into(),
            };
            match &f.shell_integration {
                Some(sh) => bad(
                    ID,
                    Status::Fail,
                    format!(
                        "{what}: the {sh} integration was loaded by a parent shell, but \
                         this shell does not have its functions (a child shell such as \
                         bash -c, a script, or command pip-guard)"
                    ),
                    "run pip-guard doctor from your interactive shell; in scripts call \
                     pip-guard pip … or put a pip symlink to pip-guard first on PATH",
                ),
                None => bad(
                    ID,
                    Status::Fail,
                    format!("{what} and no shell integration is loaded"),
                    "add eval \"$(pip-guard init bash)\" to ~/.bashrc (or init zsh / init fish)",
                ),
            }
        }
    }
}

fn same_dir(a: &Path, b: &Path) -> bool {
    let trim = |p: &Path| PathBuf::from(p.to_string_lossy().trim_end_matches('/'));
    if trim(a) == trim(b) {
        return true;
    }
    matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
}

/// The number of failing checks.
pub fn failures(checks: &[Check]) -> usize {
    checks.iter().filter(|c| c.status == Status::Fail).count()
}

// ---- rendering ---------------------------------------------------------

/// Text for people: one line per check, its advice and detail indented.
pub fn render_text(checks: &[Check], color: bool) -> String {
    let mut out = String::new();
    for c in checks {
        let (label, code) = match c.status {
            Status::Ok => ("ok  ", "32"),
            Status::Warn => ("warn", "33"),
            Status::Fail => ("fail", "31"),
        };
        if color {
            out.push_str(&format!("\x1b[{code}m{label}\x1b[0m  {}\n", c.summary));
        } else {
            out.push_str(&format!("{label}  {}\n", c.summary));
        }
        for d in &c.detail {
            out.push_str(&format!("      | {d}\n"));
        }
        if let Some(a) = &c.advice {
            out.push_str(&format!("      → {a}\n"));
        }
    }
    let count = |s| checks.iter().filter(|c| c.status == s).count();
    out.push_str(&format!(
        "\n{} ok, {} warning(s), {} failure(s)\n",
        count(Status::Ok),
        count(Status::Warn),
        count(Status::Fail)
    ));
    out
}

/// JSON for scripts: schema `pip-guard.doctor/v1`.
pub fn render_json(checks: &[Check]) -> String {
    let count = |s| checks.iter().filter(|c| c.status == s).count();
    let v = serde_json::json!({
        "schema": "pip-guard.doctor/v1",
        "checks": checks,
        "summary": {
            "ok": count(Status::Ok),
            "warn": count(Status::Warn),
            "fail": count(Status::Fail),
        },
    });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

// ---- gathering (the edge) ----------------------------------------------

/// Read the facts from this process's environment, the filesystem and the
/// interpreter pip would install into.
pub fn gather(settings: &Settings) -> Facts {
    let env = |k: &str| settings.env.get_os(k);
    let path_var = settings.path();
    let path: Vec<PathBuf> = path_var
        .map(|p| std::env::split_paths(p).collect())
        .unwrap_or_default();
    let pythonpath: Vec<PathBuf> = env("PYTHONPATH")
        .map(|p| {
            std::env::split_paths(p)
                .filter(|d| !d.as_os_str().is_empty())
                .collect()
        })
        .unwrap_or_default();
    let mut library_vars: Vec<(String, String)> = settings
        .env
        .iter()
        .filter_map(|(k, v)| {
            let k = k.to_string_lossy().into_owned();
            (k.starts_with("DYLD_") || k == "LD_LIBRARY_PATH")
                .then(|| (k, crate::redact::redact(&v.to_string_lossy()).into_owned()))
        })
        .collect();
    library_vars.sort();

    let python_path = crate::target::find_python(settings.guard_python(), path_var);
    let (python, python_error) = match python_path {
        None => (None, None),
        Some(p) => match crate::target::probe(settings, &p) {
            Ok(probe) => (Some(python_facts(&p, &probe)), None),
            Err(e) => (None, Some(format!("{e:#}"))),
        },
    };
    let user_site_dists = python
        .as_ref()
        .map(|p| dists_in(&p.user_site))
        .unwrap_or_default();
    let pip_on_path =
        crate::target::which("pip", path_var).and_then(|p| std::fs::canonicalize(p).ok());
    let current_exe = settings
        .self_exe
        .as_ref()
        .and_then(|p| std::fs::canonicalize(p).ok());
    let shell_integration = settings.env.nonempty("PIP_GUARD_SHELL").map(String::from);
    let loader = python
        .as_ref()
        .and_then(|p| loader_facts(&settings.env, &p.real));
    let pip_type = settings
        .env
        .nonempty("PIP_GUARD_PIP_TYPE")
        .map(String::from);
    Facts {
        python,
        python_error,
        path,
        pythonpath,
        library_vars,
        user_site_dists,
        pip_on_path,
        current_exe,
        shell_integration,
        loader,
        pip_type,
    }
}

/// The loader of `python` and the common manylinux libraries it finds.
fn loader_facts(env: &Env, python: &Path) -> Option<LoaderFacts> {
    use crate::wheels::loader::{Found, LoaderKind, Origin, SiteView};
    let loader = crate::wheels::loader_for(python, env).ok()?;
    let dir = python.parent().map(Path::to_path_buf).unwrap_or_default();
    let libs = crate::wheels::libs::common_non_glibc()
        .into_iter()
        .map(|l| {
            let at = match loader.find(
                l.soname,
                &Origin::Dir(dir.clone()),
                &[],
                &[],
                &SiteView::default(),
            ) {
                Found::File(p) => Some(p.display().to_string()),
                Found::Loaded => Some("already loaded by the interpreter".to_string()),
                Found::Wheel(p) => Some(p),
                Found::Missing => None,
            };
            (l.soname.to_string(), l.attr.to_string(), at)
        })
        .collect();
    Some(LoaderFacts {
        describe: loader.kind.describe(),
        served_by_nix_ld: matches!(loader.kind, LoaderKind::NixLd { .. }),
        nix_ld: env.nonempty("NIX_LD").map(String::from),
        libs,
    })
}

fn python_facts(path: &Path, probe: &crate::target::Probe) -> PythonFacts {
    let version: String = probe
        .python_full_version
        .split('.')
        .take(2)
        .collect::<Vec<_>>()
        .join(".");
    PythonFacts {
        path: path.to_path_buf(),
        // sys.executable: a shim or wrapper on PATH is not the interpreter.
        real: std::fs::canonicalize(&probe.executable)
            .or_else(|_| std::fs::canonicalize(path))
            .unwrap_or_else(|_| path.to_path_buf()),
        version,
        virtualenv: probe.virtualenv,
        externally_managed: probe.externally_managed.clone(),
        user_base: PathBuf::from(&probe.user_base),
        user_site: PathBuf::from(&probe.user_site),
    }
}

/// Distribution names in a site-packages dir: `Name:` of each
/// `*.dist-info/METADATA` (or `*.egg-info/PKG-INFO`), else the dir name.
pub fn dists_in(site: &Path) -> Vec<String> {
    let Ok(rd) = std::fs::read_dir(site) else {
        return Vec::new();
    };
    let mut out: Vec<String> = rd
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let (stem, meta) = if let Some(s) = name.strip_suffix(".dist-info") {
                (s.to_string(), "METADATA")
            } else if let Some(s) = name.strip_suffix(".egg-info") {
                (s.to_string(), "PKG-INFO")
            } else {
                return None;
            };
            let from_meta = std::fs::read_to_string(e.path().join(meta))
                .ok()
                .and_then(|t| {
                    t.lines()
                        .take_while(|l| !l.is_empty())
                        .find_map(|l| l.strip_prefix("Name:").map(|n| n.trim().to_string()))
                });
            Some(from_meta.unwrap_or_else(|| stem.split('-').next().unwrap_or("").to_string()))
        })
        .filter(|n| !n.is_empty())
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn py(real: &str) -> PythonFacts {
        PythonFacts {
            path: PathBuf::from("/usr/bin/python3"),
            real: PathBuf::from(real),
            version: "3.12".into(),
            virtualenv: false,
            externally_managed: Some("This environment is externally managed\nUse Nix.".into()),
            user_base: PathBuf::from("/home/u/.local"),
            user_site: PathBuf::from("/home/u/.local/lib/python3.12/site-packages"),
        }
    }

    fn facts() -> Facts {
        Facts {
            python: Some(py("/nix/store/abc-python3-3.12.4/bin/python3.12")),
            path: vec!["/home/u/.local/bin".into(), "/usr/bin".into()],
            shell_integration: Some("bash".into()),
            pip_type: Some(BASH_FUNCTION.into()),
            ..Facts::default()
        }
    }

    /// `type pip` in bash with the snippet loaded.
    const BASH_FUNCTION: &str =
        "pip is a function\npip () \n{ \n    __pip_guard_pip pip \"$@\"\n}\n";

    fn none(_: &str) -> Option<String> {
        None
    }

    fn status(c: Check) -> Status {
        c.status
    }

    #[test]
    fn a_good_machine_is_all_ok() {
        let cs = checks(&facts(), &none);
        assert!(cs.iter().all(|c| c.status == Status::Ok), "{cs:#?}");
        assert_eq!(failures(&cs), 0);
    }

    #[test]
    fn python_outside_the_store_warns_and_missing_python_fails() {
        let mut f = facts();
        f.python = Some(py("/usr/bin/python3.12"));
        assert_eq!(status(python_from_nix(&f)), Status::Warn);
        f.python = None;
        assert_eq!(status(python_from_nix(&f)), Status::Fail);
    }

    #[test]
    fn externally_managed_quotes_the_marker() {
        let c = externally_managed(&facts());
        assert_eq!(c.status, Status::Ok);
        assert_eq!(
            c.detail,
            ["This environment is externally managed", "Use Nix."]
        );
        let mut f = facts();
        if let Some(p) = f.python.as_mut() {
            p.externally_managed = None;
        }
        assert_eq!(status(externally_managed(&f)), Status::Warn);
        if let Some(p) = f.python.as_mut() {
            p.virtualenv = true;
        }
        assert_eq!(status(externally_managed(&f)), Status::Ok);
    }

    #[test]
    fn user_bin_missing_from_path_fails() {
        let mut f = facts();
        f.path = vec!["/usr/bin".into()];
        let c = user_bin_on_path(&f);
        assert_eq!(c.status, Status::Fail);
        assert!(c.summary.contains("/home/u/.local/bin"));
        f.path = vec!["/home/u/.local/bin/".into()];
        assert_eq!(status(user_bin_on_path(&f)), Status::Ok);
    }

    #[test]
    fn pythonpath_with_the_user_site_warns() {
        let mut f = facts();
        f.pythonpath = vec!["/opt/x".into()];
        assert_eq!(status(redundant_pythonpath(&f)), Status::Ok);
        f.pythonpath
            .push("/home/u/.local/lib/python3.12/site-packages".into());
        assert_eq!(status(redundant_pythonpath(&f)), Status::Warn);
    }

    #[test]
    fn library_path_variables_warn() {
        let mut f = facts();
        f.library_vars = vec![("DYLD_LIBRARY_PATH".into(), "/opt/lib".into())];
        let c = library_vars(&f);
        assert_eq!(c.status, Status::Warn);
        assert_eq!(c.detail, ["DYLD_LIBRARY_PATH=/opt/lib"]);
    }

    #[test]
    fn user_site_packages_nixpkgs_provides_warn_with_the_attr() {
        let mut f = facts();
        f.user_site_dists = vec!["Requests".into(), "made_up".into(), "PyYAML".into()];
        let lookup = |n: &str| match n {
            "requests" => Some("requests".to_string()),
            "pyyaml" => Some("pyyaml".to_string()),
            _ => None,
        };
        let c = user_site_shadows_nix(&f, &lookup);
        assert_eq!(c.status, Status::Warn);
        assert_eq!(
            c.detail,
            [
                "PyYAML: python312Packages.pyyaml",
                "Requests: python312Packages.requests"
            ]
        );
        assert_eq!(status(user_site_shadows_nix(&f, &none)), Status::Ok);
    }

    #[test]
    fn what_the_shell_says_pip_is() {
        assert!(routed_by_function(BASH_FUNCTION));
        assert!(routed_by_function(
            "pip: function\npip () {\n\t__pip_guard_pip pip \"$@\"\n}"
        ));
        assert!(routed_by_function(
            "pip is a function with definition\n# Defined via `source`\nfunction pip --description 'pip through pip-guard'\n    __pip_guard_pip pip $argv\nend"
        ));
        for not in [
            "pip is aliased to `/usr/bin/pip'",
            "pip: alias\n/usr/bin/pip",
            "pip is /usr/bin/pip",
            "pip is a function\npip () { /usr/bin/pip \"$@\"; }",
            "",
        ] {
            assert!(!routed_by_function(not), "{not}");
        }
        // The shell's word wins over PIP_GUARD_SHELL.
        let mut f = facts();
        assert_eq!(status(pip_is_guarded(&f)), Status::Ok);
        f.pip_type = Some("pip is aliased to `/usr/bin/pip'".into());
        let c = pip_is_guarded(&f);
        assert_eq!(c.status, Status::Fail);
        assert!(c.advice.as_deref().unwrap_or("").contains("alias"));
        // PIP_GUARD_SHELL inherited by a child shell: not routed.
        f.pip_type = None;
        f.pip_on_path = Some("/usr/bin/pip".into());
        f.current_exe = Some("/opt/pip-guard".into());
        let c = pip_is_guarded(&f);
        assert_eq!(c.status, Status::Fail);
        assert!(c.summary.contains("parent shell"), "{}", c.summary);
    }

    #[test]
    fn pip_must_reach_the_guard() {
        let mut f = facts();
        f.shell_integration = None;
        f.pip_type = None;
        f.current_exe = Some("/opt/pip-guard".into());
        f.pip_on_path = Some("/usr/bin/pip".into());
        let c = pip_is_guarded(&f);
        assert_eq!(c.status, Status::Fail);
        assert!(c.summary.contains("/usr/bin/pip"));
        f.pip_on_path = Some("/opt/pip-guard".into());
        assert_eq!(status(pip_is_guarded(&f)), Status::Ok);
        f.pip_on_path = None;
        assert_eq!(status(pip_is_guarded(&f)), Status::Fail);
    }

    #[test]
    fn advice_fits_an_80_column_terminal() {
        let mut f = Facts {
            python: Some(py("/usr/bin/python3.12")),
            library_vars: vec![("LD_LIBRARY_PATH".into(), "/x".into())],
            pythonpath: vec!["/home/u/.local/lib/python3.12/site-packages".into()],
            user_site_dists: vec!["requests".into()],
            ..Facts::default()
        };
        if let Some(p) = f.python.as_mut() {
            p.externally_managed = None;
        }
        let all = |n: &str| Some(n.to_string());
        let mut cs = checks(&f, &all);
        f.python = None;
        cs.extend(checks(&f, &all));
        for c in &cs {
            if let Some(a) = &c.advice {
                // Printed after 8 columns: "      → ".
                assert!(a.chars().count() <= 72, "{}: {a}", c.id);
            }
        }
        assert!(cs.iter().filter(|c| c.status != Status::Ok).count() >= 7);
    }

    #[test]
    fn nix_ld_and_manylinux_libraries() {
        let mut f = facts();
        assert_eq!(
            status(nix_ld(&f)),
            Status::Ok,
            "not checked without a loader"
        );
        let lib = |s: &str, a: &str, at: Option<&str>| {
            (s.to_string(), a.to_string(), at.map(String::from))
        };
        f.loader = Some(LoaderFacts {
            describe: "nix-ld's /lib64 shim".into(),
            served_by_nix_ld: true,
            nix_ld: None,
            libs: vec![
                lib("libstdc++.so.6", "stdenv.cc.cc.lib", None),
                lib("libz.so.1", "zlib", Some("/run/nix-ld/lib/libz.so.1")),
                lib("libGL.so.1", "libGL", None),
            ],
        });
        let c = nix_ld(&f);
        assert_eq!(c.status, Status::Warn, "{c:?}");
        assert!(c
            .advice
            .as_deref()
            .is_some_and(|a| a.contains("programs.nix-ld.enable")));
        let c = manylinux_libraries(&f);
        assert_eq!(c.status, Status::Warn);
        assert!(c.summary.starts_with("2 of 3"), "{}", c.summary);
        assert_eq!(
            c.detail[0],
            "LD_LIBRARY_PATH = lib.makeLibraryPath [ stdenv.cc.cc.lib libGL ];"
        );
        assert_eq!(c.detail[1], "libstdc++.so.6 (stdenv.cc.cc.lib): not found");
        if let Some(l) = f.loader.as_mut() {
            l.nix_ld = Some("/run/current-system/sw/share/nix-ld/lib/ld.so".into());
            l.libs.retain(|(_, _, at)| at.is_some());
        }
        assert_eq!(status(nix_ld(&f)), Status::Ok);
        assert_eq!(status(manylinux_libraries(&f)), Status::Ok);
    }

    #[test]
    fn text_fits_and_json_counts() {
        let mut f = facts();
        f.path = vec![];
        let cs = checks(&f, &none);
        let t = render_text(&cs, false);
        assert!(t.contains("fail  "), "{t}");
        assert!(t.ends_with("8 ok, 0 warning(s), 1 failure(s)\n"), "{t}");
        let j: serde_json::Value = serde_json::from_str(&render_json(&cs)).expect("json");
        assert_eq!(j["schema"], "pip-guard.doctor/v1");
        assert_eq!(j["summary"]["fail"], 1);
        assert_eq!(j["checks"][2]["id"], "user-bin-on-path");
        assert_eq!(j["checks"][2]["status"], "fail");
    }
}
