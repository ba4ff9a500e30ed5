//! pip's requirements-file format, read exactly as pip 26.3's
//! `pip/_internal/req/req_file.py` reads it, with nested `-r` / `-c`.
//!
//! The steps, each in its own module:
//! [`decode`](super::decode) (BOM, PEP 263, UTF-8) →
//! [`preprocess`](mod@super::preprocess) (lines, `\` continuations, comments,
//! `${VAR}`) → [`lineopts`](super::lineopts) (requirement text and
//! options) → [`pipreq`] (what pip makes of the
//! requirement). Files come through an [`Fs`], so all of it runs on
//! in-memory files in tests and under the fuzzer.
//!
//! Deliberate differences from pip (see `docs/requirements-format.md`):
//! URLs are never fetched (`-r https://…` is refused), files over
//! [`MAX_FILE_SIZE`](super::fs::MAX_FILE_SIZE) are refused, invalid UTF-8
//! is an error instead of a locale fallback, a NUL character is an error,
//! and includes nest at most [`MAX_DEPTH`] deep.

use super::decode::decode;
use super::fs::{abspath, normpath, Fs, ReadError};
use super::lineopts::parse_line;
use super::pipreq::{self, PipReq};
use super::preprocess::preprocess;
use super::{Chain, FileOption, Kind, Parts, Requirement, RequirementSet};
use crate::error::InputError;
use crate::invocation::Opt;
use crate::origin::{display_path, Origin};
use crate::redact::{redact, Redacted, Secret};
use std::path::{Path, PathBuf};

/// How deep `-r`/`-c` includes may nest (pip has no limit but Python's
/// recursion limit; a chain this deep is a mistake or an attack).
pub const MAX_DEPTH: usize = 100;

/// Most requirements read from files in one run (a million; a real file has
/// a few hundred). A 16 MiB file of `a` lines would otherwise ask for eight
/// million requirements' worth of memory.
pub const MAX_REQUIREMENTS: usize = 1_000_000;

/// What the readers need from the outside world.
pub struct Ctx<'a> {
    /// The working directory: relative paths in requirements resolve here
    /// (pip resolves them against the cwd, not the file), and origins are
    /// displayed relative to it.
    pub cwd: &'a Path,
    /// File access.
    pub fs: &'a dyn Fs,
    /// Environment variables for `${VAR}`.
    pub env: &'a dyn Fn(&str) -> Option<String>,
}

impl Ctx<'_> {
    fn show(&self, path: &Path) -> String {
        display_path(path, self.cwd).display().to_string()
    }
}

/// The first characters of a URL pip would fetch a requirements file from
/// (`SCHEME_RE` in pip, case-insensitive).
pub fn is_remote(s: &str) -> bool {
    let l = s.get(..6).unwrap_or(s).to_ascii_lowercase();
    l.starts_with("http:") || l.starts_with("https:") || l.starts_with("file:")
}

fn refuse_url(url: &str, constraint: bool) -> String {
    format!(
        "{} file {} is a URL: pip-guard does not fetch anything during an audit; \
         download it and pass the local file",
        if constraint {
            "constraints"
        } else {
            "requirements"
        },
        redact(url)
    )
}

/// Read a requirements (or, with `constraint`, constraints) file named on
/// the command line, appending what it asks for to `out`.
///
/// `given` is the path as written; `at` is where it was given (an argv
/// origin), used for errors about the file as a whole.
pub fn read_file(
    ctx: &Ctx<'_>,
    given: &str,
    constraint: bool,
    at: Option<Origin>,
    out: &mut RequirementSet,
) -> Result<(), InputError> {
    if is_remote(given) || pipreq_url_scheme_is_remote(given) {
        return Err(InputError::maybe_at(at, refuse_url(given, constraint)));
    }
    let path = abspath(Path::new(given), ctx.cwd);
    let included_from = Chain::new(at.iter().cloned().collect());
    let mut stack = vec![(path.clone(), None)];
    walk(ctx, &path, constraint, at, &included_from, &mut stack, out)
        .map_err(|e| e.in_file_included_from(&included_from))
}

/// pip's `get_file_content` fetches anything `urlsplit` calls http, https or file.
fn pipreq_url_scheme_is_remote(s: &str) -> bool {
    matches!(
        super::pystr::url_scheme(s).as_deref(),
        Some("http" | "https" | "file")
    )
}

fn read_error(ctx: &Ctx<'_>, path: &Path, constraint: bool, e: &ReadError) -> String {
    format!(
        "could not open {} file {}: {e}",
        if constraint {
            "constraints"
        } else {
            "requirements"
        },
        ctx.show(path)
    )
}

/// Parse one file and recurse into its includes (pip's `_parse_and_recurse`).
///
/// `at` is where this file was named (argv or an including line); errors
/// about the file as a whole point there. The caller records the include
/// chain on an error from the file (`InputError::in_file_included_from`).
fn walk(
    ctx: &Ctx<'_>,
    path: &Path,
    constraint: bool,
    at: Option<Origin>,
    included_from: &Chain,
    stack: &mut Vec<(PathBuf, Option<Origin>)>,
    out: &mut RequirementSet,
) -> Result<(), InputError> {
    let bytes = ctx
        .fs
        .read(path)
        .map_err(|e| InputError::maybe_at(at.clone(), read_error(ctx, path, constraint, &e)))?;
    let text = decode(&bytes).map_err(|e| {
        let origin = if at
            .as_ref()
            .is_some_and(|o| matches!(o, Origin::File { .. }))
        {
            at.clone()
        } else {
            Some(Origin::file(path, e.line, ctx.cwd))
        };
        InputError::maybe_at(
            origin,
            format!("{} (line {}) {}", ctx.show(path), e.line, e.message),
        )
    })?;
    let shown: std::sync::Arc<Path> = crate::origin::display_path(path, ctx.cwd).into();
    for ll in preprocess(&text, ctx.env) {
        let origin = Origin::line_of(&shown, ll.line);
        if out.requirements.len() >= MAX_REQUIREMENTS {
            return Err(InputError::at(
                origin,
                format!(
                    "more than {MAX_REQUIREMENTS} requirements: pip-guard refuses larger sets \
                     (split the file)"
                ),
            ));
        }
        let parsed = parse_line(&ll.text).map_err(|m| {
            InputError::at(origin.clone(), format!("{m} (in `{}`)", redact(&ll.text)))
        })?;
        let editable = parsed.opts.has(Opt::Editable);
        let requirement = if !parsed.args.is_empty() {
            Some(parsed.args.clone())
        } else {
            parsed.opts.values(Opt::Editable).next().map(str::to_string)
        };
        if let Some(req_text) = requirement {
            let parsed_req = if editable {
                if constraint {
                    return Err(InputError::at(
                        origin,
                        "Editable requirements are not allowed as constraints",
                    ));
                }
                pipreq::from_editable(&req_text, ctx.cwd, ctx.fs)
            } else {
                pipreq::from_line(&req_text, ctx.cwd, ctx.fs)
            }
            .map_err(|m| InputError::at(origin.clone(), redact(&m.to_string()).into_owned()))?;
            let mut options = Vec::new();
            for (name, value) in &parsed.opts.all {
                let keep = match *name {
                    "config-settings" => true,
                    "hash" => !editable,
                    _ => false,
                };
                if keep {
                    options.push(format!("--{name}={}", value.as_deref().unwrap_or("")));
                }
            }
            let raw: std::borrow::Cow<str> = if editable && parsed.args.is_empty() {
                format!("-e {req_text}").into()
            } else {
                req_text.as_str().into()
            };
            out.requirements.push(make_requirement(NewRequirement {
                meaning: parsed_req,
                origin,
                included_from: included_from.clone(),
                raw: &raw,
                pip_line: &ll.text,
                editable,
                constraint,
                options,
            }));
            continue;
        }
        let nested = parsed
            .opts
            .values(Opt::Requirement)
            .next()
            .map(|v| (v.to_string(), false))
            .or_else(|| {
                parsed
                    .opts
                    .values(Opt::Constraint)
                    .next()
                    .map(|v| (v.to_string(), true))
            });
        if let Some((value, nested_constraint)) = nested {
            if is_remote(&value) {
                return Err(InputError::at(
                    origin,
                    refuse_url(&value, nested_constraint),
                ));
            }
            let base = path.parent().unwrap_or(Path::new("/"));
            let child = normpath(&base.join(&value));
            if let Some(pos) = stack.iter().position(|(p, _)| *p == child) {
                let mut chain: Vec<String> =
                    stack[pos..].iter().map(|(p, _)| ctx.show(p)).collect();
                chain.push(ctx.show(&child));
                return Err(InputError::at(
                    origin,
                    format!(
                        "{} includes itself: {}",
                        ctx.show(&child),
                        chain.join(" -> ")
                    ),
                ));
            }
            if stack.len() >= MAX_DEPTH {
                return Err(InputError::at(
                    origin,
                    format!("requirements files nest more than {MAX_DEPTH} levels deep"),
                ));
            }
            let mut chain = included_from.to_vec();
            chain.push(origin.clone());
            let chain = Chain::new(chain);
            stack.push((child.clone(), Some(origin.clone())));
            walk(
                ctx,
                &child,
                nested_constraint,
                Some(origin),
                &chain,
                stack,
                out,
            )
            .map_err(|e| e.in_file_included_from(&chain))?;
            stack.pop();
            continue;
        }
        for (name, value) in &parsed.opts.all {
            if matches!(*name, "hash" | "config-settings") {
                continue; // pip ignores (and warns about) these without a requirement
            }
            out.file_options.push(FileOption {
                origin: origin.clone(),
                name: format!("--{name}"),
                value: value.clone().map(Secret::new),
            });
        }
    }
    Ok(())
}

/// What [`make_requirement`] assembles a [`Requirement`] from: what pip
/// makes of it, and where and how it was written.
pub(crate) struct NewRequirement<'a> {
    /// What pip makes of it.
    pub meaning: PipReq,
    /// Where it was written.
    pub origin: Origin,
    /// The chain of `-r`/`-c` files (or the argument) that led there.
    pub included_from: Chain,
    /// The logical line or argument as written (redacted when stored).
    pub raw: &'a str,
    /// The exact text for pip on a fallthrough (may hold secrets).
    pub pip_line: &'a str,
    /// `-e` / `--editable`.
    pub editable: bool,
    /// From a `-c` constraints file.
    pub constraint: bool,
    /// Per-requirement options as written.
    pub options: Vec<String>,
}

impl<'a> NewRequirement<'a> {
    /// A plain requirement written as `raw` at `origin`: handed to pip as
    /// written, not editable, not a constraint, no options, not included.
    pub fn new(meaning: PipReq, origin: Origin, raw: &'a str) -> NewRequirement<'a> {
        NewRequirement {
            meaning,
            origin,
            included_from: Chain::default(),
            raw,
            pip_line: raw,
            editable: false,
            constraint: false,
            options: Vec::new(),
        }
    }
}

/// Assemble a [`Requirement`] from what pip makes of it and where it was.
pub(crate) fn make_requirement(n: NewRequirement<'_>) -> Requirement {
    let r = n.meaning;
    Requirement::new(Parts {
        origin: n.origin,
        included_from: n.included_from,
        raw: Redacted::new(n.raw),
        kind: if n.editable { Kind::Editable } else { r.kind },
        name: r.name,
        specifier: r.specifier,
        marker: r.marker,
        constraint: n.constraint,
        extras: r.extras,
        url: r.url.map(|u| Redacted::new(&u)),
        options: n.options,
        pip_line: Secret::new(n.pip_line),
    })
}

#[cfg(test)]
mod tests {
    use super::super::fs::MemFs;
    use super::*;

    fn run(fs: &MemFs, file: &str) -> Result<RequirementSet, InputError> {
        let env = |k: &str| (k == "TOKEN").then(|| "s3cret".to_string());
        let ctx = Ctx {
            cwd: Path::new("/w"),
            fs,
            env: &env,
        };
        let mut out = RequirementSet::default();
        read_file(&ctx, file, false, Some(Origin::Arg(1)), &mut out)?;
        Ok(out)
    }

    #[test]
    fn nested_relative_to_including_file() {
        let mut fs = MemFs::new();
        fs.add("/w/r.txt", "a\n-r sub/b.txt\n-c sub/c.txt\n")
            .add("/w/sub/b.txt", "b>=1 \\\n  ,<2  # comment\n-r ../d.txt\n")
            .add("/w/sub/c.txt", "c==1\n")
            .add("/w/d.txt", "--index-url https://u:p@x/simple\nd\n");
        let set = run(&fs, "r.txt").expect("test setup");
        let got: Vec<(String, String, bool)> = set
            .requirements
            .iter()
            .map(|r| (r.origin.to_string(), r.raw.to_string(), r.constraint))
            .collect();
        assert_eq!(
            got,
            vec![
                ("r.txt:1".to_string(), "a".to_string(), false),
                ("sub/b.txt:1".into(), "b>=1   ,<2".into(), false),
                ("d.txt:2".into(), "d".into(), false),
                ("sub/c.txt:1".into(), "c==1".into(), true),
            ]
        );
        assert_eq!(set.requirements[1].specifier, ">=1,<2");
        assert_eq!(set.requirements[2].included_from.len(), 3);
        assert_eq!(set.file_options[0].name, "--index-url");
    }

    #[test]
    fn cycle_shows_chain() {
        let mut fs = MemFs::new();
        fs.add("/w/a.txt", "-r b.txt\n")
            .add("/w/b.txt", "x\n-r a.txt\n");
        let e = run(&fs, "a.txt").unwrap_err();
        assert_eq!(e.origin.expect("test setup").to_string(), "b.txt:2");
        assert!(
            e.message.contains("a.txt -> b.txt -> a.txt"),
            "{}",
            e.message
        );
    }

    /// An error in an included file says which lines included it, nearest
    /// first; an error in the file named on the command line has no chain,
    /// nor has a missing include (it points at the including line itself).
    #[test]
    fn errors_carry_the_include_chain() {
        let mut fs = MemFs::new();
        fs.add("/w/top.txt", "x\n-r sub/a.txt\n")
            .add("/w/sub/a.txt", "-r ../b.txt\n")
            .add("/w/b.txt", "ok\nfoo>=>1\n")
            .add("/w/m.txt", "ok\n-r nope.txt\n");
        let e = run(&fs, "top.txt").unwrap_err();
        assert_eq!(
            e.origin.as_ref().expect("test setup").to_string(),
            "b.txt:2"
        );
        let chain: Vec<String> = e.included_from.iter().map(|o| o.to_string()).collect();
        assert_eq!(chain, ["top.txt:2", "sub/a.txt:1"]);
        let shown = e.to_string();
        assert!(
            shown.ends_with("\n  included from sub/a.txt:1\n  included from top.txt:2"),
            "{shown}"
        );
        let e = run(&fs, "b.txt").unwrap_err();
        assert!(e.included_from.is_empty(), "{e}");
        let e = run(&fs, "m.txt").unwrap_err();
        assert_eq!(
            e.origin.as_ref().expect("test setup").to_string(),
            "m.txt:2"
        );
        assert!(e.included_from.is_empty(), "{e}");
    }

    #[test]
    fn errors_point_at_lines() {
        let mut fs = MemFs::new();
        fs.add("/w/a.txt", "ok\n\nfoo>=>1\n")
            .add("/w/b.txt", "ok\n--frobnicate\n")
            .add("/w/c.txt", "-r https://x/r.txt\n")
            .add("/w/d.txt", "-r missing.txt\n");
        for (f, at) in [
            ("a.txt", "a.txt:3"),
            ("b.txt", "b.txt:2"),
            ("c.txt", "c.txt:1"),
            ("d.txt", "d.txt:1"),
        ] {
            let e = run(&fs, f).unwrap_err();
            assert_eq!(
                e.origin.map(|o| o.to_string()).as_deref(),
                Some(at),
                "{f}: {}",
                e.message
            );
        }
    }

    #[test]
    fn secrets_are_redacted_in_raw_and_url() {
        let mut fs = MemFs::new();
        fs.add("/w/a.txt", "pkg @ https://user:${TOKEN}@h/p.tar.gz\n");
        let set = run(&fs, "a.txt").expect("test setup");
        let r = &set.requirements[0];
        assert!(
            !r.raw.contains("s3cret")
                && !r
                    .url()
                    .map(|u| u.as_str())
                    .unwrap_or_default()
                    .contains("s3cret")
        );
        assert!(r.pip_line().expose().contains("s3cret"));
        // Nothing that prints a requirement shows it: its Debug (the
        // exact text for pip was a plain String, shown whole by {:?}).
        let debug = format!("{r:?}");
        assert!(!debug.contains("s3cret"), "{debug}");
        assert!(debug.contains("https://****@h/p.tar.gz"), "{debug}");
    }
}
