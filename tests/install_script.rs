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
            .contains(&format!("eval \"$({} init bash)\"", exe.display())),
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
