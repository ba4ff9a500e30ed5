//! What to do about libraries the loader cannot find, in priority order:
//!
//! 1. nixpkgs' package of the project (built against Nix's libraries);
//! 2. a dev shell or wrapped interpreter with the libraries on
//!    `LD_LIBRARY_PATH` (`lib.makeLibraryPath [ … ]`, as devenv does);
//! 3. for a non-Nix interpreter only: `programs.nix-ld.libraries`, with
//!    what nix-ld's default list lacks;
//! 4. `libcuda.so.1` is the NVIDIA driver's, never a package.
//!
//! Sonames come from the manylinux table ([`super::libs`]).

use super::libs;
use super::loader::LoaderKind;
use super::Missing;
use serde::Serialize;

/// The kind of fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FixKind {
    /// Use nixpkgs' package of the project.
    Nixpkgs,
    /// Put the libraries on the loader path (dev shell, wrapper).
    LibraryPath,
    /// Add them to `programs.nix-ld.libraries` (non-Nix interpreters).
    NixLd,
    /// The GPU driver provides it.
    Driver,
    /// pip-guard cannot name a package.
    Unknown,
}

/// One fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fix {
    /// Which kind.
    pub kind: FixKind,
    /// One sentence.
    pub text: String,
    /// The Nix to write, when there is some.
    pub nix: Option<String>,
}

/// The nixpkgs attributes for `missing` (table order kept, deduplicated),
/// and the sonames the table does not know.
pub fn attrs(missing: &[Missing]) -> (Vec<&'static str>, Vec<String>) {
    let mut known: Vec<&'static str> = Vec::new();
    let mut unknown = Vec::new();
    for m in missing {
        if m.soname == libs::CUDA_DRIVER {
            continue;
        }
        match libs::lookup(&m.soname) {
            Some(l) => {
                if !known.contains(&l.attr) {
                    known.push(l.attr);
                }
            }
            None => unknown.push(m.soname.clone()),
        }
    }
    (known, unknown)
}

/// `LD_LIBRARY_PATH = lib.makeLibraryPath [ a b ];`
pub fn library_path_nix(attrs: &[&str]) -> String {
    format!(
        "LD_LIBRARY_PATH = lib.makeLibraryPath [ {} ];",
        attrs.join(" ")
    )
}

/// The fixes for `missing` on a loader of `kind`; `project_attr`: nixpkgs'
/// package of the wheel's project, when there is one.
pub fn for_missing(missing: &[Missing], kind: &LoaderKind, project_attr: Option<&str>) -> Vec<Fix> {
    let mut out = Vec::new();
    if missing.is_empty() {
        return out;
    }
    if let Some(attr) = project_attr {
        out.push(Fix {
            kind: FixKind::Nixpkgs,
            text: format!(
                "use nixpkgs' package instead: it is built against Nix's libraries ({attr})"
            ),
            nix: Some(attr.to_string()),
        });
    }
    let (known, unknown) = attrs(missing);
    if !known.is_empty() {
        out.push(Fix {
            kind: FixKind::LibraryPath,
            text: "in the dev shell (mkShell) or a wrapped interpreter, put the libraries on the loader's path".into(),
            nix: Some(library_path_nix(&known)),
        });
        if matches!(kind, LoaderKind::NixLd { .. }) {
            let lacking: Vec<&str> = missing
                .iter()
                .filter_map(|m| libs::lookup(&m.soname))
                .filter(|l| !l.nix_ld_default)
                .map(|l| l.attr)
                .fold(Vec::new(), |mut v, a| {
                    if !v.contains(&a) {
                        v.push(a);
                    }
                    v
                });
            let (text, nix) = if lacking.is_empty() {
                (
                    "enable nix-ld: its default libraries have these (libstdc++, libgcc_s, libatomic, zlib)".to_string(),
                    "programs.nix-ld.enable = true;".to_string(),
                )
            } else {
                (
                    "this interpreter is not from Nix: add what nix-ld's default list lacks"
                        .to_string(),
                    format!(
                        "programs.nix-ld.libraries = with pkgs; [ {} ];",
                        lacking.join(" ")
                    ),
                )
            };
            out.push(Fix {
                kind: FixKind::NixLd,
                text,
                nix: Some(nix),
            });
        }
    }
    if missing.iter().any(|m| m.soname == libs::CUDA_DRIVER) {
        out.push(Fix {
            kind: FixKind::Driver,
            text: "libcuda.so.1 comes with the NVIDIA driver, not a package: on NixOS enable the driver \
                   (hardware.graphics.enable, services.xserver.videoDrivers = [ \"nvidia\" ]) and put \
                   /run/opengl-driver/lib on LD_LIBRARY_PATH"
                .into(),
            nix: Some("LD_LIBRARY_PATH = \"/run/opengl-driver/lib\";".into()),
        });
    }
    for s in unknown {
        out.push(Fix {
            kind: FixKind::Unknown,
            text: format!(
                "{s} is not a manylinux host library (the wheel should have bundled it): \
                 find the package that has it (nix-locate -w lib/{s}) and add it to the library path"
            ),
            nix: None,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Missing {
        Missing {
            soname: s.into(),
            needed_by: vec!["x/_x.so".into()],
        }
    }

    #[test]
    fn priority_order_and_mapping() {
        let missing = [m("libstdc++.so.6"), m("libz.so.1"), m("libGL.so.1")];
        let nixld = LoaderKind::NixLd { loader: None };
        let f = for_missing(&missing, &nixld, Some("python3Packages.opencv4"));
        let kinds: Vec<FixKind> = f.iter().map(|f| f.kind).collect();
        assert_eq!(
            kinds,
            [FixKind::Nixpkgs, FixKind::LibraryPath, FixKind::NixLd]
        );
        assert_eq!(
            f[1].nix.as_deref(),
            Some("LD_LIBRARY_PATH = lib.makeLibraryPath [ stdenv.cc.cc.lib zlib libGL ];")
        );
        assert_eq!(
            f[2].nix.as_deref(),
            Some("programs.nix-ld.libraries = with pkgs; [ libGL ];"),
            "nix-ld's default list already has libstdc++ and zlib"
        );
        // A Nix-built interpreter: nix-ld does not help, so it is not offered.
        let store = LoaderKind::NixStore {
            glibc_lib: "/nix/store/x-glibc/lib".into(),
        };
        let f = for_missing(&missing, &store, None);
        assert!(f.iter().all(|f| f.kind != FixKind::NixLd));
        assert_eq!(f[0].kind, FixKind::LibraryPath);
    }

    #[test]
    fn driver_and_unknown() {
        let f = for_missing(
            &[m("libcuda.so.1"), m("libmadeup.so.3")],
            &LoaderKind::System,
            None,
        );
        let kinds: Vec<FixKind> = f.iter().map(|f| f.kind).collect();
        assert_eq!(kinds, [FixKind::Driver, FixKind::Unknown]);
        assert!(f[0].text.contains("/run/opengl-driver/lib"));
        assert!(f[1].text.contains("libmadeup.so.3"));
        assert!(for_missing(&[], &LoaderKind::System, Some("x")).is_empty());
    }
}
