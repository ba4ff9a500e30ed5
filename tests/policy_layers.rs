//! Each policy layer and each precedence rule, in a fresh process with
//! HOME and XDG dirs in a temp dir (see `policy_support`).

mod common;
mod policy_support;

use policy_support::{child_main, Sandbox};
use serde_json::Value;

#[test]
fn child() {
    child_main();
}

fn s(p: &std::path::Path) -> String {
    p.to_string_lossy().into_owned()
}

/// One layer per level, each setting `index.channel` to its own name, so
/// the winner is visible; then peel the top layer off, one at a time.
#[test]
fn every_layer_beats_the_ones_below() {
    let Some(sb) = Sandbox::new() else { return };
    let system = sb.write("sys/policy.toml", "[index]\nchannel = \"sys\"\n");
    sb.user_file("[index]\nchannel = \"user\"\n");
    let repo = sb.work.join("repo");
    sb.write("work/repo/.git/HEAD", "ref: x\n");
    sb.write(
        "work/repo/.pip-guard.toml",
        "[index]\nchannel = \"project\"\n",
    );
    let env_file = sb.write("env.toml", "[index]\nchannel = \"env\"\n");
    let explicit = sb.write("explicit.toml", "[index]\nchannel = \"explicit\"\n");
    let (system, env_file, explicit) = (s(&system), s(&env_file), s(&explicit));

    let all = [
        ("PIP_GUARD_SYSTEM_POLICY", system.as_str()),
        ("PIP_GUARD_POLICY", env_file.as_str()),
        ("PG_EXPLICIT", explicit.as_str()),
    ];
    let channel = |o: &policy_support::Outcome| -> (String, String) {
        assert_eq!(o.code, 0, "{o:#?}");
        let v = o.json();
        (
            v["index"]["channel"]["value"].as_str().unwrap().to_string(),
            v["index"]["channel"]["source"]
                .as_str()
                .unwrap()
                .to_string(),
        )
    };

    let o = sb.show(&repo, &all);
    assert_eq!(channel(&o), ("explicit".into(), explicit.clone()));
    let kinds: Vec<Value> = o.json()["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["kind"].clone())
        .collect();
    assert_eq!(
        kinds,
        [
            "built-in",
            "system-extra",
            "user",
            "project",
            "env",
            "explicit"
        ]
    );

    let o = sb.show(&repo, &all[..2]);
    assert_eq!(channel(&o), ("env".into(), env_file.clone()));

    // The project file is shown relative to the cwd it was found in.
    let o = sb.show(&repo, &all[..1]);
    assert_eq!(channel(&o), ("project".into(), ".pip-guard.toml".into()));

    // From outside the repository, the project layer is gone.
    let o = sb.show(&sb.work, &all[..1]);
    assert_eq!(
        channel(&o),
        ("user".into(), s(&sb.config.join("pip-guard/policy.toml")))
    );

    std::fs::remove_file(sb.config.join("pip-guard/policy.toml")).unwrap();
    let o = sb.show(&sb.work, &all[..1]);
    assert_eq!(channel(&o), ("sys".into(), system.clone()));

    let o = sb.show(&sb.work, &[]);
    assert_eq!(
        channel(&o),
        ("nixpkgs-unstable".into(), "built-in default".into())
    );
    assert_eq!(o.json()["layers"].as_array().unwrap().len(), 1);
    assert_eq!(o.json()["mode"]["value"], "advise");
}

#[test]
fn user_config_falls_back_to_home_dot_config() {
    let Some(sb) = Sandbox::new() else { return };
    sb.write("home/.config/pip-guard/policy.toml", "mode = \"enforce\"\n");
    sb.user_file("mode = \"off\"\n");
    // XDG_CONFIG_HOME wins when set...
    let o = sb.show(&sb.work, &[]);
    assert_eq!(o.json()["mode"]["value"], "off", "{o:#?}");
    // ...and $HOME/.config is used when it is not.
    let o = sb.run_with("show", &sb.work, &[], false);
    let v = o.json();
    assert_eq!(v["mode"]["value"], "enforce", "{o:#?}");
    assert_eq!(
        v["mode"]["source"],
        s(&sb.home.join(".config/pip-guard/policy.toml"))
    );
}

#[test]
fn project_search_walks_up_and_stops_at_the_git_boundary() {
    let Some(sb) = Sandbox::new() else { return };
    // A file above the repository must not apply inside it.
    sb.write(".pip-guard.toml", "mode = \"off\"\n");
    sb.write("work/repo/.git", "gitdir: /elsewhere\n");
    let deep = sb.work.join("repo/src/pkg");
    std::fs::create_dir_all(&deep).unwrap();
    let o = sb.show(&deep, &[]);
    assert_eq!(o.json()["mode"]["source"], "built-in default", "{o:#?}");

    // The boundary directory itself is searched, from any depth.
    let f = sb.write("work/repo/.pip-guard.toml", "mode = \"enforce\"\n");
    let o = sb.show(&deep, &[]);
    assert_eq!(o.json()["mode"]["value"], "enforce");
    assert_eq!(o.json()["mode"]["source"], s(&f));

    // Without a .git, the search goes on up to the file above.
    let plain = sb.work.join("plain/a/b");
    std::fs::create_dir_all(&plain).unwrap();
    let o = sb.show(&plain, &[]);
    assert_eq!(o.json()["mode"]["value"], "off");
}

#[test]
fn locked_system_layer_cannot_be_loosened_by_a_project_file() {
    let Some(sb) = Sandbox::new() else { return };
    let system = s(&sb.write(
        "sys/policy.toml",
        r#"locked = true
mode = "enforce"
allow_pip_fallback = false
deny = [{ pattern = "openai-whisper", reason = "use whisper-cpp" }, "torch*"]
[audit_log]
enabled = true
"#,
    ));
    sb.write("work/repo/.git/HEAD", "x\n");
    sb.write(
        "work/repo/.pip-guard.toml",
        r#"mode = "off"
allow_pip_fallback = true
allow = ["OpenAI.Whisper", "*"]
deny = ["leftpad"]
package_set = "python311Packages"
[audit_log]
enabled = false
"#,
    );
    let repo = sb.work.join("repo");
    let names = "OpenAI_Whisper:pip,OPENAI--WHISPER:pip,torchvision:pip,requests:nixpkgs,leftpad:pip,somepkg:pip,\
                 never-heard:skipped";
    let o = sb.show(
        &repo,
        &[
            ("PIP_GUARD_SYSTEM_POLICY", system.as_str()),
            ("PG_NAMES", names),
        ],
    );
    assert_eq!(o.code, 0, "{o:#?}");
    let v = o.json();
    assert_eq!(v["mode"]["value"], "enforce");
    assert_eq!(v["mode"]["source"], system);
    assert_eq!(v["allow_pip_fallback"]["value"], false);
    assert_eq!(v["package_set"]["value"], "auto");
    assert_eq!(v["audit_log"]["enabled"]["value"], true);
    assert_eq!(v["floor"]["source"], system);

    let verdict = |k: &str| v["verdicts"][k]["verdict"].as_str().unwrap().to_string();
    // Every spelling of a locked deny stays blocked despite the allow.
    assert_eq!(verdict("OpenAI_Whisper:pip"), "block");
    assert_eq!(verdict("OPENAI--WHISPER:pip"), "block");
    let why = v["verdicts"]["OpenAI_Whisper:pip"]["why"].as_str().unwrap();
    assert!(
        why.contains("use whisper-cpp") && why.contains("(locked)"),
        "{why}"
    );
    assert_eq!(verdict("torchvision:pip"), "block");
    // allow = ["*"] cannot open pip fallthrough or Nix-covered names.
    assert_eq!(verdict("somepkg:pip"), "block");
    assert_eq!(verdict("requests:nixpkgs"), "block");
    // Tightening is accepted.
    assert_eq!(verdict("leftpad:pip"), "block");
    assert_eq!(verdict("never-heard:skipped"), "allow");

    // One warning per loosening attempt, each naming both files.
    let warnings: Vec<&str> = o
        .stderr
        .lines()
        .filter(|l| l.starts_with("pip-guard: warning:"))
        .collect();
    for key in [
        "mode",
        "allow_pip_fallback",
        "package_set",
        "audit_log.enabled",
    ] {
        let hits: Vec<_> = warnings
            .iter()
            .filter(|w| w.contains(&format!(" sets {key} = ")))
            .collect();
        assert_eq!(hits.len(), 1, "{key}: {:#?}", o.stderr);
        assert!(hits[0].contains(".pip-guard.toml") && hits[0].contains(&system));
    }
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("allows `OpenAI.Whisper`") && w.contains(&system)),
        "{}",
        o.stderr
    );
}

#[test]
fn locked_user_layer_holds_against_env_and_flag() {
    let Some(sb) = Sandbox::new() else { return };
    sb.user_file("locked = true\nmode = \"advise\"\ndeny = [\"evil\"]\n");
    let loosen = s(&sb.write("loose.toml", "mode = \"off\"\nallow = [\"evil\"]\n"));
    for env in [
        vec![("PIP_GUARD_POLICY", loosen.as_str())],
        vec![("PG_EXPLICIT", loosen.as_str())],
    ] {
        let mut env = env.clone();
        env.push(("PG_NAMES", "EVIL:pip"));
        let o = sb.show(&sb.work, &env);
        let v = o.json();
        assert_eq!(v["mode"]["value"], "advise", "{o:#?}");
        assert_eq!(v["verdicts"]["EVIL:pip"]["verdict"], "block");
        assert!(
            o.stderr.contains("loose.toml sets mode = \"off\""),
            "{}",
            o.stderr
        );
    }
}

#[test]
fn an_unlocked_system_layer_is_overridden() {
    let Some(sb) = Sandbox::new() else { return };
    let system = s(&sb.write("sys/policy.toml", "mode = \"enforce\"\ndeny = [\"foo\"]\n"));
    sb.user_file("mode = \"advise\"\nallow = [\"foo\"]\n");
    let o = sb.show(
        &sb.work,
        &[
            ("PIP_GUARD_SYSTEM_POLICY", system.as_str()),
            ("PG_NAMES", "foo:nixpkgs"),
        ],
    );
    let v = o.json();
    assert_eq!(v["mode"]["value"], "advise");
    assert_eq!(v["verdicts"]["foo:nixpkgs"]["verdict"], "allow");
    assert!(v["floor"].is_null());
    assert!(!o.stderr.contains("warning"), "{}", o.stderr);
}

#[test]
fn named_files_must_exist_and_parse() {
    let Some(sb) = Sandbox::new() else { return };
    for var in ["PIP_GUARD_POLICY", "PIP_GUARD_SYSTEM_POLICY", "PG_EXPLICIT"] {
        let o = sb.show(&sb.work, &[(var, "missing.toml")]);
        assert_eq!(o.code, 2, "{var}: {o:#?}");
        assert!(
            o.stderr.contains("missing.toml: no such policy file"),
            "{}",
            o.stderr
        );
    }
    // An empty variable is unset.
    let o = sb.show(&sb.work, &[("PIP_GUARD_POLICY", "")]);
    assert_eq!(o.code, 0, "{o:#?}");

    // An optional layer that exists but cannot be read is an error too.
    std::fs::create_dir_all(sb.config.join("pip-guard/policy.toml")).unwrap();
    let o = sb.show(&sb.work, &[]);
    assert_eq!(o.code, 2, "{o:#?}");
    assert!(
        o.stderr.contains("cannot read the user policy"),
        "{}",
        o.stderr
    );
    std::fs::remove_dir(sb.config.join("pip-guard/policy.toml")).unwrap();

    // A broken optional layer is still an error: a policy is never skipped.
    sb.user_file("mode = \"enforce\"\nlokced = true\n");
    let o = sb.show(&sb.work, &[]);
    assert_eq!(o.code, 2, "{o:#?}");
    assert!(
        o.stderr
            .contains("config/pip-guard/policy.toml:2:1: unknown key `lokced`"),
        "{}",
        o.stderr
    );
}

#[test]
fn project_files_may_not_choose_paths_but_user_files_may() {
    let Some(sb) = Sandbox::new() else { return };
    sb.write("work/.git/HEAD", "x\n");
    sb.write(
        "work/.pip-guard.toml",
        "[audit_log]\npath = \"/tmp/evil.log\"\n",
    );
    let o = sb.show(&sb.work, &[]);
    assert_eq!(o.code, 2, "{o:#?}");
    assert!(
        o.stderr
            .contains(".pip-guard.toml:2:8: `audit_log.path` cannot be set"),
        "{}",
        o.stderr
    );

    std::fs::remove_file(sb.work.join(".pip-guard.toml")).unwrap();
    sb.user_file("[audit_log]\npath = \"~/logs/a.log\"\n[index]\nnixpkgs = \"nixpkgs\"\n");
    let o = sb.show(&sb.work, &[]);
    let v = o.json();
    assert_eq!(
        v["audit_log"]["path"]["value"],
        s(&sb.home.join("logs/a.log"))
    );
    // Relative paths resolve against the file's directory.
    assert_eq!(
        v["index"]["nixpkgs"]["value"],
        s(&sb.config.join("pip-guard/nixpkgs"))
    );
}

#[test]
fn default_audit_log_is_in_the_xdg_state_dir() {
    let Some(sb) = Sandbox::new() else { return };
    let o = sb.show(&sb.work, &[]);
    let v = o.json();
    assert_eq!(
        v["audit_log"]["path"]["value"],
        s(&sb.state.join("pip-guard/audit.log"))
    );
    assert_eq!(v["audit_log"]["enabled"]["value"], true);
}

#[test]
fn show_text_names_the_file_behind_each_value() {
    let Some(sb) = Sandbox::new() else { return };
    let user = sb.user_file(
        "mode = \"enforce\"\ndeny = [{ pattern = \"torch\", reason = \"nix has it\" }]\n",
    );
    let o = sb.run("show-text", &sb.work, &[]);
    assert_eq!(o.code, 0, "{o:#?}");
    let user = s(&user);
    assert!(
        o.stdout
            .contains(&format!("mode = \"enforce\"  # from {user}\n")),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout.contains(&format!(
            "  {{ pattern = \"torch\", reason = \"nix has it\" }},  # from {user}:2\n"
        )),
        "{}",
        o.stdout
    );
    assert!(o
        .stdout
        .contains("allow_pip_fallback = false  # from built-in default\n"));
}
