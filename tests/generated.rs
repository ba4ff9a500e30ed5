//! Generated files are checked, never hand-edited (style.md point 7):
//! `docs/cli.md` is the help of every pip-guard command, made from the clap
//! definitions in src/cli.rs. Regenerate with
//!
//!     PIP_GUARD_REGENERATE=1 cargo test --test generated

use clap::CommandFactory;
use pip_guard::cli::Cli;
use std::path::PathBuf;

fn render(cmd: &mut clap::Command, path: &str, out: &mut String) {
    let help = cmd.render_long_help().to_string();
    out.push_str(&format!(
        "\n## `{path}`\n\n```text\n{}\n```\n",
        help.trim_end()
    ));
    let subs: Vec<String> = cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .map(|s| s.get_name().to_string())
        .collect();
    for name in subs {
        if let Some(sub) = cmd.find_subcommand_mut(&name) {
            let mut sub = sub.clone().bin_name(format!("{path} {name}"));
            render(&mut sub, &format!("{path} {name}"), out);
        }
    }
}

fn generate() -> String {
    let mut cmd = Cli::command().term_width(80);
    cmd.build();
    let mut out = String::from(
        "# Command-line reference\n\n\
         Generated from the clap definitions in `src/cli.rs` by `tests/generated.rs`;\n\
         do not edit by hand. Regenerate with\n\
         `PIP_GUARD_REGENERATE=1 cargo test --test generated`.\n\n\
         `audit`, `nixify` and `pip` also take every option of `pip install` (pip 26.3):\n\
         see [pip-grammar.md](pip-grammar.md).\n",
    );
    render(&mut cmd, "pip-guard", &mut out);
    out
}

#[test]
fn cli_reference_is_up_to_date() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/cli.md");
    let want = generate();
    if std::env::var_os("PIP_GUARD_REGENERATE").is_some() {
        std::fs::write(&path, &want).expect("write docs/cli.md");
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/cli.md is out of date with src/cli.rs: regenerate it with\n  \
         PIP_GUARD_REGENERATE=1 cargo test --test generated"
    );
}

#[test]
fn completions_and_man_page_generate() {
    // Every shell's completions name every visible subcommand.
    let mut cmd = Cli::command();
    for shell in [
        clap_complete::Shell::Bash,
        clap_complete::Shell::Zsh,
        clap_complete::Shell::Fish,
    ] {
        let mut buf = Vec::new();
        clap_complete::generate(shell, &mut cmd, "pip-guard", &mut buf);
        let text = String::from_utf8_lossy(&buf);
        for sub in [
            "audit", "explain", "nixify", "index", "policy", "init", "doctor",
        ] {
            assert!(text.contains(sub), "{shell:?} completions lack {sub}");
        }
    }
    let mut buf = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut buf)
        .expect("man page");
    let man = String::from_utf8_lossy(&buf);
    assert!(
        man.starts_with(".ie") || man.contains(".TH pip-guard"),
        "not roff: {}",
        &man[..man.len().min(200)]
    );
}
