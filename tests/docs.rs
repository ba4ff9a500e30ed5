//! Every command shown in the docs runs, so the docs cannot rot.
//!
//! In README.md and docs/*.md, a fenced block whose info string is
//! `console` is a transcript: lines starting with `$ ` are commands (run
//! with bash in the repository root, with `pip-guard`, `pip` and `pip3`
//! on PATH as the built binary, a sealed HOME, and
//! `PIP_GUARD_PYTHON=/usr/bin/python3`); the other lines are output, and
//! each must appear in what the command printed (stdout and stderr), in
//! order, whitespace-trimmed. A line `...` skips any output. A command
//! ending in `# exit N` must exit with N; otherwise with 0.

mod common;
use common::TestEnv;
use std::path::{Path, PathBuf};

struct Step {
    file: String,
    line: usize,
    command: String,
    expected: Vec<String>,
    exit: i32,
}

fn transcripts(path: &Path, rel: &str) -> Vec<Step> {
    let text = std::fs::read_to_string(path).expect("read doc");
    let mut steps = Vec::new();
    let mut in_block = false;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start();
        if t.starts_with("```") {
            in_block = !in_block && t.trim_start_matches('`').trim() == "console";
            continue;
        }
        if !in_block {
            continue;
        }
        if let Some(cmd) = line.strip_prefix("$ ") {
            let (command, exit) = match cmd.rsplit_once("# exit ") {
                Some((c, n)) => (c.trim().to_string(), n.trim().parse().expect("exit code")),
                None => (cmd.trim().to_string(), 0),
            };
            steps.push(Step {
                file: rel.to_string(),
                line: i + 1,
                command,
                expected: vec![],
                exit,
            });
        } else if let Some(step) = steps.last_mut() {
            if !line.trim().is_empty() {
                step.expected.push(line.trim().to_string());
            }
        }
    }
    steps
}

fn doc_files() -> Vec<(PathBuf, String)> {
    let root = common::repo_root();
    let mut files = vec![(root.join("README.md"), "README.md".to_string())];
    if let Ok(rd) = std::fs::read_dir(root.join("docs")) {
        let mut docs: Vec<PathBuf> = rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "md"))
            .collect();
        docs.sort();
        for p in docs {
            let rel = format!(
                "docs/{}",
                p.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            );
            files.push((p, rel));
        }
    }
    files
}

#[test]
fn every_console_block_in_the_docs_runs() {
    let env = TestEnv::new();
    let bin_dir = env.root().join("bin");
    std::fs::create_dir_all(&bin_dir).expect("bin dir");
    for name in ["pip-guard", "pip", "pip3"] {
        std::os::unix::fs::symlink(common::bin(), bin_dir.join(name)).expect("symlink");
    }
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut count = 0;
    let mut failures = Vec::new();
    for (file, rel) in doc_files() {
        if !file.exists() {
            continue;
        }
        for step in transcripts(&file, &rel) {
            count += 1;
            let run = env
                .cmd("bash")
                .args(["-c", &step.command])
                .current_dir(common::repo_root())
                .env("PATH", &path)
                .env("PIP_GUARD_PYTHON", "/usr/bin/python3")
                .env("COLUMNS", "80")
                .run();
            let out = format!("{}\n{}", run.stdout, run.stderr);
            let mut rest: &str = &out;
            let mut problem = None;
            if run.code != Some(step.exit) {
                problem = Some(format!("exit {:?}, expected {}", run.code, step.exit));
            }
            for want in step.expected.iter().filter(|w| *w != "...") {
                match rest.find(want.as_str()) {
                    Some(pos) => rest = &rest[pos + want.len()..],
                    None => {
                        problem = Some(format!(
                            "expected output line not found (in order): {want:?}"
                        ));
                        break;
                    }
                }
            }
            if let Some(p) = problem {
                failures.push(format!(
                    "{}:{}: `{}`: {p}\n{}",
                    step.file,
                    step.line,
                    step.command,
                    run.report()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {count} doc commands failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert!(
        count > 0 || !common::repo_root().join("README.md").exists(),
        "no console blocks found in the docs"
    );
}

/// README's Documentation list is the index of the docs: every file in
/// docs/ is linked from it.
#[test]
fn the_readme_links_every_doc() {
    let root = common::repo_root();
    let readme = std::fs::read_to_string(root.join("README.md")).expect("read README.md");
    let missing: Vec<String> = doc_files()
        .into_iter()
        .map(|(_, rel)| rel)
        .filter(|rel| rel != "README.md" && !readme.contains(&format!("]({rel})")))
        .collect();
    assert!(
        missing.is_empty(),
        "README.md's Documentation list does not link: {missing:?}"
    );
    // And every docs/ link in README.md leads to a file.
    let dangling: Vec<&str> = readme
        .split("](docs/")
        .skip(1)
        .filter_map(|rest| rest.split([')', '#']).next())
        .filter(|name| !root.join("docs").join(name).exists())
        .collect();
    assert!(
        dangling.is_empty(),
        "README.md links docs that do not exist: {dangling:?}"
    );
}

/// The pre-commit hook (`.pre-commit-hooks.yaml`, documented in docs/ci.md)
/// audits every file pre-commit passes, as requirements files: run its
/// `entry` the way pre-commit does (YAML, then `shlex.split`, then the file
/// names appended) with two changed files.
#[test]
fn the_pre_commit_hook_audits_every_file_it_is_given() {
    let env = TestEnv::new();
    let bin_dir = env.root().join("bin");
    std::fs::create_dir_all(&bin_dir).expect("bin dir");
    std::os::unix::fs::symlink(common::bin(), bin_dir.join("pip-guard")).expect("symlink");
    let hooks = common::repo_root().join(".pre-commit-hooks.yaml");
    let split = env
        .cmd("/usr/bin/python3")
        .args([
            "-c",
            "import shlex, sys, yaml\n\
             hook = [h for h in yaml.safe_load(open(sys.argv[1])) if h['id'] == 'pip-guard-audit'][0]\n\
             assert hook['pass_filenames'] is True and hook['language'] == 'system'\n\
             print('\\0'.join(shlex.split(hook['entry'])), end='')",
        ])
        .arg(&hooks)
        .run();
    if split.code != Some(0) {
        if split.stderr.contains("No module named 'yaml'") {
            return common::missing::<()>("python3-yaml (PyYAML for /usr/bin/python3)")
                .unwrap_or(());
        }
        panic!("reading the hook failed:\n{}", split.report());
    }
    let entry: Vec<&str> = split.stdout.split('\0').collect();
    env.write("requirements.txt", "requests\n");
    env.write(
        "sub dir/requirements-dev.txt",
        "# dev tools\nsome-made-up-pkg\n",
    );
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let run = env
        .cmd(entry[0])
        .args(&entry[1..])
        .args(["requirements.txt", "sub dir/requirements-dev.txt"])
        .env("PATH", &path)
        .env("PIP_GUARD_PYTHON", "/usr/bin/python3")
        .run();
    assert_eq!(run.code, Some(0), "{}", run.report());
    for want in [
        "[requirements.txt:1]",
        "[sub dir/requirements-dev.txt:2]",
        "2 total",
    ] {
        assert!(
            run.stdout.contains(want),
            "{want} missing:\n{}",
            run.report()
        );
    }
    assert!(
        !run.stdout.contains("[argument"),
        "a file name was read as a requirement:\n{}",
        run.report()
    );
}
