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
    raw: &'a str,
    kind: Kind,
    name: Option<&'a str>,
    normalized: Option<&'a str>,
    extras: &'a [String],
    specifier: &'a str,
    marker: Option<String>,
    url: Option<&'a str>,
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
            raw: r.raw.as_str(),
            kind: r.kind,
            name: r.name.as_deref(),
            normalized: r.normalized.as_deref(),
            extras: r.extras(),
            specifier: &r.specifier,
            marker: r.marker_tree().and_then(|m| m.try_to_string()),
            url: r.url().map(|u| u.as_str()),
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
///
/// A big report is made in parallel: its requirements are serialized in
/// chunks by worker threads, in order, while this thread writes what they
/// made. The text is the same, byte for byte, as [`render`]'s (tested).
pub fn render_to(plan: &Plan, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let workers = std::thread::available_parallelism()
        .map(|n| n.get().min(MAX_WORKERS))
        .unwrap_or(1);
    if plan.entries.len() < PARALLEL_FROM || workers < 2 {
        return render_serially(plan, out);
    }
    render_in_parallel(plan, out, workers)
}

/// Fewer requirements are serialized on this thread alone.
const PARALLEL_FROM: usize = 4096;
/// Requirements per chunk a worker serializes.
const CHUNK: usize = 1024;
/// At most this many workers.
const MAX_WORKERS: usize = 4;

fn render_serially(plan: &Plan, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    use std::io::Write;
    // serde_json writes in small pieces: gathered here (a concrete type, so
    // each piece is an inlined copy) before they cross the `dyn` writer.
    let mut w = std::io::BufWriter::with_capacity(1 << 16, out);
    serde_json::to_writer_pretty(&mut w, &report(plan)).map_err(std::io::Error::from)?;
    w.write_all(b"\n")?;
    w.flush()
}

/// The report with its requirements serialized by `workers` threads.
fn render_in_parallel(
    plan: &Plan,
    out: &mut dyn std::io::Write,
    workers: usize,
) -> std::io::Result<()> {
    // The report without requirements, cut where they go: `…"requirements": [`
    // and `],…`. (A string holding the same text is escaped: `\"`.)
    let skeleton = serde_json::to_vec_pretty(&Report {
        requirements: Requirements(&[]),
        ..report(plan)
    })
    .map_err(std::io::Error::from)?;
    let mark: &[u8] = b"\"requirements\": []";
    let Some(at) = memchr::memmem::find(&skeleton, mark).map(|i| i + mark.len() - 1) else {
        return render_serially(plan, out);
    };
    let (head, tail) = skeleton.split_at(at);
    let chunks: Vec<&[Entry]> = plan.entries.chunks(CHUNK).collect();
    std::thread::scope(|scope| {
        // Worker `w` serializes chunks w, w + workers, …, each through a
        // bounded channel: at most two chunks wait per worker.
        let mut made = Vec::with_capacity(workers);
        for w in 0..workers {
            let (send, receive) = std::sync::mpsc::sync_channel::<Vec<u8>>(2);
            let mine = chunks.iter().skip(w).step_by(workers).enumerate();
            let job = move || {
                for (k, chunk) in mine {
                    let first = w == 0 && k == 0;
                    if send.send(serialize_chunk(chunk, first)).is_err() {
                        return; // the writer stopped (a closed pipe)
                    }
                }
            };
            match std::thread::Builder::new().spawn_scoped(scope, job) {
                Ok(_) => made.push(receive),
                // No thread to be had: the report is made here instead.
                Err(_) => return render_serially(plan, out),
            }
        }
        out.write_all(head)?;
        for i in 0..chunks.len() {
            let bytes = made
                .get(i % workers)
                .and_then(|r| r.recv().ok())
                .ok_or_else(|| std::io::Error::other("a report worker stopped"))?;
            out.write_all(&bytes)?;
        }
        out.write_all(b"\n  ")?;
        out.write_all(tail)?;
        out.write_all(b"\n")?;
        out.flush()
    })
}

/// Requirements as elements of the report's `requirements` array, as
/// serde_json's pretty printer writes them there: each after a line break
/// (a comma first, but for the very first), indented two levels.
fn serialize_chunk(chunk: &[Entry], first: bool) -> Vec<u8> {
    const INDENT: &[u8] = b"    ";
    let mut out = Vec::with_capacity(chunk.len() * 1024);
    let mut one = Vec::with_capacity(2048);
    for (i, e) in chunk.iter().enumerate() {
        one.clear();
        // Serializing plain structs into a Vec cannot fail.
        let _ = serde_json::to_writer_pretty(&mut one, &Requirement::from(e));
        out.extend_from_slice(if first && i == 0 { b"\n" } else { b",\n" });
        out.extend_from_slice(INDENT);
        // JSON text has no raw line break inside a string: each one here
        // starts a line, indented like the rest.
        let mut rest = &one[..];
        while let Some(nl) = memchr::memchr(b'\n', rest) {
            out.extend_from_slice(&rest[..=nl]);
            out.extend_from_slice(INDENT);
            rest = &rest[nl + 1..];
        }
        out.extend_from_slice(rest);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alternatives::Alternatives;
    use crate::invocation::parse::{parse_install, Mode};
    use crate::policy::{Policy, Rule};

    /// A plan of more than [`PARALLEL_FROM`] varied requirements: named,
    /// with extras, markers, URLs with credentials, CUDA, stdlib, denied,
    /// not in nixpkgs; and text that looks like the cut the parallel
    /// renderer makes.
    fn big_plan() -> Plan {
        let args: Vec<String> = [
            "numpy>=1.26",
            "requests[socks]>=2.31",
            "torch==2.7.0+cu128",
            "typing",
            "pywin32 ; sys_platform == 'win32'",
            "private @ https://user:tok@example.com/p.whl?token=abc",
            "lxml",
            "not-in-nixpkgs-at-all==1",
            "requests===foobar",
            "opencv-python-headless",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let inv = parse_install(&args, Mode::Audit).expect("parses");
        let set = crate::requirements::collect::collect(&inv, std::path::Path::new("/"), &|_| None)
            .expect("collects");
        let mut policy = Policy::default();
        let rule = Rule::new(
            "lxml",
            Some("\"requirements\": [] \u{1b}".into()),
            "p.toml",
            1,
        );
        policy.deny.push(rule.expect("a valid pattern"));
        let mut plan = Plan::build(
            &set,
            &crate::render::guard::fixture::target(),
            &crate::index::Index::embedded("python3Packages"),
            &Alternatives::embedded(),
            &policy,
        );
        plan.notes.push("\"requirements\": [] in a note".into());
        let one = plan.entries.clone();
        while plan.entries.len() < PARALLEL_FROM + 3 * CHUNK + 7 {
            plan.entries.extend(one.iter().cloned());
        }
        plan
    }

    #[test]
    fn the_parallel_report_is_the_serial_one_byte_for_byte() {
        let plan = big_plan();
        let whole = render(&plan);
        for workers in [2, 3, 4] {
            let mut out = Vec::new();
            render_in_parallel(&plan, &mut out, workers).expect("renders");
            assert!(out == whole.as_bytes(), "{workers} workers differ");
        }
        let mut out = Vec::new();
        render_to(&plan, &mut out).expect("renders");
        assert!(out == whole.as_bytes());
        // Small reports are made serially, the same way.
        let mut small = plan.clone();
        small.entries.truncate(3);
        let mut out = Vec::new();
        render_to(&small, &mut out).expect("renders");
        assert_eq!(String::from_utf8(out).expect("utf-8"), render(&small));
    }

    #[test]
    fn a_closed_pipe_stops_the_workers() {
        struct Closed;
        impl std::io::Write for Closed {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::ErrorKind::BrokenPipe.into())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let e = render_in_parallel(&big_plan(), &mut Closed, 2).expect_err("fails");
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe);
    }
}
