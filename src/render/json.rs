//! `--format json`: schema `pip-guard.audit/v1` (see `docs/schema.md`).
//!
//! Serialized straight from borrowed structs in schema order: no
//! intermediate `serde_json::Value` (an audit of 1,000 requirements spent
//! most of its time building and dropping one).

use crate::alternatives::Alternative;
use crate::cuda::CudaNote;
use crate::index::IndexMeta;
use crate::origin::Origin;
use crate::plan::{Entry, Plan, Summary, TargetInfo};
use crate::policy::{Mode, Verdict};
use crate::redact::redact_cow;
use crate::requirements::Kind;
use crate::resolve::{NixMatch, SkipReason, Tier};
use serde::ser::{SerializeSeq, Serializer};
use serde::Serialize;
use std::borrow::Cow;

/// The schema identifier. Fields may be added; none removed or renamed.
pub const SCHEMA: &str = "pip-guard.audit/v1";

#[derive(Serialize)]
struct Report<'a> {
    schema: &'static str,
    tool: Tool,
    target: &'a TargetInfo,
    index: &'a IndexMeta,
    policy: PolicyInfo<'a>,
    requirements: Requirements<'a>,
    summary: Summary,
    notes: &'a [String],
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct PolicyInfo<'a> {
    mode: Mode,
    sources: &'a [String],
}

struct Requirements<'a>(&'a [Entry]);

impl Serialize for Requirements<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for e in self.0 {
            seq.serialize_element(&Requirement::from(e))?;
        }
        seq.end()
    }
}

#[derive(Serialize)]
struct Requirement<'a> {
    origin: &'a Origin,
    raw: Cow<'a, str>,
    kind: Kind,
    name: Option<&'a str>,
    normalized: Option<&'a str>,
    extras: &'a [String],
    specifier: &'a str,
    marker: Option<String>,
    url: Option<Cow<'a, str>>,
    editable: bool,
    constraint: bool,
    applies: bool,
    tier: Tier,
    skip_reason: Option<SkipReason>,
    nix: Option<Nix<'a>>,
    cuda: Option<&'a CudaNote>,
    native: Vec<Native<'a>>,
    verdict: Verdict,
    reasons: Vec<Cow<'a, str>>,
    via: Option<&'a crate::requirements::Via>,
    project: Option<Project<'a>>,
}

/// A [`NixMatch`] as written (schema field `nix`), with its `compared`.
#[derive(Serialize)]
struct Nix<'a> {
    attr: &'a str,
    version: Option<&'a str>,
    satisfies: Option<bool>,
    matched_by: crate::index::MatchedBy,
    #[serde(skip_serializing_if = "Option::is_none")]
    app: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    extras: Option<&'a crate::resolve::Extras>,
    #[serde(skip_serializing_if = "Option::is_none")]
    compared: Option<String>,
}

impl<'a> Nix<'a> {
    fn new(n: &'a NixMatch, specifier: &str) -> Nix<'a> {
        Nix {
            attr: &n.attr,
            version: n.version.as_deref(),
            satisfies: n.satisfies,
            matched_by: n.matched_by,
            app: n.app.as_deref(),
            extras: n.extras.as_deref(),
            compared: n.compared(specifier),
        }
    }
}

#[derive(Serialize)]
struct Project<'a> {
    name: &'a str,
    version: Option<&'a str>,
    dir: Cow<'a, str>,
    metadata: crate::requirements::project::Source,
    requires_python: Option<&'a str>,
    build_backend: Option<&'a str>,
    dependencies: usize,
    extras_missing: &'a [String],
    dynamic: Vec<Dynamic<'a>>,
}

#[derive(Serialize)]
struct Dynamic<'a> {
    what: &'a str,
    why: &'a str,
}

impl<'a> From<&'a crate::requirements::ProjectSummary> for Project<'a> {
    fn from(p: &'a crate::requirements::ProjectSummary) -> Self {
        Project {
            name: &p.name,
            version: p.version.as_deref(),
            dir: p.dir.to_string_lossy(),
            metadata: p.metadata,
            requires_python: p.requires_python.as_deref(),
            build_backend: p.build_backend.as_deref(),
            dependencies: p.dependencies,
            extras_missing: &p.extras_missing,
            dynamic: p
                .dynamic
                .iter()
                .map(|d| Dynamic {
                    what: &d.what,
                    why: &d.why,
                })
                .collect(),
        }
    }
}

#[derive(Serialize)]
struct Native<'a> {
    attr: &'a str,
    commands: &'a [String],
    language: &'a str,
    note: &'a str,
}

impl<'a> From<&'a Alternative> for Native<'a> {
    fn from(a: &'a Alternative) -> Self {
        Native {
            attr: &a.attr,
            commands: &a.commands,
            language: &a.language,
            note: &a.note,
        }
    }
}

impl<'a> From<&'a Entry> for Requirement<'a> {
    fn from(e: &'a Entry) -> Self {
        let r = &e.req;
        Requirement {
            origin: &r.origin,
            // Redacted when it was read (the type says so).
            raw: Cow::Borrowed(r.raw.as_str()),
            kind: r.kind,
            name: r.name.as_deref(),
            normalized: r.normalized.as_deref(),
            extras: r.extras(),
            specifier: &r.specifier,
            marker: r.marker_tree().and_then(|m| m.try_to_string()),
            url: r.url().map(|u| Cow::Borrowed(u.as_str())),
            editable: r.editable(),
            constraint: r.constraint,
            applies: e.res.applies,
            tier: e.res.tier,
            skip_reason: e.res.skip_reason,
            nix: e.res.nix.as_ref().map(|n| Nix::new(n, &r.specifier)),
            cuda: e.res.cuda.as_deref(),
            native: e.res.native.iter().map(Native::from).collect(),
            verdict: e.verdict,
            reasons: e.reasons().map(redact_cow).collect(),
            via: r.via(),
            project: r.project().map(Project::from),
        }
    }
}

fn report(plan: &Plan) -> Report<'_> {
    Report {
        schema: SCHEMA,
        tool: Tool {
            name: "pip-guard",
            version: env!("CARGO_PKG_VERSION"),
        },
        target: &plan.target,
        index: &plan.index,
        policy: PolicyInfo {
            mode: plan.policy_mode,
            sources: &plan.policy_sources,
        },
        requirements: Requirements(&plan.entries),
        summary: plan.summary(),
        notes: &plan.notes,
    }
}

/// The audit as a JSON value (for callers that inspect it).
pub fn to_value(plan: &Plan) -> serde_json::Value {
    serde_json::to_value(report(plan)).unwrap_or(serde_json::Value::Null)
}

/// The audit as pretty JSON text with a trailing newline.
pub fn render(plan: &Plan) -> String {
    // Serializing these plain structs into a Vec cannot fail.
    let mut s = serde_json::to_string_pretty(&report(plan)).unwrap_or_default();
    s.push('\n');
    s
}

/// [`render`], written to `out` as it is serialized (the output edge
/// escapes it on the way: see [`crate::output::Escaping`]).
pub fn render_to(plan: &Plan, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    use std::io::Write;
    // serde_json writes in small pieces: gathered here (a concrete type, so
    // each piece is an inlined copy) before they cross the `dyn` writer.
    let mut w = std::io::BufWriter::with_capacity(1 << 16, out);
    serde_json::to_writer_pretty(&mut w, &report(plan)).map_err(std::io::Error::from)?;
    w.write_all(b"\n")?;
    w.flush()
}
