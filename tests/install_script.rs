//! `scripts/install.sh` installs the binary, completions and man page into a
//! temporary HOME, and what it installs is valid for each shell and man.

mod common;

use common::TestEnv;

#[test]
fn install_script_puts_binary_completions_and_man_page_in_place() {
    let env = TestEnv::new();
    let out = env
        .cmd(common::repo_root().join("scripts/install.sh"))
        .arg("--bin")
        .arg(common::bin())
        .run()
        .success();
    let home = &env.home;
    let exe = home.join(".local/bin/pip-guard");
    let bash = home.join(".local/share/bash-completion/completions/pip-guard");
    let zsh = home.join(".local/share/zsh/site-functions/_pip-guard");
    let fish = home.join(".config/fish/completions/pip-guard.fish");
    let man = home.join(".local/share/man/man1/pip-guard.1");
    for p in [&exe, &bash, &zsh, &fish, &man] {
        let len = std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        if len == 0 {
            out.fail(&format!("{} missing or empty", p.display()));
        }
    }
    // It tells the user the init line, with the installed path.
    assert!(
        out.stdout
            .contains(&format!("eval \"$('{}' init bash)\"", exe.display())),
        "{}",
        out.stdout
    );
    // The completions know pip-guard's commands; the man page is roff.
    let bash_text = std::fs::read_to_string(&bash).expect("bash completion");
    for cmd in ["audit", "doctor", "init"] {
        assert!(bash_text.contains(cmd), "bash completion lacks {cmd}");
    }
    let man_text = std::fs::read_to_string(&man).expect("man page");
    assert!(
        man_text.starts_with(".ie") || man_text.contains(".TH pip-guard"),
        "{man_text}"
    );
    // Each completion file is valid in its shell.
    for (checker, args, file) in [
        ("bash", &["-n"][..], &bash),
        ("zsh", &["-n"][..], &zsh),
        ("fish", &["--no-execute"][..], &fish),
    ] {
        if common::require(checker).is_some() {
            env.cmd(checker).args(args).arg(file).run().success();
        }
    }
    if common::which("man").is_some() {
        // man renders it without warnings.
        let r = env
            .cmd("man")
            .arg("-l")
            .arg(&man)
            .env("MANWIDTH", "80")
            .env("MAN_KEEP_FORMATTING", "0")
            .run()
            .success();
        assert!(r.stdout.contains("pip-guard"), "{}", r.report());
    }
}

/// Run install.sh with HOME (and the XDG dirs under it) set to `home`.
fn install_into(env: &TestEnv, home: &std::path::Path) -> common::Run {
    env.cmd(common::repo_root().join("scripts/install.sh"))
        .arg("--bin")
        .arg(common::bin())
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .run()
}

/// The line install.sh prints for `shell` (after its `shell (rc):` label).
fn printed_line(stdout: &str, shell: &str) -> String {
    let l = stdout
        .lines()
        .find(|l| l.trim_start().starts_with(&format!("{shell} (")))
        .unwrap_or_else(|| panic!("no {shell} line in:\n{stdout}"));
    l.split_once("):")
        .map(|(_, rest)| rest.trim().to_string())
        .unwrap_or_else(|| panic!("{l}"))
}

/// Issue 14.7: with a space (and a quote) in HOME, each printed line, run
/// as pasted in bash, zsh and fish, defines `pip` as the guard's function,
/// and that function really calls the installed binary (its trace file
/// records the call).
#[test]
fn printed_lines_work_when_home_holds_a_space() {
    let env = TestEnv::new();
    let home = env.root().join("my home's dir");
    std::fs::create_dir_all(&home).expect("mkdir");
    let out = install_into(&env, &home).success();
    for (shell, check) in [
        ("bash", "type -t pip"),
        ("zsh", "whence -w pip"),
        ("fish", "functions -q pip; and echo function"),
    ] {
        let Some(path) = common::require(shell) else {
            continue;
        };
        let line = printed_line(&out.stdout, shell);
        let trace = env.root().join(format!("trace-{shell}.jsonl"));
        let script = format!("{line}\n{check}\npip --version\n");
        let mut c = env.cmd(&path);
        match shell {
            "bash" => c.args(["--norc", "--noprofile", "-c", &script]),
            "zsh" => c.args(["-f", "-c", &script]),
            _ => c.args(["--no-config", "-c", &script]),
        };
        let r = c.env("HOME", &home).env("PIP_GUARD_TRACE", &trace).run();
        assert!(
            r.stdout.contains("function"),
            "{shell}: pip is not the guard's function after {line:?}\n{}",
            r.report()
        );
        let t = std::fs::read_to_string(&trace).unwrap_or_default();
        assert!(
            t.contains("--version"),
            "{shell}: the function did not call the guard ({line:?})\n{}",
            r.report()
        );
    }
}

/// Issue 14.7: a completion file that is a symlink (a dotfiles repository,
/// home-manager) is left alone: its target keeps its contents.
#[test]
fn a_symlinked_completion_file_is_not_written_through() {
    let env = TestEnv::new();
    let home = env.home.clone();
    let target = env.root().join("dotfiles-completion");
    std::fs::write(&target, "ORIGINAL\n").expect("write");
    let link = home.join(".local/share/bash-completion/completions/pip-guard");
    std::fs::create_dir_all(link.parent().expect("parent")).expect("mkdir");
    std::os::unix::fs::symlink(&target, &link).expect("symlink");
    let out = install_into(&env, &home).success();
    assert_eq!(
        std::fs::read_to_string(&target).expect("target"),
        "ORIGINAL\n",
        "{}",
        out.report()
    );
    assert!(std::fs::symlink_metadata(&link)
        .expect("link")
        .file_type()
        .is_symlink());
    assert!(
        out.stdout.contains("is a symlink; left as it is"),
        "{}",
        out.report()
    );
    // The other files were written.
    let zsh = home.join(".local/share/zsh/site-functions/_pip-guard");
    assert!(std::fs::metadata(&zsh)
        .map(|m| m.len() > 0)
        .unwrap_or(false));
}

/// Issue 14.7: a directory named `bin/pip-guard` is refused, not filled.
#[test]
fn a_directory_named_bin_pip_guard_is_refused() {
    let env = TestEnv::new();
    let home = env.home.clone();
    let dir = home.join(".local/bin/pip-guard");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let out = install_into(&env, &home);
    assert_ne!(out.code, Some(0), "{}", out.report());
    assert!(out.stderr.contains("is a directory"), "{}", out.report());
    let inside: Vec<_> = std::fs::read_dir(&dir).expect("dir").collect();
    assert!(inside.is_empty(), "copied into the directory: {inside:?}");
}
