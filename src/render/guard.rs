//! The guard's explanation (and `explain`'s), as text for people. Pure:
//! plan in, `String` out.
//!
//! Order (issue 4): what was asked; each requirement with its tier and the
//! concrete thing to do (every option that applies, first tier first); the
//! Nix to paste; the priority order and why; the interpreter's PEP 668
//! message. `quiet` (pip's `-q`) keeps the requirements, the one-liner and
//! the decision. Every line fits [`WIDTH`] columns, except a word longer
//! than a line (a long URL).

use super::layout::{push_wrapped, wrap, WIDTH};
use super::nix::nix_section;
use super::text::Style;
use crate::origin::Origin;
use crate::plan::{Decision, Entry, Plan};
use crate::policy::Verdict;
use crate::redact::redact;
use crate::resolve::Tier;
use std::borrow::Cow;
use std::fmt::Write;

/// The priority order, two lines.
pub const PRIORITY: &str =
    "Priority: 1. Nix packages  2. native alternatives  3. dev shells\n          \
                            4. pip --user --break-system-packages, the last resort\n";

/// Why that order, one sentence.
pub const WHY: &str = "Why: Nix builds come with the native libraries they link against \
                       (no dlopen failures such as a missing libgfortran) and pin every \
                       version, so the result is reproducible; pip wheels in ~/.local do \
                       neither.";

/// The requirement as the user wrote it (redacted, one line, shortened).
pub fn title(e: &Entry) -> String {
    let raw = redact(&e.req.raw).replace(['\n', '\r'], " ");
    let raw = raw.trim();
    if raw.chars().count() > 60 {
        let cut: String = raw.chars().take(59).collect();
        format!("{cut}…")
    } else {
        raw.to_string()
    }
}

fn commands(list: &[String]) -> String {
    let shown: Vec<&str> = list.iter().take(4).map(String::as_str).collect();
    let more = if list.len() > 4 { ", …" } else { "" };
    format!("{}{more}", shown.join(", "))
}

/// The lines for one requirement: every option that applies, first tier first.
pub fn requirement(e: &Entry, plan: &Plan, style: &Style, quiet: bool) -> String {
    let mut out = String::new();
    let via = e.req.via().map(|v| v.label());
    let origin = match (&e.req.origin, via) {
        (Origin::File { .. }, Some(v)) => format!("  ({}, {v})", e.req.origin),
        (Origin::File { .. }, None) => format!("  ({})", e.req.origin),
        (Origin::Arg(_), _) => String::new(),
    };
    let _ = writeln!(out, "  {}{}", style.bold(&title(e)), style.dim(&origin));
    let res = &e.res;
    let spec = &e.req.specifier;
    let mut opts: Vec<(String, Option<&str>)> = Vec::new();
    match res.tier {
        Tier::Skipped if res.skip_reason == Some(crate::resolve::SkipReason::Stdlib) => {
            opts.push((
                e.reasons().last().map(Cow::into_owned).unwrap_or_else(|| {
                    "part of Python's standard library: nothing to install".into()
                }),
                None,
            ))
        }
        Tier::Skipped => opts.push((
            format!(
                "skipped: its marker is false for Python {} on {} (pip would skip it too)",
                plan.target.python_version, plan.target.platform
            ),
            None,
        )),
        Tier::Nixpkgs => {
            if let Some(n) = &res.nix {
                let ver = n
                    .version
                    .as_deref()
                    .map(|v| format!(" {v}"))
                    .unwrap_or_default();
                let check = if n.satisfies.is_none() && !spec.is_empty() {
                    format!(" (version not known here: check it satisfies {spec})")
                } else {
                    String::new()
                };
                let text = match &n.app {
                    Some(app) => format!(
                        "1. Nix package: {} for the command; {}{ver} to import it \
                         (through withPackages){check}",
                        crate::nixsnip::select("pkgs", app),
                        n.attr
                    ),
                    None => format!(
                        "1. Nix package: {}{ver}, through withPackages (below){check}",
                        n.attr
                    ),
                };
                opts.push((text, None));
            }
        }
        Tier::DevShell => {
            for r in e.reasons().filter(|r| r.contains("dev shell")) {
                opts.push((format!("3. Dev shell: {r}"), None));
            }
            for r in e.reasons().filter(|r| r.starts_with("nixpkgs also has")) {
                opts.push((format!("   ({r})"), None));
            }
        }
        Tier::Native | Tier::Pip => {}
    }
    for r in e.reasons().filter(|r| r.starts_with("nixpkgs removed")) {
        opts.push((format!("({r})"), None));
    }
    if let (Some(c), true) = (&res.cuda, res.applies) {
        let way = c
            .nixpkgs
            .as_deref()
            .map(|a| format!(": nixpkgs' way is {a}"))
            .unwrap_or_default();
        opts.push((
            format!(
                "CUDA build asked ({}){way} — {}",
                crate::escape::terminal(&c.asked_by),
                c.note
            ),
            None,
        ));
    }
    if res.applies {
        for alt in &res.native {
            let cmds = if alt.has_commands() {
                format!(", commands: {}", commands(&alt.commands))
            } else {
                format!(" ({} library)", alt.language)
            };
            let lang = if alt.has_commands() {
                format!(" ({})", alt.language)
            } else {
                String::new()
            };
            opts.push((
                format!("2. Native alternative: {}{lang}{cmds}", alt.attr),
                Some(alt.note.as_str()),
            ));
        }
    }
    match res.tier {
        Tier::Pip if e.req.dev_only() => opts.push((
            "not in nixpkgs: pip fetches it to build the project (build isolation); \
             pip install does not install it"
                .to_string(),
            None,
        )),
        Tier::Pip => opts.push((
            "4. pip --user --break-system-packages, the last resort: not in nixpkgs, \
             no native alternative known"
                .to_string(),
            None,
        )),
        Tier::DevShell if e.req.dev_only() => opts.push((
            "not installed by pip install: for the dev shell".to_string(),
            None,
        )),
        Tier::DevShell if e.req.project().is_some() => opts.push((
            "4. else pip --user --break-system-packages --no-deps, the last resort \
             (its dependencies as planned here)"
                .to_string(),
            None,
        )),
        Tier::DevShell => opts.push((
            "4. else pip --user --break-system-packages, the last resort".to_string(),
            None,
        )),

        _ => {}
    }
    for (text, note) in opts {
        push_wrapped(&mut out, &text, "    ", "       ");
        if let (Some(note), false) = (note, quiet) {
            push_wrapped(&mut out, note, "       ", "       ");
        }
    }
    if e.verdict == Verdict::Block {
        let text = format!("blocked by the policy{}", blocked_why(e, plan));
        for l in wrap(&text, "    ", "      ", WIDTH) {
            let _ = writeln!(out, "{}", style.verdict(Verdict::Block, &l));
        }
    }
    out
}

/// Why a blocked requirement is blocked, and what to do instead: the rule
/// or lock that decided (with its reason), else the mode and the tier.
fn blocked_why(e: &Entry, plan: &Plan) -> String {
    if let Some(rule) = &e.rule {
        return format!(", pip will not install it: {}", redact(rule));
    }
    let mode = plan.policy_mode.as_str();
    match e.res.tier {
        Tier::Nixpkgs | Tier::Native => {
            format!(" (mode {mode}), pip will not install it: use Nix (below)")
        }
        Tier::DevShell => format!(
            " (mode {mode}), pip will not install it: use a dev shell \
             (pip-guard nixify, below)"
        ),
        Tier::Pip => format!(" (mode {mode}, allow_pip_fallback = false), pip will not install it"),
        Tier::Skipped => format!(" (mode {mode}), pip will not install it"),
    }
}

/// The priority order and, unless quiet, why.
pub fn priority(quiet: bool) -> String {
    let mut out = PRIORITY.to_string();
    if !quiet {
        push_wrapped(&mut out, WHY, "", "  ");
    }
    out
}

/// The interpreter's PEP 668 message, indented, as uv prints it.
pub fn pep668(python: &str, message: &str) -> String {
    let mut out = String::new();
    push_wrapped(
        &mut out,
        &format!("{python} is externally managed (PEP 668); its EXTERNALLY-MANAGED file says:"),
        "",
        "  ",
    );
    out.push('\n');
    for line in message.trim_end().lines() {
        if line.trim().is_empty() {
            out.push('\n');
        } else {
            push_wrapped(&mut out, line.trim(), "    ", "    ");
        }
    }
    out
}

fn names(plan: &Plan, idx: &[usize]) -> String {
    idx.iter()
        .filter_map(|&i| plan.entries.get(i))
        .map(title)
        .collect::<Vec<_>>()
        .join(", ")
}

/// What the guard will do, before it asks.
pub fn decision(plan: &Plan, d: &Decision, all: bool, style: &Style) -> String {
    let mut out = String::new();
    if !d.nix.is_empty() {
        let (them, provides) = if d.nix.len() == 1 {
            ("it", "provides it")
        } else {
            ("them", "provides them")
        };
        let hint = if all {
            String::new()
        } else {
            format!(" (--guard-all sends {them} to pip anyway)")
        };
        push_wrapped(
            &mut out,
            &format!(
                "Not installing {}: Nix {provides}{hint}.",
                names(plan, &d.nix)
            ),
            "",
            "  ",
        );
    }
    if !d.blocked.is_empty() {
        let text = format!("Blocked by the policy: {}.", names(plan, &d.blocked));
        for l in wrap(&text, "", "  ", WIDTH) {
            let _ = writeln!(out, "{}", style.verdict(Verdict::Block, &l));
        }
    }
    if !d.pip.is_empty() {
        let projects = d
            .pip
            .iter()
            .filter_map(|&i| plan.entries.get(i))
            .filter(|e| e.req.project().is_some())
            .count();
        push_wrapped(
            &mut out,
            &format!(
                "For pip --user --break-system-packages: {}{}.",
                names(plan, &d.pip),
                if projects > 0 {
                    " (the local project with --no-deps, after the others)"
                } else {
                    ""
                }
            ),
            "",
            "  ",
        );
        push_wrapped(
            &mut out,
            "pip may still pull in dependencies that nixpkgs provides.",
            "  ",
            "  ",
        );
    }
    out
}

/// What the guard says when an install outside the externally-managed
/// Python (`--target`, `--prefix`, `--root`) asks for something the policy
/// blocks: those requirements, and that pip was not started.
pub fn elsewhere(plan: &Plan, blocked: &[usize], style: &Style) -> String {
    let mut out = String::new();
    push_wrapped(
        &mut out,
        "pip-guard: pip install --target/--prefix/--root: the policy applies here too",
        "",
        "  ",
    );
    out.push('\n');
    for e in blocked.iter().filter_map(|&i| plan.entries.get(i)) {
        out.push_str(&requirement(e, plan, style, true));
    }
    out.push('\n');
    let text = format!(
        "Blocked by the policy: {}. Nothing installed: pip was not started.",
        names(plan, blocked)
    );
    for l in wrap(&text, "", "  ", WIDTH) {
        let _ = writeln!(out, "{}", style.verdict(Verdict::Block, &l));
    }
    out
}

/// Everything the guard says before deciding.
pub struct GuardText<'a> {
    /// The plan.
    pub plan: &'a Plan,
    /// The interpreter, as shown.
    pub python: String,
    /// Its PEP 668 message, if any.
    pub pep668: Option<&'a str>,
    /// pip's `-q`.
    pub quiet: bool,
    /// `pip-guard nixify …` for the same requirements.
    pub nixify_hint: Option<String>,
}

/// The guard's explanation (without the decision).
pub fn guard(t: &GuardText<'_>, style: &Style) -> String {
    let plan = t.plan;
    let asked: Vec<&Entry> = plan.entries.iter().filter(|e| !e.req.constraint).collect();
    let mut out = String::new();
    let head = format!(
        "pip-guard: pip install, {} requirement{}, for {} (Python {}, externally managed)",
        asked.len(),
        if asked.len() == 1 { "" } else { "s" },
        t.python,
        plan.target.python_version
    );
    for l in wrap(&head, "", "  ", WIDTH) {
        let _ = writeln!(out, "{}", style.bold(&l));
    }
    out.push('\n');
    // At most LISTED requirements in full (blocked ones first), then one
    // line for the rest: a million-line file must not print a million blocks.
    let limit = if t.quiet { LISTED_QUIET } else { LISTED };
    let mut shown: Vec<usize> = (0..asked.len())
        .filter(|&i| asked[i].verdict == Verdict::Block)
        .take(limit)
        .collect();
    if shown.len() < limit {
        let room = limit - shown.len();
        shown.extend(
            (0..asked.len())
                .filter(|&i| asked[i].verdict != Verdict::Block)
                .take(room),
        );
        shown.sort_unstable();
    }
    for &i in &shown {
        out.push_str(&requirement(asked[i], plan, style, t.quiet));
    }
    if asked.len() > shown.len() {
        let rest = asked.len() - shown.len();
        let blocked = asked.iter().filter(|e| e.verdict == Verdict::Block).count()
            - shown
                .iter()
                .filter(|&&i| asked[i].verdict == Verdict::Block)
                .count();
        let _ = writeln!(
            out,
            "  … and {rest} more requirement{}{} (`pip-guard audit` lists every one)",
            if rest == 1 { "" } else { "s" },
            if blocked > 0 {
                format!(", {blocked} of them blocked")
            } else {
                String::new()
            }
        );
    }
    let nix = nix_section(plan, t.quiet, t.nixify_hint.as_deref());
    if !t.quiet {
        out.push_str(&notes(plan));
    }
    if !nix.is_empty() {
        out.push('\n');
        out.push_str(&nix);
    }
    out.push('\n');
    out.push_str(&priority(t.quiet));
    if let (Some(msg), false) = (t.pep668, t.quiet) {
        out.push('\n');
        out.push_str(&pep668(&t.python, msg));
    }
    out
}

/// The plan's notes (a set that is not the default one, a stale index),
/// each wrapped and said once.
fn notes(plan: &Plan) -> String {
    let mut out = String::new();
    for n in &plan.notes {
        out.push('\n');
        push_wrapped(
            &mut out,
            &crate::escape::terminal(&redact(n)),
            "Note: ",
            "  ",
        );
    }
    out
}

/// Requirements the guard explains in full before summing up the rest.
pub const LISTED: usize = 50;
/// The same with pip's `-q`.
pub const LISTED_QUIET: usize = 10;

/// `pip-guard explain NAME`: the same reasoning for one requirement.
pub fn one(plan: &Plan, style: &Style) -> String {
    let mut out = String::new();
    let head = format!(
        "pip-guard explain: for Python {} on {} ({})",
        plan.target.python_version, plan.target.platform, plan.target.package_set
    );
    let _ = writeln!(out, "{}\n", style.bold(&head));
    for e in plan.entries.iter().filter(|e| !e.req.constraint) {
        out.push_str(&requirement(e, plan, style, false));
        if let Some(n) = &e.res.nix {
            let _ = writeln!(
                out,
                "  {}",
                style.dim(&format!("{} {}", n.attr, matched_by_text(n.matched_by)))
            );
        }
    }
    out.push_str(&notes(plan));
    let nix = nix_section(plan, false, None);
    if !nix.is_empty() {
        out.push('\n');
        out.push_str(&nix);
    }
    out.push('\n');
    out.push_str(&priority(false));
    out
}

/// Which rule found the nixpkgs attr, in words (an exact attr always wins
/// over a pname, so a listing entry cannot take over a name by its pname).
pub fn matched_by_text(m: crate::index::MatchedBy) -> &'static str {
    use crate::index::MatchedBy;
    match m {
        MatchedBy::Attr => "matched by its attr name",
        MatchedBy::Pname => "matched by its pname (no attr has the name)",
        MatchedBy::Alias => "matched by nixpkgs' alias list",
        MatchedBy::Table => "matched by pip-guard's PyPI-to-nixpkgs table",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping() {
        assert_eq!(wrap("a b c", "> ", "  ", 5), ["> a b", "  c"]);
        assert_eq!(wrap("", "x", "y", 10), ["x"]);
        let long = "averyveryverylongword";
        assert_eq!(wrap(long, "", "", 5), [long]);
        for l in wrap(WHY, "", "  ", WIDTH) {
            assert!(l.chars().count() <= WIDTH, "{l}");
        }
    }

    #[test]
    fn pep668_is_indented() {
        let t = pep668("/usr/bin/python3", "To install\n\nsee docs");
        assert!(t.contains("\n    To install\n\n    see docs\n"), "{t}");
    }
}

/// Plans built by hand for the guard's unit tests: a tiny index, the
/// embedded alternatives, Python 3.11 on Linux.
#[cfg(test)]
pub(crate) mod fixture {
    use crate::alternatives::Alternatives;
    use crate::index::{Index, Mappings, Package};
    use crate::invocation::parse::{parse_install, Mode};
    use crate::plan::Plan;
    use crate::policy::Policy;
    use crate::target::{apply_overrides, default_probe, Overrides, Target};

    /// An index of `python311Packages` with these attrs (and `black`'s app).
    pub fn index(attrs: &[&str]) -> Index {
        let packages = attrs
            .iter()
            .map(|a| Package {
                attr: a.to_string(),
                pname: Some(a.to_string()),
                version: None,
            })
            .collect();
        let mappings = Mappings::new(
            vec![],
            vec![],
            vec![],
            vec![("black".into(), "black".into())],
        );
        Index::from_packages(None, "python311Packages", packages, mappings)
    }

    /// The target: CPython 3.11 on Linux.
    pub fn target() -> Target {
        let probe = apply_overrides(
            default_probe(),
            &Overrides {
                python_version: Some("3.11".into()),
                ..Overrides::default()
            },
        )
        .expect("3.11");
        Target::from_probe(None, probe).expect("target")
    }

    /// A plan for positional requirements.
    pub fn plan(reqs: &[&str], attrs: &[&str], policy: &Policy) -> Plan {
        let args: Vec<String> = reqs.iter().map(|s| s.to_string()).collect();
        let inv = parse_install(&args, Mode::Guard).expect("parses");
        let set = crate::requirements::collect::collect(&inv, std::path::Path::new("/"), &|_| None)
            .expect("collects");
        Plan::build(
            &set,
            &target(),
            &index(attrs),
            &Alternatives::embedded(),
            policy,
        )
    }
}

#[cfg(test)]
mod plan_tests {
    use super::fixture::plan;
    use super::*;
    use crate::plan::decide;
    use crate::policy::Policy;

    const PLAIN: Style = Style { color: false };

    fn fits(text: &str) {
        for l in text.lines() {
            let long_word = l.split_whitespace().any(|w| w.chars().count() > 40);
            assert!(l.chars().count() <= WIDTH || long_word, "too wide: {l:?}");
        }
    }

    #[test]
    fn whisper_lists_nixpkgs_then_native_with_commands() {
        let p = plan(&["openai-whisper"], &["openai-whisper"], &Policy::default());
        let t = requirement(&p.entries[0], &p, &PLAIN, false);
        let nix = t.find("1. Nix package: python311Packages.openai-whisper");
        let native = t.find("2. Native alternative: whisper-cpp");
        assert!(nix.is_some() && native.is_some() && nix < native, "{t}");
        assert!(t.contains("whisper-cli"), "{t}");
        assert!(t.contains("without PyTorch"), "{t}");
        // Quiet: no note.
        let q = requirement(&p.entries[0], &p, &PLAIN, true);
        assert!(q.contains("whisper-cpp") && !q.contains("PyTorch"), "{q}");
        fits(&t);
    }

    #[test]
    fn guard_text_in_order_and_80_columns() {
        let p = plan(
            &[
                "requests",
                "black",
                "openai-whisper",
                "frobnitz==1.0",
                "thefuck",
            ],
            &["requests", "black", "openai-whisper"],
            &Policy::default(),
        );
        let text = guard(
            &GuardText {
                plan: &p,
                python: "/usr/bin/python3".into(),
                pep668: Some("To install Python packages system-wide, try apt install\npython3-xyz.\n\nSee the docs."),
                quiet: false,
                nixify_hint: Some("pip-guard nixify x".into()),
            },
            &PLAIN,
        );
        fits(&text);
        let at = |needle: &str| {
            text.find(needle)
                .unwrap_or_else(|| panic!("{needle:?} missing in:\n{text}"))
        };
        assert!(at("5 requirements") < at("  requests"));
        assert!(at("  requests") < at("python311Packages.requests"));
        assert!(at("pkgs.black for the command") < at("home.packages"));
        assert!(at("(python311.withPackages (ps: with ps; [ openai-whisper requests ]))") > 0);
        assert!(at("nix-shell -p 'python311.withPackages") < at("Priority: 1. Nix packages"));
        assert!(at("Priority:") < at("Why: "));
        assert!(at("Why: ") < at("externally managed (PEP 668)"));
        assert!(at("\n    python3-xyz.\n\n    See the docs.\n") > 0);
        assert!(text.contains("pay-respects"));
        // Quiet: shorter, no PEP 668 text, no why, no note.
        let q = guard(
            &GuardText {
                plan: &p,
                python: "/usr/bin/python3".into(),
                pep668: Some("To install Python packages system-wide"),
                quiet: true,
                nixify_hint: None,
            },
            &PLAIN,
        );
        assert!(q.len() < text.len());
        assert!(!q.contains("PEP 668") && !q.contains("Why:") && !q.contains("home.packages"));
        assert!(q.contains("nix-shell -p") && q.contains("Priority:"));
    }

    #[test]
    fn long_lists_are_capped_blocked_first() {
        let names: Vec<String> = (0..200).map(|i| format!("frob{i}")).collect();
        let mut reqs: Vec<&str> = names.iter().map(String::as_str).collect();
        reqs.push("denied-one");
        let policy = Policy {
            deny: vec![crate::policy::Rule::new("denied-one", None, "p:1", 1).expect("test setup")],
            mode: crate::policy::Mode::Advise,
            ..Policy::default()
        };
        let p = plan(&reqs, &[], &policy);
        for (quiet, listed) in [(false, LISTED), (true, LISTED_QUIET)] {
            let t = guard(
                &GuardText {
                    plan: &p,
                    python: "/usr/bin/python3".into(),
                    pep668: None,
                    quiet,
                    nixify_hint: None,
                },
                &PLAIN,
            );
            let blocks = t.lines().filter(|l| l.starts_with("  frob")).count();
            // The blocked one is listed even though it comes last.
            assert!(t.contains("  denied-one"), "{t}");
            assert_eq!(blocks, listed - 1, "{t}");
            let more = format!("… and {} more requirements", 201 - listed);
            assert!(t.contains(&more), "{more:?} in {t}");
        }
    }

    #[test]
    fn decision_holds_back_what_nix_covers() {
        let p = plan(
            &[
                "requests",
                "frobnitz",
                "openai-whisper",
                "pywin32; sys_platform == 'win32'",
            ],
            &["requests", "openai-whisper"],
            &Policy::default(),
        );
        let d = decide(&p, false);
        assert_eq!(d.nix, [0, 2]);
        assert_eq!(d.pip, [1]);
        assert_eq!(d.skipped, [3]);
        let all = decide(&p, true);
        assert_eq!(all.pip, [0, 1, 2]);
        assert!(all.nix.is_empty());
        let text = decision(&p, &d, false, &PLAIN);
        assert!(text.contains("Not installing requests, openai-whisper: Nix provides them"));
        assert!(text.contains("For pip --user --break-system-packages: frobnitz."));
        assert!(text.contains("dependencies that nixpkgs provides"));
    }

    #[test]
    fn a_policy_block_survives_guard_all() {
        let rule =
            crate::policy::Rule::new("frob*", Some("not vetted".into()), ".pip-guard.toml", 1)
                .expect("glob");
        let policy = Policy {
            deny: vec![rule],
            ..Policy::default()
        };
        let p = plan(&["Frob_Nitz", "requests"], &["requests"], &policy);
        let d = decide(&p, true);
        assert_eq!(d.blocked, [0]);
        assert_eq!(d.pip, [1]);
        let t = requirement(&p.entries[0], &p, &PLAIN, false);
        let flat = t.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains(
                "blocked by the policy, pip will not install it: denied by `frob*` in \
                 .pip-guard.toml: not vetted"
            ),
            "{t}"
        );
    }
}
