//! The Nix to paste, as the text renderers show it: the `home.packages`
//! binding, the `nix-shell` one-liner, the native alternative's one-liner,
//! and the `nixify` hint.

use super::layout::{push_wrapped, WIDTH};
use crate::nixsnip::Suggestion;
use crate::plan::Plan;
use crate::resolve::Tier;

/// The Nix to paste for a plan, and the one-liner to try now.
pub fn nix_section(plan: &Plan, quiet: bool, nixify_hint: Option<&str>) -> String {
    let s = Suggestion::from_plan(plan);
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
