//! Wheels that will not load: what a wheel's native code needs from the
//! host, whether the target interpreter's loader can find it, and the fix.
//!
//! - [`libs`]: the manylinux host libraries and their nixpkgs attributes;
//! - [`stream`], [`elf`], [`archive`]: reading `.so` members' dynamic
//!   sections out of a wheel, bounded;
//! - [`loader`]: how the target's dynamic loader searches;
//! - [`fixes`]: what to do about a missing library, in priority order;
//! - [`pip`]: asking the real pip what it would install, and getting the
//!   files once;
//! - [`imports`]: the check after an install;
//! - [`render`]: text and JSON.
//!
//! See `docs/wheels.md`.

pub mod archive;
pub mod elf;
pub mod fixes;
pub mod imports;
pub mod libs;
pub mod loader;
pub mod pip;
pub mod prepare;
pub mod render;
pub mod stream;

use loader::{Found, Loader, Origin, SiteView};
use serde::Serialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// One missing library and the objects that need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Missing {
    /// The soname.
    pub soname: String,
    /// Wheel members that need it.
    pub needed_by: Vec<String>,
}

/// A shared object that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unreadable {
    /// The member.
    pub member: String,
    /// Why.
    pub error: String,
}

/// What was learnt about one wheel.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct WheelCheck {
    /// The wheel's file name.
    pub file: String,
    /// The distribution, when known (from pip's report).
    pub project: Option<String>,
    /// Its version, when known.
    pub version: Option<String>,
    /// The wheel could not be read (not a zip, …): why.
    pub error: Option<String>,
    /// Shared objects in it.
    pub objects: usize,
    /// Libraries its native code takes from the host (not bundled, not glibc).
    pub needs: Vec<String>,
    /// Those the target's loader cannot find.
    pub missing: Vec<Missing>,
    /// Members that could not be read, with why.
    pub unreadable: Vec<Unreadable>,
    /// What to do, in priority order.
    pub fixes: Vec<fixes::Fix>,
}

impl WheelCheck {
    /// Whether the prediction is that it will not load.
    pub fn will_not_load(&self) -> bool {
        !self.missing.is_empty()
    }
}

/// Where a wheel member lands relative to site-packages
/// (`x-1.0.data/platlib/a.so` → `a.so`); `None` for scripts, headers, data.
pub fn site_path(member: &str) -> Option<String> {
    let mut parts = member.splitn(3, '/');
    let first = parts.next()?;
    if first.ends_with(".data") {
        let scheme = parts.next()?;
        return matches!(scheme, "purelib" | "platlib")
            .then(|| parts.next().map(String::from))
            .flatten();
    }
    Some(member.to_string())
}

/// A wheel to check: its file and, when pip named it, the distribution.
#[derive(Debug, Clone)]
pub struct Input {
    /// The wheel file.
    pub path: PathBuf,
    /// The distribution name.
    pub project: Option<String>,
    /// Its version.
    pub version: Option<String>,
}

/// Check `inputs` (installed together) against `loader`. `site_roots`:
/// the target's site-packages directories, whose files count for
/// `$ORIGIN` paths that leave a wheel. `nix_attr` names nixpkgs' package
/// of a project, for the first fix.
pub fn check(
    inputs: &[Input],
    loader: &Loader,
    site_roots: &[PathBuf],
    nix_attr: &dyn Fn(&str) -> Option<String>,
) -> Vec<WheelCheck> {
    let limits = elf::Limits::default();
    let scans: Vec<_> = inputs
        .iter()
        .map(|i| archive::scan(&i.path, &limits))
        .collect();
    let mut site = SiteView {
        roots: site_roots.to_vec(),
        ..SiteView::default()
    };
    for s in scans.iter().flatten() {
        site.files
            .extend(s.members.iter().filter_map(|m| site_path(m)));
    }
    inputs
        .iter()
        .zip(scans)
        .map(|(input, scan)| {
            let mut c = WheelCheck {
                file: input
                    .path
                    .file_name()
                    .map(|f| f.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                project: input.project.clone(),
                version: input.version.clone(),
                ..WheelCheck::default()
            };
            match scan {
                Err(e) => c.error = Some(e.what),
                Ok(scan) => {
                    judge(&mut c, &scan, loader, &site);
                    let attr = input.project.as_deref().and_then(nix_attr);
                    c.fixes = fixes::for_missing(&c.missing, &loader.kind, attr.as_deref());
                }
            }
            c
        })
        .collect()
}

fn judge(c: &mut WheelCheck, scan: &archive::WheelScan, loader: &Loader, site: &SiteView) {
    let mut needs = BTreeSet::new();
    c.objects = scan.objects.len();
    for (member, info) in &scan.objects {
        let info = match info {
            Ok(i) => i,
            Err(e) => {
                c.unreadable.push(Unreadable {
                    member: member.clone(),
                    error: e.to_string(),
                });
                continue;
            }
        };
        let Some(at) = site_path(member) else {
            continue;
        };
        let dir = at
            .rsplit_once('/')
            .map(|(d, _)| d)
            .unwrap_or("")
            .to_string();
        for soname in &info.needed {
            if libs::always_provided(soname) {
                continue;
            }
            match loader.find(
                soname,
                &Origin::Site(dir.clone()),
                &info.rpath,
                &info.runpath,
                site,
            ) {
                Found::Wheel(_) => {}
                Found::Loaded | Found::File(_) => {
                    needs.insert(soname.clone());
                }
                Found::Missing => {
                    needs.insert(soname.clone());
                    match c.missing.iter_mut().find(|m| &m.soname == soname) {
                        Some(m) => m.needed_by.push(member.clone()),
                        None => c.missing.push(Missing {
                            soname: soname.clone(),
                            needed_by: vec![member.clone()],
                        }),
                    }
                }
            }
        }
    }
    c.needs = needs.into_iter().collect();
    c.missing.sort_by(|a, b| a.soname.cmp(&b.soname));
}

/// The loader of `python` in this process's environment.
pub fn loader_for(
    python: &Path,
    env: &crate::settings::Env,
) -> Result<Loader, loader::InterpreterError> {
    let exe = loader::real_executable(python);
    Loader::detect(&exe, &loader::LoaderEnv::from_env(env))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_scheme_paths() {
        assert_eq!(site_path("a/b.so").as_deref(), Some("a/b.so"));
        assert_eq!(
            site_path("x-1.0.data/platlib/a/b.so").as_deref(),
            Some("a/b.so")
        );
        assert_eq!(site_path("x-1.0.data/scripts/tool"), None);
    }
}
