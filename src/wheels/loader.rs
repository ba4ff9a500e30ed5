//! Where the target interpreter's dynamic loader would find a library.
//!
//! Three loaders, told apart by the interpreter's `PT_INTERP` and the
//! environment:
//!
//! - [`LoaderKind::System`]: a distribution's `ld.so` (Debian, Fedora, …):
//!   `DT_RPATH`, `LD_LIBRARY_PATH`, `DT_RUNPATH`, `/etc/ld.so.cache` (read
//!   with `ldconfig -p`), then the default directories.
//! - [`LoaderKind::NixStore`]: a Nix-built interpreter runs under its own
//!   glibc's `ld.so` in the store, which nixpkgs patches not to read
//!   `/etc/ld.so.cache` and whose only default directory is that glibc's
//!   `lib/`: `DT_RPATH`, `LD_LIBRARY_PATH`, `DT_RUNPATH`, glibc's `lib/`.
//! - [`LoaderKind::NixLd`]: a non-Nix interpreter (`/lib64/ld-linux-…`) on
//!   NixOS: nix-ld's shim runs the loader named by `NIX_LD` with
//!   `NIX_LD_LIBRARY_PATH` added to the search path.
//!
//! In all three, a soname the interpreter has already loaded (its own
//! `DT_NEEDED` closure: libc, libm, often libz or libexpat) satisfies any
//! later `DT_NEEDED`, whatever the path.
//!
//! Why `ldconfig -p` rather than reading `/etc/ld.so.cache`: no maintained
//! crate reads the cache (two on-disk formats, hwcap subdirectories), the
//! rules forbid a hand-written parser, and `ldconfig -p` prints the cache
//! in the loader's own order; its line format has been stable for decades.
//! It runs only for a system loader, once per check.

use super::elf::{self, ElfInfo, Limits};
use super::stream::Source;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

/// Which loader the interpreter runs under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoaderKind {
    /// The distribution's loader: cache and default directories.
    System,
    /// A loader in the Nix store: its own glibc `lib/` only.
    NixStore {
        /// The glibc `lib/` the loader lives in.
        glibc_lib: PathBuf,
    },
    /// nix-ld's shim on NixOS, for a non-Nix interpreter.
    NixLd {
        /// `NIX_LD` (the real loader), when set.
        loader: Option<PathBuf>,
    },
}

impl LoaderKind {
    /// A short description for messages.
    pub fn describe(&self) -> String {
        match self {
            LoaderKind::System => "the system's dynamic loader (ld.so.cache and /usr/lib)".into(),
            LoaderKind::NixStore { glibc_lib } => format!(
                "a Nix-store loader ({}; no ld.so.cache, no /usr/lib)",
                glibc_lib.display()
            ),
            LoaderKind::NixLd { loader: Some(l) } => {
                format!("nix-ld (NIX_LD={}, NIX_LD_LIBRARY_PATH)", l.display())
            }
            LoaderKind::NixLd { loader: None } => {
                "nix-ld's /lib64 shim, with NIX_LD unset (nix-ld is not active)".into()
            }
        }
    }
}

/// The environment variables the loader reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoaderEnv {
    /// `LD_LIBRARY_PATH`.
    pub ld_library_path: Option<String>,
    /// `NIX_LD`.
    pub nix_ld: Option<String>,
    /// `NIX_LD_LIBRARY_PATH`.
    pub nix_ld_library_path: Option<String>,
    /// Whether this is NixOS (`/etc/NIXOS`).
    pub nixos: bool,
}

impl LoaderEnv {
    /// From pip-guard's environment.
    pub fn from_env(env: &crate::settings::Env) -> LoaderEnv {
        let var = |k: &str| env.nonempty(k).map(String::from);
        LoaderEnv {
            ld_library_path: var("LD_LIBRARY_PATH"),
            nix_ld: var("NIX_LD"),
            nix_ld_library_path: var("NIX_LD_LIBRARY_PATH"),
            nixos: Path::new("/etc/NIXOS").exists(),
        }
    }
}

/// Where a library was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// Already loaded by the interpreter (by soname).
    Loaded,
    /// Inside the wheels being installed (a path relative to site-packages).
    Wheel(String),
    /// On the file system.
    File(PathBuf),
    /// Nowhere the loader looks.
    Missing,
}

/// Where an object lives, for `$ORIGIN`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A directory relative to site-packages (a wheel member's directory).
    Site(String),
    /// A directory on the file system.
    Dir(PathBuf),
}

/// The files the wheels being installed put in site-packages, plus the
/// site-packages directories already on disk.
#[derive(Debug, Clone, Default)]
pub struct SiteView {
    /// Paths relative to site-packages.
    pub files: BTreeSet<String>,
    /// Directories whose existing files count too (the target's sites).
    pub roots: Vec<PathBuf>,
}

impl SiteView {
    /// Whether `rel` (relative to site-packages) will be there.
    pub fn has(&self, rel: &str) -> bool {
        self.files.contains(rel) || self.roots.iter().any(|r| r.join(rel).is_file())
    }
}

/// The target's loader, ready to answer lookups.
#[derive(Debug, Clone)]
pub struct Loader {
    /// Which loader.
    pub kind: LoaderKind,
    /// The interpreter's `PT_INTERP`.
    pub interp: Option<String>,
    /// The ELF class and machine libraries must match.
    pub class64: bool,
    /// `e_machine`.
    pub machine: u16,
    /// `LD_LIBRARY_PATH` (and, under nix-ld, `NIX_LD_LIBRARY_PATH`).
    pub library_path: Vec<PathBuf>,
    /// The interpreter's `DT_RPATH`, which applies to what it loads when it
    /// has no `DT_RUNPATH`.
    pub exe_rpath: Vec<PathBuf>,
    /// The cache (system loader only): soname → candidate files.
    pub cache: BTreeMap<String, Vec<PathBuf>>,
    /// The default directories.
    pub default_dirs: Vec<PathBuf>,
    /// Sonames the interpreter has loaded before any extension.
    pub preloaded: BTreeSet<String>,
}

fn split(v: Option<&str>) -> Vec<PathBuf> {
    v.map(|s| {
        s.split([':', ';'])
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
            .collect()
    })
    .unwrap_or_default()
}

/// Normalize `a/b/../c` (no file system access); `None` when it climbs
/// above the start.
pub fn normalize(p: &str) -> Option<String> {
    let mut out: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                out.pop()?;
            }
            x => out.push(x),
        }
    }
    Some(out.join("/"))
}

fn debian_triplet(machine: u16, class64: bool) -> Option<&'static str> {
    match (machine, class64) {
        (62, true) => Some("x86_64-linux-gnu"),
        (183, true) => Some("aarch64-linux-gnu"),
        (3, false) => Some("i386-linux-gnu"),
        (40, false) => Some("arm-linux-gnueabihf"),
        (21, true) => Some("powerpc64le-linux-gnu"),
        (22, true) => Some("s390x-linux-gnu"),
        (243, true) => Some("riscv64-linux-gnu"),
        _ => None,
    }
}

/// Parse `ldconfig -p` output: soname → paths, in the cache's order.
pub fn parse_ldconfig(text: &str) -> BTreeMap<String, Vec<PathBuf>> {
    let mut out: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for line in text.lines().skip(1) {
        let line = line.trim();
        let (Some((name, _)), Some((_, path))) = (line.split_once(" ("), line.split_once("=> "))
        else {
            continue;
        };
        out.entry(name.to_string())
            .or_default()
            .push(PathBuf::from(path.trim()));
    }
    out
}

fn ldconfig_cache() -> BTreeMap<String, Vec<PathBuf>> {
    let found = ["/sbin/ldconfig", "/usr/sbin/ldconfig", "/usr/bin/ldconfig"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file());
    let Some(ldconfig) = found else {
        return BTreeMap::new();
    };
    match std::process::Command::new(ldconfig)
        .arg("-p")
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
    {
        Ok(o) if o.status.success() => parse_ldconfig(&String::from_utf8_lossy(&o.stdout)),
        _ => BTreeMap::new(),
    }
}

/// The real ELF file behind `python` (a wrapper script names its target
/// only at run time: ask the interpreter for `/proc/self/exe`).
pub fn real_executable(python: &Path) -> PathBuf {
    let is_elf = std::fs::File::open(python)
        .and_then(|mut f| {
            let mut m = [0u8; 4];
            std::io::Read::read_exact(&mut f, &mut m).map(|_| m == *b"\x7fELF")
        })
        .unwrap_or(false);
    if is_elf {
        return python.to_path_buf();
    }
    std::process::Command::new(python)
        .args([
            "-S",
            "-c",
            "import os,sys;sys.stdout.write(os.readlink('/proc/self/exe'))",
        ])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).into_owned()))
        .unwrap_or_else(|| python.to_path_buf())
}

/// The interpreter's ELF headers could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {error}", .exe.display())]
pub struct InterpreterError {
    /// The interpreter's executable.
    pub exe: PathBuf,
    /// What is wrong with it.
    pub error: elf::ElfError,
}

impl Loader {
    /// The loader of the interpreter `exe` (an ELF file), in `env`.
    pub fn detect(exe: &Path, env: &LoaderEnv) -> Result<Loader, InterpreterError> {
        let info =
            elf::read(&Source::File(exe.to_path_buf()), &Limits::default()).map_err(|error| {
                InterpreterError {
                    exe: exe.to_path_buf(),
                    error,
                }
            })?;
        Ok(Loader::for_interpreter(&info, env, exe))
    }

    /// The loader for an interpreter whose ELF facts are `info`.
    pub fn for_interpreter(info: &ElfInfo, env: &LoaderEnv, exe: &Path) -> Loader {
        let interp = info.interp.clone();
        let kind = match &interp {
            Some(i) if i.starts_with("/nix/store/") => LoaderKind::NixStore {
                glibc_lib: Path::new(i)
                    .parent()
                    .map(Path::to_path_buf)
                    .unwrap_or_default(),
            },
            Some(_) if env.nixos => LoaderKind::NixLd {
                loader: env.nix_ld.as_deref().map(PathBuf::from),
            },
            _ => LoaderKind::System,
        };
        let mut library_path = split(env.ld_library_path.as_deref());
        let (cache, default_dirs) = match &kind {
            LoaderKind::System => {
                let mut dirs = Vec::new();
                if let Some(t) = debian_triplet(info.machine, info.class64) {
                    dirs.push(PathBuf::from(format!("/lib/{t}")));
                    dirs.push(PathBuf::from(format!("/usr/lib/{t}")));
                }
                if info.class64 {
                    dirs.push("/lib64".into());
                    dirs.push("/usr/lib64".into());
                }
                dirs.push("/lib".into());
                dirs.push("/usr/lib".into());
                (ldconfig_cache(), dirs)
            }
            LoaderKind::NixStore { glibc_lib } => (BTreeMap::new(), vec![glibc_lib.clone()]),
            LoaderKind::NixLd { loader } => {
                if loader.is_some() {
                    library_path.extend(split(env.nix_ld_library_path.as_deref()));
                }
                let dirs = loader
                    .as_deref()
                    .and_then(Path::parent)
                    .map(|p| vec![p.to_path_buf()])
                    .unwrap_or_default();
                (BTreeMap::new(), dirs)
            }
        };
        let exe_dir = exe.parent().map(Path::to_path_buf).unwrap_or_default();
        let expand_fs = |e: &str| expand(e, &Origin::Dir(exe_dir.clone()));
        let exe_rpath = if info.runpath.is_empty() {
            info.rpath
                .iter()
                .filter_map(|e| match expand_fs(e) {
                    Some(Origin::Dir(d)) => Some(d),
                    _ => None,
                })
                .collect()
        } else {
            Vec::new()
        };
        let mut loader = Loader {
            kind,
            interp,
            class64: info.class64,
            machine: info.machine,
            library_path,
            exe_rpath,
            cache,
            default_dirs,
            preloaded: BTreeSet::new(),
        };
        loader.preloaded = loader.closure(info, &exe_dir);
        loader
    }

    /// The sonames loaded with the interpreter: its `DT_NEEDED`, theirs, …
    fn closure(&self, exe: &ElfInfo, exe_dir: &Path) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut queue: Vec<(String, ElfInfo, PathBuf)> = exe
            .needed
            .iter()
            .map(|n| (n.clone(), exe.clone(), exe_dir.to_path_buf()))
            .collect();
        let site = SiteView::default();
        let mut reads = 0;
        while let Some((soname, parent, dir)) = queue.pop() {
            if !seen.insert(soname.clone()) {
                continue;
            }
            let Found::File(path) = self.find(
                &soname,
                &Origin::Dir(dir),
                &parent.rpath,
                &parent.runpath,
                &site,
            ) else {
                continue;
            };
            reads += 1;
            if reads > 64 {
                break;
            }
            if let Ok(info) = elf::read(&Source::File(path.clone()), &Limits::default()) {
                let d = path.parent().map(Path::to_path_buf).unwrap_or_default();
                for n in &info.needed {
                    queue.push((n.clone(), info.clone(), d.clone()));
                }
            }
        }
        seen
    }

    /// Whether a file on disk is a library this loader would take.
    fn fits(&self, path: &Path) -> bool {
        let mut head = [0u8; 64];
        let Ok(mut f) = std::fs::File::open(path) else {
            return false;
        };
        let n = std::io::Read::read(&mut f, &mut head).unwrap_or(0);
        use object::read::elf::FileHeader;
        let bytes = &head[..n];
        if self.class64 {
            object::elf::FileHeader64::<object::Endianness>::parse(bytes)
                .ok()
                .and_then(|h| h.endian().ok().map(|e| h.e_machine(e).0 == self.machine))
                .unwrap_or(false)
        } else {
            object::elf::FileHeader32::<object::Endianness>::parse(bytes)
                .ok()
                .and_then(|h| h.endian().ok().map(|e| h.e_machine(e).0 == self.machine))
                .unwrap_or(false)
        }
    }

    fn look_in(&self, dir: &Origin, soname: &str, site: &SiteView) -> Option<Found> {
        match dir {
            Origin::Site(rel) => {
                let p = if rel.is_empty() {
                    soname.to_string()
                } else {
                    format!("{rel}/{soname}")
                };
                site.has(&p).then_some(Found::Wheel(p))
            }
            Origin::Dir(d) => {
                let p = d.join(soname);
                (p.is_file() && self.fits(&p)).then_some(Found::File(p))
            }
        }
    }

    /// Find `soname` for an object at `origin` with these paths, in the
    /// loader's order.
    pub fn find(
        &self,
        soname: &str,
        origin: &Origin,
        rpath: &[String],
        runpath: &[String],
        site: &SiteView,
    ) -> Found {
        if soname.contains('/') {
            let p = PathBuf::from(soname);
            return if p.is_file() {
                Found::File(p)
            } else {
                Found::Missing
            };
        }
        if self.preloaded.contains(soname) {
            return Found::Loaded;
        }
        let mut dirs: Vec<Origin> = Vec::new();
        if runpath.is_empty() {
            dirs.extend(rpath.iter().filter_map(|e| expand(e, origin)));
            dirs.extend(self.exe_rpath.iter().cloned().map(Origin::Dir));
        }
        dirs.extend(self.library_path.iter().cloned().map(Origin::Dir));
        dirs.extend(runpath.iter().filter_map(|e| expand(e, origin)));
        for d in &dirs {
            if let Some(f) = self.look_in(d, soname, site) {
                return f;
            }
        }
        if let Some(paths) = self.cache.get(soname) {
            if let Some(p) = paths.iter().find(|p| p.is_file() && self.fits(p)) {
                return Found::File(p.clone());
            }
        }
        for d in &self.default_dirs {
            if let Some(f) = self.look_in(&Origin::Dir(d.clone()), soname, site) {
                return f;
            }
        }
        Found::Missing
    }
}

/// Expand `$ORIGIN` / `${ORIGIN}` in a path entry for an object at
/// `origin`; `None` for entries with other tokens (`$LIB`, `$PLATFORM`),
/// relative entries, or ones climbing out of site-packages.
pub fn expand(entry: &str, origin: &Origin) -> Option<Origin> {
    let rest = entry
        .strip_prefix("$ORIGIN")
        .or_else(|| entry.strip_prefix("${ORIGIN}"));
    match (rest, origin) {
        (Some(rest), Origin::Site(dir)) => {
            if rest.contains('$') {
                return None;
            }
            normalize(&format!("{dir}/{rest}")).map(Origin::Site)
        }
        (Some(rest), Origin::Dir(dir)) => {
            if rest.contains('$') {
                return None;
            }
            let mut p = PathBuf::new();
            for c in dir.join(rest.trim_start_matches('/')).components() {
                match c {
                    Component::ParentDir => {
                        p.pop();
                    }
                    Component::CurDir => {}
                    other => p.push(other),
                }
            }
            Some(Origin::Dir(p))
        }
        (None, _) if entry.starts_with('/') && !entry.contains('$') => {
            Some(Origin::Dir(PathBuf::from(entry)))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ldconfig_lines() {
        let text = "1234 libs found in cache `/etc/ld.so.cache'\n\tlibz.so.1 (libc6,x86-64) => /lib/x86_64-linux-gnu/libz.so.1\n\tlibz.so.1 (libc6) => /lib/i386-linux-gnu/libz.so.1\n\tlibfoo.so (libc6,x86-64, OS ABI: Linux 3.2.0) => /usr/lib/libfoo.so\n";
        let c = parse_ldconfig(text);
        assert_eq!(c["libz.so.1"].len(), 2);
        assert_eq!(
            c["libz.so.1"][0],
            PathBuf::from("/lib/x86_64-linux-gnu/libz.so.1")
        );
        assert_eq!(c["libfoo.so"], [PathBuf::from("/usr/lib/libfoo.so")]);
    }

    #[test]
    fn origin_expansion() {
        let site = Origin::Site("pkg".into());
        assert_eq!(
            expand("$ORIGIN/../pkg.libs", &site),
            Some(Origin::Site("pkg.libs".into()))
        );
        assert_eq!(expand("${ORIGIN}", &site), Some(Origin::Site("pkg".into())));
        assert_eq!(
            expand("$ORIGIN/../../x", &site),
            None,
            "above site-packages"
        );
        assert_eq!(expand("$LIB/x", &site), None);
        assert_eq!(expand("rel/dir", &site), None);
        assert_eq!(
            expand("/opt/x", &site),
            Some(Origin::Dir(PathBuf::from("/opt/x")))
        );
        assert_eq!(
            expand("$ORIGIN/../lib", &Origin::Dir("/a/bin".into())),
            Some(Origin::Dir("/a/lib".into()))
        );
    }

    #[test]
    fn nix_store_interpreters_get_no_cache_and_no_usr_lib() {
        let info = ElfInfo {
            class64: true,
            machine: 62,
            interp: Some("/nix/store/abc-glibc-2.40/lib/ld-linux-x86-64.so.2".into()),
            ..ElfInfo::default()
        };
        let l = Loader::for_interpreter(&info, &LoaderEnv::default(), Path::new("/x/python3"));
        assert_eq!(
            l.kind,
            LoaderKind::NixStore {
                glibc_lib: "/nix/store/abc-glibc-2.40/lib".into()
            }
        );
        assert!(l.cache.is_empty());
        assert_eq!(
            l.default_dirs,
            [PathBuf::from("/nix/store/abc-glibc-2.40/lib")]
        );
        let env = LoaderEnv {
            nixos: true,
            nix_ld: Some("/run/current-system/sw/share/nix-ld/lib/ld.so".into()),
            nix_ld_library_path: Some("/run/current-system/sw/share/nix-ld/lib".into()),
            ..LoaderEnv::default()
        };
        let mut fhs = info.clone();
        fhs.interp = Some("/lib64/ld-linux-x86-64.so.2".into());
        let l = Loader::for_interpreter(&fhs, &env, Path::new("/x/python3"));
        assert!(matches!(l.kind, LoaderKind::NixLd { loader: Some(_) }));
        assert!(l
            .library_path
            .contains(&PathBuf::from("/run/current-system/sw/share/nix-ld/lib")));
        // The same Nix-store interpreter ignores NIX_LD_LIBRARY_PATH.
        let l = Loader::for_interpreter(&info, &env, Path::new("/x/python3"));
        assert!(l.library_path.is_empty());
    }
}
