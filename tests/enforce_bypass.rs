//! No flag, variable, entry point or spelling gets a blocked requirement
//! past the guard (issue 5, design "things that must never happen").
//!
//! Real parts only: Debian's externally-managed `/usr/bin/python3` and its
//! pip, wheels built in the test in a `--find-links` directory, a temporary
//! `PYTHONUSERBASE`. Each route ends with exit 1, the reason on stderr,
//! nothing under `PYTHONUSERBASE`, the module not importable, and one
//! `blocked` line in the audit log. The `control_*` tests show that each
//! kind of route is real: with the deny gone, pip does install.

mod common;
mod debian;

use common::wheel::Wheel;
use debian::*;
use std::path::Path;

const ADVISE_DENY: &str = r#"mode = "advise"
deny = [{ pattern = "made-up-pkg", reason = "made up for the bypass tests" }]

[index]
source = "embedded"
"#;

const ADVISE: &str = r#"mode = "advise"

[index]
source = "embedded"
"#;

/// An installable local project (for `-e`): an in-tree PEP 517/660 backend
/// that builds its wheel with zipfile, so pip needs no network and no
/// setuptools.
fn local_project(sb: &Sandbox, dir: &str, name: &str) {
    let module = name.replace('-', "_");
    sb.write(
        &format!("{dir}/pyproject.toml"),
        &format!(
            "[build-system]\nrequires = []\nbuild-backend = \"backend\"\nbackend-path = [\".\"]\n\n\
             [project]\nname = \"{name}\"\nversion = \"1.0\"\n"
        ),
    );
    sb.write(
        &format!("{dir}/{module}/__init__.py"),
        "PIP_GUARD_FAKE = True\n",
    );
    sb.write(
        &format!("{dir}/backend.py"),
        &format!(
            r#"import base64, hashlib, os, zipfile
NAME, MOD, VER = "{name}", "{module}", "1.0"
HERE = os.path.dirname(os.path.abspath(__file__))

def _wheel(directory, files):
    info = f"{{MOD}}-{{VER}}.dist-info"
    files = dict(files)
    files[f"{{info}}/METADATA"] = f"Metadata-Version: 2.1\nName: {{NAME}}\nVersion: {{VER}}\n"
    files[f"{{info}}/WHEEL"] = "Wheel-Version: 1.0\nGenerator: t\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    record = ""
    for p, t in files.items():
        d = base64.urlsafe_b64encode(hashlib.sha256(t.encode()).digest()).rstrip(b"=").decode()
        record += f"{{p}},sha256={{d}},{{len(t.encode())}}\n"
    files[f"{{info}}/RECORD"] = record + f"{{info}}/RECORD,,\n"
    fn = f"{{MOD}}-{{VER}}-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(directory, fn), "w") as z:
        for p, t in files.items():
            z.writestr(p, t)
    return fn

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    src = open(os.path.join(HERE, MOD, "__init__.py")).read()
    return _wheel(wheel_directory, {{f"{{MOD}}/__init__.py": src}})

def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    return _wheel(wheel_directory, {{f"_{{MOD}}_editable.pth": HERE + "\n"}})

def build_sdist(sdist_directory, config_settings=None):
    raise NotImplementedError
"#
        ),
    );
}

/// Extra arguments and extra variables.
type Case<'a> = (Vec<&'a str>, Vec<(&'a str, &'a str)>);

fn args_ref(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// Run `entry ARGS` (with extra variables) and check it was blocked.
fn blocked(sb: &Sandbox, entry: &str, args: &[String], vars: &[(&str, &str)], reason: &str) {
    let before = sb.records().len();
    let mut c = sb.entry(entry, &args_ref(args));
    for (k, v) in vars {
        c.env(k, v);
    }
    let o = run(c, LONG);
    sb.assert_blocked(&format!("{entry} {args:?} {vars:?}"), &o, reason, before);
}

#[test]
fn control_an_allowed_pip_tier_package_falls_through_without_a_yes() {
    let Some(sb) = Sandbox::new() else { return };
    sb.project_policy(ENFORCE_POLICY);
    let args = sb.install_args(&[OTHER]);
    let o = run(sb.pip(&args_ref(&args)), LONG);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    assert!(sb.imports(OTHER_MODULE), "installed\n{}", show(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("no confirmation needed"), "{}", show(&o));
    assert!(!err.contains("[y/N]"), "{}", show(&o));
    let records = sb.records();
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0]["action"], "fallthrough");
    assert_eq!(records[0]["mode"], "enforce");
    assert_eq!(records[0]["requirements"][0]["verdict"], "allow");
    assert_eq!(records[0]["requirements"][0]["tier"], "pip");
}

#[test]
fn control_without_the_deny_pip_installs_each_kind_of_route() {
    let Some(sb) = Sandbox::new() else { return };
    sb.project_policy(ADVISE);
    // The made-up package by name, with a yes.
    let o = run(
        sb.pip(&args_ref(&sb.install_args(&["--guard-yes", "Made_Up.PKG"]))),
        LONG,
    );
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    assert!(sb.imports(DENIED_MODULE), "{}", show(&o));
    // The fake nixpkgs-named wheel, with --guard-all and a yes.
    let o = run(
        sb.pip(&args_ref(&sb.install_args(&[
            "--guard-all",
            "--guard-yes",
            "-U",
            "requests",
        ]))),
        LONG,
    );
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    assert!(sb.imports("requests"), "the fake requests\n{}", show(&o));
    // A local project in editable mode (its name unknown to the guard).
    local_project(&sb, "proj", "made-up-local");
    let o = run(
        sb.pip(&args_ref(&sb.install_args(&[
            "--guard-yes",
            "-e",
            "./proj",
        ]))),
        LONG,
    );
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    assert!(sb.imports("made_up_local"), "{}", show(&o));
    let actions: Vec<String> = sb
        .records()
        .iter()
        .map(|r| r["action"].as_str().unwrap_or("?").to_string())
        .collect();
    assert_eq!(actions, ["fallthrough", "fallthrough", "fallthrough"]);
}

#[test]
fn no_flag_or_variable_gets_around_a_deny() {
    let Some(sb) = Sandbox::new() else { return };
    sb.project_policy(ENFORCE_POLICY);
    let cases: Vec<Case> = vec![
        (vec!["--break-system-packages", DENIED], vec![]),
        (vec!["--break-sys", "--user", DENIED], vec![]),
        (vec![DENIED], vec![("PIP_BREAK_SYSTEM_PACKAGES", "1")]),
        (vec!["--guard-all", DENIED], vec![]),
        (vec!["--guard-yes", DENIED], vec![]),
        (vec![DENIED], vec![("PIP_GUARD_YES", "1")]),
        (
            vec![
                "--guard-all",
                "--guard-yes",
                "--break-system-packages",
                "--user",
                "--force-reinstall",
                DENIED,
            ],
            vec![("PIP_GUARD_YES", "1"), ("PIP_BREAK_SYSTEM_PACKAGES", "1")],
        ),
    ];
    for (extra, vars) in cases {
        blocked(&sb, "pip", &sb.install_args(&extra), &vars, DENY_REASON);
    }
    // Installing "elsewhere" — straight into the user site with --target,
    // or with --prefix / --root / PIP_TARGET — is still under the policy.
    let site = sb.user_site();
    let site = site.to_string_lossy().into_owned();
    let base = sb.userbase.to_string_lossy().into_owned();
    let cases: Vec<Case> = vec![
        (vec!["--target", &site, DENIED], vec![]),
        (vec!["--prefix", &base, "Made_Up.Pkg"], vec![]),
        (vec!["--root", &base, DENIED], vec![]),
        (vec![DENIED], vec![("PIP_TARGET", &site)]),
        (vec!["--target", &site, "requests"], vec![]),
    ];
    for (extra, vars) in cases {
        let reason = if extra.contains(&"requests") {
            "mode enforce"
        } else {
            DENY_REASON
        };
        blocked(&sb, "pip", &sb.install_args(&extra), &vars, reason);
    }
}

/// The control for the installs elsewhere: what the policy allows goes to
/// pip unchanged.
#[test]
fn control_target_installs_what_the_policy_allows() {
    let Some(sb) = Sandbox::new() else { return };
    sb.project_policy(ENFORCE_POLICY);
    let dir = sb.root.join("target-dir");
    let d = dir.to_string_lossy().into_owned();
    let o = run(
        sb.pip(&args_ref(&sb.install_args(&["-q", "--target", &d, OTHER]))),
        LONG,
    );
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    assert!(dir.join(OTHER_MODULE).join("__init__.py").is_file());
    assert!(
        !String::from_utf8_lossy(&o.stderr).contains("pip-guard"),
        "passed through without a word\n{}",
        show(&o)
    );
    assert!(sb.records().is_empty(), "a passthrough is not logged");
}

#[test]
fn no_entry_point_gets_around_a_deny() {
    let Some(sb) = Sandbox::new() else { return };
    sb.project_policy(ENFORCE_POLICY);
    for entry in ["pip3", "pip3.11"] {
        blocked(
            &sb,
            entry,
            &sb.install_args(&["--guard-yes", DENIED]),
            &[],
            DENY_REASON,
        );
    }
    // `pip-guard pip …` and `pip-guard pip3.11 …`.
    for sub in ["pip", "pip3.11"] {
        let before = sb.records().len();
        let mut c = sb.cmd(common::bin());
        c.arg(sub)
            .args(sb.install_args(&["--guard-yes", DENIED]))
            .env("PIP_GUARD_PYTHON", PY);
        let o = run(c, LONG);
        sb.assert_blocked(&format!("pip-guard {sub}"), &o, DENY_REASON, before);
    }
}

/// `python3 -m pip` (and `python3.11 -m pip`, `python3 -Im pip`) through the
/// shell integration in a clean bash.
#[test]
fn python_m_pip_through_the_shell_snippet() {
    let Some(sb) = Sandbox::new() else { return };
    sb.project_policy(ENFORCE_POLICY);
    let init = run(
        {
            let mut c = sb.cmd(common::bin());
            c.args(["init", "bash"]);
            c
        },
        LONG,
    );
    assert_eq!(init.status.code(), Some(0), "{}", show(&init));
    let snippet = sb.root.join("snippet.bash");
    std::fs::write(&snippet, &init.stdout).expect("write snippet");
    let fl = sb.find_links().join(" ");
    for python in ["python3 -m pip", "python3.11 -m pip", "python3 -Im pip"] {
        let before = sb.records().len();
        let script = format!(
            "source {}\n{python} install {fl} --guard-yes --break-system-packages --user {DENIED}\n",
            snippet.display()
        );
        let mut c = sb.cmd("/bin/bash");
        c.args(["--norc", "--noprofile", "-c", &script]);
        let o = run(c, LONG);
        sb.assert_blocked(&format!("bash: {python}"), &o, DENY_REASON, before);
    }
}

#[test]
fn no_spelling_of_the_name_gets_around_a_deny() {
    let Some(sb) = Sandbox::new() else { return };
    sb.project_policy(ENFORCE_POLICY);
    for spelling in [
        "Made_Up.PKG",
        "made.up_pkg==1.0",
        "MADE--UP__PKG[extra]>=0.1",
        "made-up-pkg ; python_version >= \"3\"",
        "mAdE.uP.pKg",
    ] {
        blocked(
            &sb,
            "pip",
            &sb.install_args(&["--guard-yes", spelling]),
            &[],
            DENY_REASON,
        );
    }
}

#[test]
fn a_name_hidden_two_files_deep_is_blocked() {
    let Some(sb) = Sandbox::new() else { return };
    sb.project_policy(ENFORCE_POLICY);
    sb.write("requirements.txt", "# top\n-r sub/more.txt\n");
    sb.write("sub/more.txt", "-r ../deep/last.txt\n");
    sb.write("deep/last.txt", "# the one\nMade_Up.Pkg\n");
    let o = {
        let before = sb.records().len();
        let args = sb.install_args(&["--guard-yes", "-r", "requirements.txt"]);
        let o = run(sb.pip(&args_ref(&args)), LONG);
        sb.assert_blocked("nested -r", &o, DENY_REASON, before);
        o
    };
    // The message points at the file and line it was hidden in.
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("last.txt:2"), "{}", show(&o));
    let rec = sb.records().pop().expect("record");
    assert!(
        rec["requirements"][0]["origin"]["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("last.txt")),
        "{rec}"
    );
}

#[test]
fn a_name_hidden_in_a_dependency_group_is_blocked() {
    let Some(sb) = Sandbox::new() else { return };
    sb.project_policy(ENFORCE_POLICY);
    sb.write(
        "pyproject.toml",
        "[dependency-groups]\ndev = [{include-group = \"inner\"}]\ninner = [\"Made_Up.Pkg\"]\n",
    );
    for group in ["dev", "pyproject.toml:dev", "inner"] {
        blocked(
            &sb,
            "pip",
            &sb.install_args(&["--guard-yes", "--group", group]),
            &[],
            DENY_REASON,
        );
    }
}

/// `name @ file://…`, a wheel path (named by its file name), `-e` of a
/// local project (the guard cannot know its name): in advise mode with a
/// yes, where only the deny stands between pip and the install; then the
/// same in enforce mode.
#[test]
fn direct_references_and_editables_are_blocked() {
    let Some(sb) = Sandbox::new() else { return };
    local_project(&sb, "proj", DENIED);
    let whl = sb.wheels.join("made_up_pkg-1.0-py3-none-any.whl");
    assert!(whl.is_file());
    let url = format!("Made_Up.Pkg @ file://{}", whl.display());
    let rel = Path::new("..")
        .join("wheels")
        .join(whl.file_name().expect("name"));
    let rel = rel.to_string_lossy().into_owned();
    let proj_url = format!("file://{}", sb.work.join("proj").display());
    let named_editable = format!("{proj_url}#egg=made_up_pkg");
    for (policy, label) in [(ADVISE_DENY, "advise"), (ENFORCE_POLICY, "enforce")] {
        sb.project_policy(policy);
        let cases: Vec<(Vec<&str>, &str)> = vec![
            (vec![url.as_str()], DENY_REASON),
            (vec![rel.as_str()], DENY_REASON),
            (vec!["-e", "./proj"], "name is not known"),
            (vec!["./proj"], "name is not known"),
            (vec!["-e", named_editable.as_str()], DENY_REASON),
        ];
        for (extra, reason) in cases {
            let mut a = vec!["--guard-yes"];
            a.extend(extra);
            let before = sb.records().len();
            let o = run(sb.pip(&args_ref(&sb.install_args(&a))), LONG);
            sb.assert_blocked(&format!("{label}: {a:?}"), &o, reason, before);
        }
    }
}

/// Requirements nixpkgs covers are blocked in enforce mode, even with
/// `--guard-all` and a yes (the fake `requests` 99.0 wheel is right there
/// in the find-links directory); dev-shell-tier ones are blocked with the
/// dev shell offered.
#[test]
fn nixpkgs_covered_and_dev_shell_requirements_are_blocked_in_enforce() {
    let Some(sb) = Sandbox::new() else { return };
    sb.project_policy(ENFORCE_POLICY);
    for extra in [
        vec!["requests"],
        vec!["--guard-all", "--guard-yes", "-U", "Requests"],
        vec!["--guard-all", "--break-system-packages", "-U", "requests"],
    ] {
        blocked(
            &sb,
            "pip",
            &sb.install_args(&extra),
            &[("PIP_GUARD_YES", "1")],
            "mode enforce",
        );
    }
    // A direct reference: the dev-shell tier (nothing else stops it here:
    // made-up-other is not denied and pip fallback is allowed).
    let whl = sb.wheels.join("made_up_other-1.0-py3-none-any.whl");
    let direct = format!("made-up-other @ file://{}", whl.display());
    let before = sb.records().len();
    let args = sb.install_args(&["--guard-all", "--guard-yes", &direct]);
    let o = run(sb.pip(&args_ref(&args)), LONG);
    sb.assert_blocked("a direct reference", &o, "use a dev shell", before);
    let err = flat(&String::from_utf8_lossy(&o.stderr));
    assert!(err.contains("3. Dev shell"), "{}", show(&o));
    assert!(err.contains("pip-guard nixify"), "{}", show(&o));
    let rec = sb.records().pop().expect("record");
    assert_eq!(rec["requirements"][0]["tier"], "dev-shell", "{rec}");
}

/// A locked system layer (`PIP_GUARD_SYSTEM_POLICY`) that the project file,
/// `PIP_GUARD_POLICY` and `--guard-policy` all try to loosen.
#[test]
fn a_locked_system_layer_cannot_be_loosened() {
    let Some(sb) = Sandbox::new() else { return };
    let system = sb.root.join("etc/policy.toml");
    std::fs::create_dir_all(system.parent().expect("parent")).expect("mkdir");
    std::fs::write(
        &system,
        r#"locked = true
mode = "enforce"
allow_pip_fallback = false
deny = [{ pattern = "made-up-pkg", reason = "locked by the admin" }]

[index]
source = "embedded"
"#,
    )
    .expect("write");
    let loose = "mode = \"advise\"\nallow = [\"*\"]\nallow_pip_fallback = true\n";
    sb.project_policy(loose);
    sb.write(
        "loose-off.toml",
        "mode = \"off\"\nallow = [\"*\", \"made-up-pkg\"]\n",
    );
    let sys = system.to_string_lossy().into_owned();
    let variants: Vec<Case> = vec![
        (vec![], vec![]),
        (vec![], vec![("PIP_GUARD_POLICY", "loose-off.toml")]),
        (vec!["--guard-policy", "loose-off.toml"], vec![]),
    ];
    for (flags, vars) in variants {
        let mut vars = vars.clone();
        vars.push(("PIP_GUARD_SYSTEM_POLICY", sys.as_str()));
        let with = |extra: &[&str]| {
            let mut a = flags.clone();
            a.extend(["--guard-yes", "--guard-all", "--break-system-packages"]);
            a.extend(extra);
            sb.install_args(&a)
        };
        blocked(&sb, "pip", &with(&[DENIED]), &vars, "locked by the admin");
        // The project's allow = ["*"] cannot open pip fallthrough either.
        blocked(&sb, "pip", &with(&[OTHER]), &vars, "cannot loosen");
        blocked(
            &sb,
            "pip",
            &with(&["-U", "requests"]),
            &vars,
            "cannot loosen",
        );
        // An unnamed local project: the locked deny cannot be checked.
        local_project(&sb, "proj", DENIED);
        blocked(
            &sb,
            "pip",
            &with(&["-e", "./proj"]),
            &vars,
            "name is not known",
        );
    }
    // Every warning about the ignored loosening went to stderr, and the
    // log says mode enforce with both files.
    let rec = sb.records().pop().expect("record");
    assert_eq!(rec["mode"], "enforce", "{rec}");
}

/// A project the policy allows that depends on the denied one: the guard
/// passes the deny list to pip as unsatisfiable constraints, so pip fails
/// to resolve instead of installing the denied project as a dependency.
#[test]
fn a_denied_project_does_not_come_in_as_a_dependency() {
    let Some(sb) = Sandbox::new() else { return };
    sb.project_policy(ENFORCE_POLICY);
    Wheel::new("innocent-pkg", "1.0")
        .module("innocent_pkg/__init__.py", "PIP_GUARD_FAKE = True\n")
        .requires("Made_Up.Pkg>=1")
        .write_to(&sb.wheels);
    let args = sb.install_args(&["--guard-yes", "innocent-pkg"]);
    let o = run(sb.pip(&args_ref(&args)), LONG);
    assert_ne!(o.status.code(), Some(0), "pip must fail\n{}", show(&o));
    sb.assert_nothing_installed("a denied dependency", &o);
    assert!(!sb.imports("innocent_pkg"), "{}", show(&o));
    let rec = sb.records().pop().expect("record");
    assert_eq!(rec["action"], "fallthrough", "{rec}");
    // The control: without the deny, pip installs both.
    sb.project_policy(&ENFORCE_POLICY.replace("made-up-pkg", "something-else"));
    let o = run(sb.pip(&args_ref(&args)), LONG);
    assert_eq!(o.status.code(), Some(0), "{}", show(&o));
    assert!(
        sb.imports("innocent_pkg") && sb.imports(DENIED_MODULE),
        "{}",
        show(&o)
    );
}
