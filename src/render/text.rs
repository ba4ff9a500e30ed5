//! `--format text`: grouped by tier, one line per requirement.

use crate::escape;
use crate::plan::{Entry, Plan};
use crate::policy::Verdict;
use crate::redact::{redact, redact_cow};
use crate::resolve::Tier;
use std::fmt::Write;

/// ANSI styling, or none.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Emit colour codes.
    pub color: bool,
}

impl Style {
    /// Colour when [`crate::output::color`] says `stream` takes it.
    pub fn for_stream(stream: crate::output::Stream) -> Style {
        Style {
            color: crate::output::color(stream),
        }
    }
    /// `s` (escaped with [`escape::terminal`]: a styled field is one line
    /// and holds no control character) between `code` and a reset.
    fn paint(&self, code: &str, s: &str) -> String {
        let s = escape::terminal(s);
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.into_owned()
        }
    }
    /// Bold.
    pub fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }
    /// Colour by verdict.
    pub fn verdict(&self, v: Verdict, s: &str) -> String {
        match v {
            Verdict::Block => self.paint("31", s),
            Verdict::Warn => self.paint("33", s),
            Verdict::Allow => self.paint("32", s),
        }
    }
    /// Dim.
    pub fn dim(&self, s: &str) -> String {
        self.paint("2", s)
    }
}

/// Heading for a tier.
pub fn tier_heading(t: Tier, set: &str) -> String {
    match t {
        Tier::Nixpkgs => format!("1. Nix packages ({set})"),
        Tier::Native => "2. Native alternatives".into(),
        Tier::DevShell => "3. Dev shell".into(),
        Tier::Pip => "4. pip --user --break-system-packages (last resort)".into(),
        Tier::Skipped => {
            "Skipped (nothing to install: marker false, or part of Python's standard library)"
                .into()
        }
    }
}

/// One line for an entry: `origin  name  → what`.
pub fn entry_line(e: &Entry, style: &Style) -> String {
    let mut s = String::new();
    // Writing into a String cannot fail.
    let _ = write_entry_line(&mut s, e, style);
    s
}

/// [`entry_line`], written to `out` (no line break).
pub fn write_entry_line(out: &mut dyn Write, e: &Entry, style: &Style) -> std::fmt::Result {
    use std::borrow::Cow;
    let r = &e.req;
    let what: Cow<'_, str> = match &r.name {
        Some(n) => Cow::Borrowed(n),
        None => redact(&r.raw),
    };
    let spec_gap = if r.specifier.is_empty() { "" } else { " " };
    let target: Cow<'_, str> = match (&e.res.nix, e.res.tier) {
        _ if e.rule.is_some() => redact(e.rule.as_deref().unwrap_or_default()),
        (_, Tier::Native) => e
            .res
            .native
            .first()
            .map(|a| Cow::Borrowed(a.attr.as_str()))
            .unwrap_or_default(),
        (Some(n), Tier::Nixpkgs) => match &n.version {
            Some(v) => Cow::Owned(format!("{} {v}", n.attr)),
            None => Cow::Borrowed(&n.attr),
        },
        _ => e.reasons().last().map(redact_cow).unwrap_or_default(),
    };
    // The tag padded to five columns.
    let tag = match e.verdict {
        Verdict::Block => "block",
        Verdict::Warn => "warn ",
        Verdict::Allow => "allow",
    };
    let constraint = if r.constraint { " (constraint)" } else { "" };
    write!(
        out,
        "  {} {}{spec_gap}{}{}  {} {}{}",
        style.verdict(e.verdict, tag),
        style.bold(&what),
        r.specifier,
        constraint,
        style.dim(&match &r.via() {
            Some(v) => format!("[{}, {}]", r.origin, v.label()),
            None => format!("[{}]", r.origin),
        }),
        if target.is_empty() { "" } else { "→ " },
        target
    )
}

/// The nixpkgs an index came from, for the header line: a commit hash is cut
/// to 12 digits, anything else (a store path, a checkout, a channel name) is
/// shown whole.
fn short_nixpkgs(nixpkgs: &str) -> &str {
    if nixpkgs.len() > 12 && nixpkgs.bytes().all(|b| b.is_ascii_hexdigit()) {
        &nixpkgs[..12]
    } else {
        nixpkgs
    }
}

/// The whole audit report.
pub fn render(plan: &Plan, style: &Style) -> String {
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = render_to(plan, style, &mut out);
    out
}

/// The whole audit report, written to `out` as it is made (the output
/// edge escapes it on the way: see [`crate::output::Escaping`]).
pub fn render_to(plan: &Plan, style: &Style, out: &mut dyn Write) -> std::fmt::Result {
    let ix = &plan.index;
    writeln!(
        out,
        "{} {} requirement(s) for Python {} on {} — index: {} {} ({})",
        style.bold("pip-guard audit:"),
        plan.entries.len(),
        plan.target.python_version,
        plan.target.platform,
        serde_json::to_value(ix.source)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default(),
        short_nixpkgs(&ix.nixpkgs),
        ix.date
    )?;
    for note in &plan.notes {
        writeln!(
            out,
            "{} {}",
            style.bold("note:"),
            crate::escape::terminal(&redact(note))
        )?;
    }
    for tier in [
        Tier::Nixpkgs,
        Tier::Native,
        Tier::DevShell,
        Tier::Pip,
        Tier::Skipped,
    ] {
        let entries: Vec<&Entry> = plan.entries.iter().filter(|e| e.res.tier == tier).collect();
        if entries.is_empty() {
            continue;
        }
        writeln!(
            out,
            "\n{}",
            style.bold(&tier_heading(tier, &plan.target.package_set))
        )?;
        // Each line made whole before it crosses the `dyn` writer.
        let mut line = String::with_capacity(256);
        for e in entries {
            line.clear();
            write_entry_line(&mut line, e, style)?;
            line.push('\n');
            out.write_str(&line)?;
            if let Some(x) = e.res.nix.as_ref().and_then(|n| n.extras.as_ref()) {
                if !x.missing.is_empty() {
                    writeln!(
                        out,
                        "        extras nixpkgs lacks (left out): {}",
                        x.missing
                            .iter()
                            .map(|m| format!("[{m}]"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )?;
                }
            }
            if let (Some(c), true) = (&e.res.cuda, e.res.applies) {
                let way = c
                    .nixpkgs
                    .as_deref()
                    .map(|a| format!(": nixpkgs' way is {a}"))
                    .unwrap_or_default();
                writeln!(
                    out,
                    "        CUDA build asked ({}){way} — {}",
                    crate::escape::terminal(&redact(&c.asked_by)),
                    c.note
                )?;
            }
            if tier == Tier::Nixpkgs || tier == Tier::Native {
                for alt in e.res.native.iter().skip(usize::from(tier == Tier::Native)) {
                    let cmds = match alt.commands.as_slice() {
                        [] => String::new(),
                        [a] => format!(": {a}"),
                        [a, b] => format!(": {a}, {b}"),
                        [a, b, ..] => format!(": {a}, {b}, …"),
                    };
                    writeln!(
                        out,
                        "        also native: {} ({}){cmds}",
                        alt.attr, alt.language
                    )?;
                }
            }
        }
    }
    let nix = super::nix::nix_section(plan, true, None);
    if !nix.is_empty() {
        write!(out, "\n{nix}")?;
    }
    let s = plan.summary();
    writeln!(
        out,
        "\n{} {} total: {} nixpkgs, {} native, {} dev-shell, {} pip, {} skipped — {} blocked, {} warned",
        style.bold("Summary:"),
        s.total,
        s.nixpkgs,
        s.native,
        s.dev_shell,
        s.pip,
        s.skipped,
        s.blocked,
        s.warned
    )
}

#[cfg(test)]
mod tests {
    use super::short_nixpkgs;

    #[test]
    fn only_a_commit_is_shortened() {
        assert_eq!(
            short_nixpkgs("0000a5db7fe4407131daf88e1485ad5476ab8bba"),
            "0000a5db7fe4"
        );
        assert_eq!(
            short_nixpkgs("/nix/store/0b6a9xn2k7xj1pj2vl6xkmsf2p4q8rsk-source"),
            "/nix/store/0b6a9xn2k7xj1pj2vl6xkmsf2p4q8rsk-source"
        );
        assert_eq!(short_nixpkgs("a8d610af3f1a"), "a8d610af3f1a");
        assert_eq!(short_nixpkgs(""), "");
    }
}
