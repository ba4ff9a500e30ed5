//! Every Nix snippet the tool can print parses with `nix-instantiate --parse`
//! (Debian's `nix-bin`, installed by tests/setup.sh), in the context it is
//! meant for: the `home.packages` binding inside a module, each
//! `nix-shell -p` argument as the shell really splits it, and the whole
//! `flake.nix` of `pip-guard nixify`. The attrs include the awkward ones:
//! a leading digit, a keyword, a name the surrounding code binds (`nixpkgs`,
//! `ps`), a dotted path, a quote.

mod common;

use pip_guard::alternatives::Alternatives;
use pip_guard::index::{Index, Package};
use pip_guard::invocation::parse::{parse_install, Mode};
use pip_guard::nixsnip::{self, Context, Snippet, Suggestion};
use pip_guard::plan::Plan;
use pip_guard::policy::Policy;
use pip_guard::render::{layout, nix};
use pip_guard::target::{apply_overrides, default_probe, Overrides, Target};
use std::path::Path;
use std::process::Command;

/// Parse `text` as a Nix file; panic with the error and the text if it fails.
fn parse(nix: &Path, text: &str, what: &str) {
    let dir = tempfile::tempdir().expect("tmp");
    let f = dir.path().join("snippet.nix");
    std::fs::write(&f, text).expect("write");
    let out = Command::new(nix)
        .arg("--parse")
        .arg(&f)
        .env("HOME", dir.path())
        .output()
        .expect("run nix-instantiate");
    assert!(
        out.status.success(),
        "{what} does not parse:\n{}\n--- nix-instantiate ---\n{}",
        text,
        String::from_utf8_lossy(&out.stderr)
    );
}

fn plan(reqs: &[&str], attrs: &[&str], apps: &[(&str, &str)], python: &str) -> Plan {
    let packages = attrs
        .iter()
        .map(|a| Package {
            attr: a.to_string(),
            pname: None,
            version: None,
        })
        .collect();
    let mappings = pip_guard::index::Mappings::new(
        vec![],
        vec![],
        // A PyPI name for an attr no requirement can spell.
        vec![(
            "foo-bar-quote".into(),
            pip_guard::index::TableEntry {
                attr: "foo-bar'".into(),
                evidence: "test".into(),
            },
        )],
        apps.iter()
            .map(|(n, a)| (n.to_string(), a.to_string()))
            .collect(),
    );
    let ix = Index::from_packages(
        None,
        format!("python{}Packages", python.replace('.', "")),
        packages,
        mappings,
    );
    let probe = apply_overrides(
        default_probe(),
        &Overrides {
            python_version: Some(python.into()),
            ..Overrides::default()
        },
    )
    .expect("version");
    let target = Target::from_probe(None, probe).expect("target");
    let args: Vec<String> = reqs.iter().map(|s| s.to_string()).collect();
    let inv = parse_install(&args, Mode::Guard).expect("parses");
    let set = pip_guard::requirements::collect::collect(&inv, Path::new("/"), &|_| None)
        .expect("collects");
    Plan::build(
        &set,
        &target,
        &ix,
        &Alternatives::embedded(),
        &Policy::default(),
    )
}

/// The plans whose snippets are checked.
fn plans() -> Vec<Plan> {
    let many: Vec<String> = (0..60).map(|i| format!("lib-number-{i}")).collect();
    let many_refs: Vec<&str> = many.iter().map(String::as_str).collect();
    vec![
        plan(&["requests"], &["requests"], &[], "3.12"),
        plan(&["requests", "numpy"], &["requests", "numpy"], &[], "3.11"),
        plan(
            &["openai-whisper", "thefuck", "frobnitz==1.0", "black"],
            &["openai-whisper", "black"],
            &[("black", "black")],
            "3.12",
        ),
        plan(&["thefuck", "csvkit", "httpie"], &[], &[], "3.12"),
        plan(&["frobnitz"], &[], &[], "3.12"),
        // Awkward attrs: digit first, keyword, names bound around the
        // snippet, a quote, and an application whose attr needs quotes.
        plan(
            &[
                "3to2",
                "if",
                "nixpkgs",
                "ps",
                "pkgs",
                "foo-bar-quote",
                "weird-app",
            ],
            &[
                "3to2",
                "if",
                "nixpkgs",
                "ps",
                "pkgs",
                "foo-bar'",
                "weird-app",
            ],
            &[("weird-app", "7zip-app")],
            "3.13",
        ),
        plan(&many_refs, &many_refs, &[], "3.12"),
        extras_and_cuda(),
    ]
}

/// Extras (as optional-dependencies, and as attrs of their own) and a CUDA
/// build asked by a local version label.
fn extras_and_cuda() -> Plan {
    plan(
        &[
            "requests[socks]",
            "uvicorn[standard]",
            "psycopg[c,pool]",
            "torch==2.7.0+cu128",
            "nvidia-cudnn-cu12",
            "if[in]",
        ],
        &[
            "requests",
            "uvicorn",
            "psycopg",
            "psycopg-c",
            "psycopg-pool",
            "torch",
            "torchWithCuda",
            "if",
        ],
        &[],
        "3.13",
    )
}

#[test]
fn extras_and_cuda_advice_reach_the_flake() {
    let Some(nix) = common::require("nix-instantiate") else {
        return;
    };
    let s = Suggestion::from_plan(&extras_and_cuda());
    let flake = s.flake();
    for want in [
        "(ps.requests.optional-dependencies.socks or [ ])",
        "(ps.uvicorn.optional-dependencies.standard or [ ])",
        "(ps.\"if\".optional-dependencies.\"in\" or [ ])",
        "psycopg-c",
        "psycopg-pool",
        "pkgs.cudaPackages.cudnn",
        "config = { allowUnfree = true; cudaSupport = true; };",
        "torchWithCuda",
        "github:NixOS/nixpkgs/nixos-25.11",
        // This plan's set is python313Packages, not the default python3.
        "python313 is not nixos-25.11's default python3",
    ] {
        assert!(flake.contains(want), "{want} missing from:\n{flake}");
    }
    // psycopg's extras are attrs of their own, not optional-dependencies.
    assert!(!flake.contains("psycopg.optional-dependencies"), "{flake}");
    parse(&nix, &flake, "flake with extras and CUDA");
}

#[test]
fn every_snippet_parses() {
    let Some(nix) = common::require("nix-instantiate") else {
        return;
    };
    let mut checked = 0;
    for p in plans() {
        let s = Suggestion::from_plan(&p);
        for snip in nixsnip::snippets(&s, layout::WIDTH) {
            parse(
                &nix,
                &snip.as_file(),
                &format!("{:?} snippet", snip.context),
            );
            checked += 1;
        }
    }
    assert!(checked >= 15, "only {checked} snippets checked");
}

#[test]
fn dotted_paths_parse() {
    let Some(nix) = common::require("nix-instantiate") else {
        return;
    };
    let s = Suggestion {
        python: "python312".into(),
        libs: vec!["bootstrap.flit-core".into(), "a.${b}".into()],
        tops: vec!["haskellPackages.pandoc".into()],
        alternatives: vec!["whisper-cpp".into(), "a-b.c${d}".into()],
        pip: vec!["x @ https://****@host/x.whl # not a comment".into()],
        extras: vec![
            nixsnip::extra_deps("bootstrap.flit-core", "a${b}"),
            nixsnip::extra_deps("if", "or"),
        ],
        cuda: vec!["x asks for a CUDA build (+cu128): */ ${y} # z".into()],
        library_path: Some(vec!["stdenv.cc.cc.lib".into(), "zlib".into()]),
    };
    for snip in nixsnip::snippets(&s, 80) {
        parse(&nix, &snip.as_file(), "dotted-path snippet");
    }
}

/// The explanation's own text: the lines after "Use Nix instead" are the
/// binding, the command after "Try it now:" goes through a real `sh`, and
/// each `nix-shell -p` argument must parse as nix-shell uses it.
#[test]
fn printed_snippets_parse_as_pasted() {
    let Some(nix) = common::require("nix-instantiate") else {
        return;
    };
    for p in plans() {
        let text = nix::nix_section(&p, false, None);
        if text.is_empty() {
            continue;
        }
        let lines: Vec<&str> = text.lines().collect();
        if let Some(start) = lines
            .iter()
            .position(|l| l.trim_start().starts_with("home.packages"))
        {
            let end = lines[start..]
                .iter()
                .position(|l| l.trim() == "];")
                .map(|k| start + k)
                .expect("binding ends with ];");
            let binding = lines[start..=end].join("\n");
            parse(
                &nix,
                &Snippet {
                    context: Context::Binding,
                    text: binding,
                }
                .as_file(),
                "printed home.packages binding",
            );
        }
        assert!(text.contains("Try it now:\n"), "a try-it-now line: {text}");
        // Every printed `nix-shell -p` command: its line and the continuation
        // lines under it (indented deeper than the command).
        let lines: Vec<&str> = text.lines().collect();
        let mut cmds = Vec::new();
        for (i, l) in lines.iter().enumerate() {
            if l.trim_start().starts_with("nix-shell -p") {
                let indent = l.len() - l.trim_start().len();
                let more = lines[i + 1..]
                    .iter()
                    .take_while(|n| n.len() - n.trim_start().len() > indent)
                    .count();
                cmds.push(lines[i..=i + more].join("\n").trim().to_string());
            }
        }
        assert!(!cmds.is_empty(), "no nix-shell command in {text}");
        for cmd in &cmds {
            // dash allows no `-` in function names: stand in for nix-shell.
            let shell_cmd = cmd.replacen("nix-shell", "nix_shell", 1);
            let out = Command::new("sh")
                .arg("-c")
                .arg(format!(
                    "nix_shell() {{ for a in \"$@\"; do printf '%s\\0' \"$a\"; done; }}\n{shell_cmd}"
                ))
                .output()
                .expect("run sh");
            assert!(
                out.status.success(),
                "sh failed on {cmd}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let args: Vec<String> = String::from_utf8_lossy(&out.stdout)
                .split('\0')
                .filter(|a| !a.is_empty())
                .map(String::from)
                .collect();
            assert_eq!(args.first().map(String::as_str), Some("-p"), "{cmd}");
            assert!(args.len() >= 2, "{cmd}");
            // What nix-shell -p builds from its arguments.
            let exprs: Vec<String> = args[1..].iter().map(|a| format!("({a})")).collect();
            parse(
                &nix,
                &format!("with import <nixpkgs> {{ }};\n[ {} ]\n", exprs.join("\n  ")),
                &format!("nix-shell arguments of {cmd}"),
            );
        }
        for l in text.lines() {
            assert!(l.chars().count() <= layout::WIDTH, "too wide: {l:?}");
        }
    }
}

/// A broken snippet is caught: the check itself can fail.
#[test]
fn the_check_can_fail() {
    let Some(nix) = common::require("nix-instantiate") else {
        return;
    };
    let bad = Snippet {
        context: Context::Expr,
        text: "python312.withPackages (ps: with ps; [ if ])".into(),
    };
    let out = Command::new(&nix)
        .args(["--parse", "-E", &bad.as_file()])
        .output()
        .expect("run");
    assert!(!out.status.success());
}

/// The README's `nixify` example, run as shown: the default set, the
/// extras, the CUDA advice; and the flake parses.
#[test]
fn the_readmes_nixify_example_parses() {
    let Some(nix) = common::require("nix-instantiate") else {
        return;
    };
    let readme = std::fs::read_to_string(common::repo_root().join("README.md")).expect("README");
    let cmd = readme
        .lines()
        .find_map(|l| l.strip_prefix("$ pip-guard nixify "))
        .expect("README shows a nixify command");
    let env = common::TestEnv::new();
    let script = format!("{} nixify {cmd}", common::bin().display());
    let run = env
        .cmd("bash")
        .args(["-c", &script])
        .current_dir(common::repo_root())
        .env("NIX_PATH", "")
        .run()
        .success();
    for want in [
        "pkgs.python3.withPackages",
        "optional-dependencies.socks or [ ]",
        "cudaSupport = true",
        "torchWithCuda",
        "nixos-25.11",
    ] {
        assert!(run.stdout.contains(want), "{want} missing:\n{}", run.stdout);
    }
    assert!(!run.stdout.contains("typing"), "{}", run.stdout);
    parse(&nix, &run.stdout, "the README's nixify flake");
}

/// `nixify`'s flake, evaluated by the real nix-instantiate over a stand-in
/// nixpkgs: an extra nixpkgs has (`requests.optional-dependencies.socks`)
/// brings its packages in, one it lacks (`uvicorn`'s `standard` here)
/// evaluates to nothing instead of failing (`or [ ]`).
#[test]
fn nixify_extras_evaluate_against_a_stand_in_nixpkgs() {
    let Some(nix) = common::require("nix-instantiate") else {
        return;
    };
    let env = common::TestEnv::new();
    let run = env
        .pip_guard([
            "nixify",
            "--index",
            "embedded",
            "requests[socks]",
            "uvicorn[standard]",
        ])
        .env("NIX_PATH", "")
        .run()
        .success();
    std::fs::write(env.path("flake.nix"), &run.stdout).expect("write flake");
    let expr = r#"
let
  flake = import ./flake.nix;
  ps = {
    requests = { name = "requests"; optional-dependencies = { socks = [ { name = "pysocks"; } ]; }; };
    uvicorn = { name = "uvicorn"; };
  };
  pkgs = {
    python3 = { withPackages = f: map (p: p.name) (f ps); };
    mkShell = a: a;
  };
  systems = [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ];
  nixpkgs = {
    lib.genAttrs = names: f: builtins.listToAttrs (map (n: { name = n; value = f n; }) names);
    legacyPackages = builtins.listToAttrs (map (s: { name = s; value = pkgs; }) systems);
  };
in (flake.outputs { self = null; inherit nixpkgs; }).devShells.x86_64-linux.default.packages
"#;
    let out = std::process::Command::new(&nix)
        .args(["--eval", "--strict", "--json", "-E", expr])
        .current_dir(&env.cwd)
        .env("HOME", &env.home)
        .output()
        .expect("run nix-instantiate");
    assert!(
        out.status.success(),
        "{}\n{}",
        run.stdout,
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        v,
        serde_json::json!([["requests", "uvicorn", "pysocks"]]),
        "{}",
        run.stdout
    );
}
