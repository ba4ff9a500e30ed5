//! `--format json`: schema `pip-guard.audit/v1` (see `docs/schema.md`).

use crate::plan::Plan;
use crate::redact::redact;
use serde_json::{json, Value};

/// The schema identifier. Fields may be added; none removed or renamed.
pub const SCHEMA: &str = "pip-guard.audit/v1";

/// The audit as a JSON value.
pub fn to_value(plan: &Plan) -> Value {
    let requirements: Vec<Value> = plan
        .entries
        .iter()
        .map(|e| {
            let r = &e.req;
            json!({
                "origin": r.origin,
                "raw": redact(&r.raw),
                "kind": r.kind,
                "name": r.name,
                "normalized": r.normalized,
                "extras": r.extras,
                "specifier": r.specifier,
                "marker": r.marker.as_ref().and_then(|m| m.try_to_string()),
                "url": r.url.as_deref().map(|u| redact(u).into_owned()),
                "editable": r.editable,
                "constraint": r.constraint,
                "applies": e.res.applies,
                "tier": e.res.tier,
                "nix": e.res.nix,
                "native": e.res.native.iter().map(|a| json!({
                    "attr": a.attr,
                    "commands": a.commands,
                    "language": a.language,
                    "note": a.note,
                })).collect::<Vec<_>>(),
                "verdict": e.verdict,
                "reasons": e.res.reasons.iter().map(|s| redact(s).into_owned()).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "schema": SCHEMA,
        "tool": {"name": "pip-guard", "version": env!("CARGO_PKG_VERSION")},
        "target": plan.target,
        "index": plan.index,
        "policy": {"mode": plan.policy_mode, "sources": plan.policy_sources},
        "requirements": requirements,
        "summary": plan.summary(),
    })
}

/// The audit as pretty JSON text with a trailing newline.
pub fn render(plan: &Plan) -> String {
    let mut s = serde_json::to_string_pretty(&to_value(plan)).unwrap_or_default();
    s.push('\n');
    s
}
