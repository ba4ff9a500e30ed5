//! The effective policy and its pure verdict function.

use crate::resolve::Tier;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// How strict the guard is. Order: off < advise < enforce.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Explain nothing, block nothing.
    Off,
    /// Explain; block only `deny` entries.
    #[default]
    Advise,
    /// Block what Nix covers, and pip fallthrough unless allowed.
    Enforce,
}

impl Mode {
    /// The TOML spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Off => "off",
            Mode::Advise => "advise",
            Mode::Enforce => "enforce",
        }
    }

    /// Parse the TOML spelling.
    pub fn parse(s: &str) -> Option<Mode> {
        match s {
            "off" => Some(Mode::Off),
            "advise" => Some(Mode::Advise),
            "enforce" => Some(Mode::Enforce),
            _ => None,
        }
    }
}

/// The decision for one requirement (schema field `verdict`).
/// Order: allow < warn < block (stricter is greater).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// May be installed by pip.
    Allow,
    /// Explained; Nix is the better way, but the policy does not forbid pip.
    Warn,
    /// Must not be installed by pip.
    Block,
}

impl Verdict {
    /// The schema spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allow => "allow",
            Verdict::Warn => "warn",
            Verdict::Block => "block",
        }
    }
}

/// A glob over PEP 503 normalized names, with the reason shown to users.
#[derive(Debug, Clone)]
pub struct Rule {
    /// The glob as written in the file.
    pub pattern: String,
    /// Compiled glob (over the pattern normalized like a name).
    pub glob: globset::GlobMatcher,
    /// Shown to the user when the rule decides.
    pub reason: Option<String>,
    /// Where the rule was written: `FILE:LINE`.
    pub source: String,
    /// Index of the layer that set it (higher = later = more precedence).
    pub layer: usize,
    /// Set by a locked layer (or one before it): later layers cannot undo it.
    pub locked: bool,
}

impl Rule {
    /// A rule from a pattern as a user would write it (normalized like a
    /// PEP 503 name, then compiled). Errors name what is wrong with the pattern.
    pub fn new(
        pattern: &str,
        reason: Option<String>,
        source: impl Into<String>,
        layer: usize,
    ) -> Result<Rule, PatternError> {
        let normalized = normalize_pattern(pattern)?;
        let glob = globset::GlobBuilder::new(&normalized)
            .literal_separator(false)
            .build()
            .map_err(|e| PatternError::Glob {
                pattern: pattern.to_string(),
                kind: e.kind().to_string(),
            })?
            .compile_matcher();
        Ok(Rule {
            pattern: pattern.to_string(),
            glob,
            reason,
            source: source.into(),
            layer,
            locked: false,
        })
    }

    /// The pattern as matched: normalized like a PEP 503 name.
    pub fn normalized(&self) -> &str {
        self.glob.glob().glob()
    }

    /// Whether the rule's pattern has no glob metacharacters (names one project).
    pub fn is_literal(&self) -> bool {
        !self.normalized().contains(GLOB_META)
    }

    fn describe(&self, verb: &str) -> String {
        let locked = if self.locked { " (locked)" } else { "" };
        let reason = self
            .reason
            .as_deref()
            .map(|r| format!(": {r}"))
            .unwrap_or_default();
        format!(
            "{verb} by `{}` in {}{locked}{reason}",
            self.pattern, self.source
        )
    }
}

const GLOB_META: &[char] = &['*', '?', '[', ']', '{', '}'];

/// The longest pattern accepted, in bytes (project names on PyPI are far
/// shorter; a glob this size is already well within what `globset` handles).
pub const MAX_PATTERN_LEN: usize = 200;

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
}

fn is_sep(c: char) -> bool {
    matches!(c, '-' | '_' | '.')
}

/// What is wrong with a name pattern's characters or shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PatternFault {
    /// A character no pattern holds.
    #[error("`{0}` cannot appear")]
    CannotAppear(char),
    /// A control character.
    #[error("a control character cannot appear")]
    ControlCharacter,
    /// `-`, `_` or `.` first or last.
    #[error("a name starts and ends with a letter or a digit: `-`, `_` or `.` at an end")]
    SeparatorAtEnd,
    /// Something else than letters, digits and ranges in `[…]`.
    #[error("a class `[…]` holds only letters, digits and ranges `a-z`")]
    ClassCharacter,
    /// A range `z-a` or one ending in a non-alphanumeric.
    #[error("a bad range in a class `[…]`")]
    BadRange,
    /// `[]` or `[` with no `]`.
    #[error("an empty or unclosed class `[…]`")]
    EmptyOrUnclosedClass,
    /// `{` with no `}`.
    #[error("an unclosed `{{`")]
    UnclosedBrace,
    /// An empty or non-name choice in `{a,b}`.
    #[error("each choice of `{{a,b}}` is a name part")]
    BadChoice,
    /// `,` outside braces.
    #[error("`,` outside `{{a,b}}`")]
    CommaOutsideBraces,
    /// `!` or `^` outside a class.
    #[error("`!` outside a class `[!a]`")]
    BangOutsideClass,
    /// A `]` or `}` that closes nothing.
    #[error("an unmatched `]` or `}}`")]
    Unmatched,
}

/// A name pattern (policy `allow`/`deny`, `--guard-allow`, …) that is
/// refused; each variant keeps the pattern as written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    /// Longer than [`MAX_PATTERN_LEN`] bytes.
    #[error("the pattern {} is {} bytes long: patterns are at most {MAX_PATTERN_LEN}", shown(.pattern), .pattern.len())]
    TooLong {
        /// The pattern.
        pattern: String,
    },
    /// Not a name or a glob over names.
    #[error(
        "{fault} in the name pattern {}: patterns match project names such as `torch` \
         or `nvidia-*` (name characters, `*`, `?`, `[a-z]`, `{{a,b}}`), without \
         versions, extras or markers",
        shown(.pattern)
    )]
    NotAName {
        /// The pattern.
        pattern: String,
        /// What is wrong with it.
        fault: PatternFault,
    },
    /// Normalized, nothing is left that could match a name.
    #[error("the pattern `{pattern}` matches no project name")]
    MatchesNothing {
        /// The pattern.
        pattern: String,
    },
    /// `globset` refuses it.
    #[error("bad glob `{pattern}`: {kind}")]
    Glob {
        /// The pattern.
        pattern: String,
        /// `globset`'s reason.
        kind: String,
    },
}

/// A pattern as quoted in messages: whole, or its first 40 characters
/// when it is longer than 60 bytes.
fn shown(pattern: &str) -> String {
    if pattern.len() > 60 {
        let cut: String = pattern.chars().take(40).collect();
        format!("`{cut}…`")
    } else {
        format!("`{pattern}`")
    }
}

/// Check a pattern is a PEP 508 name or a glob over names: name characters
/// (`A-Z a-z 0-9 . _ -`), `*`, `?`, a class `[abc]`/`[a-z]`/`[!a]` of
/// letters and digits, and `{a,b}` of name parts; starting and ending like
/// a name (a letter, a digit or a wildcard — never `-`, so no pattern can
/// read as an option), at most [`MAX_PATTERN_LEN`] bytes.
fn validate_pattern(pattern: &str) -> Result<(), PatternError> {
    if pattern.len() > MAX_PATTERN_LEN {
        return Err(PatternError::TooLong {
            pattern: pattern.to_string(),
        });
    }
    let bad = |fault: PatternFault| {
        Err(PatternError::NotAName {
            pattern: pattern.to_string(),
            fault,
        })
    };
    let chars: Vec<char> = pattern.chars().collect();
    if let Some(c) = chars
        .iter()
        .find(|c| !(c.is_ascii_alphanumeric() || "-_.*?[]{},!^".contains(**c)))
    {
        return bad(if c.is_control() {
            PatternFault::ControlCharacter
        } else {
            PatternFault::CannotAppear(*c)
        });
    }
    if chars.first().copied().is_some_and(is_sep) || chars.last().copied().is_some_and(is_sep) {
        return bad(PatternFault::SeparatorAtEnd);
    }
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            c if is_name_char(c) || c == '*' || c == '?' => i += 1,
            '[' => {
                let mut j = i + 1;
                if matches!(chars.get(j), Some('!' | '^')) {
                    j += 1;
                }
                let start = j;
                while j < chars.len() && chars[j] != ']' {
                    let c = chars[j];
                    if !c.is_ascii_alphanumeric() {
                        return bad(PatternFault::ClassCharacter);
                    }
                    if chars.get(j + 1) == Some(&'-') && chars.get(j + 2).is_some_and(|e| *e != ']')
                    {
                        let e = chars[j + 2];
                        if !e.is_ascii_alphanumeric() || e < c {
                            return bad(PatternFault::BadRange);
                        }
                        j += 3;
                    } else {
                        j += 1;
                    }
                }
                if j >= chars.len() || j == start {
                    return bad(PatternFault::EmptyOrUnclosedClass);
                }
                i = j + 1;
            }
            '{' => {
                let Some(len) = chars[i + 1..].iter().position(|c| *c == '}') else {
                    return bad(PatternFault::UnclosedBrace);
                };
                let inner: String = chars[i + 1..i + 1 + len].iter().collect();
                for alt in inner.split(',') {
                    let ok = !alt.is_empty()
                        && alt.chars().all(|c| is_name_char(c) || c == '*' || c == '?')
                        && !alt.starts_with(is_sep)
                        && !alt.ends_with(is_sep);
                    if !ok {
                        return bad(PatternFault::BadChoice);
                    }
                }
                i += len + 2;
            }
            ',' => return bad(PatternFault::CommaOutsideBraces),
            '!' | '^' => return bad(PatternFault::BangOutsideClass),
            _ => return bad(PatternFault::Unmatched),
        }
    }
    Ok(())
}

/// Normalize a name pattern the way PEP 503 normalizes names (lowercase,
/// runs of `-`, `_`, `.` become one `-`), keeping glob metacharacters.
/// Refuses anything that is not a name or a glob over names
/// (`validate_pattern`), so that a requirement (`torch>=2`) written where
/// a name is expected, or an option (`-rpwned`), is an error.
pub fn normalize_pattern(pattern: &str) -> Result<String, PatternError> {
    validate_pattern(pattern)?;
    let normalized = crate::names::normalize(pattern);
    if !normalized
        .chars()
        .any(|c| c.is_ascii_alphanumeric() || "*?[".contains(c))
    {
        return Err(PatternError::MatchesNothing {
            pattern: pattern.to_string(),
        });
    }
    Ok(normalized)
}

/// Which index source the guard uses (policy key `index.source`): the same
/// four values as `--index`, parsed in one place ([`IndexChoice`](crate::index::load::IndexChoice)).
pub use crate::index::load::IndexChoice as IndexSource;

/// The default channel for `index update` and `index.source = "channel"`.
pub const DEFAULT_CHANNEL: &str = "nixpkgs-unstable";
/// A channel listing older than this many days is not used by `auto`.
pub const DEFAULT_MAX_AGE_DAYS: u32 = 30;

/// The `[index]` table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndexSettings {
    /// auto, nix, channel or embedded.
    pub source: IndexSource,
    /// The channel whose listing `index update` fetches.
    pub channel: String,
    /// Maximum age of a channel listing, in days.
    pub max_age_days: u32,
    /// The nixpkgs to evaluate (`None`: `<nixpkgs>` from `NIX_PATH`).
    pub nixpkgs: Option<PathBuf>,
}

impl Default for IndexSettings {
    fn default() -> Self {
        IndexSettings {
            source: IndexSource::Auto,
            channel: DEFAULT_CHANNEL.to_string(),
            max_age_days: DEFAULT_MAX_AGE_DAYS,
            nixpkgs: None,
        }
    }
}

/// The `[audit_log]` table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditLogSettings {
    /// Append blocks and fallthroughs to the log?
    pub enabled: bool,
    /// The log file (`None`: [`crate::audit_log::default_path`]).
    pub path: Option<PathBuf>,
}

impl Default for AuditLogSettings {
    fn default() -> Self {
        AuditLogSettings {
            enabled: true,
            path: None,
        }
    }
}

/// What the last locked layer fixed: verdicts never get looser than this.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Floor {
    /// The mode in force when the lock was taken.
    pub mode: Mode,
    /// `allow_pip_fallback` when the lock was taken.
    pub allow_pip_fallback: bool,
    /// The locked file (as displayed).
    pub source: String,
}

/// The effective policy.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// off, advise or enforce.
    pub mode: Mode,
    /// The Python package set, e.g. `python312Packages` (None: follow the target).
    pub package_set: Option<String>,
    /// May pip-tier requirements fall through in enforce mode?
    pub allow_pip_fallback: bool,
    /// In enforce mode, block a fallthrough whose wheels the target
    /// interpreter cannot load (`block_unloadable_wheels`).
    pub block_unloadable_wheels: bool,
    /// Names that may go to pip (unless a locked deny or the floor says otherwise).
    pub allow: Vec<Rule>,
    /// Names that must never go to pip.
    pub deny: Vec<Rule>,
    /// The files that contributed, lowest precedence first.
    pub sources: Vec<String>,
    /// The `[index]` table.
    pub index: IndexSettings,
    /// The `[audit_log]` table.
    pub audit_log: AuditLogSettings,
    /// Set when a layer was locked: the policy as it stood then.
    pub floor: Option<Floor>,
}

/// One decision with the rule behind it.
struct Decision<'a> {
    verdict: Verdict,
    rule: Option<(&'a Rule, bool)>,
    /// Blocked because the name is unknown and `deny` rules are in force.
    unnamed: bool,
}

/// The reason given for a requirement whose project name is not known.
pub const UNNAMED_REASON: &str = "its project name is not known before pip builds it, so the \
    `deny` list cannot be checked; name it (`NAME @ URL`, `NAME @ file:///path`) or install \
    it in a virtualenv";

impl Policy {
    /// The verdict for a requirement: its normalized name (if named), tier,
    /// and whether it is a constraint. Returns the verdict and, when a rule
    /// or a lock decided, the reason to show.
    ///
    /// Rules: constraints and skipped requirements are allowed; `off` allows
    /// everything. Otherwise the matching rule of the latest layer decides
    /// (within one layer `deny` beats `allow`): deny blocks, allow allows.
    /// With no matching rule, `enforce` blocks every tier but `pip`, which
    /// falls through only with `allow_pip_fallback`; `advise` warns about
    /// nixpkgs, native and dev-shell tiers and allows `pip`.
    ///
    /// A requirement without a known name (a local directory, an archive or
    /// URL with no name: pip learns the name only when it builds it) is
    /// blocked whenever a `deny` rule is in force, since no rule can be
    /// checked against it.
    ///
    /// A locked layer sets a floor: the verdict is never looser than the one
    /// the locked layers alone give (their mode, fallback and rules).
    pub fn verdict(
        &self,
        normalized: Option<&str>,
        tier: Tier,
        constraint: bool,
    ) -> (Verdict, Option<String>) {
        if constraint || tier == Tier::Skipped {
            return (Verdict::Allow, None);
        }
        let full = self.decide(normalized, tier, self.mode, self.allow_pip_fallback, false);
        if let Some(floor) = &self.floor {
            let locked = self.decide(normalized, tier, floor.mode, floor.allow_pip_fallback, true);
            if locked.verdict > full.verdict {
                let why = match (locked.rule, full.rule) {
                    _ if locked.unnamed => UNNAMED_REASON.to_string(),
                    (Some((rule, true)), _) => rule.describe("denied"),
                    (_, Some((allow, false))) => format!(
                        "`{}` in {} cannot loosen {}, which is locked at mode = \"{}\"{}",
                        allow.pattern,
                        allow.source,
                        floor.source,
                        floor.mode.as_str(),
                        if floor.allow_pip_fallback {
                            ""
                        } else {
                            " without pip fallback"
                        }
                    ),
                    _ => format!(
                        "{} is locked at mode = \"{}\"",
                        floor.source,
                        floor.mode.as_str()
                    ),
                };
                return (locked.verdict, Some(why));
            }
        }
        if full.unnamed {
            return (full.verdict, Some(UNNAMED_REASON.to_string()));
        }
        let why = full.rule.map(|(rule, deny)| {
            if deny {
                rule.describe("denied")
            } else {
                rule.describe("allowed")
            }
        });
        (full.verdict, why)
    }

    fn decide(
        &self,
        normalized: Option<&str>,
        tier: Tier,
        mode: Mode,
        allow_pip_fallback: bool,
        locked_only: bool,
    ) -> Decision<'_> {
        if mode == Mode::Off {
            return Decision {
                verdict: Verdict::Allow,
                rule: None,
                unnamed: false,
            };
        }
        if normalized.is_none() && self.deny.iter().any(|r| !locked_only || r.locked) {
            return Decision {
                verdict: Verdict::Block,
                rule: None,
                unnamed: true,
            };
        }
        if let Some(name) = normalized {
            let matching = |rules: &'_ [Rule]| -> Option<usize> {
                rules
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| (!locked_only || r.locked) && r.glob.is_match(name))
                    .max_by_key(|(_, r)| r.layer)
                    .map(|(i, _)| i)
            };
            let deny = matching(&self.deny).map(|i| &self.deny[i]);
            let allow = matching(&self.allow).map(|i| &self.allow[i]);
            // The latest layer decides; in one layer, deny wins.
            let pick = match (deny, allow) {
                (Some(d), Some(a)) if a.layer > d.layer => Some((a, false)),
                (Some(d), _) => Some((d, true)),
                (None, Some(a)) => Some((a, false)),
                (None, None) => None,
            };
            if let Some((rule, is_deny)) = pick {
                return Decision {
                    verdict: if is_deny {
                        Verdict::Block
                    } else {
                        Verdict::Allow
                    },
                    rule: Some((rule, is_deny)),
                    unnamed: false,
                };
            }
        }
        let verdict = match (mode, tier) {
            (Mode::Enforce, Tier::Pip) if allow_pip_fallback => Verdict::Allow,
            (Mode::Enforce, _) => Verdict::Block,
            (_, Tier::Pip) => Verdict::Allow,
            _ => Verdict::Warn,
        };
        Decision {
            verdict,
            rule: None,
            unnamed: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(p: &str, layer: usize, locked: bool) -> Rule {
        let mut r = Rule::new(p, None, format!("layer{layer}:1"), layer).expect("test setup");
        r.locked = locked;
        r
    }

    #[test]
    fn patterns_are_normalized_like_names() {
        let r = rule("Open_AI.*", 1, false);
        assert_eq!(r.normalized(), "open-ai-*");
        assert!(r.glob.is_match("open-ai-whisper"));
        assert!(!r.is_literal());
        assert!(rule("Torch", 1, false).is_literal());
        assert!(Rule::new("torch>=2", None, "x", 0).is_err());
        assert!(Rule::new("[a-", None, "x", 0).is_err());
        assert!(Rule::new("__", None, "x", 0).is_err());
        for ok in [
            "torch*",
            "nvidia-*-cu12",
            "[a-z]x",
            "[!a]b",
            "{a,b}-c",
            "a?c",
            "Made_Up.Pkg",
        ] {
            assert!(Rule::new(ok, None, "x", 0).is_ok(), "{ok}");
        }
        let long = "a".repeat(MAX_PATTERN_LEN + 1);
        for bad in [
            "-rpwned",
            "-x",
            "made-up-pkg!",
            "a,b",
            "[--z]",
            "x-",
            "{a,-b}",
            "a]",
            "a\u{1b}b",
            &long,
        ] {
            assert!(Rule::new(bad, None, "x", 0).is_err(), "{bad}");
        }
        // Under the cap, globset never sees a huge pattern.
        assert!(Rule::new(&"*a".repeat(MAX_PATTERN_LEN / 2), None, "x", 0).is_ok());
    }

    #[test]
    fn pattern_errors_keep_the_pattern_and_say_what_is_wrong() {
        let err = |p: &str| {
            Rule::new(p, None, "x", 0)
                .err()
                .map(|e| (e.clone(), e.to_string()))
        };
        let (e, msg) = err("torch>=2").expect("refused");
        assert_eq!(
            e,
            PatternError::NotAName {
                pattern: "torch>=2".into(),
                fault: PatternFault::CannotAppear('>'),
            }
        );
        assert!(
            msg.starts_with("`>` cannot appear in the name pattern `torch>=2`: patterns match project names such as `torch` or `nvidia-*` (name characters, `*`, `?`, `[a-z]`, `{a,b}`)"),
            "{msg}"
        );
        assert_eq!(
            err("a\u{1b}b").map(|(e, _)| e),
            Some(PatternError::NotAName {
                pattern: "a\u{1b}b".into(),
                fault: PatternFault::ControlCharacter,
            })
        );
        assert!(err("a{b")
            .expect("refused")
            .1
            .starts_with("an unclosed `{` in"));
        assert!(err("a}")
            .expect("refused")
            .1
            .starts_with("an unmatched `]` or `}` in"));
        let long = "a".repeat(MAX_PATTERN_LEN + 1);
        assert_eq!(
            err(&long).expect("refused").1,
            format!(
                "the pattern `{}…` is {} bytes long: patterns are at most {MAX_PATTERN_LEN}",
                "a".repeat(40),
                MAX_PATTERN_LEN + 1
            )
        );
        assert_eq!(
            err("--").expect("refused").1,
            "a name starts and ends with a letter or a digit: `-`, `_` or `.` at an end in the name pattern `--`: patterns match project names such as `torch` or `nvidia-*` (name characters, `*`, `?`, `[a-z]`, `{a,b}`), without versions, extras or markers"
        );
    }

    #[test]
    fn mode_table() {
        let mut p = Policy::default();
        assert_eq!(p.verdict(Some("x"), Tier::Nixpkgs, false).0, Verdict::Warn);
        assert_eq!(p.verdict(Some("x"), Tier::Pip, false).0, Verdict::Allow);
        p.mode = Mode::Enforce;
        assert_eq!(
            p.verdict(Some("x"), Tier::DevShell, false).0,
            Verdict::Block
        );
        assert_eq!(p.verdict(Some("x"), Tier::Pip, false).0, Verdict::Block);
        p.allow_pip_fallback = true;
        assert_eq!(p.verdict(Some("x"), Tier::Pip, false).0, Verdict::Allow);
        assert_eq!(p.verdict(Some("x"), Tier::Native, false).0, Verdict::Block);
        assert_eq!(p.verdict(Some("x"), Tier::Nixpkgs, true).0, Verdict::Allow);
        assert_eq!(p.verdict(Some("x"), Tier::Skipped, false).0, Verdict::Allow);
        p.mode = Mode::Off;
        p.deny.push(rule("x", 1, false));
        assert_eq!(p.verdict(Some("x"), Tier::Pip, false).0, Verdict::Allow);
    }

    #[test]
    fn unnamed_requirements_are_blocked_while_a_deny_is_in_force() {
        let mut p = Policy::default();
        // No deny rule: an unnamed (path, URL) requirement is judged by tier.
        assert_eq!(p.verdict(None, Tier::DevShell, false).0, Verdict::Warn);
        p.deny.push(rule("made-up-pkg", 1, false));
        let (v, why) = p.verdict(None, Tier::DevShell, false);
        assert_eq!(v, Verdict::Block);
        assert!(why.expect("test setup").contains("name is not known"));
        // Named ones that match nothing are untouched; constraints too.
        assert_eq!(p.verdict(Some("x"), Tier::Pip, false).0, Verdict::Allow);
        assert_eq!(p.verdict(None, Tier::DevShell, true).0, Verdict::Allow);
        // Off is off.
        p.mode = Mode::Off;
        assert_eq!(p.verdict(None, Tier::DevShell, false).0, Verdict::Allow);
        // A locked deny keeps blocking unnamed requirements even when a
        // later layer's allow = ["*"] would match every name.
        let mut p = Policy {
            floor: Some(Floor {
                mode: Mode::Advise,
                allow_pip_fallback: false,
                source: "/etc/pip-guard/policy.toml".into(),
            }),
            ..Policy::default()
        };
        p.deny.push(rule("made-up-pkg", 1, true));
        p.allow.push(rule("*", 3, false));
        let (v, why) = p.verdict(None, Tier::DevShell, false);
        assert_eq!(v, Verdict::Block);
        assert!(why.expect("test setup").contains("name is not known"));
    }

    #[test]
    fn later_layer_wins_and_deny_wins_within_a_layer() {
        let mut p = Policy {
            mode: Mode::Enforce,
            ..Policy::default()
        };
        p.deny.push(rule("torch", 1, false));
        p.allow.push(rule("torch", 2, false));
        assert_eq!(p.verdict(Some("torch"), Tier::Pip, false).0, Verdict::Allow);
        p.deny.push(rule("tor*", 2, false));
        let (v, why) = p.verdict(Some("torch"), Tier::Pip, false);
        assert_eq!(v, Verdict::Block);
        assert!(why.expect("test setup").contains("`tor*` in layer2:1"));
    }

    #[test]
    fn locked_deny_survives_a_later_allow() {
        let mut p = Policy {
            mode: Mode::Advise,
            floor: Some(Floor {
                mode: Mode::Advise,
                allow_pip_fallback: false,
                source: "/etc/pip-guard/policy.toml".into(),
            }),
            ..Policy::default()
        };
        p.deny.push(rule("torch", 1, true));
        p.allow.push(rule("*", 3, false));
        let (v, why) = p.verdict(Some("torch"), Tier::Pip, false);
        assert_eq!(v, Verdict::Block);
        assert!(why.expect("test setup").contains("(locked)"));
        assert_eq!(p.verdict(Some("numpy"), Tier::Pip, false).0, Verdict::Allow);
    }

    #[test]
    fn later_allow_cannot_loosen_a_locked_enforce() {
        let mut p = Policy {
            mode: Mode::Enforce,
            floor: Some(Floor {
                mode: Mode::Enforce,
                allow_pip_fallback: false,
                source: "/etc/pip-guard/policy.toml".into(),
            }),
            ..Policy::default()
        };
        p.allow.push(rule("*", 3, false));
        let (v, why) = p.verdict(Some("requests"), Tier::Nixpkgs, false);
        assert_eq!(v, Verdict::Block);
        assert!(why
            .expect("test setup")
            .contains("cannot loosen /etc/pip-guard/policy.toml"));
    }

    #[test]
    fn later_allow_can_carve_exceptions_from_later_tightening() {
        // Locked at advise; the project raises to enforce with one exception.
        let mut p = Policy {
            mode: Mode::Enforce,
            floor: Some(Floor {
                mode: Mode::Advise,
                allow_pip_fallback: false,
                source: "/etc/pip-guard/policy.toml".into(),
            }),
            ..Policy::default()
        };
        p.allow.push(rule("foo", 3, false));
        assert_eq!(p.verdict(Some("foo"), Tier::Pip, false).0, Verdict::Allow);
        assert_eq!(p.verdict(Some("bar"), Tier::Pip, false).0, Verdict::Block);
        // Where the floor warns, the later allow cannot silence it.
        assert_eq!(
            p.verdict(Some("foo"), Tier::Nixpkgs, false).0,
            Verdict::Warn
        );
    }
}
