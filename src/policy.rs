//! Team policy: what may fall through to pip.
//!
//! The effective [`Policy`] comes from layered TOML files (see
//! `docs/policy.md`); [`Policy::verdict`] is pure.

use crate::resolve::Tier;
use serde::Serialize;

/// How strict the guard is. Order: off < advise < enforce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Default)]
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
}

/// The decision for one requirement (schema field `verdict`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// May be installed by pip.
    Allow,
    /// Explained; Nix is the better way, but the policy does not forbid pip.
    Warn,
    /// Must not be installed by pip.
    Block,
}

/// A glob over PEP 503 normalized names, with the reason shown to users.
#[derive(Debug, Clone)]
pub struct Rule {
    /// The glob as written.
    pub pattern: String,
    /// Compiled glob.
    pub glob: globset::GlobMatcher,
    /// Shown to the user when the rule decides.
    pub reason: Option<String>,
    /// The file that set the rule.
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
    /// Names that may always go to pip (unless a locked deny says otherwise).
    pub allow: Vec<Rule>,
    /// Names that must never go to pip.
    pub deny: Vec<Rule>,
    /// The files that contributed, lowest precedence first.
    pub sources: Vec<String>,
}

impl Policy {
    /// The verdict for a requirement: its normalized name (if named), tier,
    /// and whether it is a constraint. Returns the verdict and, when a rule
    /// decided, the reason to show.
    pub fn verdict(
        &self,
        normalized: Option<&str>,
        tier: Tier,
        constraint: bool,
    ) -> (Verdict, Option<String>) {
        if constraint || tier == Tier::Skipped || self.mode == Mode::Off {
            return (Verdict::Allow, None);
        }
        if let Some(name) = normalized {
            if let Some(rule) = self.deny.iter().find(|r| r.glob.is_match(name)) {
                let why = format!(
                    "denied by {} in {}{}",
                    rule.pattern,
                    rule.source,
                    rule.reason
                        .as_deref()
                        .map(|r| format!(": {r}"))
                        .unwrap_or_default()
                );
                return (Verdict::Block, Some(why));
            }
            if let Some(rule) = self.allow.iter().find(|r| r.glob.is_match(name)) {
                let why = format!("allowed by {} in {}", rule.pattern, rule.source);
                return (Verdict::Allow, Some(why));
            }
        }
        match (self.mode, tier) {
            (Mode::Enforce, Tier::Pip) if self.allow_pip_fallback => (Verdict::Allow, None),
            (Mode::Enforce, _) => (Verdict::Block, None),
            (_, Tier::Pip) => (Verdict::Allow, None),
            _ => (Verdict::Warn, None),
        }
    }
}

/// Load the effective policy for `cwd` (stub: built-in defaults until the
/// layered loader lands).
pub fn load(
    _cwd: &std::path::Path,
    _explicit: Option<&std::path::Path>,
) -> color_eyre::Result<Policy> {
    Ok(Policy::default())
}
