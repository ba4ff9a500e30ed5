//! One policy file: TOML text in, a validated [`PolicyFile`] out, or an
//! error pointing at `file:line:col` with the offending line underlined.
//! Pure: the caller reads the file.

use super::model::{IndexSource, Mode};
use crate::error::InputError;
use crate::redact::redact;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// Who wrote a file, which decides what it may set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trust {
    /// The machine's admin or the user: system, user config,
    /// `PIP_GUARD_POLICY`, `--policy`.
    Local,
    /// A repository's `.pip-guard.toml`, which comes with a `git clone`: it
    /// may not choose a file to append to (`audit_log.path`) nor a nixpkgs to
    /// evaluate (`index.nixpkgs`).
    Project,
}

/// A name rule as written: `"torch"` or `{ pattern = "torch", reason = "…" }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSpec {
    /// The pattern as written.
    pub pattern: String,
    /// The reason shown to users, if any.
    pub reason: Option<String>,
    /// 1-based line of the entry.
    pub line: usize,
}

/// The `[index]` table of one file: only the keys it sets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndexFile {
    /// `source`.
    pub source: Option<IndexSource>,
    /// `channel`.
    pub channel: Option<String>,
    /// `max_age_days`.
    pub max_age_days: Option<u32>,
    /// `nixpkgs`, resolved against the file's directory.
    pub nixpkgs: Option<PathBuf>,
}

/// The `[audit_log]` table of one file: only the keys it sets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditLogFile {
    /// `enabled`.
    pub enabled: Option<bool>,
    /// `path`, resolved against the file's directory (`~/` is the home directory).
    pub path: Option<PathBuf>,
}

/// One validated policy file: only the keys it sets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyFile {
    /// `mode`.
    pub mode: Option<Mode>,
    /// `package_set`: `Some(None)` is `"auto"` (nixpkgs' default set, or a Nix-store interpreter's own).
    pub package_set: Option<Option<String>>,
    /// `allow_pip_fallback`.
    pub allow_pip_fallback: Option<bool>,
    /// `block_unloadable_wheels`.
    pub block_unloadable_wheels: Option<bool>,
    /// `allow` entries.
    pub allow: Vec<RuleSpec>,
    /// `deny` entries.
    pub deny: Vec<RuleSpec>,
    /// `[index]`.
    pub index: IndexFile,
    /// `[audit_log]`.
    pub audit_log: AuditLogFile,
    /// `locked`.
    pub locked: bool,
}

impl PolicyFile {
    /// One line saying what the file sets, for `policy check`.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if let Some(m) = self.mode {
            parts.push(format!("mode = {}", m.as_str()));
        }
        if let Some(ps) = &self.package_set {
            parts.push(format!("package_set = {}", ps.as_deref().unwrap_or("auto")));
        }
        if let Some(f) = self.allow_pip_fallback {
            parts.push(format!("allow_pip_fallback = {f}"));
        }
        if let Some(b) = self.block_unloadable_wheels {
            parts.push(format!("block_unloadable_wheels = {b}"));
        }
        parts.push(format!(
            "{} allow, {} deny",
            self.allow.len(),
            self.deny.len()
        ));
        if self.index != IndexFile::default() {
            parts.push("[index]".into());
        }
        if self.audit_log != AuditLogFile::default() {
            parts.push("[audit_log]".into());
        }
        if self.locked {
            parts.push("locked".into());
        }
        parts.join(", ")
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    mode: Option<Spanned<String>>,
    package_set: Option<Spanned<String>>,
    allow_pip_fallback: Option<bool>,
    block_unloadable_wheels: Option<bool>,
    allow: Option<Vec<Spanned<RawRule>>>,
    deny: Option<Vec<Spanned<RawRule>>>,
    index: Option<RawIndex>,
    audit_log: Option<RawAuditLog>,
    locked: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndex {
    source: Option<Spanned<String>>,
    channel: Option<Spanned<String>>,
    max_age_days: Option<Spanned<i64>>,
    nixpkgs: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAuditLog {
    enabled: Option<bool>,
    path: Option<Spanned<String>>,
}

struct RawRule {
    pattern: Spanned<String>,
    reason: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRuleTable {
    pattern: Spanned<String>,
    reason: Option<String>,
}

impl<'de> Deserialize<'de> for RawRule {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawRule;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "a name pattern (\"torch*\") or a table { pattern = \"torch*\", reason = \"…\" }",
                )
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<RawRule, E> {
                // The element's own span is kept by the outer `Spanned`.
                Ok(RawRule {
                    pattern: Spanned::new(0..0, s.to_string()),
                    reason: None,
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawRule, A::Error> {
                let t = RawRuleTable::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(RawRule {
                    pattern: t.pattern,
                    reason: t.reason,
                })
            }
        }
        d.deserialize_any(V)
    }
}

/// Parse and validate one policy file.
///
/// `path` is the file (relative paths inside resolve against its directory),
/// `display` is how messages name it, `home` expands a leading `~/`.
pub fn parse(
    text: &str,
    path: &Path,
    display: &str,
    trust: Trust,
    home: Option<&Path>,
) -> Result<PolicyFile, InputError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let msg = e.message().trim_end().to_string();
        located(display, text, e.span(), &explain_serde(&msg))
    })?;
    let bad = |(span, msg): Bad| located(display, text, Some(span), &msg);
    let dir = path.parent().unwrap_or(Path::new("."));
    // Fields in the order they are checked: the first error is reported.
    Ok(PolicyFile {
        mode: raw.mode.map(mode_of).transpose().map_err(bad)?,
        package_set: raw
            .package_set
            .map(package_set_of)
            .transpose()
            .map_err(bad)?,
        allow_pip_fallback: raw.allow_pip_fallback,
        block_unloadable_wheels: raw.block_unloadable_wheels,
        allow: rules_of("allow", raw.allow, text).map_err(bad)?,
        deny: rules_of("deny", raw.deny, text).map_err(bad)?,
        index: raw
            .index
            .map(|ix| index_of(ix, trust, dir, home))
            .transpose()
            .map_err(bad)?
            .unwrap_or_default(),
        audit_log: raw
            .audit_log
            .map(|al| audit_log_of(al, trust, dir, home))
            .transpose()
            .map_err(bad)?
            .unwrap_or_default(),
        locked: raw.locked.unwrap_or(false),
    })
}

/// A value refused: where in the file, and why.
type Bad = (Range<usize>, String);

/// `mode`.
fn mode_of(m: Spanned<String>) -> Result<Mode, Bad> {
    Mode::parse(m.get_ref()).ok_or_else(|| {
        (
            m.span(),
            format!(
                "unknown mode `{}`: expected \"off\", \"advise\" or \"enforce\"",
                m.get_ref()
            ),
        )
    })
}

/// `package_set`: `None` for `"auto"`.
fn package_set_of(ps: Spanned<String>) -> Result<Option<String>, Bad> {
    let v = ps.get_ref();
    if v == "auto" {
        Ok(None)
    } else if is_package_set(v) {
        Ok(Some(v.clone()))
    } else {
        Err((
            ps.span(),
            format!(
                "`{v}` is not a Python package set: expected an attribute such as \
                 \"python312Packages\", or \"auto\" (nixpkgs' default python3Packages, or a Nix-store interpreter's own set)"
            ),
        ))
    }
}

/// The `allow` or `deny` entries (`key`), each pattern checked.
fn rules_of(
    key: &str,
    list: Option<Vec<Spanned<RawRule>>>,
    text: &str,
) -> Result<Vec<RuleSpec>, Bad> {
    let mut out = Vec::new();
    for entry in list.unwrap_or_default() {
        let outer = entry.span();
        let rule = entry.into_inner();
        let span = if rule.pattern.span().is_empty() {
            outer
        } else {
            rule.pattern.span()
        };
        let pattern = rule.pattern.into_inner();
        super::model::Rule::new(&pattern, None, "", 0)
            .map_err(|m| (span.clone(), format!("in `{key}`: {m}")))?;
        if rule.reason.as_deref().is_some_and(|r| r.trim().is_empty()) {
            return Err((span, format!("in `{key}`: empty reason")));
        }
        out.push(RuleSpec {
            pattern,
            reason: rule.reason,
            line: line_col(text, span.start).0,
        });
    }
    Ok(out)
}

/// `[index]` (`dir`: the file's directory, for a relative `nixpkgs`).
fn index_of(ix: RawIndex, trust: Trust, dir: &Path, home: Option<&Path>) -> Result<IndexFile, Bad> {
    let mut out = IndexFile::default();
    if let Some(s) = ix.source {
        out.source = Some(s.get_ref().parse::<IndexSource>().map_err(|_| {
            (
                s.span(),
                format!(
                    "unknown index source `{}`: expected \"auto\", \"nix\", \"channel\" \
                     or \"embedded\"",
                    s.get_ref()
                ),
            )
        })?);
    }
    if let Some(c) = ix.channel {
        let v = c.get_ref();
        if v.is_empty()
            || !v
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-._".contains(c))
        {
            return Err((
                c.span(),
                format!(
                    "`{v}` is not a channel name such as \"nixpkgs-unstable\" or \"nixos-25.05\""
                ),
            ));
        }
        out.channel = Some(v.clone());
    }
    if let Some(d) = ix.max_age_days {
        out.max_age_days = Some(u32::try_from(*d.get_ref()).map_err(|_| {
            (
                d.span(),
                format!(
                    "max_age_days must be a whole number of days from 0 to {}",
                    u32::MAX
                ),
            )
        })?);
    }
    if let Some(n) = ix.nixpkgs {
        if trust == Trust::Project {
            return Err((n.span(), project_path_refused("index.nixpkgs")));
        }
        out.nixpkgs = Some(resolve_path(n.get_ref(), dir, home));
    }
    Ok(out)
}

/// `[audit_log]` (`dir`: the file's directory, for a relative `path`).
fn audit_log_of(
    al: RawAuditLog,
    trust: Trust,
    dir: &Path,
    home: Option<&Path>,
) -> Result<AuditLogFile, Bad> {
    let mut out = AuditLogFile {
        enabled: al.enabled,
        path: None,
    };
    if let Some(p) = al.path {
        if trust == Trust::Project {
            return Err((p.span(), project_path_refused("audit_log.path")));
        }
        if p.get_ref().is_empty() {
            return Err((p.span(), "empty audit_log.path".into()));
        }
        out.path = Some(resolve_path(p.get_ref(), dir, home));
    }
    Ok(out)
}

fn project_path_refused(key: &str) -> String {
    format!(
        "`{key}` cannot be set in a repository's .pip-guard.toml (a cloned repository must not \
         choose files pip-guard writes or evaluates): set it in your user or system policy"
    )
}

/// A Nix attribute naming a Python package set: `python312Packages`,
/// `python3Packages`, `pypy3Packages`, …
fn is_package_set(s: &str) -> bool {
    s.len() > "Packages".len()
        && s.ends_with("Packages")
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn resolve_path(p: &str, dir: &Path, home: Option<&Path>) -> PathBuf {
    if let (Some(rest), Some(home)) = (p.strip_prefix("~/"), home) {
        return home.join(rest);
    }
    let p = Path::new(p);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        dir.join(p)
    }
}

/// Make serde's wording fit a policy file.
fn explain_serde(msg: &str) -> String {
    if let Some(rest) = msg.strip_prefix("unknown field ") {
        return format!("unknown key {rest}");
    }
    msg.replace("expected a sequence", "expected an array")
        .replace("expected i64", "expected a whole number")
}

/// 1-based (line, column in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

/// An [`InputError`] reading `FILE:LINE:COL: message`, then the line with
/// the span underlined.
fn located(display: &str, text: &str, span: Option<Range<usize>>, msg: &str) -> InputError {
    use crate::safefile::{quote_line, QUOTE_MAX};
    // The message may quote file text (a key, a value): one line, cut, escaped.
    let msg = quote_line(msg.lines().next().unwrap_or(""));
    let Some(span) = span else {
        return InputError::new(redact(&format!("{display}: {msg}")).into_owned());
    };
    let (line, col) = line_col(text, span.start);
    let src = text
        .lines()
        .nth(line - 1)
        .unwrap_or("")
        .trim_end_matches('\r');
    // At most QUOTE_MAX characters of the line, around the error, shown
    // escaped (one line, no control character); the caret sits under the
    // escaped text.
    let skip = (col - 1).saturating_sub(QUOTE_MAX / 2);
    let before: String = src.chars().skip(skip).take(col - 1 - skip).collect();
    let room = QUOTE_MAX - (col - 1 - skip);
    let rest: String = src.chars().skip(col - 1).take(room).collect();
    let lead = if skip > 0 { "…" } else { "" };
    let trail = if src.chars().count() > col - 1 + room {
        "…"
    } else {
        ""
    };
    let before = crate::escape::terminal(&before);
    let indent = lead.chars().count() + before.chars().count();
    let shown = format!("{lead}{before}{}{trail}", crate::escape::terminal(&rest));
    let width = text
        .get(span.clone())
        .map(|s| {
            crate::escape::terminal(s.lines().next().unwrap_or(""))
                .chars()
                .count()
        })
        .unwrap_or(1)
        .clamp(1, QUOTE_MAX);
    let gutter = " ".repeat(line.to_string().len());
    // A policy holds no credentials by design; still, a quoted line or
    // value never prints one.
    InputError::new(
        redact(&format!(
            "{display}:{line}:{col}: {msg}\n{gutter} |\n{line} | {shown}\n{gutter} | {}{}",
            " ".repeat(indent),
            "^".repeat(width)
        ))
        .into_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Result<PolicyFile, String> {
        parse(
            text,
            Path::new("/proj/.pip-guard.toml"),
            ".pip-guard.toml",
            Trust::Local,
            Some(Path::new("/home/u")),
        )
        .map_err(|e| e.message)
    }

    #[test]
    fn each_table_is_checked_with_its_span() {
        let s = |v: &str| Spanned::new(3..9, v.to_string());
        assert_eq!(package_set_of(s("auto")), Ok(None));
        assert_eq!(
            package_set_of(s("python312Packages")),
            Ok(Some("python312Packages".into()))
        );
        assert_eq!(package_set_of(s("numpy")).map_err(|(r, _)| r), Err(3..9));
        assert_eq!(mode_of(s("advise")), Ok(Mode::Advise));
        assert_eq!(mode_of(s("strict")).map_err(|(r, _)| r), Err(3..9));
        let ix = || RawIndex {
            source: None,
            channel: None,
            max_age_days: None,
            nixpkgs: Some(s("../n")),
        };
        let dir = Path::new("/proj");
        let refused = index_of(ix(), Trust::Project, dir, None)
            .map_err(|(r, m)| (r, m.contains("index.nixpkgs")));
        assert_eq!(refused, Err((3..9, true)));
        assert_eq!(
            index_of(ix(), Trust::Local, dir, None).map(|f| f.nixpkgs),
            Ok(Some(PathBuf::from("/proj/../n")))
        );
        let al = |p: &str| RawAuditLog {
            enabled: Some(true),
            path: Some(s(p)),
        };
        assert_eq!(
            audit_log_of(al(""), Trust::Local, dir, None),
            Err((3..9, "empty audit_log.path".to_string()))
        );
        assert!(audit_log_of(al("log"), Trust::Project, dir, None).is_err());
        assert_eq!(
            audit_log_of(al("log"), Trust::Local, dir, None),
            Ok(AuditLogFile {
                enabled: Some(true),
                path: Some(PathBuf::from("/proj/log"))
            })
        );
    }

    #[test]
    fn the_first_key_checked_is_the_error_reported() {
        // `package_set` comes first in the text, `mode` is checked first.
        let e = p("package_set = \"numpy\"\nmode = \"strict\"\n").unwrap_err();
        assert!(e.contains("unknown mode `strict`"), "{e}");
        let e = p("[audit_log]\npath = \"\"\n[index]\nchannel = \"a b\"\n").unwrap_err();
        assert!(e.contains("is not a channel name"), "{e}");
    }

    #[test]
    fn full_file() {
        let f = p(r#"
mode = "enforce"
package_set = "python311Packages"
allow_pip_fallback = true
allow = ["Foo_Bar", { pattern = "nvidia-*", reason = "CUDA wheels" }]
deny = [{ pattern = "torch", reason = "use python312Packages.torch" }]
locked = true

[index]
source = "channel"
channel = "nixos-25.05"
max_age_days = 7
nixpkgs = "../nixpkgs"

[audit_log]
enabled = false
path = "~/logs/pip-guard.log"
"#)
        .expect("test setup");
        assert_eq!(f.mode, Some(Mode::Enforce));
        assert_eq!(f.package_set, Some(Some("python311Packages".into())));
        assert_eq!(f.allow_pip_fallback, Some(true));
        assert_eq!(f.allow.len(), 2);
        assert_eq!(f.allow[1].reason.as_deref(), Some("CUDA wheels"));
        assert_eq!(f.allow[0].line, 5);
        assert_eq!(f.deny[0].pattern, "torch");
        assert!(f.locked);
        assert_eq!(f.index.source, Some(IndexSource::Channel));
        assert_eq!(f.index.max_age_days, Some(7));
        assert_eq!(f.index.nixpkgs, Some(PathBuf::from("/proj/../nixpkgs")));
        assert_eq!(f.audit_log.enabled, Some(false));
        assert_eq!(
            f.audit_log.path,
            Some(PathBuf::from("/home/u/logs/pip-guard.log"))
        );
    }

    #[test]
    fn empty_file_sets_nothing() {
        assert_eq!(p("").expect("test setup"), PolicyFile::default());
        assert_eq!(
            p("package_set = \"auto\"").expect("test setup").package_set,
            Some(None)
        );
    }

    #[test]
    fn errors_point_at_line_and_column() {
        let e = p("mode = \"advise\"\nmoed = \"enforce\"\n").unwrap_err();
        assert!(
            e.starts_with(".pip-guard.toml:2:1: unknown key `moed`"),
            "{e}"
        );
        assert!(e.contains("2 | moed = \"enforce\"\n  | ^^^^"), "{e}");

        let e = p("mode = \"strict\"\n").unwrap_err();
        assert!(
            e.starts_with(".pip-guard.toml:1:8: unknown mode `strict`"),
            "{e}"
        );

        let e = p("\nallow_pip_fallback = \"yes\"\n").unwrap_err();
        assert!(e.starts_with(".pip-guard.toml:2:22: "), "{e}");
        assert!(e.contains("bool"), "{e}");

        let e = p("deny = [\"ok\", \"to[rch\"]\n").unwrap_err();
        assert!(
            e.starts_with(".pip-guard.toml:1:15: in `deny`: an empty or unclosed class"),
            "{e}"
        );

        let e = p("allow = [{ pattern = \"numpy>=2\" }]\n").unwrap_err();
        assert!(
            e.starts_with(".pip-guard.toml:1:22: in `allow`: `>`"),
            "{e}"
        );

        let e = p("allow = [{ patern = \"x\" }]\n").unwrap_err();
        assert!(e.starts_with(".pip-guard.toml:1:"), "{e}");
        assert!(e.contains("patern"), "{e}");

        let e = p("allow = [3]\n").unwrap_err();
        assert!(e.starts_with(".pip-guard.toml:1:10: "), "{e}");

        let e = p("[index]\nmax_age_days = -1\n").unwrap_err();
        assert!(e.starts_with(".pip-guard.toml:2:16: max_age_days"), "{e}");

        let e = p("[index]\nsorce = \"nix\"\n").unwrap_err();
        assert!(
            e.starts_with(".pip-guard.toml:2:1: unknown key `sorce`"),
            "{e}"
        );

        let e = p("package_set = \"numpy\"\n").unwrap_err();
        assert!(e.starts_with(".pip-guard.toml:1:15: `numpy` is not"), "{e}");

        let e = p("mode = \"off\"\nmode = \"enforce\"\n").unwrap_err();
        assert!(e.starts_with(".pip-guard.toml:2:"), "{e}");
    }

    #[test]
    fn project_files_cannot_choose_paths() {
        for text in [
            "[audit_log]\npath = \"/tmp/x\"\n",
            "[index]\nnixpkgs = \"./n\"\n",
        ] {
            let e = parse(
                text,
                Path::new("/r/.pip-guard.toml"),
                ".pip-guard.toml",
                Trust::Project,
                None,
            )
            .unwrap_err();
            assert!(e.message.starts_with(".pip-guard.toml:2:"), "{}", e.message);
            assert!(e.message.contains("cannot be set in a repository"));
        }
    }

    #[test]
    fn errors_never_quote_a_secret() {
        let e = p("[index]\nchannel = \"https://me:tok3n@host/x\"\n").unwrap_err();
        assert!(e.starts_with(".pip-guard.toml:2:11: "), "{e}");
        assert!(!e.contains("tok3n"), "{e}");
        let e = p("mode = \"https://me:tok3n@host/x\"\n").unwrap_err();
        assert!(!e.contains("tok3n"), "{e}");
    }

    #[test]
    fn columns_count_characters() {
        assert_eq!(line_col("a\néé x", 7), (2, 4));
        assert_eq!(line_col("abc", 0), (1, 1));
    }
}
