//! The user's own nixpkgs, asked through `nix-instantiate`.
//!
//! One `nix-instantiate --eval --strict --json` call per invocation
//! evaluates only the candidate attrs the requirements need: for each,
//! whether it exists, its `pname` and `version`, each guarded with
//! `builtins.tryEval` so a throwing (broken, insecure, removed) package
//! cannot fail the call. The call is bounded by a timeout. Answers are
//! cached, keyed by the resolved nixpkgs path (a store path changes with
//! every nixpkgs update), so a second run with the same requirements does
//! not start nix at all.

use super::cache::{self, CacheFile, Entry, Header};
use super::environment::Environment;
use super::fsutil::{self, Lock};
use super::{embedded, time, Index, IndexMeta, Package, Source, MIN_PYTHON_ATTRS};
use crate::error::EnvError;
use color_eyre::eyre;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Default bound on the `nix-instantiate` call.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// The expression evaluated. `set` and `candidates` (a JSON list) come in
/// through `--argstr`, so no name is ever spliced into Nix code.
const EXPR: &str = r#"{ set, candidates }:
let
  pkgs = import <nixpkgs> { config = { allowAliases = false; }; };
  try = e: let r = builtins.tryEval e; in if r.success then r.value else null;
  str = v: if builtins.isString v then v else null;
  psTry = builtins.tryEval (pkgs.${set} or null);
  ps = if psTry.success && builtins.isAttrs psTry.value then psTry.value else null;
  attrOf = s: name:
    let
      has = s != null && builtins.hasAttr name s;
      v = if has then builtins.tryEval s.${name} else { success = false; value = null; };
    in if v.success && builtins.isAttrs v.value then v.value else null;
  pkg = name:
    let p = attrOf ps name; in {
      inherit name;
      exists = p != null;
      pname = if p != null then try (str (p.pname or null)) else null;
      version = if p != null then try (str (p.version or null)) else null;
    };
  # "@pkgs/NAME": a top-level attr; "@extra/ATTR/EXTRA": ATTR's
  # optional-dependencies.EXTRA; "@python3": the default interpreter.
  special = name:
    let
      top = builtins.match "@pkgs/(.*)" name;
      extra = builtins.match "@extra/([^/]*)/(.*)" name;
      deps = a: let p = attrOf ps a; in
        if p != null then try (p.optional-dependencies or { }) else null;
      py3 = try (str (pkgs.python3.pythonVersion or null));
    in
      if top != null then { inherit name; exists = attrOf pkgs (builtins.head top) != null; pname = null; version = null; }
      else if extra != null then {
        inherit name;
        exists = let d = deps (builtins.head extra); in
          d != null && builtins.isAttrs d && builtins.hasAttr (builtins.elemAt extra 1) d;
        pname = null; version = null;
      }
      else { inherit name; exists = py3 != null; pname = null; version = py3; };
  one = name: if builtins.substring 0 1 name == "@" then special name else pkg name;
  lib = pkgs.lib or { };
in {
  set = ps != null;
  count = if ps != null then try (builtins.length (builtins.attrNames ps)) else null;
  version = try (str (lib.version or null));
  results = map one (builtins.fromJSON candidates);
}
"#;

/// How to reach the user's nixpkgs.
#[derive(Debug, Clone)]
pub struct NixOptions {
    /// An explicit nixpkgs path (else `<nixpkgs>` from `NIX_PATH`).
    pub nixpkgs: Option<PathBuf>,
    /// Bound on the `nix-instantiate` call (`None`: the environment's
    /// `PIP_GUARD_NIX_TIMEOUT`, else [`DEFAULT_TIMEOUT`]).
    pub timeout: Option<Duration>,
    /// The index cache directory (default: [`fsutil::index_dir`]).
    pub cache_dir: Option<PathBuf>,
    /// The program to run.
    pub program: PathBuf,
}

impl Default for NixOptions {
    fn default() -> Self {
        NixOptions {
            nixpkgs: None,
            timeout: None,
            cache_dir: None,
            program: PathBuf::from("nix-instantiate"),
        }
    }
}

impl NixOptions {
    /// The bound on the `nix-instantiate` call: the one set, else
    /// `PIP_GUARD_NIX_TIMEOUT`, else [`DEFAULT_TIMEOUT`].
    pub fn timeout_in(&self, env: &Environment) -> Duration {
        self.timeout.or(env.nix_timeout).unwrap_or(DEFAULT_TIMEOUT)
    }
}

/// What nix answered for the candidates.
#[derive(Debug, Clone)]
pub struct NixAnswer {
    /// The resolved nixpkgs path.
    pub nixpkgs: PathBuf,
    /// How it was found (see [`resolve_nixpkgs_from`]).
    pub nixpkgs_from: &'static str,
    /// The candidates that exist in the set (and the `@…` questions
    /// answered yes; `@python3`'s version is the default interpreter's).
    pub packages: Vec<Package>,
    /// The candidates that do not exist (and `@…` questions answered no).
    pub absent: Vec<String>,
    /// Number of attrs in the set, when known.
    pub set_size: Option<usize>,
    /// `lib.version` of that nixpkgs, when known.
    pub version: Option<String>,
    /// Whether everything came from the cache (nix was not run).
    pub cached: bool,
}

/// Whether `program` is found on the environment's PATH (or is a path
/// that exists).
pub fn on_path(program: &Path, env: &Environment) -> bool {
    if program.components().count() > 1 {
        return program.is_file();
    }
    env.path
        .as_ref()
        .map(|p| std::env::split_paths(p).any(|d| d.join(program).is_file()))
        .unwrap_or(false)
}

/// Resolve `<nixpkgs>` without running nix (see [`resolve_nixpkgs_from`]).
pub fn resolve_nixpkgs(explicit: Option<&Path>, env: &Environment) -> Option<PathBuf> {
    let cwd = env.cwd();
    resolve_nixpkgs_from(explicit, &cwd, env).map(|(p, _)| p)
}

/// `NIX_PATH` entries as Nix splits them: on `:`, except the `:` of a
/// `flake:`/`channel:` reference or of a URL's `://`.
fn nix_path_entries(nix_path: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut glue = false;
    for part in nix_path.split(':') {
        match out.last_mut() {
            Some(last) if glue || part.starts_with("//") => {
                last.push(':');
                last.push_str(part);
            }
            _ => out.push(part.to_string()),
        }
        let tail = out
            .last()
            .map(|l| l.rsplit('=').next().unwrap_or(l).to_string())
            .unwrap_or_default();
        glue = matches!(tail.as_str(), "flake" | "channel");
    }
    out.retain(|e| !e.is_empty());
    out
}

/// Resolve `<nixpkgs>` without running nix, and say how it was found
/// (schema field `index.nixpkgs_from`), best first:
/// 1. the explicit path (the policy's `index.nixpkgs`): `policy`;
/// 2. the nearest `flake.lock` in `cwd` or above with a locked `nixpkgs`
///    input whose source is in the store: `flake.lock`;
/// 3. `NIX_PATH`: a `nixpkgs=PATH` entry or a `PATH` entry holding
///    `nixpkgs` (`NIX_PATH`), or `nixpkgs=flake:ID` resolved through the
///    flake registries (`registry`);
/// 4. with `NIX_PATH` unset or empty: nix's default channels (`channels`),
///    then the registries' `nixpkgs` (`registry`).
///
/// The result is canonical (store symlinks followed). `None` when nothing
/// resolves locally (a URL is never fetched).
pub fn resolve_nixpkgs_from(
    explicit: Option<&Path>,
    cwd: &Path,
    env: &Environment,
) -> Option<(PathBuf, &'static str)> {
    let canon = |p: &Path| std::fs::canonicalize(p).ok();
    if let Some(p) = explicit {
        return canon(p).map(|p| (p, "policy"));
    }
    let store = super::flake::store_dir(env);
    if let Some(lock) = super::flake::nearest_lock(cwd) {
        if let super::flake::Found::Path(p) = super::flake::from_lock(&lock, &store) {
            if let Some(p) = canon(&p) {
                return Some((p, "flake.lock"));
            }
        }
    }
    let nix_path = &env.nix_path;
    for entry in nix_path_entries(nix_path) {
        let (path, from) = match entry.split_once('=') {
            Some(("nixpkgs", p)) => match p.strip_prefix("flake:") {
                Some(id) => match super::flake::resolve_registry(id, &store, env) {
                    super::flake::Found::Path(p) => (p, "registry"),
                    _ => continue,
                },
                None => (PathBuf::from(p), "NIX_PATH"),
            },
            Some(_) => continue,
            None if entry.contains("://") || entry.contains(':') => continue,
            None => (Path::new(&entry).join("nixpkgs"), "NIX_PATH"),
        };
        if path.is_absolute() && path.exists() {
            if let Some(p) = canon(&path) {
                return Some((p, from));
            }
        }
    }
    if nix_path.is_empty() {
        let mut channels = Vec::new();
        if let Some(home) = &env.home {
            channels.push(home.join(".nix-defexpr/channels/nixpkgs"));
        }
        channels.push(PathBuf::from(
            "/nix/var/nix/profiles/per-user/root/channels/nixpkgs",
        ));
        if let Some(p) = channels
            .iter()
            .filter(|p| p.exists())
            .find_map(|p| canon(p))
        {
            return Some((p, "channels"));
        }
        if let super::flake::Found::Path(p) = super::flake::resolve_registry("nixpkgs", &store, env)
        {
            return canon(&p).map(|p| (p, "registry"));
        }
    }
    None
}

/// The cache key: the store path alone identifies a nixpkgs; a checkout
/// outside the store also carries the modification times of the files
/// that change when it does.
fn cache_key(nixpkgs: &Path, package_set: &str) -> String {
    let mut h = Sha256::new();
    h.update(nixpkgs.as_os_str().as_encoded_bytes());
    h.update([0]);
    h.update(package_set.as_bytes());
    if !nixpkgs.starts_with("/nix/store") {
        for f in ["", "default.nix", ".git/HEAD", ".git/index", ".version"] {
            let mtime = std::fs::metadata(nixpkgs.join(f))
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| d.as_nanos())
                .unwrap_or(0);
            h.update(mtime.to_le_bytes());
        }
    }
    h.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// One cached answer: `None` = the attr does not exist.
type Answers = BTreeMap<String, Option<(Option<String>, Option<String>)>>;

fn read_cache(path: &Path) -> (Answers, Option<usize>, Option<String>) {
    let mut answers = Answers::new();
    let Ok(Some(c)) = CacheFile::read(path) else {
        return (answers, None, None);
    };
    let (Ok(Some(found)), Ok(missing)) = (c.rows("found"), c.rows("missing")) else {
        return (answers, None, None);
    };
    let s = |v: &str| (!v.is_empty()).then(|| v.to_string());
    for (a, p, v) in found {
        answers.insert(
            a.to_string(),
            Some((s(p).or_else(|| Some(a.to_string())), s(v))),
        );
    }
    for (a, _, _) in missing.unwrap_or_default() {
        answers.insert(a.to_string(), None);
    }
    let size = (c.header.packages > 0).then_some(c.header.packages);
    (answers, size, s(&c.header.revision))
}

fn write_cache(
    path: &Path,
    nixpkgs: &Path,
    set: &str,
    answers: &Answers,
    size: Option<usize>,
    version: Option<&str>,
) {
    let header = Header {
        channel: set.to_string(),
        url: nixpkgs.display().to_string(),
        fetched: time::now_unix(),
        revision: version.unwrap_or("").to_string(),
        packages: size.unwrap_or(0),
        ..Header::default()
    };
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for (a, ans) in answers {
        match ans {
            Some((p, v)) => found.push(Entry {
                attr: a.clone(),
                pname: p.clone(),
                version: v.clone(),
            }),
            None => missing.push(Entry {
                attr: a.clone(),
                pname: None,
                version: None,
            }),
        }
    }
    let bytes = cache::encode(
        &header,
        &mut [
            ("found".to_string(), found),
            ("missing".to_string(), missing),
        ],
    );
    // A cache that cannot be written only costs speed next time.
    let _ = fsutil::atomic_write(path, &bytes);
}

fn env_err(msg: String) -> eyre::Report {
    eyre::Report::new(EnvError(msg))
}

/// Run `cmd`, killing it after `timeout`. Returns (status ok, stdout, stderr).
fn run_bounded(mut cmd: Command, timeout: Duration) -> eyre::Result<(bool, Vec<u8>, String)> {
    let program = cmd.get_program().to_string_lossy().into_owned();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| env_err(format!("cannot run {program}: {e}")))?;
    let mut out = child.stdout.take();
    let mut err = child.stderr.take();
    let t_out = std::thread::spawn(move || {
        let mut b = Vec::new();
        if let Some(o) = out.as_mut() {
            let _ = o.read_to_end(&mut b);
        }
        b
    });
    let t_err = std::thread::spawn(move || {
        let mut b = Vec::new();
        if let Some(e) = err.as_mut() {
            let _ = e.read_to_end(&mut b);
        }
        b
    });
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if start.elapsed() >= timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(env_err(format!(
                    "{program} did not answer within {:.1} s (set PIP_GUARD_NIX_TIMEOUT to wait longer)",
                    timeout.as_secs_f64()
                )));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(env_err(format!("waiting for {program}: {e}"))),
        }
    };
    let stdout = t_out.join().unwrap_or_default();
    let stderr = String::from_utf8_lossy(&t_err.join().unwrap_or_default()).into_owned();
    Ok((status.success(), stdout, stderr))
}

#[derive(serde::Deserialize)]
struct EvalResult {
    set: bool,
    count: Option<usize>,
    version: Option<String>,
    results: Vec<EvalOne>,
}

#[derive(serde::Deserialize)]
struct EvalOne {
    name: String,
    exists: bool,
    pname: Option<String>,
    version: Option<String>,
}

/// Ask the user's nixpkgs about `candidates` of `package_set`: from the
/// cache when it has them all, else with one `nix-instantiate` call.
pub fn lookup_candidates_with(
    opts: &NixOptions,
    env: &Environment,
    package_set: &str,
    candidates: &[String],
) -> eyre::Result<NixAnswer> {
    let cwd = env.cwd();
    let (nixpkgs, nixpkgs_from) = resolve_nixpkgs_from(opts.nixpkgs.as_deref(), &cwd, env)
        .ok_or_else(|| {
            // A project pin that is not fetched yet: say how to fetch it.
            let store = super::flake::store_dir(env);
            let lock = opts
                .nixpkgs
                .is_none()
                .then(|| super::flake::nearest_lock(&cwd));
            let not_in_store = match lock.flatten().map(|l| super::flake::from_lock(&l, &store)) {
                Some(super::flake::Found::NotInStore(why)) => Some(why),
                _ => None,
            };
            env_err(unresolved(opts.nixpkgs.as_deref(), not_in_store))
        })?;
    let dir = opts.cache_dir.clone().or_else(|| fsutil::index_dir(env));
    let key = cache_key(&nixpkgs, package_set);
    let cache_file = dir.as_ref().map(|d| d.join(format!("nix-{key}.idx")));
    let (mut answers, mut size, mut version) =
        cache_file.as_deref().map(read_cache).unwrap_or_default();
    let missing: Vec<&String> = candidates
        .iter()
        .filter(|c| !answers.contains_key(c.as_str()))
        .collect();
    let cached = missing.is_empty() && size.is_some();
    if !cached {
        let (ok, stdout, stderr) = run_bounded(
            eval_command(opts, &nixpkgs, package_set, &missing),
            opts.timeout_in(env),
        )?;
        let r = read_eval(ok, &stdout, &stderr, &nixpkgs, package_set)
            .map_err(|e| env_err(e.to_string()))?;
        for one in r.results {
            let ans = one.exists.then_some((one.pname, one.version));
            answers.insert(one.name, ans);
        }
        size = r.count.or(size);
        version = r.version.or(version);
        if let (Some(f), Some(d)) = (&cache_file, &dir) {
            save_answers(
                f,
                d,
                &nixpkgs,
                package_set,
                &answers,
                size,
                version.as_deref(),
            );
        }
    }
    if let Some(why) = implausible(size, &nixpkgs, package_set) {
        return Err(env_err(why));
    }
    let (packages, absent) = sort_candidates(candidates, &answers);
    Ok(NixAnswer {
        nixpkgs,
        nixpkgs_from,
        packages,
        absent,
        set_size: size,
        version,
        cached,
    })
}

/// Why `<nixpkgs>` (or the explicit path) does not resolve; `not_in_store`:
/// why the project's `flake.lock` pin is not usable yet, if it is that.
fn unresolved(explicit: Option<&Path>, not_in_store: Option<String>) -> String {
    match explicit {
        Some(p) => format!("nixpkgs path {} does not exist", p.display()),
        None => {
            let mut m = "<nixpkgs> does not resolve to a local path (no flake.lock above the \
                 working directory with its nixpkgs input in the store, no nixpkgs entry in \
                 NIX_PATH that is an existing absolute path or a flake: reference a registry \
                 resolves, and no default channel)"
                .to_string();
            if let Some(why) = not_in_store {
                m.push_str(": ");
                m.push_str(&why);
            }
            m
        }
    }
}

/// The `nix-instantiate` call that asks `nixpkgs` about `missing`.
fn eval_command(
    opts: &NixOptions,
    nixpkgs: &Path,
    package_set: &str,
    missing: &[&String],
) -> Command {
    let mut cmd = Command::new(&opts.program);
    cmd.arg("--eval")
        .arg("--strict")
        .arg("--json")
        .arg("-I")
        .arg(format!("nixpkgs={}", nixpkgs.display()))
        .arg("--argstr")
        .arg("set")
        .arg(package_set)
        .arg("--argstr")
        .arg("candidates")
        .arg(serde_json::to_string(missing).unwrap_or_else(|_| "[]".into()))
        .arg("-E")
        .arg(EXPR);
    cmd
}

/// What `nix-instantiate` answered (`ok`: it exited with success), or why
/// it is no answer: a failure, unexpected output, or no such set.
fn read_eval(
    ok: bool,
    stdout: &[u8],
    stderr: &str,
    nixpkgs: &Path,
    package_set: &str,
) -> Result<EvalResult, EvalError> {
    if !ok {
        return Err(EvalError::Failed {
            nixpkgs: nixpkgs.to_path_buf(),
            summary: nix_error_summary(stderr),
        });
    }
    let r: EvalResult =
        serde_json::from_slice(stdout).map_err(|e| EvalError::Unexpected(e.to_string()))?;
    if !r.set {
        return Err(EvalError::NoSet {
            nixpkgs: nixpkgs.to_path_buf(),
            package_set: package_set.to_string(),
        });
    }
    Ok(r)
}

/// Why asking nixpkgs gave no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvalError {
    /// `nix-instantiate` failed (its error, summarized).
    #[error("nix-instantiate failed on {}: {summary}", nixpkgs.display())]
    Failed {
        /// The nixpkgs asked.
        nixpkgs: PathBuf,
        /// The last error line(s).
        summary: String,
    },
    /// Its output was not the expected JSON.
    #[error("nix-instantiate printed something unexpected: {0}")]
    Unexpected(String),
    /// No such package set.
    #[error("{} has no package set {package_set}", nixpkgs.display())]
    NoSet {
        /// The nixpkgs asked.
        nixpkgs: PathBuf,
        /// The set asked for.
        package_set: String,
    },
}

/// Add `answers` to the cache file `file` in `dir`, merged with what another
/// process may have added (under the lock; skipped when it cannot be taken).
fn save_answers(
    file: &Path,
    dir: &Path,
    nixpkgs: &Path,
    package_set: &str,
    answers: &Answers,
    size: Option<usize>,
    version: Option<&str>,
) {
    if let Ok(_lock) = Lock::acquire(&dir.join("nix.lock")) {
        let (mut merged, _, _) = read_cache(file);
        merged.extend(answers.iter().map(|(k, v)| (k.clone(), v.clone())));
        write_cache(file, nixpkgs, package_set, &merged, size, version);
    }
}

/// Why a set of `size` attrs is not used (`None`: it is plausible). A set
/// this small is not nixpkgs' (a fake `<nixpkgs>` on NIX_PATH, a stub):
/// refused, so it cannot make real packages "not in nixpkgs".
fn implausible(size: Option<usize>, nixpkgs: &Path, package_set: &str) -> Option<String> {
    match size {
        Some(n) if n >= MIN_PYTHON_ATTRS => None,
        n => Some(format!(
            "{}'s {package_set} has {} attrs, fewer than the {MIN_PYTHON_ATTRS} any nixpkgs \
             has: implausible, not used",
            nixpkgs.display(),
            n.map_or_else(|| "an unknown number of".to_string(), |n| n.to_string())
        )),
    }
}

/// The candidates found (with their pname and version) and those known to
/// be absent, in the candidates' order; unanswered ones are in neither.
fn sort_candidates(candidates: &[String], answers: &Answers) -> (Vec<Package>, Vec<String>) {
    let packages = candidates
        .iter()
        .filter_map(|c| match answers.get(c.as_str()) {
            Some(Some((pname, ver))) => Some(Package {
                attr: c.clone(),
                pname: pname.clone(),
                version: ver.clone(),
            }),
            _ => None,
        })
        .collect();
    let absent = candidates
        .iter()
        .filter(|c| matches!(answers.get(c.as_str()), Some(None)))
        .cloned()
        .collect();
    (packages, absent)
}

/// The date in a nixpkgs version such as `25.05.20250101.abcdef0`.
fn date_from_version(v: &str) -> Option<String> {
    v.split('.').find_map(|part| {
        let d = part.get(..8)?;
        (part.len() == 8 && d.bytes().all(|b| b.is_ascii_digit()))
            .then(|| format!("{}-{}-{}", &d[..4], &d[4..6], &d[6..8]))
    })
}

/// An [`Index`] over nix's answer (only the candidates asked about).
pub fn index_from_answer(answer: NixAnswer, package_set: &str) -> Index {
    let mut packages = Vec::new();
    let mut toplevel = Vec::new();
    let mut extras = Vec::new();
    let mut default_set = None;
    for p in answer.packages {
        if let Some(top) = p.attr.strip_prefix("@pkgs/") {
            toplevel.push(std::borrow::Cow::Owned(top.to_string()));
        } else if let Some((a, e)) = p
            .attr
            .strip_prefix("@extra/")
            .and_then(|r| r.split_once('/'))
        {
            extras.push((a.to_string(), e.to_string(), true));
        } else if p.attr == "@python3" {
            default_set = p
                .version
                .as_deref()
                .map(|v| format!("python{}Packages", v.replace('.', "")));
        } else if !p.attr.starts_with('@') {
            packages.push(p);
        }
    }
    for a in &answer.absent {
        if let Some((a, e)) = a.strip_prefix("@extra/").and_then(|r| r.split_once('/')) {
            extras.push((a.to_string(), e.to_string(), false));
        }
    }
    let meta = IndexMeta {
        source: Source::Nix,
        nixpkgs: answer.nixpkgs.display().to_string(),
        date: answer
            .version
            .as_deref()
            .and_then(date_from_version)
            .unwrap_or_else(|| "unknown".to_string()),
        packages: answer.set_size.unwrap_or(packages.len()),
        nixpkgs_from: Some(answer.nixpkgs_from),
        default_set,
        stale: None,
    };
    let mut index = Index::from_packages(Some(meta), package_set, packages, embedded::mappings());
    index.set_toplevel(toplevel);
    index.set_extras(extras);
    index
}

/// What nix's stderr says went wrong: the message of the last `error: …`
/// line (nix prints the location and a caret under it *after* the message,
/// and nested traces end with the innermost error), else the last line with
/// text in it.
fn nix_error_summary(stderr: &str) -> String {
    let lines: Vec<&str> = stderr.lines().map(str::trim).collect();
    let error = lines.iter().rev().find_map(|l| {
        l.strip_prefix("error:")
            .map(str::trim)
            .filter(|m| !m.is_empty())
    });
    error
        .or_else(|| {
            lines
                .iter()
                .rev()
                .find(|l| l.chars().any(char::is_alphanumeric))
                .copied()
        })
        .unwrap_or("no message")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unresolved_nixpkgs_says_why() {
        assert_eq!(
            unresolved(Some(Path::new("/no/where")), Some("ignored".into())),
            "nixpkgs path /no/where does not exist"
        );
        let m = unresolved(None, None);
        assert!(m.starts_with("<nixpkgs> does not resolve") && m.ends_with("no default channel)"));
        let m = unresolved(None, Some("run `nix flake archive`".into()));
        assert!(
            m.ends_with("no default channel): run `nix flake archive`"),
            "{m}"
        );
    }

    #[test]
    fn nix_output_is_read_or_refused() {
        let p = Path::new("/nix/store/n");
        let m = read_eval(false, b"", "warning: x\nerror: boom\n", p, "s").err();
        assert_eq!(
            m,
            Some(EvalError::Failed {
                nixpkgs: p.into(),
                summary: "boom".into()
            })
        );
        assert_eq!(
            m.map(|e| e.to_string()).as_deref(),
            Some("nix-instantiate failed on /nix/store/n: boom")
        );
        let m = read_eval(true, b"not json", "", p, "s")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            m.starts_with("nix-instantiate printed something unexpected: "),
            "{m}"
        );
        let no_set = br#"{"set":false,"count":null,"version":null,"results":[]}"#;
        assert_eq!(
            read_eval(true, no_set, "", p, "python39Packages")
                .err()
                .map(|e| e.to_string())
                .as_deref(),
            Some("/nix/store/n has no package set python39Packages")
        );
        let good = br#"{"set":true,"count":9000,"version":"25.05","results":[{"name":"a","exists":true,"pname":"a","version":"1"}]}"#;
        let r = read_eval(true, good, "", p, "s").map_err(|e| e.to_string());
        assert!(
            matches!(r, Ok(EvalResult { count: Some(9000), ref results, .. }) if results.len() == 1)
        );
    }

    #[test]
    fn small_sets_are_implausible() {
        let p = Path::new("/n");
        assert_eq!(implausible(Some(MIN_PYTHON_ATTRS), p, "s"), None);
        let m = implausible(Some(MIN_PYTHON_ATTRS - 1), p, "s").unwrap_or_default();
        assert!(
            m.starts_with(&format!("/n's s has {} attrs", MIN_PYTHON_ATTRS - 1)),
            "{m}"
        );
        let m = implausible(None, p, "s").unwrap_or_default();
        assert!(
            m.starts_with("/n's s has an unknown number of attrs"),
            "{m}"
        );
    }

    #[test]
    fn candidates_are_found_absent_or_unanswered() {
        let mut answers = Answers::new();
        answers.insert("b".into(), Some((Some("bee".into()), Some("2".into()))));
        answers.insert("a".into(), None);
        answers.insert("z".into(), Some((None, None)));
        let candidates: Vec<String> = ["b", "a", "c", "z"].map(String::from).to_vec();
        let (found, absent) = sort_candidates(&candidates, &answers);
        let attrs: Vec<_> = found.iter().map(|p| p.attr.as_str()).collect();
        assert_eq!(attrs, ["b", "z"]);
        assert_eq!(found[0].pname.as_deref(), Some("bee"));
        assert_eq!(found[0].version.as_deref(), Some("2"));
        assert_eq!(absent, ["a"]);
    }

    #[test]
    fn nix_path_splits_as_nix_does() {
        assert_eq!(
            nix_path_entries("nixpkgs=flake:nixpkgs:home-manager=/hm:/extra"),
            ["nixpkgs=flake:nixpkgs", "home-manager=/hm", "/extra"]
        );
        assert_eq!(
            nix_path_entries("nixpkgs=https://example.org/n.tar.gz:x=/y"),
            ["nixpkgs=https://example.org/n.tar.gz", "x=/y"]
        );
        assert_eq!(nix_path_entries(""), Vec::<String>::new());
    }

    #[test]
    fn dates_in_versions() {
        assert_eq!(
            date_from_version("25.05.20250101.abcdef0").as_deref(),
            Some("2025-01-01")
        );
        assert_eq!(date_from_version("24.11pre-git"), None);
    }

    #[test]
    fn bounded_run_kills_a_stalled_child() {
        let mut cmd = Command::new("sleep");
        cmd.arg("5");
        let start = Instant::now();
        let r = run_bounded(cmd, Duration::from_millis(200));
        assert!(r.is_err());
        assert!(start.elapsed() < Duration::from_secs(2));
    }

    #[test]
    fn the_error_line_of_nix_not_its_caret() {
        let stderr = "error: syntax error, unexpected ';'\n\n       at /x/default.nix:2:59:\n\n            2| { a = ; }\n             |       ^\n";
        assert_eq!(nix_error_summary(stderr), "syntax error, unexpected ';'");
        let nested = "error:\n       ... while calling the 'import' builtin\n\n       error: attribute 'x' missing\n             |   ^\n";
        assert_eq!(nix_error_summary(nested), "attribute 'x' missing");
        assert_eq!(nix_error_summary("Killed\n"), "Killed");
        assert_eq!(nix_error_summary(""), "no message");
    }
}
