//! pip agrees: every case under `tests/corpus/` is read by the pinned pip
//! (26.3, through `tests/pip_oracle/parse_reqs.py`) and by pip-guard's
//! `requirements::collect`, then compared requirement by requirement:
//! origin line, normalized name, extras, specifier set, marker truth for
//! the oracle's interpreter, editable, constraint and kind; and when pip
//! fails, pip-guard must fail too, at the same file and line. Every file
//! case runs twice: as written (LF) and with CRLF line endings.
//!
//! Case format (`*.case`): header lines, then files.
//!
//! ```text
//! # what the case is about
//! args: ["-r", "requirements.txt"]      JSON list: the `pip install` arguments
//! env: {"NAME": "value"}                optional JSON object: environment
//! expect: ours-error                    optional: a deliberate difference
//! pip: skip                             optional: do not run pip (it would use the network)
//! why: …                                required with expect / pip: skip
//! crlf: no                              optional: do not run the CRLF variant
//! -- requirements.txt --
//! file content …
//! -- data.bin [hex] --
//! ef bb bf 41 0a                        hex bytes
//! -- project [dir] --                   an empty directory
//! ```

use pip_guard::invocation::parse::Mode;
use pip_guard::invocation::parse_install;
use pip_guard::origin::Origin;
use pip_guard::requirements::collect::collect;
use pip_guard::requirements::pylock::is_pylock_filename;
use pip_guard::requirements::Requirement;
use pep508_rs::pep440_rs::VersionSpecifier;
use pep508_rs::{MarkerEnvironment, MarkerEnvironmentBuilder};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::str::FromStr;

struct Case {
    name: String,
    args: Vec<String>,
    env: BTreeMap<String, String>,
    expect: Option<String>,
    skip_pip: bool,
    crlf: bool,
    files: Vec<(String, FileBody)>,
}

enum FileBody {
    Text(String),
    Bytes(Vec<u8>),
    Dir,
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn venv_python() -> Option<PathBuf> {
    let venv = std::env::var_os("PIP_GUARD_TEST_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".venv-test"));
    let py = venv.join("bin/python");
    py.exists().then_some(py)
}

fn parse_case(name: &str, text: &str) -> Case {
    let mut case = Case {
        name: name.to_string(),
        args: Vec::new(),
        env: BTreeMap::new(),
        expect: None,
        skip_pip: false,
        crlf: true,
        files: Vec::new(),
    };
    let mut why = false;
    let mut current: Option<(String, String, String)> = None; // (name, kind, body)
    let flush = |c: &mut Option<(String, String, String)>, files: &mut Vec<(String, FileBody)>| {
        if let Some((n, kind, body)) = c.take() {
            let b = match kind.as_str() {
                "hex" => {
                    let hex: String = body.split_whitespace().collect();
                    FileBody::Bytes(
                        (0..hex.len())
                            .step_by(2)
                            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
                            .collect(),
                    )
                }
                "dir" => FileBody::Dir,
                _ => FileBody::Text(body),
            };
            files.push((n, b));
        }
    };
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_end_matches(['\n']);
        if let Some(h) = trimmed.strip_prefix("-- ").and_then(|h| h.strip_suffix(" --")) {
            flush(&mut current, &mut case.files);
            let (n, kind) = match h.rsplit_once(" [") {
                Some((n, k)) => (n.to_string(), k.trim_end_matches(']').to_string()),
                None => (h.to_string(), String::new()),
            };
            current = Some((n, kind, String::new()));
            continue;
        }
        if let Some((_, _, body)) = current.as_mut() {
            body.push_str(line);
            continue;
        }
        if trimmed.starts_with('#') || trimmed.trim().is_empty() {
            continue;
        }
        let (key, value) = trimmed.split_once(": ").unwrap_or_else(|| panic!("{name}: bad header line {trimmed:?}"));
        match key {
            "args" => case.args = serde_json::from_str(value).unwrap_or_else(|e| panic!("{name}: args: {e}")),
            "env" => case.env = serde_json::from_str(value).unwrap_or_else(|e| panic!("{name}: env: {e}")),
            "expect" => case.expect = Some(value.to_string()),
            "pip" => case.skip_pip = value == "skip",
            "why" => why = true,
            "crlf" => case.crlf = value != "no",
            other => panic!("{name}: unknown header {other:?}"),
        }
    }
    flush(&mut current, &mut case.files);
    assert!(
        why || (case.expect.is_none() && !case.skip_pip),
        "{name}: a deliberate difference needs a `why:` line"
    );
    case
}

fn load_corpus() -> Vec<Case> {
    let dir = repo().join("tests/corpus");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/corpus")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "case"))
        .collect();
    names.sort();
    names
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).expect("read case");
            parse_case(&p.file_stem().unwrap().to_string_lossy(), &text)
        })
        .collect()
}

/// Write a case's files under `dir`; with `crlf`, text files use CRLF.
fn materialize(case: &Case, dir: &Path, crlf: bool) {
    for (name, body) in &case.files {
        let path = dir.join(name);
        match body {
            FileBody::Dir => std::fs::create_dir_all(&path).expect("mkdir"),
            FileBody::Text(t) => {
                std::fs::create_dir_all(path.parent().unwrap()).expect("mkdir");
                let t = if crlf { t.replace('\n', "\r\n") } else { t.clone() };
                std::fs::write(&path, t).expect("write");
            }
            FileBody::Bytes(b) => {
                std::fs::create_dir_all(path.parent().unwrap()).expect("mkdir");
                std::fs::write(&path, b).expect("write");
            }
        }
    }
}

fn marker_env(v: &Value) -> MarkerEnvironment {
    let g = |k: &str| v[k].as_str().unwrap_or("");
    MarkerEnvironment::try_from(MarkerEnvironmentBuilder {
        implementation_name: g("implementation_name"),
        implementation_version: g("implementation_version"),
        os_name: g("os_name"),
        platform_machine: g("platform_machine"),
        platform_python_implementation: g("platform_python_implementation"),
        platform_release: g("platform_release"),
        platform_system: g("platform_system"),
        platform_version: g("platform_version"),
        python_full_version: g("python_full_version"),
        python_version: g("python_version"),
        sys_platform: g("sys_platform"),
    })
    .expect("oracle environment")
}

fn norm_spec(s: &str) -> String {
    if s.starts_with("===") {
        return s.to_string();
    }
    match VersionSpecifier::from_str(s) {
        Ok(v) => v.to_string().replace(' ', ""),
        Err(_) => format!("unparsed:{s}"),
    }
}

/// Our requirement in the oracle's shape.
fn ours(r: &Requirement, cwd: &Path, env: &MarkerEnvironment) -> Value {
    let (origin, file) = match &r.origin {
        Origin::File { file, line } => {
            let abs = cwd.join(file);
            (json!([abs.to_string_lossy(), line]), Some(abs))
        }
        Origin::Arg(_) => (Value::Null, None),
    };
    let mut spec: Vec<String> = r.specifier.split(',').filter(|s| !s.is_empty()).map(norm_spec).collect();
    spec.sort();
    let mut extras = r.extras.clone();
    extras.sort();
    json!({
        "origin": origin,
        "file": file.map(|f| f.to_string_lossy().into_owned()),
        "name": r.normalized,
        "extras": extras,
        "specifier": spec,
        "applies": r.marker.as_ref().map(|m| m.evaluate(env, &[])),
        "editable": r.editable,
        "constraint": r.constraint,
        "kind": r.kind,
    })
}

fn from_lock(v: &Value) -> bool {
    v["file"].as_str().is_some_and(is_pylock_filename)
}

/// Compare one run; `Err` describes the disagreement.
fn compare(case: &Case, cwd: &Path, pip: &Value, env: &MarkerEnvironment) -> Result<(), String> {
    let args = case.args.clone();
    let envmap = case.env.clone();
    let lookup = move |k: &str| envmap.get(k).cloned();
    let result = parse_install(&args, Mode::Audit).and_then(|inv| collect(&inv, cwd, &lookup));
    let pip_err = pip.get("error");
    match (&case.expect, pip_err, &result) {
        (Some(e), _, Ok(_)) if e == "ours-error" => Err("expected pip-guard to fail (deliberate difference), it did not".into()),
        (Some(e), Some(p), _) if e == "ours-error" && !case.skip_pip => Err(format!("deliberate difference expects pip to succeed, pip failed: {p}")),
        (Some(e), _, _) if e == "ours-error" => Ok(()),
        (Some(e), _, _) => Err(format!("unknown expect {e:?}")),
        (None, Some(p), Ok(_)) => Err(format!("pip failed, pip-guard did not. pip: {}", p["message"])),
        (None, None, Err(e)) => Err(format!("pip-guard failed, pip did not. pip-guard: {e}")),
        (None, Some(p), Err(e)) => {
            if let Some(w) = p["where"].as_array() {
                let want = (w[0].as_str().unwrap_or(""), w[1].as_u64().unwrap_or(0) as usize);
                match &e.origin {
                    Some(Origin::File { file, line }) if cwd.join(file).to_string_lossy() == want.0 && *line == want.1 => Ok(()),
                    other => Err(format!(
                        "both failed, but pip failed at {}:{} and pip-guard at {:?}: {e}\npip: {}",
                        want.0, want.1, other, p["message"]
                    )),
                }
            } else {
                Ok(())
            }
        }
        (None, None, Ok(set)) => {
            let mut mine: Vec<Value> = set.requirements.iter().map(|r| ours(r, cwd, env)).collect();
            // pip leaves out lock-file packages whose marker is false.
            mine.retain(|v| !(from_lock(v) && v["applies"] == json!(false)));
            let theirs = pip["requirements"].as_array().cloned().unwrap_or_default();
            if mine.len() != theirs.len() {
                return Err(format!("pip has {} requirements, pip-guard {}\npip: {theirs:#?}\nours: {mine:#?}", theirs.len(), mine.len()));
            }
            for (i, (m, t)) in mine.iter().zip(&theirs).enumerate() {
                let mut diffs = Vec::new();
                for key in ["name", "extras", "specifier", "editable", "constraint", "kind"] {
                    if m[key] != t[key] {
                        diffs.push(format!("{key}: pip {} / ours {}", t[key], m[key]));
                    }
                }
                if from_lock(m) {
                    if t["source"] != m["file"] {
                        diffs.push(format!("lock file: pip {} / ours {}", t["source"], m["file"]));
                    }
                } else {
                    if m["applies"] != t["applies"] {
                        diffs.push(format!("applies: pip {} / ours {}", t["applies"], m["applies"]));
                    }
                    if !t["origin"].is_null() && t["origin"] != m["origin"] {
                        diffs.push(format!("origin: pip {} / ours {}", t["origin"], m["origin"]));
                    }
                }
                if !diffs.is_empty() {
                    return Err(format!("requirement #{i}: {}", diffs.join("; ")));
                }
            }
            Ok(())
        }
    }
}

#[test]
fn pip_agrees_on_every_corpus_case() {
    let Some(python) = venv_python() else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("the test venv with pip==26.3 is missing: run tests/setup.sh");
        }
        eprintln!("SKIP: no .venv-test (run tests/setup.sh to create it)");
        return;
    };
    let cases = load_corpus();
    let root = tempfile::tempdir().expect("tempdir");
    let root = root.path().canonicalize().expect("canonical tempdir");
    let mut jobs = Vec::new();
    let mut runs = Vec::new(); // (case index, dir, variant)
    for (i, case) in cases.iter().enumerate() {
        let has_text = case.files.iter().any(|(_, b)| matches!(b, FileBody::Text(_)));
        let variants: &[bool] = if case.crlf && has_text { &[false, true] } else { &[false] };
        for &crlf in variants {
            let id = format!("{}{}", case.name, if crlf { "@crlf" } else { "" });
            let dir = root.join(&id);
            std::fs::create_dir_all(&dir).expect("mkdir");
            materialize(case, &dir, crlf);
            if !case.skip_pip {
                jobs.push(json!({"id": id, "cwd": dir.to_string_lossy(), "args": case.args, "env": case.env}));
            }
            runs.push((i, dir, id));
        }
    }
    let mut child = Command::new(&python)
        .arg(repo().join("tests/pip_oracle/parse_reqs.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("run the pip oracle");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(json!({"cases": jobs}).to_string().as_bytes()).expect("write jobs");
    }
    let output = child.wait_with_output().expect("oracle output");
    assert!(output.status.success(), "the pip oracle failed");
    let oracle: Value = serde_json::from_slice(&output.stdout).expect("oracle JSON");
    let env = marker_env(&oracle["environment"]);
    let mut failures = Vec::new();
    for (i, dir, id) in &runs {
        let pip = match oracle["results"].get(id.as_str()) {
            Some(p) => p.clone(),
            None if cases[*i].skip_pip => json!({}),
            None => {
                failures.push(format!("== {id}\nno result from the pip oracle"));
                continue;
            }
        };
        if std::env::var_os("PIP_DIFF_DEBUG").is_some() {
            eprintln!("== {id}\n{pip}");
        }
        if let Err(e) = compare(&cases[*i], dir, &pip, &env) {
            failures.push(format!("== {id}\n{e}"));
        }
    }
    eprintln!("{} cases, {} runs, {} disagreements", cases.len(), runs.len(), failures.len());
    assert!(failures.is_empty(), "pip and pip-guard disagree:\n{}", failures.join("\n\n"));
    assert!(cases.len() >= 80, "the corpus has {} cases, want at least 80", cases.len());
}
