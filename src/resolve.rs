//! Resolution: pure code, no I/O. Each requirement gets a tier and every
//! option that applies, first tier first.

use crate::alternatives::{Alternative, Alternatives};
use crate::index::{Index, Lookup, MatchedBy};
use crate::requirements::{Kind, Requirement};
use compact_str::CompactString;
use pep508_rs::MarkerEnvironment;
use serde::Serialize;
use std::borrow::Cow;
use std::sync::Arc;

/// The priority order (schema field `tier`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tier {
    /// 1. `python3XXPackages.<attr>` covers it.
    Nixpkgs,
    /// 2. A native alternative covers it.
    Native,
    /// 3. Needs a dev shell (version mismatch, URL/path/editable, native libs).
    DevShell,
    /// 4. pip `--user --break-system-packages` is the last resort.
    Pip,
    /// Nothing to install: its marker is false for the target, or it is
    /// part of Python's standard library there (see `skip_reason`).
    Skipped,
}

/// Why a requirement is skipped (schema field `skip_reason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SkipReason {
    /// Its marker is false for the target: pip would skip it.
    Marker,
    /// Part of Python's standard library on the target: nothing to install.
    Stdlib,
}

/// The extras of a requirement as the index knows them (schema field
/// `nix.extras`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Extras {
    /// Extras nixpkgs has (`optional-dependencies.<extra>`, or an attr of
    /// their own such as `psycopg-c`).
    pub known: Vec<String>,
    /// Extras the index checked and nixpkgs lacks.
    pub missing: Vec<String>,
    /// Extras the index cannot check (channel listings and the embedded
    /// snapshot carry no extras).
    pub unknown: Vec<String>,
    /// Attrs of their own that provide extras (`psycopg-c`), for snippets.
    #[serde(skip)]
    pub attrs: Vec<String>,
    /// The extras those attrs provide (`c`).
    #[serde(skip)]
    pub own: Vec<String>,
}

/// What the resolution knows beyond the requirement itself, and what it
/// shares across requirements.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// A PyTorch-style CUDA wheel index the requirements are read with:
    /// `(tag, url)`, e.g. `("cu128", "https://download.pytorch.org/whl/cu128")`.
    pub cuda_index: Option<(String, String)>,
    /// The attr paths matched so far, each held once.
    pub attrs: AttrPaths,
}

/// Full attr paths (`python3Packages.numpy`), each made once and shared by
/// every match that names it: a million requirements name a few thousand
/// attrs.
#[derive(Debug, Clone, Default)]
pub struct AttrPaths(std::cell::RefCell<std::collections::HashSet<Arc<str>>>);

impl AttrPaths {
    /// `set.short`, shared.
    pub fn get(&self, set: &str, short: &str) -> Arc<str> {
        let mut path = CompactString::with_capacity(set.len() + 1 + short.len());
        path.push_str(set);
        path.push('.');
        path.push_str(short);
        let mut known = self.0.borrow_mut();
        if let Some(p) = known.get(path.as_str()) {
            return Arc::clone(p);
        }
        let p: Arc<str> = Arc::from(path.as_str());
        known.insert(Arc::clone(&p));
        p
    }
}

impl Tier {
    /// The schema spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Nixpkgs => "nixpkgs",
            Tier::Native => "native",
            Tier::DevShell => "dev-shell",
            Tier::Pip => "pip",
            Tier::Skipped => "skipped",
        }
    }
}

/// The nixpkgs match (schema field `nix`; the JSON report writes it with
/// [`NixMatch::compared`], which is made when it is written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NixMatch {
    /// Full attr path, e.g. `python312Packages.numpy`.
    pub attr: Arc<str>,
    /// Where the attr inside the set starts in `attr` (see
    /// [`NixMatch::short_attr`]).
    short_at: u32,
    /// nixpkgs' version, when known.
    pub version: Option<CompactString>,
    /// Whether the version satisfies the specifier; `None` when unknown.
    pub satisfies: Option<bool>,
    /// Which mapping rule found it.
    pub matched_by: MatchedBy,
    /// Top-level application attr for command-line use, if any.
    pub app: Option<Box<str>>,
    /// The extras asked for and what nixpkgs has of them (absent when the
    /// requirement names no extra).
    pub extras: Option<Box<Extras>>,
}

impl NixMatch {
    /// A match in the package set: `attr` is `<set>.<short>`, shared
    /// through `paths`.
    pub fn in_set(paths: &AttrPaths, set: &str, short: &str, matched_by: MatchedBy) -> NixMatch {
        NixMatch {
            short_at: u32::try_from(set.len() + 1).unwrap_or(0),
            attr: paths.get(set, short),
            version: None,
            satisfies: None,
            matched_by,
            app: None,
            extras: None,
        }
    }

    /// A top-level attr (an application, a `cudaPackages` library): the
    /// attr is its own short attr and the application.
    pub fn top_level(attr: String) -> NixMatch {
        NixMatch {
            app: Some(attr.as_str().into()),
            attr: attr.into(),
            short_at: 0,
            version: None,
            satisfies: None,
            matched_by: MatchedBy::Table,
            extras: None,
        }
    }

    /// The attr inside the set, e.g. `numpy` (the whole attr for a
    /// top-level one).
    pub fn short_attr(&self) -> &str {
        usize::try_from(self.short_at)
            .ok()
            .and_then(|i| self.attr.get(i..))
            .unwrap_or(&self.attr)
    }

    /// What was compared for `satisfies` against the requirement's
    /// `specifier` (`nixpkgs 2.7.0 against ==2.7.0+cu128`), or why it could
    /// not be; `None` when nixpkgs' version is unknown (schema field
    /// `nix.compared`, absent then).
    pub fn compared(&self, specifier: &str) -> Option<String> {
        let version = self.version.as_deref()?;
        Some(compared_text(version, specifier, self.satisfies.is_some()))
    }
}

/// The reasons of a resolution, one line each, first tier first. They are
/// held in one compact buffer, each as `LEN:TEXT` (a netstring without its
/// comma). The tier's own reason, which follows from the match and the
/// requirement (`nixpkgs provides python3Packages.numpy 2.3.1 (satisfies
/// any version)`), is held as the mark `*:` and written when the reasons are read
/// ([`Resolution::reasons`]); a reason of [`COMMON`] is held as `!K:`, its
/// place there. Most requirements then cost no allocation for their
/// reasons (a million-line file holds a million).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reasons(CompactString);

/// The mark of the tier's own reason in a [`Reasons`] buffer.
const TIER_MARK: &str = "*:";

/// Reasons many requirements share, held as a mark (`!K:`, `K` the place
/// here).
const COMMON: [&str; 2] = [
    "marker is false for the target: pip would skip it",
    "constraint: limits versions, never installed",
];

/// One reason as held: its text, or the mark of the tier's own reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Held<'a> {
    Text(&'a str),
    Tier,
}

impl Reasons {
    /// No reason yet.
    pub fn new() -> Reasons {
        Reasons(CompactString::default())
    }

    /// Add `reason` last.
    pub fn push(&mut self, reason: impl AsRef<str>) {
        use std::fmt::Write;
        let r = reason.as_ref();
        match COMMON.iter().position(|c| *c == r) {
            Some(k) => {
                let _ = write!(self.0, "!{k}:");
            }
            None => {
                let _ = write!(self.0, "{}:", r.len());
                self.0.push_str(r);
            }
        }
    }

    /// Add the tier's own reason last (written when read).
    fn push_tier(&mut self) {
        self.0.push_str(TIER_MARK);
    }

    /// Add `reason` first.
    pub fn insert_first(&mut self, reason: impl AsRef<str>) {
        let mut first = Reasons::new();
        first.push(reason);
        first.0.push_str(&self.0);
        *self = first;
    }

    /// Add `other`'s reasons last, in their order.
    pub fn append(&mut self, other: &Reasons) {
        self.0.push_str(&other.0);
    }

    /// Give back unused capacity.
    pub fn shrink_to_fit(&mut self) {
        self.0.shrink_to_fit();
    }

    /// The reasons as held, in order.
    fn held(&self) -> HeldIter<'_> {
        HeldIter { rest: &self.0 }
    }

    /// The reasons held as text, in order (without the tier's own).
    #[cfg(test)]
    fn iter(&self) -> impl Iterator<Item = &str> {
        self.held().filter_map(|h| match h {
            Held::Text(t) => Some(t),
            Held::Tier => None,
        })
    }
}

/// The reasons of a [`Reasons`] as held, in order.
#[derive(Debug, Clone)]
struct HeldIter<'a> {
    rest: &'a str,
}

impl<'a> Iterator for HeldIter<'a> {
    type Item = Held<'a>;
    fn next(&mut self) -> Option<Held<'a>> {
        if let Some(rest) = self.rest.strip_prefix(TIER_MARK) {
            self.rest = rest;
            return Some(Held::Tier);
        }
        if let Some(rest) = self.rest.strip_prefix('!') {
            let (k, rest) = rest.split_once(':')?;
            self.rest = rest;
            return COMMON.get(k.parse::<usize>().ok()?).map(|c| Held::Text(c));
        }
        let (len, rest) = self.rest.split_once(':')?;
        let len: usize = len.parse().ok()?;
        let reason = rest.get(..len)?;
        self.rest = rest.get(len..).unwrap_or_default();
        Some(Held::Text(reason))
    }
}

/// What pip-guard found for one requirement.
#[derive(Debug, Clone)]
pub struct Resolution {
    /// Whether its marker is true for the target.
    pub applies: bool,
    /// The first tier of the priority order that applies.
    pub tier: Tier,
    /// Why it is skipped (tier `skipped` only).
    pub skip_reason: Option<SkipReason>,
    /// A CUDA build was asked for: the nixpkgs way.
    pub cuda: Option<Box<crate::cuda::CudaNote>>,
    /// The nixpkgs match, if any.
    pub nix: Option<NixMatch>,
    /// Native alternatives, if any.
    pub native: Box<[Alternative]>,
    /// One line per finding, first tier first, as held (read them with
    /// [`Resolution::reasons`]).
    pub(crate) reasons: Reasons,
}

impl Resolution {
    /// The reasons, one line each, first tier first (schema field
    /// `reasons`); `req` is the requirement this resolves.
    pub fn reasons<'a>(&'a self, req: &'a Requirement) -> impl Iterator<Item = Cow<'a, str>> + 'a {
        self.reasons.held().map(move |h| match h {
            Held::Text(t) => Cow::Borrowed(t),
            Held::Tier => self.tier_reason(req),
        })
    }

    /// The tier's own reason: what nixpkgs has against what `req` asks,
    /// or that neither nixpkgs nor a native alternative has it.
    fn tier_reason(&self, req: &Requirement) -> Cow<'static, str> {
        let Some(n) = &self.nix else {
            return Cow::Borrowed("not in nixpkgs and no native alternative known");
        };
        let version = n.version.as_deref().unwrap_or("?");
        let spec = &req.specifier;
        Cow::Owned(match n.satisfies {
            Some(true) => format!(
                "nixpkgs provides {} {version} (satisfies {})",
                n.attr,
                if spec.is_empty() { "any version" } else { spec }
            ),
            Some(false) => format!(
                "nixpkgs has {} {version}, which does not satisfy {spec}: pin it in a dev shell",
                n.attr,
            ),
            None if spec.is_empty() => format!("nixpkgs provides {}", n.attr),
            None if n.version.is_some() => format!(
                "nixpkgs provides {} {version} (whether it satisfies {spec} is unknown)",
                n.attr,
            ),
            None => format!(
                "nixpkgs provides {} (version unknown to this index: check it satisfies {spec})",
                n.attr
            ),
        })
    }
}

/// Resolve one requirement against the index and alternatives for a target.
pub fn resolve(
    req: &Requirement,
    index: &Index,
    alternatives: &Alternatives,
    env: &MarkerEnvironment,
) -> Resolution {
    resolve_in(req, index, alternatives, env, &Context::default())
}

/// [`resolve`] with what the requirements set knows (a CUDA index).
pub fn resolve_in(
    req: &Requirement,
    index: &Index,
    alternatives: &Alternatives,
    env: &MarkerEnvironment,
    ctx: &Context,
) -> Resolution {
    let mut reasons = Reasons::new();
    // The marker as pip evaluates it; one pip cannot evaluate counts as
    // applying (pip would stop with an error, so never skip it silently).
    let applies = req.applies(env).unwrap_or_else(|e| {
        reasons.push(format!("marker cannot be evaluated for the target: {e}"));
        true
    });
    // `X.Y` of the target's `python_version` (its first two components).
    let python_version = env.python_version().string.as_str();
    let python_xy = match python_version.match_indices('.').nth(1) {
        Some((i, _)) => python_version.get(..i).unwrap_or(python_version),
        None => python_version,
    };
    let stdlib = match (req.kind, req.normalized.as_deref()) {
        (Kind::Named, Some(n)) => crate::stdlib::builtin(n, python_xy, env.implementation_name()),
        _ => None,
    };
    if let (true, Some(why)) = (applies, &stdlib) {
        reasons.push(why);
        if let Some(v) = &req.via() {
            reasons.insert_first(via_reason(v));
        }
        return Resolution {
            applies,
            tier: Tier::Skipped,
            skip_reason: Some(SkipReason::Stdlib),
            cuda: None,
            nix: None,
            native: Box::default(),
            reasons,
        };
    }
    let native: Box<[Alternative]> = req
        .normalized
        .as_deref()
        .map(|n| alternatives.for_name(n).cloned().collect())
        .unwrap_or_default();
    let mut nix = None;
    // Said after the tier's own reason.
    let mut extra_reasons = Reasons::new();
    if let Some(name) = req.normalized.as_deref() {
        match index.lookup_ref(name) {
            Lookup::Found {
                package,
                matched_by,
                app,
            } => {
                let satisfies = match package.version {
                    Some(v) => {
                        let (satisfies, unevaluable) =
                            check(v, &req.specifier, &|| req.specifiers());
                        if let Some(why) = unevaluable {
                            reasons.push(&why);
                        }
                        satisfies
                    }
                    None => None,
                };
                let extras = extras_of(req, index, package.attr, &mut extra_reasons);
                let mut m =
                    NixMatch::in_set(&ctx.attrs, &index.package_set, package.attr, matched_by);
                m.version = package.version.map(CompactString::from);
                m.satisfies = satisfies;
                m.app = app.map(String::into_boxed_str);
                m.extras = extras;
                nix = Some(m);
            }
            Lookup::Removed { attr, message } => {
                reasons.push(format!(
                    "nixpkgs removed {}.{attr}: {message}",
                    index.package_set
                ));
                nix = app_only(index, name);
            }
            Lookup::Missing => {
                nix = app_only(index, name).or_else(|| {
                    // An NVIDIA runtime wheel: the library is a top-level
                    // cudaPackages attr (for a dev shell's packages).
                    let attr = crate::cuda::wheel_note(name)?.nixpkgs?;
                    Some(NixMatch::top_level(attr))
                })
            }
        }
    }
    let cuda = cuda_note(req, index, ctx).map(Box::new);

    let tier = if !applies {
        reasons.insert_first("marker is false for the target: pip would skip it");
        Tier::Skipped
    } else if matches!(req.kind, Kind::Url | Kind::Path | Kind::Editable) {
        let what = match req.kind {
            Kind::Editable => "an editable install",
            Kind::Path => "a local path",
            _ => "a direct URL",
        };
        match &req.project() {
            Some(p) => project_reasons(p, env, &mut reasons),
            None => reasons.push(format!(
                "{what} is project-specific: build it in a dev shell"
            )),
        }
        if let Some(n) = &nix {
            reasons.push(format!("nixpkgs also has {}", n.attr));
        }
        Tier::DevShell
    } else if let Some(n) = &nix {
        // Written when read, from the match and the requirement.
        reasons.push_tier();
        let tier = match n.satisfies {
            Some(false) => Tier::DevShell,
            Some(true) | None => Tier::Nixpkgs,
        };
        let cuda_lib = n.attr.starts_with("cudaPackages.");
        if let (Some(app), false) = (&n.app, cuda_lib) {
            if **app == *n.attr {
                reasons.push(format!(
                    "a command-line tool: nixpkgs has it at the top level (pkgs.{app}), \
                     not as an importable Python package"
                ));
            } else {
                reasons.push(format!("for the command line: the top-level pkgs.{app}"));
            }
        }
        tier
    } else if !native.is_empty() {
        Tier::Native
    } else {
        reasons.push_tier();
        Tier::Pip
    };
    if tier != Tier::Skipped {
        reasons.append(&extra_reasons);
    }
    if let Some(v) = &req.via() {
        reasons.insert_first(via_reason(v));
    }
    if applies {
        if let Some(c) = &cuda {
            match &c.nixpkgs {
                Some(a) => reasons.push(format!(
                    "CUDA build asked ({}): {a} — {}",
                    c.asked_by, c.note
                )),
                None => reasons.push(format!("CUDA build asked ({}): {}", c.asked_by, c.note)),
            }
        }
        for alt in &native {
            reasons.push(format!(
                "native alternative: {} ({}) — {}",
                alt.attr, alt.language, alt.note
            ));
        }
    }
    reasons.shrink_to_fit();
    Resolution {
        applies,
        tier,
        skip_reason: (tier == Tier::Skipped).then_some(SkipReason::Marker),
        cuda: if applies { cuda } else { None },
        nix,
        native,
        reasons,
    }
}

/// The CUDA note of a requirement: a `+cuNNN` local version, a CUDA wheel
/// index, or an `nvidia-*-cuNN` wheel.
fn cuda_note(req: &Requirement, index: &Index, ctx: &Context) -> Option<crate::cuda::CudaNote> {
    let name = req.normalized.as_deref()?;
    if let Some(n) = crate::cuda::wheel_note(name) {
        return Some(n);
    }
    let asked_by = crate::cuda::local_tag(&req.specifier)
        .map(|t| format!("+{t}"))
        .or_else(|| {
            ctx.cuda_index
                .as_ref()
                .map(|(_, url)| format!("index {}", crate::redact::redact(url)))
        })?;
    let attr = match index.lookup(name) {
        Lookup::Found { package, .. } => package.attr,
        _ => name.to_string(),
    };
    let (nixpkgs, how) =
        crate::cuda::build_advice(&attr, &index.package_set, &|a| index.contains(a));
    Some(crate::cuda::CudaNote {
        asked_by,
        nixpkgs,
        note: format!("{how}. {}", crate::cuda::CACHE_CAVEAT),
    })
}

/// The extras of `req` against `attr` of the index.
fn extras_of(
    req: &Requirement,
    index: &Index,
    attr: &str,
    reasons: &mut Reasons,
) -> Option<Box<Extras>> {
    if req.extras().is_empty() {
        return None;
    }
    let name = req.normalized.as_deref().unwrap_or(attr);
    let mut x = Extras::default();
    for e in req.extras() {
        let own: Vec<&str> = crate::index::extras_as_attrs(name, e)
            .map(|(a, _)| a)
            .filter(|a| index.contains(a))
            .collect();
        if !own.is_empty() {
            x.known.push(e.clone());
            x.own.push(e.clone());
            x.attrs.extend(own.iter().map(|a| a.to_string()));
            continue;
        }
        match index.extra(attr, e) {
            Some(true) => x.known.push(e.clone()),
            Some(false) => x.missing.push(e.clone()),
            None => x.unknown.push(e.clone()),
        }
    }
    let set = &index.package_set;
    if !x.missing.is_empty() {
        reasons.push(format!(
            "nixpkgs' {set}.{attr} has no optional-dependencies for {}: those extras are left out",
            x.missing
                .iter()
                .map(|e| format!("[{e}]"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !x.unknown.is_empty() {
        reasons.push(format!(
            "extras {} come from {set}.{attr}.optional-dependencies (this index cannot check they exist; the snippet falls back to none)",
            x.unknown.iter().map(|e| format!("[{e}]")).collect::<Vec<_>>().join(", ")
        ));
    }
    Some(Box::new(x))
}

/// What comparing nixpkgs' version with a specifier gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    /// `Some` when every clause could be evaluated.
    pub satisfies: Option<bool>,
    /// What was compared, for the report.
    pub compared: String,
    /// Why it could not be evaluated, if so.
    pub unevaluable: Option<String>,
}

/// Compare nixpkgs' `version` with the requirement's specifier as pip
/// would: clause by clause; `===` compares the text (case-insensitive); a
/// clause that cannot be parsed, or a version pip cannot parse against a
/// version clause, makes the answer unknown (`None`), never `true`.
pub fn compare(
    version: &str,
    specifier: &str,
    parsed: &pep508_rs::pep440_rs::VersionSpecifiers,
) -> Comparison {
    let (satisfies, unevaluable) = check(version, specifier, &|| parsed.clone());
    Comparison {
        satisfies,
        compared: compared_text(version, specifier, satisfies.is_some()),
        unevaluable,
    }
}

/// The clauses of a specifier, trimmed, empty ones left out.
fn clauses(specifier: &str) -> impl Iterator<Item = &str> {
    specifier
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
}

/// [`compare`]'s answer and why it is unknown, if it is; `parsed` gives the
/// specifier set as parsed, asked for only when a clause does not parse
/// on its own.
fn check(
    version: &str,
    specifier: &str,
    parsed: &dyn Fn() -> pep508_rs::pep440_rs::VersionSpecifiers,
) -> (Option<bool>, Option<String>) {
    use pep508_rs::pep440_rs::{Version, VersionSpecifier};
    if clauses(specifier).next().is_none() {
        return (Some(true), None);
    }
    let parsed_version = version.parse::<Version>().ok();
    let mut all = true;
    for c in clauses(specifier) {
        if let Some(text) = c.strip_prefix("===") {
            all &= text.trim().eq_ignore_ascii_case(version);
            continue;
        }
        let spec = c.parse::<VersionSpecifier>().ok().or_else(|| {
            // The set as parsed may hold it (pep508 spellings such as `== 1.0`).
            parsed()
                .iter()
                .find(|s| s.to_string().replace(' ', "") == c.replace(' ', ""))
                .cloned()
        });
        let (Some(spec), Some(v)) = (spec, &parsed_version) else {
            let why = if parsed_version.is_none() {
                format!("nixpkgs' version {version} is not a PEP 440 version: cannot check {c}")
            } else {
                format!("the specifier {c} cannot be evaluated (not PEP 440): whether nixpkgs {version} satisfies it is unknown")
            };
            return (None, Some(why));
        };
        all &= spec.contains(v);
    }
    (Some(all), None)
}

/// What was compared (`Comparison::compared`): `evaluated` is whether
/// every clause could be (a local label is pointed out only then).
fn compared_text(version: &str, specifier: &str, evaluated: bool) -> String {
    let joined = clauses(specifier).collect::<Vec<_>>().join(",");
    if joined.is_empty() {
        return format!("nixpkgs {version} (no version asked)");
    }
    let compared = format!("nixpkgs {version} against {joined}");
    let local = clauses(specifier).find_map(|c| c.split_once('+').map(|(_, l)| l));
    match local {
        Some(l) if evaluated && !version.contains('+') => format!(
            "{compared} (the local label +{l} must match exactly, as pip compares it; nixpkgs has none)"
        ),
        _ => compared,
    }
}

/// How a project's dependency is brought in, as one line.
pub fn via_reason(v: &crate::requirements::Via) -> String {
    if v.build {
        format!(
            "a build requirement of {} ([build-system] requires): for the dev shell; \
             pip install does not install it",
            v.project
        )
    } else if let Some(g) = &v.group {
        format!(
            "in {}'s Poetry group {g}: for the dev shell; pip install does not install it",
            v.project
        )
    } else if let Some(g) = &v.dependency_group {
        format!("in {}'s dependency group {g} (--group)", v.project)
    } else if let Some(e) = &v.extra {
        format!("a dependency of {}[{e}]", v.project)
    } else {
        format!("a dependency of {}", v.project)
    }
}

/// The reasons for a local project whose metadata was read.
fn project_reasons(
    p: &crate::requirements::ProjectSummary,
    env: &MarkerEnvironment,
    reasons: &mut Reasons,
) {
    let version = p
        .version
        .as_deref()
        .map(|v| format!(" {v}"))
        .unwrap_or_default();
    reasons.push(format!(
        "the project {}{version} itself: install it in a dev shell (editable, --no-deps); \
         its {} declared requirement{} listed with it",
        p.name,
        p.dependencies,
        if p.dependencies == 1 { " is" } else { "s are" }
    ));
    if let Some(rp) = &p.requires_python {
        let full = &env.python_full_version().version;
        let ok = rp
            .parse::<pep508_rs::pep440_rs::VersionSpecifiers>()
            .map(|s| s.iter().all(|x| x.contains(full)));
        match ok {
            Ok(true) => {}
            Ok(false) => reasons.push(format!(
                "requires-python {rp} excludes the target's Python {full}: pip would refuse to install it"
            )),
            Err(_) => reasons.push(format!("requires-python {rp} cannot be checked")),
        }
    }
    for e in &p.extras_missing {
        reasons.push(format!(
            "it declares no extra {e:?} (pip warns and installs it without)"
        ));
    }
    for d in &p.dynamic {
        if matches!(d.what.as_str(), "version") {
            continue;
        }
        reasons.push(format!(
            "its {} {} dynamic ({}): pip-guard does not guess; to see what pip would install: {}",
            d.what,
            if d.what.ends_with('s') { "are" } else { "is" },
            d.why,
            crate::requirements::project::report_command(&p.dir)
        ));
    }
}

/// A command-line tool nixpkgs has only at the top level (`pre-commit`,
/// `awscli`): not importable as a library, but `pkgs.<attr>` gives the command.
fn app_only(index: &Index, name: &str) -> Option<NixMatch> {
    index.app(name).map(NixMatch::top_level)
}

/// Whether `version` satisfies every specifier (a version pip cannot parse
/// satisfies nothing but an empty set).
pub fn version_satisfies(version: &str, specs: &pep508_rs::pep440_rs::VersionSpecifiers) -> bool {
    match version.parse::<pep508_rs::pep440_rs::Version>() {
        Ok(v) => specs.iter().all(|s| s.contains(&v)),
        Err(_) => specs.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::{Mappings, Package};
    use crate::requirements::collect::collect;
    use crate::target::{default_probe, Target};

    #[test]
    fn reasons_come_back_as_given_whatever_they_hold() {
        let texts = [
            "*:",
            "!0:",
            "12:not a length",
            "",
            "marker is false for the target: pip would skip it",
            "a reason long enough to be held on the heap, with a colon: here",
            "constraint: limits versions, never installed",
        ];
        let mut r = Reasons::new();
        for t in &texts[1..] {
            r.push(t);
        }
        r.push_tier();
        r.insert_first(texts[0]);
        let mut other = Reasons::new();
        other.push("appended");
        r.append(&other);
        let held: Vec<Held> = r.held().collect();
        let mut want: Vec<Held> = texts.iter().map(|t| Held::Text(t)).collect();
        want.push(Held::Tier);
        want.push(Held::Text("appended"));
        assert_eq!(held, want);
        // The two common ones are held as a mark, not as text.
        let mut m = Reasons::new();
        m.push(COMMON[0]);
        m.insert_first(COMMON[1]);
        assert_eq!(m.0, "!1:!0:");
    }

    fn index() -> Index {
        let pkg = |a: &str, v: Option<&str>| Package {
            attr: a.into(),
            pname: Some(a.into()),
            version: v.map(Into::into),
        };
        Index::from_packages(
            None,
            "python312Packages",
            vec![pkg("black", None), pkg("numpy", Some("1.26.4"))],
            Mappings::new(
                vec![],
                vec![(
                    "poetry".into(),
                    "poetry was promoted to a top-level attribute".into(),
                )],
                vec![],
                vec![
                    ("black".into(), "black".into()),
                    ("poetry".into(), "poetry".into()),
                    ("pre-commit".into(), "pre-commit".into()),
                ],
            ),
        )
    }

    fn one(req: &str) -> Resolution {
        let inv = crate::invocation::parse_install(
            &[req.to_string()],
            crate::invocation::parse::Mode::Audit,
        )
        .expect("argv");
        let set = collect(&inv, std::path::Path::new("/"), &|_| None).expect("requirement");
        let target = Target::from_probe(None, default_probe()).expect("target");
        resolve(
            &set.requirements[0],
            &index(),
            &Alternatives::default(),
            &target.markers,
        )
    }

    #[test]
    fn versions_decide_between_nixpkgs_and_dev_shell() {
        let r = one("numpy>=1.26");
        assert_eq!(
            (r.tier, r.nix.as_ref().and_then(|n| n.satisfies)),
            (Tier::Nixpkgs, Some(true))
        );
        let r = one("numpy>=2");
        assert_eq!(
            (r.tier, r.nix.as_ref().and_then(|n| n.satisfies)),
            (Tier::DevShell, Some(false))
        );
        let r = one("numpy; sys_platform == 'win32'");
        assert_eq!(r.tier, Tier::Skipped);
        assert!(!r.applies);
    }

    #[test]
    fn command_line_tools_point_at_the_top_level() {
        let r = one("Pre_Commit");
        let n = r.nix.expect("top-level match");
        assert_eq!(
            (r.tier, &*n.attr, n.app.as_deref()),
            (Tier::Nixpkgs, "pre-commit", Some("pre-commit"))
        );
        // A library that is also an application: both, the set's attr first.
        let r = one("black");
        let n = r.nix.expect("match");
        assert_eq!(
            (&*n.attr, n.app.as_deref()),
            ("python312Packages.black", Some("black"))
        );
        assert!(
            r.reasons.iter().any(|x| x.contains("pkgs.black")),
            "{:?}",
            r.reasons
        );
        // Removed from the Python set, kept at the top level: both said.
        let r = one("poetry");
        assert_eq!(r.tier, Tier::Nixpkgs);
        assert!(
            r.reasons.iter().any(|x| x.contains("removed")),
            "{:?}",
            r.reasons
        );
        let r = one("made-up-thing");
        assert_eq!((r.tier, r.nix.is_none()), (Tier::Pip, true));
    }
}
