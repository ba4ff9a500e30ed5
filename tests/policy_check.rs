//! `pip-guard policy check [FILE]`: a good file exits 0 with a summary; a
//! bad one exits 2 naming `file:line:col`.

mod common;
mod policy_support;

use policy_support::{child_main, Sandbox};

#[test]
fn child() {
    child_main();
}

#[test]
fn a_good_file_is_summarized() {
    let Some(sb) = Sandbox::new() else { return };
    sb.write(
        "work/.pip-guard.toml",
        "mode = \"enforce\"\nallow = [\"a\", { pattern = \"b*\", reason = \"r\" }]\ndeny = [\"c\"]\nlocked = true\n",
    );
    let o = sb.run("check", &sb.work, &[]);
    assert_eq!(o.code, 0, "{o:#?}");
    assert_eq!(
        o.stdout,
        ".pip-guard.toml: ok (mode = enforce, 2 allow, 1 deny, locked)"
    );
}

#[test]
fn the_default_is_the_nearest_project_file() {
    let Some(sb) = Sandbox::new() else { return };
    let f = sb.write("work/.pip-guard.toml", "mode = \"off\"\n");
    let sub = sb.work.join("a/b");
    std::fs::create_dir_all(&sub).unwrap();
    let o = sb.run("check", &sub, &[]);
    assert_eq!(o.code, 0, "{o:#?}");
    assert_eq!(
        o.stdout,
        format!("{}: ok (mode = off, 0 allow, 0 deny)", f.display())
    );

    // Nothing found: usage error, with what to do next.
    sb.write("work/a/.git/HEAD", "x\n");
    let o = sb.run("check", &sub, &[]);
    assert_eq!(o.code, 2, "{o:#?}");
    assert!(o.stderr.contains("no .pip-guard.toml in"), "{}", o.stderr);
    assert!(
        o.stderr.contains("pip-guard policy check FILE"),
        "{}",
        o.stderr
    );
}

/// (file text, expected `file:line:col: message` prefix)
const BAD: &[(&str, &str)] = &[
    (
        "mode = \"enforce\"\nmdoe = \"off\"\n",
        "p.toml:2:1: unknown key `mdoe`",
    ),
    ("mode = \"strict\"\n", "p.toml:1:8: unknown mode `strict`"),
    (
        "mode = 1\n",
        "p.toml:1:8: invalid type: integer `1`, expected a string",
    ),
    (
        "allow_pip_fallback = \"yes\"\n",
        "p.toml:1:22: invalid type: string \"yes\", expected a boolean",
    ),
    (
        "allow = \"torch\"\n",
        "p.toml:1:9: invalid type: string \"torch\", expected an array",
    ),
    (
        "deny = [\"ok\",\n  \"bad[\"]\n",
        "p.toml:2:3: in `deny`: an empty or unclosed class `[…]` in the name pattern `bad[`",
    ),
    (
        "deny = [{ pattern = \"torch>=2\" }]\n",
        "p.toml:1:21: in `deny`: `>` cannot appear",
    ),
    (
        "deny = [{ pattern = \"x\", why = \"y\" }]\n",
        "p.toml:1:26: unknown key `why`",
    ),
    (
        "[index]\nsource = \"pypi\"\n",
        "p.toml:2:10: unknown index source `pypi`",
    ),
    (
        "[index]\nmax_age_days = -3\n",
        "p.toml:2:16: max_age_days must be",
    ),
    (
        "[audit_log]\nenabled = \"no\"\n",
        "p.toml:2:11: invalid type: string \"no\"",
    ),
    (
        "[audit_log]\nfile = \"x\"\n",
        "p.toml:2:1: unknown key `file`",
    ),
    (
        "locked = 1\n",
        "p.toml:1:10: invalid type: integer `1`, expected a boolean",
    ),
    (
        "mode = \"off\"\nmode = \"advise\"\n",
        "p.toml:2:1: duplicate key `mode`",
    ),
    ("mode = \"off\n", "p.toml:1:"),
];

#[test]
fn bad_files_fail_with_line_and_column() {
    let Some(sb) = Sandbox::new() else { return };
    for (text, want) in BAD {
        sb.write("work/p.toml", text);
        let o = sb.run("check", &sb.work, &[("PG_CHECK", "p.toml")]);
        assert_eq!(o.code, 2, "{text:?}: {o:#?}");
        assert!(
            o.stderr.contains(&format!("error: {want}")),
            "{text:?}: want {want:?} in\n{}",
            o.stderr
        );
        // The offending line is quoted under the message.
        let line: usize = want.split(':').nth(1).unwrap().parse().unwrap();
        let src = text.lines().nth(line - 1).unwrap();
        assert!(
            o.stderr.contains(&format!("{line} | {src}")),
            "{}",
            o.stderr
        );
    }
}

#[test]
fn a_project_file_is_checked_as_one() {
    let Some(sb) = Sandbox::new() else { return };
    sb.write("work/.pip-guard.toml", "[index]\nnixpkgs = \"/x\"\n");
    let o = sb.run("check", &sb.work, &[]);
    assert_eq!(o.code, 2, "{o:#?}");
    assert!(
        o.stderr
            .contains(".pip-guard.toml:2:11: `index.nixpkgs` cannot be set"),
        "{}",
        o.stderr
    );
    // The same keys are fine in any other file (a user or system policy).
    sb.write("work/user.toml", "[index]\nnixpkgs = \"/x\"\n");
    let o = sb.run("check", &sb.work, &[("PG_CHECK", "user.toml")]);
    assert_eq!(o.code, 0, "{o:#?}");
    assert_eq!(o.stdout, "user.toml: ok (0 allow, 0 deny, [index])");
}

#[test]
fn a_missing_file_is_a_usage_error() {
    let Some(sb) = Sandbox::new() else { return };
    let o = sb.run("check", &sb.work, &[("PG_CHECK", "nope.toml")]);
    assert_eq!(o.code, 2, "{o:#?}");
    assert!(
        o.stderr.contains("nope.toml: no such policy file"),
        "{}",
        o.stderr
    );
}
