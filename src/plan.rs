//! The plan: each requirement with its resolution and the policy's verdict.
//! Pure: built from values, no I/O.

use crate::alternatives::Alternatives;
use crate::index::{Index, IndexMeta};
use crate::policy::{Policy, Verdict};
use crate::requirements::{Requirement, RequirementSet};
use crate::resolve::{resolve_in, Context, Resolution, Tier};
use crate::target::Target;
use serde::Serialize;

/// One requirement, resolved and judged.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The requirement.
    pub req: Requirement,
    /// What nixpkgs and the alternatives offer.
    pub res: Resolution,
    /// The policy's verdict.
    pub verdict: Verdict,
    /// The policy rule that decided the verdict, if one did.
    pub rule: Option<Box<str>>,
}

/// The target as reported (schema field `target`).
#[derive(Debug, Clone, Serialize)]
pub struct TargetInfo {
    /// `X.Y`.
    pub python_version: String,
    /// `sys.platform`.
    pub platform: String,
    /// e.g. `python312Packages`.
    pub package_set: String,
    /// PEP 668 marker present and not a venv.
    pub externally_managed: bool,
    /// Inside a virtualenv.
    pub virtualenv: bool,
}

/// What to say once about the index: a set that is not the default one,
/// and staleness.
fn notes(index: &Index) -> Vec<String> {
    let mut v = Vec::new();
    let set = &index.package_set;
    if let Some(meta) = &index.meta {
        if set != crate::target::DEFAULT_SET && meta.default_set.as_deref() != Some(set.as_str()) {
            let default = match &meta.default_set {
                Some(d) => format!("python3Packages, which is {d} there"),
                None => "python3Packages".to_string(),
            };
            v.push(format!(
                "{set} is not this nixpkgs' default Python set ({default}): nixpkgs' binary cache \
                 builds the default set, so {set}'s packages may not be in it and may build from source"
            ));
        }
        if let Some(s) = &meta.stale {
            v.push(s.clone());
        }
    }
    v
}

/// Counts per tier and verdict (schema field `summary`).
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    /// Requirements and constraints.
    pub total: usize,
    /// Tier counts.
    pub nixpkgs: usize,
    /// Tier counts.
    pub native: usize,
    /// Tier counts.
    pub dev_shell: usize,
    /// Tier counts.
    pub pip: usize,
    /// Tier counts.
    pub skipped: usize,
    /// Verdict counts.
    pub blocked: usize,
    /// Verdict counts.
    pub warned: usize,
    /// Verdict counts.
    pub allowed: usize,
}

/// Everything an audit or the guard decided.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The target environment.
    pub target: TargetInfo,
    /// The index used.
    pub index: IndexMeta,
    /// The effective policy's mode.
    pub policy_mode: crate::policy::Mode,
    /// The policy files that contributed.
    pub policy_sources: Vec<String>,
    /// One entry per requirement, in input order.
    pub entries: Vec<Entry>,
    /// Things to say once about the whole plan (schema field `notes`): a
    /// package set that is not the channel's default, a stale index.
    pub notes: Vec<String>,
}

impl Entry {
    /// The reasons, one line each, first tier first (schema field
    /// `reasons`).
    pub fn reasons(&self) -> impl Iterator<Item = std::borrow::Cow<'_, str>> {
        self.res.reasons(&self.req)
    }
}

impl Plan {
    /// Resolve and judge every requirement.
    pub fn build(
        set: &RequirementSet,
        target: &Target,
        index: &Index,
        alternatives: &Alternatives,
        policy: &Policy,
    ) -> Plan {
        Self::build_owned(
            set.requirements.clone(),
            target,
            index,
            alternatives,
            policy,
            &Context::default(),
        )
    }

    /// [`Plan::build`], taking the requirements instead of copying them
    /// (a million-line file then holds each requirement once), with what
    /// else the invocation says (a CUDA index).
    pub fn build_owned(
        requirements: Vec<Requirement>,
        target: &Target,
        index: &Index,
        alternatives: &Alternatives,
        policy: &Policy,
        ctx: &Context,
    ) -> Plan {
        let entries = judge_all(requirements, ctx, |req, ctx| {
            let mut res = resolve_in(&req, index, alternatives, &target.markers, ctx);
            let (verdict, why) =
                policy.verdict(req.normalized.as_deref(), res.tier, req.constraint);
            if req.constraint {
                res.reasons
                    .insert_first("constraint: limits versions, never installed");
            }
            if let Some(w) = &why {
                res.reasons.insert_first(w);
            }
            Entry {
                req,
                res,
                verdict,
                rule: why.map(String::into_boxed_str),
            }
        });
        Plan {
            target: TargetInfo {
                python_version: target.python_version.clone(),
                platform: target.platform.clone(),
                package_set: index.package_set.clone(),
                externally_managed: target.externally_managed,
                virtualenv: target.probe.virtualenv,
            },
            index: index.meta.clone().unwrap_or(IndexMeta {
                source: crate::index::Source::Embedded,
                nixpkgs: String::new(),
                date: String::new(),
                packages: index.len(),
                nixpkgs_from: None,
                default_set: None,
                stale: None,
            }),
            policy_mode: policy.mode,
            policy_sources: policy.sources.clone(),
            entries,
            notes: notes(index),
        }
    }

    /// Counts per tier and verdict.
    pub fn summary(&self) -> Summary {
        let mut s = Summary {
            total: self.entries.len(),
            ..Summary::default()
        };
        for e in &self.entries {
            match e.res.tier {
                Tier::Nixpkgs => s.nixpkgs += 1,
                Tier::Native => s.native += 1,
                Tier::DevShell => s.dev_shell += 1,
                Tier::Pip => s.pip += 1,
                Tier::Skipped => s.skipped += 1,
            }
            match e.verdict {
                Verdict::Block => s.blocked += 1,
                Verdict::Warn => s.warned += 1,
                Verdict::Allow => s.allowed += 1,
            }
        }
        s
    }

    /// Whether anything is blocked.
    pub fn blocked(&self) -> bool {
        self.entries.iter().any(|e| e.verdict == Verdict::Block)
    }
}

/// `judge` applied to every requirement, in order, without holding both
/// whole vectors at once: the requirements are taken from the back, a
/// block at a time, and their vector shrinks as the entries' grows (a
/// million requirements would otherwise need the memory of both). `judge`
/// is pure, so the order it sees them in does not matter, and a block is
/// judged by up to [`MAX_JUDGES`] threads, each with its own copy of `ctx`.
fn judge_all(
    requirements: Vec<Requirement>,
    ctx: &Context,
    judge: impl Fn(Requirement, &Context) -> Entry + Sync,
) -> Vec<Entry> {
    let judges = if requirements.len() < PARALLEL_FROM {
        1
    } else {
        std::thread::available_parallelism().map_or(1, |p| p.get().min(MAX_JUDGES))
    };
    judge_all_by(requirements, ctx, judges, judge)
}

/// [`judge_all`] by `judges` threads.
fn judge_all_by(
    mut requirements: Vec<Requirement>,
    ctx: &Context,
    judges: usize,
    judge: impl Fn(Requirement, &Context) -> Entry + Sync,
) -> Vec<Entry> {
    let n = requirements.len();
    let mut entries = Vec::with_capacity(n);
    let mut contexts: Vec<Context> = (0..judges).map(|_| ctx.clone()).collect();
    let step = (n / 8).max(4096);
    let mut next_shrink = n.saturating_sub(step);
    while !requirements.is_empty() {
        let block = requirements.split_off(requirements.len().saturating_sub(BLOCK));
        // Entries in reverse order, as the requirements were taken.
        entries.extend(judge_block(block, &mut contexts, &judge).into_iter().rev());
        if requirements.len() <= next_shrink {
            requirements.shrink_to_fit();
            next_shrink = requirements.len().saturating_sub(step);
        }
    }
    entries.reverse();
    entries
}

/// Fewer requirements are judged on this thread alone.
const PARALLEL_FROM: usize = 4096;
/// Requirements taken at a time.
const BLOCK: usize = 16_384;
/// At most this many threads judge a block.
const MAX_JUDGES: usize = 4;

/// The entries of `block`, in its order, judged by one thread per context
/// (this one alone when there is one context; a part no thread can be had
/// for is judged here too).
fn judge_block(
    mut block: Vec<Requirement>,
    contexts: &mut [Context],
    judge: &(impl Fn(Requirement, &Context) -> Entry + Sync),
) -> Vec<Entry> {
    let serial = |block: Vec<Requirement>, ctx: &Context| -> Vec<Entry> {
        block.into_iter().map(|r| judge(r, ctx)).collect()
    };
    let Some((first, others)) = contexts.split_first_mut() else {
        return Vec::new();
    };
    if others.is_empty() || block.len() < 2 * (others.len() + 1) {
        return serial(block, first);
    }
    // One part per context, in order: the first stays on this thread; a
    // thread takes its part from its slot (left there if the thread could
    // not be had).
    let part = block.len().div_ceil(others.len() + 1);
    let mut slots = Vec::with_capacity(others.len());
    while block.len() > part {
        slots.push(std::sync::Mutex::new(Some(
            block.split_off(block.len() - part),
        )));
    }
    slots.reverse();
    std::thread::scope(|scope| {
        let mut handles = Vec::with_capacity(slots.len());
        for (slot, ctx) in slots.iter().zip(others.iter_mut()) {
            let job = move || {
                let part = slot.lock().ok().and_then(|mut p| p.take());
                serial(part.unwrap_or_default(), ctx)
            };
            handles.push(std::thread::Builder::new().spawn_scoped(scope, job).ok());
        }
        let mut out = serial(block, first);
        for (slot, handle) in slots.iter().zip(handles) {
            if let Some(h) = handle {
                match h.join() {
                    Ok(done) => out.extend(done),
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            }
            // A part no thread took (none could be had): judged here.
            if let Some(p) = slot.lock().ok().and_then(|mut p| p.take()) {
                out.extend(serial(p, first));
            }
        }
        out
    })
}

/// Where each requirement of a plan goes (indices into `plan.entries`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decision {
    /// Held back: nixpkgs or a native alternative covers it.
    pub nix: Vec<usize>,
    /// Held back: the policy blocks it (no flag gets around that).
    pub blocked: Vec<usize>,
    /// Falls through to pip, once confirmed.
    pub pip: Vec<usize>,
    /// Its marker is false for the target: nothing to do.
    pub skipped: Vec<usize>,
}

impl Decision {
    /// Whether anything asked for is held back.
    pub fn held(&self) -> bool {
        !self.nix.is_empty() || !self.blocked.is_empty()
    }
}

/// Decide, per requirement. Constraints are not requirements: they are
/// passed on to pip as they are.
pub fn decide(plan: &Plan, all: bool) -> Decision {
    let mut d = Decision::default();
    for (i, e) in plan.entries.iter().enumerate() {
        if e.req.constraint || e.req.dev_only() {
            continue;
        }
        if e.verdict == Verdict::Block {
            d.blocked.push(i);
            continue;
        }
        match e.res.tier {
            Tier::Skipped => d.skipped.push(i),
            Tier::Nixpkgs | Tier::Native if !all => d.nix.push(i),
            _ => d.pip.push(i),
        }
    }
    d
}

#[cfg(test)]
mod judging {
    use super::*;
    use crate::render::guard::fixture;

    /// The entries are the same, in the same order, however many threads
    /// judge them, across blocks and uneven parts.
    #[test]
    fn threads_change_nothing() {
        let names = ["numpy", "black", "nope", "requests", "typing"];
        let attrs = ["numpy", "requests", "black"];
        let one = fixture::plan(&names, &attrs, &Policy::default());
        let mut requirements = Vec::new();
        let count = BLOCK + 3 * 1000 + 7;
        for i in 0..count {
            let mut r = one.entries[i % names.len()].req.clone();
            r.origin = crate::origin::Origin::Arg(i);
            requirements.push(r);
        }
        let index = fixture::index(&attrs);
        let alternatives = Alternatives::embedded();
        let target = fixture::target();
        let judge = |req: Requirement, ctx: &Context| {
            let res = resolve_in(&req, &index, &alternatives, &target.markers, ctx);
            Entry {
                req,
                res,
                verdict: Verdict::Allow,
                rule: None,
            }
        };
        let ctx = Context::default();
        let serial = judge_all_by(requirements.clone(), &ctx, 1, judge);
        assert_eq!(serial.len(), count);
        for judges in [2, 3, 4] {
            let parallel = judge_all_by(requirements.clone(), &ctx, judges, judge);
            assert_eq!(
                format!("{parallel:?}"),
                format!("{serial:?}"),
                "{judges} judges"
            );
        }
        let origins: Vec<_> = serial.iter().map(|e| e.req.origin.clone()).collect();
        let given: Vec<_> = requirements.iter().map(|r| r.origin.clone()).collect();
        assert_eq!(origins, given, "in the order given");
    }
}

#[cfg(all(test, target_pointer_width = "64"))]
mod sizes {
    use std::mem::size_of;

    /// A million-line requirements file holds a million entries: their size
    /// is most of a big audit's memory (`docs/performance.md`). Growing them
    /// is a choice to make knowingly, here.
    #[test]
    fn an_entry_stays_small() {
        let sizes = [
            ("Entry", size_of::<super::Entry>(), 312),
            (
                "Requirement",
                size_of::<crate::requirements::Requirement>(),
                160,
            ),
            ("Resolution", size_of::<crate::resolve::Resolution>(), 128),
            (
                "what most requirements lack",
                crate::requirements::more_size(),
                112,
            ),
        ];
        for (what, size, most) in sizes {
            assert!(size <= most, "{what}: {size} bytes, more than {most}");
        }
    }
}
