//! The Nix to paste, as the text renderers show it: the `home.packages`
//! binding, the `nix-shell` one-liner, the native alternative's one-liner,
//! and the `nixify` hint.

use super::layout::{push_wrapped, WIDTH};
use crate::nixsnip::Suggestion;
use crate::plan::Plan;
use crate::redact::redact;
use crate::resolve::Tier;

/// The Nix to paste for a plan, and the one-liner to try now.
pub fn nix_section(plan: &Plan, quiet: bool, nixify_hint: Option<&str>) -> String {
    let s = Suggestion::for_report(plan);
    let mut out = String::new();
    if !quiet {
        if let Some(b) = s.packages_binding(2, WIDTH) {
            push_wrapped(
                &mut out,
                "Use Nix instead (home-manager; on NixOS the same list goes in \
                 environment.systemPackages):",
                "",
                "  ",
            );
            out.push_str(&b);
            out.push('\n');
        }
    }
    if let Some(cmd) = s.nix_shell(2, WIDTH) {
        out.push_str("Try it now:\n  ");
        out.push_str(&cmd);
        out.push('\n');
    }
    if !s.alternatives.is_empty() {
        let alt = Suggestion {
            tops: s.alternatives.clone(),
            ..Suggestion::default()
        };
        if let Some(cmd) = alt.nix_shell(2, WIDTH) {
            out.push_str("Or the native alternative, with no Python dependencies:\n  ");
            out.push_str(&cmd);
            out.push('\n');
        }
    }
    out.push_str(&project_shell(plan, &s));
    if let Some(hint) = nixify_hint {
        if plan.entries.iter().any(|e| e.res.tier == Tier::DevShell) {
            // The command on a line of its own, never wrapped: a quoted
            // argument (`-r 'my reqs.txt'`) must stay whole to paste.
            out.push_str("A dev shell for this project:\n  ");
            out.push_str(hint);
            out.push_str(" > flake.nix && nix develop\n");
        }
    }
    out
}

/// For each local project whose dependencies were read: the dev shell that
/// brings it together (the Nix environment above, a venv that sees it, the
/// project editable with `--no-deps`, and only what Nix lacks from pip).
pub fn project_shell(plan: &Plan, s: &Suggestion) -> String {
    let mut out = String::new();
    for e in plan.entries.iter().filter(|e| !e.req.constraint) {
        let Some(p) = e.req.project() else { continue };
        if !p.dynamic.is_empty()
            && p.dynamic
                .iter()
                .any(|d| d.what != "version" && d.what != "requires-python")
        {
            continue;
        }
        let lacking: Vec<String> = plan
            .entries
            .iter()
            .filter(|d| {
                d.req.via().is_some_and(|v| v.project == p.name)
                    && !d.req.dev_only()
                    && matches!(d.res.tier, Tier::Pip | Tier::DevShell)
            })
            .map(|d| crate::shell::sh_quote(&redact(&d.req.raw)))
            .collect();
        let target = crate::shell::sh_quote(&redact(&e.req.raw).replace("-e ", ""));
        let builds_from_nix = plan
            .entries
            .iter()
            .filter(|d| {
                d.req
                    .via()
                    .as_ref()
                    .is_some_and(|v| v.project == p.name && v.build)
            })
            .all(|d| d.res.tier == Tier::Nixpkgs);
        let isolation = if builds_from_nix {
            "--no-build-isolation "
        } else {
            ""
        };
        let editable = if e.req.editable() { "-e " } else { "" };
        let covered = if s.has_nix() {
            "inside the nix-shell above"
        } else {
            "in a dev shell"
        };
        push_wrapped(
            &mut out,
            &format!(
                "The dev shell for {}: {covered}, a venv that sees the Nix packages, \
                 the project with --no-deps{}:",
                p.name,
                if lacking.is_empty() {
                    String::new()
                } else {
                    ", and from pip only what Nix lacks".to_string()
                }
            ),
            "",
            "  ",
        );
        let mut cmd = format!(
            "python -m venv --system-site-packages .venv && . .venv/bin/activate && \
             pip install --no-deps {isolation}{editable}{target}"
        );
        if !lacking.is_empty() {
            cmd.push_str(&format!(" && pip install {}", lacking.join(" ")));
        }
        push_wrapped(&mut out, &cmd, "  ", "    ");
    }
    out
}
