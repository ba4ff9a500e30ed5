//! What pip makes of one requirement string: a port of the parts of
//! `pip/_internal/req/constructors.py` (pip 26.3) that decide the name,
//! extras, specifier, marker, URL and kind — `install_req_from_line`,
//! `install_req_from_editable` and `install_req_from_req_string`.
//!
//! Like pip, this looks at the file system (is it a directory, does it
//! have `setup.py` or `pyproject.toml`, does the archive exist), through
//! [`Fs`].

use super::fs::{abspath, Fs};
use super::pep508::{self, Parts};
use super::pystr::{py_strip, url_scheme};
use super::Kind;
use crate::names::normalize;
use compact_str::CompactString;
use pep508_rs::pep440_rs::Version;
use std::path::Path;
use std::str::FromStr;

/// Why pip would refuse a requirement (the messages are pip's own).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequirementError {
    /// Not a PEP 508 requirement (`packaging`'s message as `reason`).
    #[error("Invalid requirement: {text:?}: {reason}{}", hint_text(*hint, text))]
    Invalid {
        /// The text that was parsed.
        text: String,
        /// What the parser said.
        reason: String,
        /// pip's hint, when it gives one.
        hint: Option<Hint>,
    },
    /// `name[extras]` with extras that do not parse.
    #[error("Invalid extras {extras:?}: {reason}")]
    Extras {
        /// The extras as written.
        extras: String,
        /// What the parser said.
        reason: String,
    },
    /// `#egg=` that is not a project name.
    #[error("The egg fragment #egg={value} in {url} is invalid: it must be a project name")]
    Egg {
        /// The fragment's value.
        value: String,
        /// The URL.
        url: String,
    },
    /// A `.whl` name that is not a wheel filename.
    #[error("Invalid wheel filename ({why}): {filename:?}")]
    WheelFilename {
        /// Which part is wrong.
        why: &'static str,
        /// The file name.
        filename: String,
    },
    /// A directory with neither `setup.py` nor `pyproject.toml`.
    #[error(
        "Directory {dir:?} is not installable. Neither 'setup.py' nor 'pyproject.toml' found."
    )]
    NotInstallable {
        /// The directory as written.
        dir: String,
    },
    /// `-e` with neither a local path nor a VCS URL.
    #[error(
        "{text} is not a valid editable requirement. It should either be a path to a local \
         project or a VCS URL (beginning with {}).",
        VCS_SCHEMES.join(", ")
    )]
    NotEditable {
        /// The value of `-e`.
        text: String,
    },
    /// `-e URL` without a name (`#egg=` or `name @ URL`).
    #[error(
        "Could not detect requirement name for '{text}', please specify one with your_package_name @ URL"
    )]
    NoName {
        /// The value of `-e`.
        text: String,
    },
    /// The marker after `;`.
    #[error(transparent)]
    Marker(#[from] super::markers::MarkerError),
}

/// pip's hint after an invalid requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hint {
    /// The text has a `/`: it looks like a path (that does not exist).
    Path {
        /// Whether the path exists (pip says so only when it does not).
        exists: bool,
    },
    /// `name=1`: `=` is not an operator.
    SingleEquals,
}

/// pip's words for a hint about `text`.
fn hint_text(hint: Option<Hint>, text: &str) -> String {
    match hint {
        None => String::new(),
        Some(Hint::Path { exists: true }) => "\nHint: It looks like a path.".to_string(),
        Some(Hint::Path { exists: false }) => {
            format!("\nHint: It looks like a path. File '{text}' does not exist.")
        }
        Some(Hint::SingleEquals) => "\nHint: = is not a valid operator. Did you mean == ?".into(),
    }
}

/// The meaning of one requirement, before its origin is attached.
#[derive(Debug, Clone)]
pub struct PipReq {
    /// Named, URL, path or editable.
    pub kind: Kind,
    /// The project name as written, when there is one.
    pub name: Option<CompactString>,
    /// Extras, PEP 685-normalized, first-seen order, no duplicates.
    pub extras: Vec<String>,
    /// Specifiers joined by `,` in source order (`""` if none).
    pub specifier: CompactString,
    /// The marker as pip evaluates it, if any.
    pub marker: Option<Box<super::markers::PipMarker>>,
    /// The URL or path as written (not redacted).
    pub url: Option<String>,
}

impl PipReq {
    /// A requirement with no name yet (a bare URL or path): no extras,
    /// specifiers or marker.
    fn unnamed(kind: Kind) -> PipReq {
        PipReq {
            kind,
            name: None,
            extras: Vec::new(),
            specifier: CompactString::default(),
            marker: None,
            url: None,
        }
    }
}

/// pip's VCS backends (`vcs.backends`) and `vcs.all_schemes`.
const VCS: &[&str] = &["bzr", "git", "hg", "svn"];
const VCS_SCHEMES: &[&str] = &[
    "bzr+http",
    "bzr+https",
    "bzr+ssh",
    "bzr+sftp",
    "bzr+ftp",
    "bzr+lp",
    "bzr+file",
    "git+http",
    "git+https",
    "git+ssh",
    "git+git",
    "git+file",
    "hg+file",
    "hg+http",
    "hg+https",
    "hg+ssh",
    "hg+static-http",
    "svn+ssh",
    "svn+http",
    "svn+https",
    "svn+svn",
    "svn+file",
];

/// pip's `is_url`: a scheme pip can fetch from.
pub fn is_url(name: &str) -> bool {
    match url_scheme(name) {
        Some(s) => {
            matches!(s.as_str(), "http" | "https" | "file" | "ftp")
                || VCS_SCHEMES.contains(&s.as_str())
        }
        None => false,
    }
}

fn is_vcs_url(url: &str) -> bool {
    url_scheme(url).is_some_and(|s| VCS_SCHEMES.contains(&s.as_str()))
}

/// `os.path.sep in name or name.startswith(".")` (POSIX).
fn looks_like_path(name: &str) -> bool {
    name.contains('/') || name.starts_with('.')
}

/// pip's `splitext` (keeps `.tar.gz` together) — the extension only.
fn splitext_ext(name: &str) -> &str {
    let base_start = name.rfind('/').map_or(0, |i| i + 1);
    let base = &name[base_start..];
    // posixpath.splitext: leading dots of the basename are not an extension.
    let lead = base.len() - base.trim_start_matches('.').len();
    let ext_start = match base[lead..].rfind('.') {
        Some(i) => lead + i,
        None => return "",
    };
    let stem = &base[..ext_start];
    if stem.to_ascii_lowercase().ends_with(".tar") {
        &base[ext_start - 4..]
    } else {
        &base[ext_start..]
    }
}

const ARCHIVE_EXTENSIONS: &[&str] = &[
    ".zip",
    ".whl",
    ".tar.bz2",
    ".tbz",
    ".tar.gz",
    ".tgz",
    ".tar",
    ".tar.xz",
    ".txz",
    ".tlz",
    ".tar.lz",
    ".tar.lzma",
];

/// pip's `is_archive_file`.
fn is_archive_file(name: &str) -> bool {
    ARCHIVE_EXTENSIONS.contains(&splitext_ext(name).to_ascii_lowercase().as_str())
}

/// pip's `strip_extras`: `path[extra1,extra2]` → (`path`, extras).
pub fn strip_extras(path: &str) -> (&str, Option<&str>) {
    // ^(.+)(\[[^\]]+\])$
    if path.ends_with(']') {
        if let Some(open) = path.rfind('[') {
            let inner = &path[open + 1..path.len() - 1];
            if open > 0 && !inner.is_empty() && !inner.contains(']') {
                return (
                    path[..open].trim_end_matches(super::pystr::is_py_space),
                    Some(&path[open..]),
                );
            }
        }
    }
    (path, None)
}

/// pip's `_convert_extras`: parse `[a,b]` the way a requirement's extras
/// are; PEP 685-normalized.
pub fn parse_extras_list(extras: Option<&str>) -> Result<Vec<String>, RequirementError> {
    convert_extras(extras)
}

fn convert_extras(extras: Option<&str>) -> Result<Vec<String>, RequirementError> {
    let Some(e) = extras else {
        return Ok(Vec::new());
    };
    let text = format!("placeholder{}", e.to_lowercase());
    let parts = pep508::parse_requirement(&text).map_err(|err| RequirementError::Extras {
        extras: e.to_string(),
        reason: err.to_string(),
    })?;
    Ok(norm_extras(&parts.extras))
}

fn norm_extras(extras: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for e in extras {
        let n = normalize(e);
        if !out.contains(&n) {
            out.push(n);
        }
    }
    out
}

/// The path component of a URL, as `urllib.parse.urlsplit(url).path`, unquoted.
pub(crate) fn url_path(url: &str) -> String {
    let rest = match url.find(':') {
        Some(i) if url_scheme(url).is_some() => &url[i + 1..],
        _ => url,
    };
    let rest = rest.split('#').next().unwrap_or("");
    let rest = rest.split('?').next().unwrap_or("");
    let path = match rest.strip_prefix("//") {
        Some(r) => match r.find('/') {
            Some(i) => &r[i..],
            None => "",
        },
        None => rest,
    };
    unquote(path)
}

/// `urllib.parse.unquote` (UTF-8, invalid sequences replaced).
fn unquote(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `Link.filename`'s basename (path part, trailing `/` removed).
fn link_basename(url: &str) -> String {
    let p = url_path(url);
    let p = p.trim_end_matches('/');
    p.rsplit('/').next().unwrap_or("").to_string()
}

/// `Link.egg_fragment`: the `#egg=` name, validated like pip.
fn egg_fragment(url: &str) -> Result<Option<String>, RequirementError> {
    let b = url.as_bytes();
    let mut i = 0;
    while let Some(pos) = url[i..].find("egg=") {
        let at = i + pos;
        if at > 0 && matches!(b[at - 1], b'#' | b'&') {
            let value = &url[at + 4..];
            let value = &value[..value.find('&').unwrap_or(value.len())];
            let ok = !value.is_empty()
                && value
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphanumeric())
                && value
                    .chars()
                    .last()
                    .is_some_and(|c| c.is_ascii_alphanumeric())
                && value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
            if !ok {
                return Err(RequirementError::Egg {
                    value: value.to_string(),
                    url: url.to_string(),
                });
            }
            return Ok(Some(value.to_string()));
        }
        i = at + 4;
    }
    Ok(None)
}

/// packaging's `parse_wheel_filename`: (normalized name, normalized version).
fn parse_wheel_filename(filename: &str) -> Result<(String, String), RequirementError> {
    let bad = |why: &'static str| {
        Err(RequirementError::WheelFilename {
            why,
            filename: filename.to_string(),
        })
    };
    let Some(stem) = filename.strip_suffix(".whl") else {
        return bad("extension must be '.whl'");
    };
    let dashes = stem.matches('-').count();
    if dashes != 4 && dashes != 5 {
        return bad("wrong number of parts");
    }
    let parts: Vec<&str> = stem.splitn(dashes - 1, '-').collect();
    let name = parts[0];
    if name.is_empty()
        || name.contains("__")
        || !name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
    {
        return bad("invalid project name");
    }
    let version = match Version::from_str(parts[1]) {
        Ok(v) => v,
        Err(_) => return bad("invalid version"),
    };
    if dashes == 5 && !parts[2].starts_with(|c: char| c.is_ascii_digit()) {
        return bad("invalid build number");
    }
    let tag = parts[parts.len() - 1];
    let comps: Vec<Vec<&str>> = tag.split('-').map(|c| c.split('.').collect()).collect();
    if comps.iter().any(|c| c.contains(&"")) || comps.len() != 3 {
        return bad("invalid tag component");
    }
    let ident = |s: &str| {
        let mut cs = s.chars();
        cs.next().is_some_and(|c| c.is_alphabetic() || c == '_')
            && cs.all(|c| c.is_alphanumeric() || c == '_')
    };
    if !comps[0].iter().all(|i| ident(i)) {
        return bad("invalid tag component");
    }
    Ok((normalize(name), version.to_string()))
}

/// Build the meaning of a `packaging` requirement.
fn from_parts(parts: &Parts) -> Result<PipReq, RequirementError> {
    let marker = match &parts.marker {
        Some(m) => Some(Box::new(
            super::markers::parse(m, None)
                .map_err(RequirementError::Marker)?
                .1,
        )),
        None => None,
    };
    let kind = match &parts.url {
        None => Kind::Named,
        Some(u) => url_kind(u),
    };
    Ok(PipReq {
        kind,
        name: Some(CompactString::from(parts.name.as_str())),
        extras: norm_extras(&parts.extras),
        specifier: join_specifier(&parts.specifier),
        marker,
        url: parts.url.clone(),
    })
}

/// Specifiers without inner whitespace, joined by `,` (`>= 1, <2` → `>=1,<2`).
fn join_specifier(text: &str) -> CompactString {
    // Most are written that way already: no copy through pieces then.
    let written_joined = !text.chars().any(super::pystr::is_py_space)
        && !text.starts_with(',')
        && !text.ends_with(',')
        && !text.contains(",,");
    if written_joined {
        return CompactString::from(text);
    }
    let joined = text
        .split(',')
        .map(|s| {
            s.chars()
                .filter(|c| !super::pystr::is_py_space(*c))
                .collect::<String>()
        })
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(",");
    CompactString::from(joined)
}

/// `file:` URLs and scheme-less references are paths; the rest are URLs.
fn url_kind(u: &str) -> Kind {
    match url_scheme(u).as_deref() {
        None | Some("file") => Kind::Path,
        Some(_) => Kind::Url,
    }
}

fn invalid(what: &str, err: impl std::fmt::Display) -> RequirementError {
    RequirementError::Invalid {
        text: what.to_string(),
        reason: err.to_string(),
        hint: None,
    }
}

/// pip's `install_req_from_req_string` (dependency groups, PEP 723 scripts).
pub fn from_req_string(text: &str) -> Result<PipReq, RequirementError> {
    let parts = pep508::parse_requirement(text).map_err(|e| invalid(text, e))?;
    from_parts(&parts)
}

/// pip's `install_req_from_line` (positional arguments and file lines).
pub fn from_line(line: &str, cwd: &Path, fs: &dyn Fs) -> Result<PipReq, RequirementError> {
    let url_like = is_url(line);
    let sep = if url_like { "; " } else { ";" };
    let (name, marker) = match line.split_once(sep) {
        Some((n, m)) => {
            let m = py_strip(m);
            if m.is_empty() {
                (n, None)
            } else {
                pep508::parse_marker(m).map_err(|e| invalid(py_strip(n), e))?;
                (
                    n,
                    Some(super::markers::parse(m, None).map_err(RequirementError::Marker)?),
                )
            }
        }
        None => (line, None),
    };
    let name = py_strip(name);
    // pip looks at `os.path.normpath(os.path.abspath(name))`. For a plain
    // name (one path component, not starting with `.` or `[`) that path
    // ends with `name` itself, and only its end is looked at (extras,
    // extension, file name) unless it is an archive that may exist: then
    // the whole path is made, below. The million lines of a big file skip
    // making it.
    let plain = !name.is_empty() && !name.contains('/') && !name.starts_with(['.', '[']);
    let path_str: std::borrow::Cow<'_, str> = if plain {
        std::borrow::Cow::Borrowed(name)
    } else {
        std::borrow::Cow::Owned(abspath(Path::new(name), cwd).to_string_lossy().into_owned())
    };

    // (link, extras) when it is a local file, directory or URL.
    let mut link: Option<String> = None;
    let mut link_extras = Vec::new();
    if is_url(name) {
        link = Some(name.to_string());
    } else {
        let (p, extras) = strip_extras(&path_str);
        link_extras = convert_extras(extras)?;
        if looks_like_path(name) && fs.is_dir(Path::new(p)) {
            if !(fs.is_file(&Path::new(p).join("pyproject.toml"))
                || fs.is_file(&Path::new(p).join("setup.py")))
            {
                return Err(RequirementError::NotInstallable {
                    dir: name.to_string(),
                });
            }
            link = Some(name.to_string());
        } else if is_archive_file(p) {
            let at_url = name
                .split_once('@')
                .is_some_and(|(before, _)| !looks_like_path(before));
            let exists = if plain {
                fs.is_file(&abspath(Path::new(p), cwd))
            } else {
                fs.is_file(Path::new(p))
            };
            if exists || !at_url {
                link = Some(name.to_string());
            }
        }
    }

    let (kind, req_text) = match &link {
        Some(l) => {
            let kind = if is_url(l) { url_kind(l) } else { Kind::Path };
            let base = if is_url(l) {
                link_basename(l)
            } else {
                Path::new(strip_extras(&path_str).0)
                    .file_name()
                    .map(|f| f.to_string_lossy().into_owned())
                    .unwrap_or_default()
            };
            let text = if splitext_ext(&base) == ".whl" {
                let (n, v) = parse_wheel_filename(&base)?;
                Some(format!("{n}=={v}"))
            } else if is_url(l) {
                egg_fragment(l)?
            } else {
                None
            };
            (kind, text)
        }
        None => (Kind::Named, Some(name.to_string())),
    };

    let mut req = match &req_text {
        Some(t) => {
            let parts = pep508::parse_requirement(t).map_err(|e| {
                let hint = if t.contains('/') {
                    let exists = fs.is_file(&abspath(Path::new(t), cwd))
                        || fs.is_dir(&abspath(Path::new(t), cwd));
                    Some(Hint::Path { exists })
                } else if t.contains('=')
                    && !["~=", "==", "!=", "<=", ">=", "<", ">", "==="]
                        .iter()
                        .any(|op| t.contains(op))
                {
                    Some(Hint::SingleEquals)
                } else {
                    None
                };
                RequirementError::Invalid {
                    text: t.to_string(),
                    reason: e.to_string(),
                    hint,
                }
            })?;
            from_parts(&parts)?
        }
        None => PipReq::unnamed(kind),
    };
    if let Some(l) = link {
        req.kind = kind;
        req.url = Some(strip_extras(&l).0.to_string());
        if !link_extras.is_empty() {
            req.extras = link_extras;
        }
    }
    if let Some((_, pip)) = marker {
        req.marker = Some(Box::new(pip));
    }
    Ok(req)
}

/// pip's `install_req_from_editable` (`-e` on the command line or in a file).
pub fn from_editable(text: &str, cwd: &Path, fs: &dyn Fs) -> Result<PipReq, RequirementError> {
    // _parse_direct_url_editable: `name[extras] @ url ; marker`.
    let direct = pep508::parse_requirement(text)
        .ok()
        .filter(|p| p.url.is_some());
    // (name text, URL as pip sees it, URL or path as written, extras)
    let (name_text, url, display, extras): (Option<String>, String, String, Vec<String>) =
        match direct {
            Some(p) => {
                let name = match &p.marker {
                    Some(m) => format!("{} ; {m}", p.name),
                    None => p.name.clone(),
                };
                let url = p.url.clone().unwrap_or_default();
                (Some(name), url.clone(), url, norm_extras(&p.extras))
            }
            None => {
                // _parse_pip_syntax_editable
                let (no_extras, extras) = strip_extras(text);
                if fs.is_dir(&abspath(Path::new(no_extras), cwd)) {
                    (
                        None,
                        "file:".into(),
                        no_extras.to_string(),
                        convert_extras(extras)?,
                    )
                } else if no_extras.to_ascii_lowercase().starts_with("file:") {
                    (
                        egg_fragment(no_extras)?,
                        no_extras.to_string(),
                        no_extras.to_string(),
                        convert_extras(extras)?,
                    )
                } else {
                    let mut url = text.to_string();
                    for v in VCS {
                        if text.to_ascii_lowercase().starts_with(&format!("{v}:")) {
                            url = format!("{v}+{text}");
                            break;
                        }
                    }
                    (egg_fragment(&url)?, url.clone(), url, Vec::new())
                }
            }
        };
    let is_file = url.starts_with("file:");
    if !is_vcs_url(&url) && !is_file {
        return Err(RequirementError::NotEditable {
            text: text.to_string(),
        });
    }
    if name_text.is_none() && !is_file {
        return Err(RequirementError::NoName {
            text: text.to_string(),
        });
    }
    let mut req = match &name_text {
        Some(n) => {
            let parts = pep508::parse_requirement(n).map_err(|e| invalid(n, e))?;
            from_parts(&parts)?
        }
        None => PipReq::unnamed(Kind::Editable),
    };
    req.kind = Kind::Editable;
    req.extras = extras;
    req.url = Some(display);
    Ok(req)
}

#[cfg(test)]
mod tests {
    use super::super::fs::MemFs;
    use super::*;

    #[test]
    fn specifiers_are_joined_without_white_space_or_empty_clauses() {
        for (written, joined) in [
            (">=1,<2", ">=1,<2"),
            (">= 1, <2", ">=1,<2"),
            (",>=1", ">=1"),
            (">=1,", ">=1"),
            (">=1,,<2", ">=1,<2"),
            ("==1.0\u{a0}", "==1.0"),
            ("", ""),
            (",", ""),
        ] {
            assert_eq!(join_specifier(written), joined, "{written:?}");
        }
    }

    fn fs() -> MemFs {
        let mut fs = MemFs::new();
        fs.add("/w/proj/pyproject.toml", "")
            .add_dir("/w/empty")
            .add("/w/dl/foo-1.0.tar.gz", "x")
            .add("/w/dl/Bar_Baz-2.0-py3-none-any.whl", "x");
        fs
    }

    fn line(s: &str) -> Result<PipReq, RequirementError> {
        from_line(s, Path::new("/w"), &fs())
    }

    #[test]
    fn named() {
        let r = line("Foo[Bar,bar] >= 1.0 ; python_version >= '3'").expect("test setup");
        assert_eq!(r.kind, Kind::Named);
        assert_eq!(r.name.as_deref(), Some("Foo"));
        assert_eq!(r.extras, vec!["bar"]);
        assert_eq!(r.specifier, ">=1.0");
        assert!(r.marker.is_some());
    }

    #[test]
    fn paths_and_urls() {
        let r = line("./proj").expect("test setup");
        assert_eq!((r.kind, r.name.as_deref()), (Kind::Path, None));
        assert_eq!(
            line("./empty").map(|_| ()),
            Err(RequirementError::NotInstallable {
                dir: "./empty".into()
            })
        );
        let r = line("dl/Bar_Baz-2.0-py3-none-any.whl").expect("test setup");
        assert_eq!(
            (r.kind, r.name.as_deref(), r.specifier.as_str()),
            (Kind::Path, Some("bar-baz"), "==2.0")
        );
        let r = line("missing-1.0.tar.gz").expect("test setup"); // pip warns, keeps it as a path
        assert_eq!(r.kind, Kind::Path);
        let r = line("git+https://h/r.git@v1#egg=Thing").expect("test setup");
        assert_eq!((r.kind, r.name.as_deref()), (Kind::Url, Some("Thing")));
        let r = line("https://h/x.tar.gz ; python_version < '3'").expect("test setup");
        assert!(r.marker.is_some());
        let r = line("thing @ https://h/x.tar.gz ; python_version < '3'").expect("test setup");
        assert_eq!((r.kind, r.name.as_deref()), (Kind::Url, Some("thing")));
        let e = line("./nope").expect_err("no such path");
        assert!(
            matches!(
                e,
                RequirementError::Invalid {
                    hint: Some(Hint::Path { exists: false }),
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(
            e.to_string()
                .ends_with("\nHint: It looks like a path. File './nope' does not exist."),
            "{e}"
        );
        assert!(matches!(
            line("name=1"),
            Err(RequirementError::Invalid {
                hint: Some(Hint::SingleEquals),
                ..
            })
        ));
        assert!(matches!(
            line("git+https://h/r.git#egg=-bad"),
            Err(RequirementError::Egg { .. })
        ));
    }

    #[test]
    fn editables() {
        let r = from_editable("./proj[Dev]", Path::new("/w"), &fs()).expect("test setup");
        assert_eq!(
            (r.kind, r.name.as_deref(), r.extras.clone()),
            (Kind::Editable, None, vec!["dev".to_string()])
        );
        let r = from_editable("git+https://h/r#egg=x", Path::new("/w"), &fs()).expect("test setup");
        assert_eq!(r.name.as_deref(), Some("x"));
        assert!(matches!(
            from_editable("git+https://h/r", Path::new("/w"), &fs()),
            Err(RequirementError::NoName { .. })
        ));
        assert!(matches!(
            from_editable("requests", Path::new("/w"), &fs()),
            Err(RequirementError::NotEditable { .. })
        ));
        assert!(from_editable("x @ https://h/x.tar.gz", Path::new("/w"), &fs()).is_err());
        let r = from_editable(
            "x[a] @ git+https://h/r ; os_name == 'nt'",
            Path::new("/w"),
            &fs(),
        )
        .expect("test setup");
        assert_eq!(
            (r.name.as_deref(), r.extras.clone()),
            (Some("x"), vec!["a".to_string()])
        );
        assert!(r.marker.is_some());
    }
}
