//! Merging policy layers, lowest precedence first, with locking and
//! provenance. Pure: the layers come parsed.
//!
//! A later layer overrides the values it sets. A layer with `locked = true`
//! freezes the policy as it stands after that layer (the *floor*): later
//! layers may only tighten it. Loosening values are ignored, each with one
//! warning naming both files; see `docs/policy.md` for the table.

use super::file::{PolicyFile, RuleSpec};
use super::model::{AuditLogSettings, Floor, IndexSettings, Mode, Policy, Rule};
use crate::error::InputError;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Debug;

/// Where a layer comes from, lowest precedence first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LayerKind {
    /// pip-guard's own defaults.
    BuiltIn,
    /// `/etc/pip-guard/policy.toml`.
    System,
    /// `PIP_GUARD_SYSTEM_POLICY`: an extra system layer read after `/etc`.
    SystemExtra,
    /// The user's config file.
    User,
    /// The nearest `.pip-guard.toml`.
    Project,
    /// `PIP_GUARD_POLICY`.
    Env,
    /// `--policy FILE` (audit) / `--guard-policy FILE` (guard).
    Explicit,
}

impl LayerKind {
    /// A short name for messages.
    pub fn as_str(self) -> &'static str {
        match self {
            LayerKind::BuiltIn => "built-in",
            LayerKind::System => "system",
            LayerKind::SystemExtra => "PIP_GUARD_SYSTEM_POLICY",
            LayerKind::User => "user",
            LayerKind::Project => "project",
            LayerKind::Env => "PIP_GUARD_POLICY",
            LayerKind::Explicit => "--policy",
        }
    }
}

/// A parsed layer.
#[derive(Debug, Clone)]
pub struct Layer {
    /// Where it comes from.
    pub kind: LayerKind,
    /// The file as displayed.
    pub source: String,
    /// Its content.
    pub file: PolicyFile,
}

/// One contributing layer, for `policy show`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LayerInfo {
    /// Where it comes from.
    pub kind: LayerKind,
    /// The file as displayed.
    pub source: String,
    /// Whether it locks the layers below.
    pub locked: bool,
}

/// The provenance of a value pip-guard set itself.
pub const BUILT_IN: &str = "built-in default";

/// The scalar keys, in the order `policy show` prints them.
pub const KEYS: &[&str] = &[
    "mode",
    "package_set",
    "allow_pip_fallback",
    "block_unloadable_wheels",
    "index.source",
    "index.channel",
    "index.max_age_days",
    "index.nixpkgs",
    "audit_log.enabled",
    "audit_log.path",
];

/// The merged policy with where each value came from.
#[derive(Debug, Clone)]
pub struct EffectivePolicy {
    /// The policy the guard applies.
    pub policy: Policy,
    /// Contributing layers, lowest precedence first (built-in first).
    pub layers: Vec<LayerInfo>,
    /// For each key of [`KEYS`], the file that set it (or [`BUILT_IN`]).
    pub provenance: BTreeMap<&'static str, String>,
    /// Loosening attempts that were ignored, one line each.
    pub warnings: Vec<String>,
}

impl EffectivePolicy {
    /// The file that set `key` (one of [`KEYS`]).
    pub fn source_of(&self, key: &str) -> &str {
        self.provenance.get(key).map_or(BUILT_IN, String::as_str)
    }
}

/// The policy as it stood when the last lock was taken.
struct Lock {
    source: String,
    mode: Mode,
    allow_pip_fallback: bool,
    block_unloadable_wheels: bool,
    package_set: Option<String>,
    index: IndexSettings,
    audit_log: AuditLogSettings,
}

struct Merger {
    policy: Policy,
    provenance: BTreeMap<&'static str, String>,
    warnings: Vec<String>,
    lock: Option<Lock>,
}

impl Merger {
    /// Set one value from a layer, unless it would loosen the lock.
    #[allow(clippy::too_many_arguments)]
    fn set<T: Clone + PartialEq + Debug>(
        &mut self,
        key: &'static str,
        new: Option<T>,
        source: &str,
        slot: fn(&mut Policy) -> &mut T,
        floor: fn(&Lock) -> &T,
        loosens: fn(&T, &T) -> bool,
        show: fn(&T) -> String,
    ) {
        let Some(new) = new else { return };
        if let Some(lock) = &self.lock {
            let at_lock = floor(lock);
            if loosens(at_lock, &new) {
                self.warnings.push(format!(
                    "{source} sets {key} = {}, but {} is locked with {key} = {}: ignored \
                     (a locked policy can only be tightened)",
                    show(&new),
                    lock.source,
                    show(at_lock)
                ));
                return;
            }
        }
        *slot(&mut self.policy) = new;
        self.provenance.insert(key, source.to_string());
    }

    fn rules(
        &mut self,
        specs: &[RuleSpec],
        source: &str,
        layer: usize,
        deny: bool,
    ) -> Result<(), InputError> {
        let mut kept = 0;
        for spec in specs {
            let at = format!("{source}:{}", spec.line);
            let rule = Rule::new(&spec.pattern, spec.reason.clone(), at.clone(), layer)
                .map_err(|m| InputError::new(format!("{at}: {m}")))?;
            if !deny && self.lock.is_some() {
                let blocked_by = self.policy.deny.iter().find(|d| {
                    d.locked
                        && (d.normalized() == rule.normalized()
                            || (rule.is_literal() && d.glob.is_match(rule.normalized())))
                });
                if let Some(d) = blocked_by {
                    self.warnings.push(format!(
                        "{at} allows `{}`, but `{}` is denied by {}, which is locked: ignored",
                        rule.pattern, d.pattern, d.source
                    ));
                    continue;
                }
            }
            if deny {
                self.policy.deny.push(rule);
            } else {
                self.policy.allow.push(rule);
                kept += 1;
            }
        }
        if let Some(lock) = &self.lock {
            if kept > 0 && lock.mode == Mode::Enforce && !lock.allow_pip_fallback {
                self.warnings.push(format!(
                    "the `allow` entries in {source} cannot take effect: {} is locked at \
                     mode = \"enforce\" without pip fallback",
                    lock.source
                ));
            }
        }
        Ok(())
    }

    /// The scalar values a layer sets, each unless it loosens the lock.
    fn values(&mut self, f: &PolicyFile, src: &str) {
        self.set(
            "mode",
            f.mode,
            src,
            |p| &mut p.mode,
            |l| &l.mode,
            |at, new| new < at,
            |v| quoted(v.as_str()),
        );
        self.set(
            "package_set",
            f.package_set.clone(),
            src,
            |p| &mut p.package_set,
            |l| &l.package_set,
            |at, new| new != at,
            |v| quoted(v.as_deref().unwrap_or("auto")),
        );
        self.set(
            "allow_pip_fallback",
            f.allow_pip_fallback,
            src,
            |p| &mut p.allow_pip_fallback,
            |l| &l.allow_pip_fallback,
            |at, new| *new && !*at,
            |v| v.to_string(),
        );
        self.set(
            "block_unloadable_wheels",
            f.block_unloadable_wheels,
            src,
            |p| &mut p.block_unloadable_wheels,
            |l| &l.block_unloadable_wheels,
            |at, new| !*new && *at,
            |v| v.to_string(),
        );
        self.set(
            "index.source",
            f.index.source,
            src,
            |p| &mut p.index.source,
            |l| &l.index.source,
            |at, new| new != at,
            |v| quoted(v.as_str()),
        );
        self.set(
            "index.channel",
            f.index.channel.clone(),
            src,
            |p| &mut p.index.channel,
            |l| &l.index.channel,
            |at, new| new != at,
            |v| quoted(v),
        );
        self.set(
            "index.max_age_days",
            f.index.max_age_days,
            src,
            |p| &mut p.index.max_age_days,
            |l| &l.index.max_age_days,
            |at, new| new != at,
            |v| v.to_string(),
        );
        self.set(
            "index.nixpkgs",
            f.index.nixpkgs.clone().map(Some),
            src,
            |p| &mut p.index.nixpkgs,
            |l| &l.index.nixpkgs,
            |at, new| new != at,
            |v| match v {
                Some(p) => quoted(&p.to_string_lossy()),
                None => "<nixpkgs>".into(),
            },
        );
        self.set(
            "audit_log.enabled",
            f.audit_log.enabled,
            src,
            |p| &mut p.audit_log.enabled,
            |l| &l.audit_log.enabled,
            |at, new| *at && !*new,
            |v| v.to_string(),
        );
        self.set(
            "audit_log.path",
            f.audit_log.path.clone().map(Some),
            src,
            |p| &mut p.audit_log.path,
            |l| &l.audit_log.path,
            |at, new| new != at,
            |v| match v {
                Some(p) => quoted(&p.to_string_lossy()),
                None => "the default".into(),
            },
        );
    }

    /// Freeze the policy as it stands after the layer `source` (its floor):
    /// its rules become locked, and later layers may only tighten it.
    fn take_lock(&mut self, source: &str) {
        for r in self
            .policy
            .allow
            .iter_mut()
            .chain(self.policy.deny.iter_mut())
        {
            r.locked = true;
        }
        let p = &self.policy;
        self.lock = Some(Lock {
            source: source.to_string(),
            mode: p.mode,
            allow_pip_fallback: p.allow_pip_fallback,
            block_unloadable_wheels: p.block_unloadable_wheels,
            package_set: p.package_set.clone(),
            index: p.index.clone(),
            audit_log: p.audit_log.clone(),
        });
        self.policy.floor = Some(Floor {
            mode: p.mode,
            allow_pip_fallback: p.allow_pip_fallback,
            source: source.to_string(),
        });
    }
}

fn quoted(s: &str) -> String {
    format!("{s:?}")
}

/// Merge layers (lowest precedence first) over the built-in defaults.
pub fn merge(layers: &[Layer]) -> Result<EffectivePolicy, InputError> {
    let mut m = Merger {
        policy: Policy::default(),
        provenance: KEYS.iter().map(|k| (*k, BUILT_IN.to_string())).collect(),
        warnings: Vec::new(),
        lock: None,
    };
    let mut infos = vec![LayerInfo {
        kind: LayerKind::BuiltIn,
        source: BUILT_IN.to_string(),
        locked: false,
    }];
    for (i, layer) in layers.iter().enumerate() {
        let f = &layer.file;
        let src = layer.source.as_str();
        m.values(f, src);
        let rank = i + 1;
        m.rules(&f.deny, src, rank, true)?;
        m.rules(&f.allow, src, rank, false)?;
        m.policy.sources.push(layer.source.clone());
        infos.push(LayerInfo {
            kind: layer.kind,
            source: layer.source.clone(),
            locked: f.locked,
        });
        if f.locked {
            m.take_lock(&layer.source);
        }
    }
    Ok(EffectivePolicy {
        policy: m.policy,
        layers: infos,
        provenance: m.provenance,
        warnings: m.warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::super::file::{parse, Trust};
    use super::*;
    use crate::policy::Verdict;
    use crate::resolve::Tier;
    use std::path::Path;

    fn layer(kind: LayerKind, source: &str, text: &str) -> Layer {
        let file =
            parse(text, Path::new("/x/p.toml"), source, Trust::Local, None).expect("test setup");
        Layer {
            kind,
            source: source.into(),
            file,
        }
    }

    #[test]
    fn a_lock_freezes_values_and_rules_below_it() {
        let f = layer(
            LayerKind::System,
            "/etc/p.toml",
            "mode = \"enforce\"\ndeny = [\"torch\"]",
        )
        .file;
        let mut m = Merger {
            policy: Policy::default(),
            provenance: BTreeMap::new(),
            warnings: Vec::new(),
            lock: None,
        };
        m.values(&f, "/etc/p.toml");
        m.rules(&f.deny, "/etc/p.toml", 1, true)
            .expect("test setup");
        assert!(!m.policy.deny[0].locked);
        m.take_lock("/etc/p.toml");
        assert!(m.policy.deny[0].locked);
        let floor = m.policy.floor.as_ref().map(|f| (f.mode, f.source.as_str()));
        assert_eq!(floor, Some((Mode::Enforce, "/etc/p.toml")));
        // A looser mode afterwards is refused with a warning; a stricter one is not.
        let off = layer(LayerKind::User, "u.toml", "mode = \"off\"").file;
        m.values(&off, "u.toml");
        assert_eq!(m.policy.mode, Mode::Enforce);
        assert_eq!(m.warnings.len(), 1);
        assert_eq!(
            m.provenance.get("mode").map(String::as_str),
            Some("/etc/p.toml")
        );
    }

    #[test]
    fn later_layers_override_and_provenance_follows() {
        let e = merge(&[
            layer(
                LayerKind::System,
                "/etc/p.toml",
                "mode = \"enforce\"\n[index]\nchannel = \"nixos-25.05\"",
            ),
            layer(LayerKind::User, "~/.config/p.toml", "mode = \"off\""),
            layer(
                LayerKind::Project,
                ".pip-guard.toml",
                "allow_pip_fallback = true",
            ),
        ])
        .expect("test setup");
        assert_eq!(e.policy.mode, Mode::Off);
        assert_eq!(e.source_of("mode"), "~/.config/p.toml");
        assert_eq!(e.source_of("index.channel"), "/etc/p.toml");
        assert_eq!(e.source_of("allow_pip_fallback"), ".pip-guard.toml");
        assert_eq!(e.source_of("index.source"), BUILT_IN);
        assert!(e.warnings.is_empty());
        assert_eq!(e.policy.sources.len(), 3);
        assert!(e.policy.floor.is_none());
    }

    #[test]
    fn a_locked_layer_can_only_be_tightened() {
        let e = merge(&[
            layer(
                LayerKind::System,
                "/etc/p.toml",
                "locked = true\nmode = \"advise\"\ndeny = [\"torch\"]\n[audit_log]\nenabled = true",
            ),
            layer(
                LayerKind::Project,
                ".pip-guard.toml",
                "mode = \"off\"\nallow_pip_fallback = true\nallow = [\"Torch\"]\npackage_set = \"python311Packages\"\n[audit_log]\nenabled = false",
            ),
        ])
        .expect("test setup");
        let p = &e.policy;
        assert_eq!(p.mode, Mode::Advise);
        assert!(p.audit_log.enabled);
        assert_eq!(p.package_set, None);
        assert!(p.allow.is_empty(), "the allow of a locked deny is dropped");
        assert_eq!(e.warnings.len(), 5, "{:#?}", e.warnings);
        assert!(e
            .warnings
            .iter()
            .all(|w| w.contains(".pip-guard.toml") && w.contains("/etc/p.toml")));
        assert_eq!(p.verdict(Some("torch"), Tier::Pip, false).0, Verdict::Block);
        // allow_pip_fallback = true was ignored too... in advise it does not
        // matter, so check the value:
        assert!(!p.allow_pip_fallback);
    }

    #[test]
    fn tightening_after_a_lock_is_accepted() {
        let e = merge(&[
            layer(
                LayerKind::System,
                "/etc/p.toml",
                "locked = true\nallow_pip_fallback = true",
            ),
            layer(
                LayerKind::Project,
                ".pip-guard.toml",
                "mode = \"enforce\"\nallow_pip_fallback = false\ndeny = [\"x\"]",
            ),
        ])
        .expect("test setup");
        assert!(e.warnings.is_empty(), "{:?}", e.warnings);
        assert_eq!(e.policy.mode, Mode::Enforce);
        assert!(!e.policy.allow_pip_fallback);
        assert_eq!(
            e.policy.verdict(Some("x"), Tier::Pip, false).0,
            Verdict::Block
        );
    }

    #[test]
    fn locks_stack() {
        let e = merge(&[
            layer(
                LayerKind::System,
                "/etc/p.toml",
                "locked = true\nmode = \"advise\"",
            ),
            layer(
                LayerKind::User,
                "u.toml",
                "locked = true\nmode = \"enforce\"",
            ),
            layer(LayerKind::Project, "p.toml", "mode = \"advise\""),
        ])
        .expect("test setup");
        assert_eq!(e.policy.mode, Mode::Enforce);
        assert_eq!(e.warnings.len(), 1);
        assert!(
            e.warnings[0].contains("u.toml is locked"),
            "{}",
            e.warnings[0]
        );
        assert_eq!(
            e.policy.floor.as_ref().expect("test setup").source,
            "u.toml"
        );
    }
}
