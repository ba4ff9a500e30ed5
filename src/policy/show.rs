//! `pip-guard policy show`: the effective policy as TOML (each value
//! followed by `# from FILE`) or as JSON. Pure: the caller prints.

use super::layers::EffectivePolicy;
use super::model::Rule;
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::path::Path;

/// The schema of `policy show --format json`.
pub const SCHEMA: &str = "pip-guard.policy/v1";

fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn path_str(p: &Path) -> String {
    toml_str(&p.to_string_lossy())
}

/// The value of each key as TOML text, in [`super::layers::KEYS`] order.
fn values(e: &EffectivePolicy, default_log: Option<&Path>) -> Vec<(&'static str, String)> {
    let p = &e.policy;
    vec![
        ("mode", toml_str(p.mode.as_str())),
        (
            "package_set",
            toml_str(p.package_set.as_deref().unwrap_or("auto")),
        ),
        ("allow_pip_fallback", p.allow_pip_fallback.to_string()),
        (
            "block_unloadable_wheels",
            p.block_unloadable_wheels.to_string(),
        ),
        ("index.source", toml_str(p.index.source.as_str())),
        ("index.channel", toml_str(&p.index.channel)),
        ("index.max_age_days", p.index.max_age_days.to_string()),
        (
            "index.nixpkgs",
            p.index.nixpkgs.as_deref().map(path_str).unwrap_or_default(),
        ),
        ("audit_log.enabled", p.audit_log.enabled.to_string()),
        (
            "audit_log.path",
            p.audit_log
                .path
                .as_deref()
                .or(default_log)
                .map(path_str)
                .unwrap_or_default(),
        ),
    ]
}

fn rule_toml(r: &Rule) -> String {
    let mut s = format!("{{ pattern = {}", toml_str(&r.pattern));
    if let Some(reason) = &r.reason {
        let _ = write!(s, ", reason = {}", toml_str(reason));
    }
    s.push_str(" }");
    s
}

/// The effective policy as TOML text with provenance comments. The output
/// is itself a valid policy file.
pub fn text(e: &EffectivePolicy, default_log: Option<&Path>) -> String {
    let mut out = String::from(
        "# pip-guard effective policy\n# layers, lowest precedence first:\n#   built-in defaults\n",
    );
    for l in e.layers.iter().skip(1) {
        let lock = if l.locked { ", locked" } else { "" };
        let _ = writeln!(out, "#   {} ({}{lock})", l.source, l.kind.as_str());
    }
    if let Some(f) = &e.policy.floor {
        let _ = writeln!(
            out,
            "# locked by {}: later layers can only tighten it",
            f.source
        );
    }
    let mut table = "";
    for (key, value) in values(e, default_log) {
        let (t, name) = key.split_once('.').unwrap_or(("", key));
        if t != table {
            let _ = write!(out, "\n[{t}]\n");
            table = t;
        }
        let from = e.source_of(key);
        if value.is_empty() {
            let what = match key {
                "index.nixpkgs" => "<nixpkgs> from NIX_PATH",
                _ => "none (no home directory)",
            };
            let _ = writeln!(out, "# {name}: not set, {what}  # from {from}");
        } else {
            let _ = writeln!(out, "{name} = {value}  # from {from}");
        }
        if key == "allow_pip_fallback" {
            for (k, rules) in [("allow", &e.policy.allow), ("deny", &e.policy.deny)] {
                if rules.is_empty() {
                    let _ = writeln!(out, "{k} = []");
                    continue;
                }
                let _ = writeln!(out, "{k} = [");
                for r in rules.iter() {
                    let lock = if r.locked { " (locked)" } else { "" };
                    let _ = writeln!(out, "  {},  # from {}{lock}", rule_toml(r), r.source);
                }
                out.push_str("]\n");
            }
        }
    }
    out
}

fn rule_json(r: &Rule) -> Value {
    json!({
        "pattern": r.pattern,
        "normalized": r.normalized(),
        "reason": r.reason,
        "source": r.source,
        "locked": r.locked,
    })
}

/// The effective policy as JSON: every value with the file that set it.
pub fn json(e: &EffectivePolicy, default_log: Option<&Path>) -> Value {
    let p = &e.policy;
    let v = |key: &str, value: Value| json!({"value": value, "source": e.source_of(key)});
    let log_path = p.audit_log.path.as_deref().or(default_log);
    json!({
        "schema": SCHEMA,
        "layers": e.layers,
        "floor": p.floor.as_ref().map(|f| json!({
            "mode": f.mode,
            "allow_pip_fallback": f.allow_pip_fallback,
            "source": f.source,
        })),
        "mode": v("mode", json!(p.mode)),
        "package_set": v("package_set", json!(p.package_set.as_deref().unwrap_or("auto"))),
        "allow_pip_fallback": v("allow_pip_fallback", json!(p.allow_pip_fallback)),
        "block_unloadable_wheels": v("block_unloadable_wheels", json!(p.block_unloadable_wheels)),
        "allow": p.allow.iter().map(rule_json).collect::<Vec<_>>(),
        "deny": p.deny.iter().map(rule_json).collect::<Vec<_>>(),
        "index": {
            "source": v("index.source", json!(p.index.source)),
            "channel": v("index.channel", json!(p.index.channel)),
            "max_age_days": v("index.max_age_days", json!(p.index.max_age_days)),
            "nixpkgs": v("index.nixpkgs", json!(p.index.nixpkgs.as_deref().map(|n| n.to_string_lossy()))),
        },
        "audit_log": {
            "enabled": v("audit_log.enabled", json!(p.audit_log.enabled)),
            "path": v("audit_log.path", json!(log_path.map(|n| n.to_string_lossy()))),
        },
        "warnings": e.warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::super::file::{parse, Trust};
    use super::super::layers::{merge, Layer, LayerKind};
    use super::*;

    fn effective() -> EffectivePolicy {
        let f = |t: &str| {
            parse(t, Path::new("/x/p.toml"), "x", Trust::Local, None).expect("test setup")
        };
        merge(&[
            Layer {
                kind: LayerKind::System,
                source: "/etc/pip-guard/policy.toml".into(),
                file: f("locked = true\nmode = \"enforce\"\ndeny = [{ pattern = \"torch\", reason = \"use nix\" }]"),
            },
            Layer {
                kind: LayerKind::Project,
                source: ".pip-guard.toml".into(),
                file: f("allow_pip_fallback = false\nallow = [\"foo\"]\n[index]\nchannel = \"nixos-25.05\""),
            },
        ])
        .expect("test setup")
    }

    #[test]
    fn text_is_a_valid_policy_with_provenance() {
        let e = effective();
        let t = text(&e, Some(Path::new("/s/audit.log")));
        assert!(
            t.contains("mode = \"enforce\"  # from /etc/pip-guard/policy.toml\n"),
            "{t}"
        );
        assert!(
            t.contains("allow_pip_fallback = false  # from .pip-guard.toml\n"),
            "{t}"
        );
        // [index] is frozen by the lock: the project's channel is ignored.
        assert!(
            t.contains("channel = \"nixpkgs-unstable\"  # from built-in default\n"),
            "{t}"
        );
        assert!(e.warnings.iter().any(|w| w.contains("index.channel")));
        assert!(t.contains("  { pattern = \"torch\", reason = \"use nix\" },  # from /etc/pip-guard/policy.toml:3 (locked)\n"), "{t}");
        assert!(
            t.contains("path = \"/s/audit.log\"  # from built-in default\n"),
            "{t}"
        );
        // Round trip: the output parses as a policy file with the same values.
        let back = parse(&t, Path::new("/x/p.toml"), "x", Trust::Local, None).expect("test setup");
        assert_eq!(back.mode, Some(e.policy.mode));
        assert_eq!(back.deny.len(), 1);
        assert_eq!(back.allow.len(), 1);
        assert_eq!(back.index.channel.as_deref(), Some("nixpkgs-unstable"));
    }

    #[test]
    fn json_has_value_and_source() {
        let j = json(&effective(), None);
        assert_eq!(j["mode"]["value"], "enforce");
        assert_eq!(j["mode"]["source"], "/etc/pip-guard/policy.toml");
        assert_eq!(j["allow_pip_fallback"]["source"], ".pip-guard.toml");
        assert_eq!(j["index"]["channel"]["source"], "built-in default");
        assert_eq!(j["deny"][0]["locked"], true);
        assert_eq!(j["allow"][0]["locked"], false);
        assert_eq!(j["floor"]["source"], "/etc/pip-guard/policy.toml");
        assert_eq!(j["layers"][1]["kind"], "system");
        assert!(j["audit_log"]["path"]["value"].is_null());
    }
}
