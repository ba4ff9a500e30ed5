//! PEP 751 lock files (`pylock.toml`, `pylock.NAME.toml`) given with `-r`
//! or `--group LOCK:GROUP`, which pip 26.3 reads as a requirements source.
//!
//! Every package becomes one requirement whose origin is the line of its
//! `[[packages]]` entry: `name==version` for wheels and sdists, `name @ url`
//! for archives and VCS, a path (editable or not) for directories. The
//! package marker is kept (with the lock's `extras` / `dependency_groups`
//! variables decided from the selection), so a package whose marker is
//! false for the target is reported as skipped, where pip leaves it out.
//!
//! Not done here (the target interpreter is not known while collecting):
//! the lock's and packages' `requires-python` and `environments` checks,
//! and choosing among wheels by platform tag.

use super::fs::{abspath, ReadError};
use super::markers::{self, SetVars};
use super::pipreq::PipReq;
use super::reqfile::{is_remote, make_requirement, Ctx, NewRequirement};
use super::tomlspan::{self, line_of_span, SVal};
use super::{Kind, RequirementSet};
use crate::error::InputError;
use crate::origin::{display_path, Origin};
use pep508_rs::pep440_rs::{Version, VersionSpecifiers};
use std::path::Path;
use std::str::FromStr;
use toml::Spanned;

/// One lock file as requested on the command line (pip's `_PylockRequest`).
#[derive(Debug, Clone)]
pub struct Request {
    /// Absolute path (or URL): requests for the same file are merged.
    pub key: String,
    /// The path as written first.
    pub file: String,
    /// Argument index where it was first named.
    pub index: usize,
    /// Extras from `pylock.toml[a,b]`.
    pub extras: Vec<String>,
    /// Groups from `--group pylock.toml:GROUP`.
    pub groups: Vec<String>,
    /// Named by `-r`: the lock's `default-groups` apply.
    pub include_default_groups: bool,
}

impl Request {
    /// A request with nothing selected yet.
    pub fn new(key: String, file: String, index: usize) -> Self {
        Request {
            key,
            file,
            index,
            extras: Vec::new(),
            groups: Vec::new(),
            include_default_groups: false,
        }
    }
}

/// packaging's `is_valid_pylock_path`: `pylock.toml` or `pylock.NAME.toml`
/// (for URLs, the last path segment).
pub fn is_pylock_filename(filename: &str) -> bool {
    let name = if is_remote(filename) {
        let p = filename.split(['?', '#']).next().unwrap_or("");
        p.rsplit('/').next().unwrap_or("")
    } else {
        Path::new(filename)
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
    };
    if name == "pylock.toml" {
        return true;
    }
    name.strip_prefix("pylock.")
        .and_then(|r| r.strip_suffix(".toml"))
        .is_some_and(|mid| !mid.is_empty() && !mid.contains('.'))
}

struct Fail {
    line: Option<usize>,
    message: String,
}

fn fail(line: Option<usize>, message: impl Into<String>) -> Fail {
    Fail {
        line,
        message: message.into(),
    }
}

/// Read a lock file and append its packages to `out`.
pub fn read(req: &Request, ctx: &Ctx<'_>, out: &mut RequirementSet) -> Result<(), InputError> {
    let at = Origin::Arg(req.index);
    if is_remote(&req.file) {
        return Err(InputError::at(
            at,
            format!(
                "lock file {} is a URL: pip-guard does not fetch anything during an audit; download it and pass the local file",
                crate::redact::redact(&req.file)
            ),
        ));
    }
    let path = abspath(Path::new(&req.file), ctx.cwd);
    let shown = display_path(&path, ctx.cwd).display().to_string();
    let bytes = ctx.fs.read(&path).map_err(|e| {
        let what = match e {
            ReadError::NotFound => "No such file or directory".to_string(),
            e => e.to_string(),
        };
        InputError::at(
            at.clone(),
            format!("Error reading pylock file '{shown}': {what}"),
        )
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let line = tomlspan::line_of(
            &String::from_utf8_lossy(e.as_bytes()),
            e.utf8_error().valid_up_to(),
        );
        InputError::at(
            Origin::file(&path, line, ctx.cwd),
            format!("Error reading pylock file '{shown}': not valid UTF-8"),
        )
    })?;
    let packages = parse(&text, req).map_err(|f| {
        InputError::maybe_at(
            Some(match f.line {
                Some(l) => Origin::file(&path, l, ctx.cwd),
                None => at.clone(),
            }),
            format!("Invalid pylock file '{shown}': {}", f.message),
        )
    })?;
    let chain = super::Chain::new(vec![at.clone()]);
    for (line, r, pip_line) in packages {
        let origin = Origin::file(&path, line, ctx.cwd);
        let editable = r.kind == Kind::Editable;
        out.requirements.push(make_requirement(NewRequirement {
            included_from: chain.clone(),
            editable,
            ..NewRequirement::new(r, origin, &pip_line)
        }));
    }
    Ok(())
}

fn get_str<'a>(t: &'a SVal, key: &str, ctx: &str, text: &str) -> Result<Option<&'a str>, Fail> {
    match t.get(key) {
        None => Ok(None),
        Some(v) => match v.get_ref() {
            SVal::Str(s) => Ok(Some(s)),
            other => Err(fail(
                Some(line_of_span(text, v.span())),
                format!(
                    "Unexpected type {} (expected str) in {ctx}{key}",
                    other.type_name()
                ),
            )),
        },
    }
}

fn req_str<'a>(
    t: &'a SVal,
    key: &str,
    ctx: &str,
    text: &str,
    line: usize,
) -> Result<&'a str, Fail> {
    get_str(t, key, ctx, text)?
        .ok_or_else(|| fail(Some(line), format!("Missing required value in {ctx}{key}")))
}

fn parse(text: &str, req: &Request) -> Result<Vec<(usize, PipReq, String)>, Fail> {
    let doc = tomlspan::parse(text).map_err(|(l, m)| fail(Some(l), m))?;
    let lv = req_str(&doc, "lock-version", "", text, 1)?;
    let version = Version::from_str(lv)
        .map_err(|e| fail(None, format!("Invalid lock-version {lv:?}: {e}")))?;
    let major = version.release().first().copied().unwrap_or(0);
    if major != 1 {
        return Err(fail(None, format!("pylock version {lv} is not supported")));
    }
    req_str(&doc, "created-by", "", text, 1)?;
    if let Some(rp) = get_str(&doc, "requires-python", "", text)? {
        VersionSpecifiers::from_str(rp)
            .map_err(|e| fail(None, format!("Invalid requires-python {rp:?}: {e}")))?;
    }
    let mut default_groups = Vec::new();
    if let Some(v) = doc.get("default-groups") {
        if let SVal::Array(items) = v.get_ref() {
            for i in items {
                if let Some(s) = i.get_ref().as_str() {
                    default_groups.push(crate::names::normalize(s));
                }
            }
        }
    }
    let mut sets = SetVars {
        extras: req.extras.clone(),
        dependency_groups: req.groups.clone(),
    };
    if req.include_default_groups {
        for g in default_groups {
            if !sets.dependency_groups.contains(&g) {
                sets.dependency_groups.push(g);
            }
        }
    }
    let Some(pk) = doc.get("packages") else {
        return Err(fail(None, "Missing required value in packages"));
    };
    let SVal::Array(packages) = pk.get_ref() else {
        return Err(fail(
            Some(line_of_span(text, pk.span())),
            "Unexpected type (expected array) in packages",
        ));
    };
    let mut out = Vec::new();
    for (i, p) in packages.iter().enumerate() {
        if let Some(r) = package(p, i, text, &sets)? {
            out.push(r);
        }
    }
    Ok(out)
}

fn package(
    p: &Spanned<SVal>,
    i: usize,
    text: &str,
    sets: &SetVars,
) -> Result<Option<(usize, PipReq, String)>, Fail> {
    let line = line_of_span(text, p.span());
    let ctx = format!("packages[{i}].");
    let t = p.get_ref();
    if !matches!(t, SVal::Table(_)) {
        return Err(fail(
            Some(line),
            format!(
                "Unexpected type {} (expected table) in packages[{i}]",
                t.type_name()
            ),
        ));
    }
    let name = req_str(t, "name", &ctx, text, line)?;
    if crate::names::normalize(name) != name || name.is_empty() {
        return Err(fail(
            Some(line),
            format!("Name {name:?} is not normalized in packages[{i}]"),
        ));
    }
    let version = match get_str(t, "version", &ctx, text)? {
        Some(v) => Some(Version::from_str(v).map_err(|e| {
            fail(
                Some(line),
                format!("Invalid version {v:?} in {ctx}version: {e}"),
            )
        })?),
        None => None,
    };
    let marker = match get_str(t, "marker", &ctx, text)? {
        Some(m) => {
            let (tree, pip) = markers::parse(m, Some(sets))
                .map_err(|e| fail(Some(line), format!("{ctx}marker: {e}")))?;
            if tree.is_false() {
                return Ok(None); // not selected: pip leaves it out
            }
            if tree.is_true() {
                None
            } else {
                Some(Box::new(pip))
            }
        }
        None => None,
    };
    if let Some(rp) = get_str(t, "requires-python", &ctx, text)? {
        VersionSpecifiers::from_str(rp).map_err(|e| {
            fail(
                Some(line),
                format!("Invalid {ctx}requires-python {rp:?}: {e}"),
            )
        })?;
    }
    let has = |k: &str| t.get(k).is_some();
    let dists = usize::from(has("sdist")) + usize::from(has("wheels"));
    let directs =
        usize::from(has("vcs")) + usize::from(has("directory")) + usize::from(has("archive"));
    if dists > 0 && directs > 0 {
        return Err(fail(Some(line), format!("None of vcs, directory, archive must be set if sdist or wheels are set (packages[{i}])")));
    }
    if dists == 0 && directs != 1 {
        return Err(fail(Some(line), format!("Exactly one of vcs, directory, archive must be set if sdist and wheels are not set (packages[{i}])")));
    }
    let mut r = PipReq {
        kind: Kind::Named,
        name: Some(name.into()),
        extras: Vec::new(),
        specifier: Default::default(),
        marker,
        url: None,
    };
    let sub = |k: &str| -> Result<&SVal, Fail> {
        let v = t
            .get(k)
            .ok_or_else(|| fail(Some(line), format!("missing {ctx}{k}")))?;
        match v.get_ref() {
            s @ SVal::Table(_) => Ok(s),
            other => Err(fail(
                Some(line_of_span(text, v.span())),
                format!(
                    "Unexpected type {} (expected table) in {ctx}{k}",
                    other.type_name()
                ),
            )),
        }
    };
    let path_or_url = |s: &SVal, k: &str| -> Result<String, Fail> {
        let c = format!("{ctx}{k}.");
        match (get_str(s, "path", &c, text)?, get_str(s, "url", &c, text)?) {
            (Some(p), _) if !p.is_empty() => Ok(p.to_string()),
            (_, Some(u)) if !u.is_empty() => Ok(u.to_string()),
            _ => Err(fail(
                Some(line),
                format!("path or url must be provided in {ctx}{k}"),
            )),
        }
    };
    let pip_line;
    if has("vcs") {
        let v = sub("vcs")?;
        let c = format!("{ctx}vcs.");
        let kind = req_str(v, "type", &c, text, line)?;
        let commit = req_str(v, "commit-id", &c, text, line)?;
        let u = path_or_url(v, "vcs")?;
        let url = format!("{kind}+{u}@{commit}");
        r.kind = Kind::Url;
        pip_line = format!("{name} @ {url}");
        r.url = Some(url);
    } else if has("directory") {
        let d = sub("directory")?;
        let p = req_str(d, "path", &format!("{ctx}directory."), text, line)?;
        let editable =
            matches!(d.get("editable").map(|v| v.get_ref()), Some(SVal::Other(b)) if b == "true");
        r.kind = if editable { Kind::Editable } else { Kind::Path };
        r.name = None; // pip installs a directory as an unnamed path requirement
        pip_line = if editable {
            format!("-e {p}")
        } else {
            p.to_string()
        };
        r.url = Some(p.to_string());
    } else if has("archive") {
        let a = sub("archive")?;
        let u = path_or_url(a, "archive")?;
        r.kind = if super::pystr::url_scheme(&u).is_some_and(|s| s != "file") {
            Kind::Url
        } else {
            Kind::Path
        };
        pip_line = format!("{name} @ {u}");
        r.url = Some(u);
    } else {
        // wheels / sdist: a pinned named requirement.
        let v = match version {
            Some(v) => v.to_string(),
            None => dist_version(t, &ctx, text, line)?,
        };
        r.specifier = compact_str::format_compact!("=={v}");
        VersionSpecifiers::from_str(&r.specifier).map_err(|e| fail(Some(line), e.to_string()))?;
        pip_line = format!("{name}=={v}");
    }
    Ok(Some((line, r, pip_line)))
}

/// The version from the first wheel's (else the sdist's) file name.
fn dist_version(t: &SVal, ctx: &str, text: &str, line: usize) -> Result<String, Fail> {
    let filename = |s: &SVal, k: &str| -> Result<Option<String>, Fail> {
        let c = format!("{ctx}{k}.");
        if let Some(n) = get_str(s, "name", &c, text)? {
            return Ok(Some(n.to_string()));
        }
        let p = get_str(s, "path", &c, text)?.or(get_str(s, "url", &c, text)?);
        Ok(p.map(|p| p.rsplit(['/', '\\']).next().unwrap_or(p).to_string()))
    };
    if let Some(w) = t.get("wheels") {
        if let SVal::Array(ws) = w.get_ref() {
            if let Some(first) = ws.first() {
                if let Some(f) = filename(first.get_ref(), "wheels[0]")? {
                    let stem = f.strip_suffix(".whl").unwrap_or(&f);
                    if let Some(v) = stem.split('-').nth(1) {
                        if let Ok(v) = Version::from_str(v) {
                            return Ok(v.to_string());
                        }
                    }
                }
            }
        }
    }
    if let Some(s) = t.get("sdist") {
        if let Some(f) = filename(s.get_ref(), "sdist")? {
            let stem = f
                .strip_suffix(".tar.gz")
                .or_else(|| f.strip_suffix(".zip"))
                .unwrap_or(&f);
            if let Some((_, v)) = stem.rsplit_once('-') {
                if let Ok(v) = Version::from_str(v) {
                    return Ok(v.to_string());
                }
            }
        }
    }
    Err(fail(
        Some(line),
        format!("cannot tell the version of {ctx}name"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filenames() {
        assert!(is_pylock_filename("pylock.toml"));
        assert!(is_pylock_filename("a/pylock.dev.toml"));
        assert!(!is_pylock_filename("pylock..toml"));
        assert!(!is_pylock_filename("pylock.a.b.toml"));
        assert!(!is_pylock_filename("requirements.txt"));
        assert!(is_pylock_filename("https://h/x/pylock.toml?y"));
    }

    #[test]
    fn packages_with_lines_and_markers() {
        let text = r#"lock-version = "1.0"
created-by = "test"
default-groups = ["dev"]

[[packages]]
name = "requests"
version = "2.32.3"
sdist = {name = "requests-2.32.3.tar.gz", url = "https://x/requests-2.32.3.tar.gz", hashes = {sha256 = "00"}}

[[packages]]
name = "pytest"
marker = "'dev' in dependency_groups"
wheels = [{name = "pytest-8.0.0-py3-none-any.whl", url = "https://x/p.whl", hashes = {sha256 = "00"}}]

[[packages]]
name = "docs-only"
version = "1"
marker = "'docs' in dependency_groups"
sdist = {name = "docs_only-1.tar.gz", url = "https://x/d.tar.gz", hashes = {sha256 = "00"}}
"#;
        let mut req = Request::new("k".into(), "pylock.toml".into(), 0);
        req.include_default_groups = true;
        let got: Vec<(usize, String)> = parse(text, &req)
            .map_err(|f| f.message)
            .expect("test setup")
            .into_iter()
            .map(|(l, r, _)| (l, format!("{}{}", r.name.unwrap_or_default(), r.specifier)))
            .collect();
        assert_eq!(
            got,
            vec![(5, "requests==2.32.3".into()), (10, "pytest==8.0.0".into())]
        );
    }

    #[test]
    fn invalid_locks() {
        let req = Request::new("k".into(), "pylock.toml".into(), 0);
        for bad in [
            "created-by = 'x'\npackages = []\n",
            "lock-version = '2.0'\ncreated-by = 'x'\npackages = []\n",
            "lock-version = '1.0'\ncreated-by = 'x'\n",
            "lock-version = '1.0'\ncreated-by = 'x'\n[[packages]]\nname = 'Bad_Name'\nversion = '1'\n",
            "lock-version = '1.0'\ncreated-by = 'x'\n[[packages]]\nname = 'a'\nversion = '1'\n",
        ] {
            assert!(parse(bad, &req).is_err(), "{bad}");
        }
    }
}
