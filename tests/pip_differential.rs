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

mod common;

use pep508_rs::pep440_rs::VersionSpecifier;
use pep508_rs::{MarkerEnvironment, MarkerEnvironmentBuilder};
use pip_guard::invocation::parse::Mode;
use pip_guard::invocation::parse_install;
use pip_guard::origin::Origin;
use pip_guard::requirements::collect::collect;
use pip_guard::requirements::pylock::is_pylock_filename;
use pip_guard::requirements::Requirement;
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

use common::venv_python;

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
        if let Some(h) = trimmed
            .strip_prefix("-- ")
            .and_then(|h| h.strip_suffix(" --"))
        {
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
        let (key, value) = trimmed
            .split_once(": ")
            .unwrap_or_else(|| panic!("{name}: bad header line {trimmed:?}"));
        match key {
            "args" => {
                case.args =
                    serde_json::from_str(value).unwrap_or_else(|e| panic!("{name}: args: {e}"))
            }
            "env" => {
                case.env =
                    serde_json::from_str(value).unwrap_or_else(|e| panic!("{name}: env: {e}"))
            }
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
                let t = if crlf {
                    t.replace('\n', "\r\n")
                } else {
                    t.clone()
                };
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
    let mut spec: Vec<String> = r
        .specifier
        .split(',')
        .filter(|s| !s.is_empty())
        .map(norm_spec)
        .collect();
    spec.sort();
    let mut extras = r.extras().to_vec();
    extras.sort();
    json!({
        "origin": origin,
        "file": file.map(|f| f.to_string_lossy().into_owned()),
        "name": r.normalized,
        "extras": extras,
        "specifier": spec,
        "applies": match (&r.marker, r.applies(env)) {
            (None, _) => Value::Null,
            (Some(_), Ok(b)) => json!(b),
            (Some(_), Err(e)) => json!(format!("error: {e}")),
        },
        "editable": r.editable(),
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
        (Some(e), _, Ok(_)) if e == "ours-error" => {
            Err("expected pip-guard to fail (deliberate difference), it did not".into())
        }
        (Some(e), Some(p), _) if e == "ours-error" && !case.skip_pip => Err(format!(
            "deliberate difference expects pip to succeed, pip failed: {p}"
        )),
        (Some(e), _, _) if e == "ours-error" => Ok(()),
        (Some(e), _, _) => Err(format!("unknown expect {e:?}")),
        (None, Some(p), Ok(_)) => Err(format!(
            "pip failed, pip-guard did not. pip: {}",
            p["message"]
        )),
        (None, None, Err(e)) => Err(format!("pip-guard failed, pip did not. pip-guard: {e}")),
        (None, Some(p), Err(e)) => {
            if let Some(w) = p["where"].as_array() {
                let want = (
                    w[0].as_str().unwrap_or(""),
                    w[1].as_u64().unwrap_or(0) as usize,
                );
                match &e.origin {
                    Some(Origin::File { file, line })
                        if cwd.join(file).to_string_lossy() == want.0 && *line == want.1 =>
                    {
                        Ok(())
                    }
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
            // A local project's declared requirements (`via`, but for
            // `--group`'s) are pip-guard's own reading of the project
            // (tests/project_differential.rs), not pip's parse of the command
            // line: left out here.
            let mut mine: Vec<Value> = set
                .requirements
                .iter()
                .filter(|r| r.via().is_none_or(|v| v.dependency_group.is_some()))
                .map(|r| ours(r, cwd, env))
                .collect();
            // pip leaves out lock-file packages whose marker is false.
            mine.retain(|v| !(from_lock(v) && v["applies"] == json!(false)));
            let theirs = pip["requirements"].as_array().cloned().unwrap_or_default();
            if mine.len() != theirs.len() {
                return Err(format!(
                    "pip has {} requirements, pip-guard {}\npip: {theirs:#?}\nours: {mine:#?}",
                    theirs.len(),
                    mine.len()
                ));
            }
            for (i, (m, t)) in mine.iter().zip(&theirs).enumerate() {
                let mut diffs = Vec::new();
                for key in [
                    "name",
                    "extras",
                    "specifier",
                    "editable",
                    "constraint",
                    "kind",
                ] {
                    if m[key] != t[key] {
                        diffs.push(format!("{key}: pip {} / ours {}", t[key], m[key]));
                    }
                }
                if from_lock(m) {
                    if t["source"] != m["file"] {
                        diffs.push(format!(
                            "lock file: pip {} / ours {}",
                            t["source"], m["file"]
                        ));
                    }
                } else {
                    if m["applies"] != t["applies"] {
                        diffs.push(format!(
                            "applies: pip {} / ours {}",
                            t["applies"], m["applies"]
                        ));
                    }
                    if !t["origin"].is_null() && t["origin"] != m["origin"] {
                        diffs.push(format!(
                            "origin: pip {} / ours {}",
                            t["origin"], m["origin"]
                        ));
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
        return;
    };
    let cases = load_corpus();
    let root = tempfile::tempdir().expect("tempdir");
    let root = root.path().canonicalize().expect("canonical tempdir");
    let mut jobs = Vec::new();
    let mut runs = Vec::new(); // (case index, dir, variant)
    for (i, case) in cases.iter().enumerate() {
        let has_text = case
            .files
            .iter()
            .any(|(_, b)| matches!(b, FileBody::Text(_)));
        let variants: &[bool] = if case.crlf && has_text {
            &[false, true]
        } else {
            &[false]
        };
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
        stdin
            .write_all(json!({"cases": jobs}).to_string().as_bytes())
            .expect("write jobs");
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
    eprintln!(
        "{} cases, {} runs, {} disagreements",
        cases.len(),
        runs.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "pip and pip-guard disagree:\n{}",
        failures.join("\n\n")
    );
    assert!(
        cases.len() >= 80,
        "the corpus has {} cases, want at least 80",
        cases.len()
    );
}

/// A small deterministic generator (64-bit LCG), so failures reproduce.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() as usize) % xs.len()]
    }
}

/// Random requirement-ish strings built from the grammar's awkward corners,
/// some of them mutated by one inserted or deleted character.
fn grammar_samples(n: usize) -> Vec<String> {
    let ws = ["", "", " ", "  ", "\t", "\u{a0}", "\u{b}"];
    let names = [
        "foo",
        "Foo_Bar",
        "a",
        "a.b",
        "x-",
        "_x",
        "1a",
        "foo_",
        "Zope.Interface",
        "é",
    ];
    let extras = [
        "",
        "",
        "[a]",
        "[a,b]",
        "[ a , B_c ]",
        "[]",
        "[a b]",
        "[a,]",
        "[",
        "[a.B-c_d,A]",
    ];
    let specs = [
        "",
        ">=1",
        "==1.0.*",
        "~=1",
        "~=1.0",
        "!=2.*",
        "===x",
        "=== y",
        "<v2",
        ">1.0a1",
        "==1.0+loc",
        ">=1.0+loc",
        "==1.0.post1.dev2",
        "(>=1,<2)",
        "( ==1 )",
        ">=1,",
        ",<2",
        ">=1 ,<2",
        "==1.*.1",
        "==1.0a1.*",
        ">=1.0.*",
        "=1",
        ">=",
        "<=1!2.0",
        "==1.0-1",
        ">=1.0rc",
        "==1.0_alpha-3",
        "~=1.0.post1",
        ">= 1.0 , != 1.5.*",
        "==V1.0",
        ">=1.0PRE2",
        "<2.0-dev",
        "==1.0+a.b-c_d",
        "!=1.0+",
        ">1.0r",
    ];
    let urls = [
        "@ https://x/y.tgz",
        "@https://x",
        "@ ",
        "@ ./rel",
        "@ file:///a b",
        "@ https://x;os_name=='a'",
        "@ git+https://h/r.git@v1#egg=x",
    ];
    let markers = [
        "",
        "",
        ";",
        "; os_name == 'nt'",
        ";python_version>'3'and sys_platform=='linux'",
        "; os.name=='posix'",
        "; 'a' in extras",
        "; extra == 'X_y'",
        "; (os_name=='a' or os_name=='b') and python_version<'4'",
        "; os_name == 'a\\'",
        "; os_name ==",
        "; os_name not  in 'x'",
        "; os_name notin 'x'",
        "; python_version ~= '3.1'",
        "; platform_release >= '5.x'",
        "; foo == 'a'",
        "; os_name==\"a\"or os_name==\"b\"",
        "; python_version in '3.10 3.11'",
        "; python_full_version >= '3.8.0' and implementation_name != 'pypy'",
        "; sys_platform == \"\\x6cinux\"",
        "; 'linux' == sys_platform",
        "; python_version >= '3.11.0'",
        "; python_version == '3.*'",
        "; platform_machine === 'x86_64'",
        "; python_version > \"3.1O\"",
    ];
    let junk = [
        "", "", "", "", "", "", "", " ", "#", ",", ";", ")", "x", "*", ".*", "+z", "]",
    ];
    let mut g = Lcg(0x5eed);
    let mut out = Vec::new();
    for _ in 0..n {
        let detail = if g.next().is_multiple_of(5) {
            g.pick(&urls)
        } else {
            g.pick(&specs)
        };
        let mut s = String::new();
        for part in [
            g.pick(&ws),
            g.pick(&names),
            g.pick(&ws),
            g.pick(&extras),
            g.pick(&ws),
            detail,
            g.pick(&ws),
            g.pick(&markers),
            g.pick(&ws),
            g.pick(&junk),
        ] {
            s.push_str(part);
        }
        if g.next().is_multiple_of(4) && !s.is_empty() {
            let chars: Vec<char> = s.chars().collect();
            let at = (g.next() as usize) % chars.len();
            let mut v = chars.clone();
            if g.next().is_multiple_of(2) {
                v.remove(at);
            } else {
                v.insert(
                    at,
                    g.pick(&[
                        " ", ";", ",", "(", ")", "'", "\"", "=", "<", ".", "-", "@", "[",
                    ])
                    .chars()
                    .next()
                    .unwrap_or(' '),
                );
            }
            s = v.into_iter().collect();
        }
        out.push(s);
        // The specifier token alone, with trailing junk, and a marker alone.
        out.push(format!("{}{}", g.pick(&specs), g.pick(&junk)));
        out.push(
            g.pick(&markers)
                .trim_start_matches(';')
                .trim_start()
                .to_string(),
        );
    }
    out
}

#[test]
fn packaging_grammar_agrees_on_random_strings() {
    use pip_guard::requirements::{markers, pep508};
    let Some(python) = venv_python() else {
        return;
    };
    let samples = grammar_samples(4000);
    let mut child = Command::new(&python)
        .arg(repo().join("tests/pip_oracle/grammar.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run the grammar oracle");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin
            .write_all(serde_json::to_string(&samples).unwrap().as_bytes())
            .expect("write");
    }
    let output = child.wait_with_output().expect("oracle output");
    assert!(output.status.success(), "the grammar oracle failed");
    let oracle: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let env = marker_env(&oracle["environment"]);
    let results = oracle["results"].as_array().expect("results");
    let mut failures = Vec::new();
    let (mut valid_reqs, mut valid_markers) = (0, 0);
    for (s, p) in samples.iter().zip(results) {
        let ours_len = pep508::specifier_token_len(s);
        if ours_len.map(|n| s[..n].chars().count() as u64) != p["spec_len"].as_u64() {
            failures.push(format!(
                "{s:?}: specifier token: packaging {} / ours {ours_len:?}",
                p["spec_len"]
            ));
        }
        let ours = pep508::parse_requirement(s);
        match (&p["req"], &ours) {
            (Value::Null, Ok(r)) => {
                failures.push(format!("{s:?}: packaging rejects, ours accepts {r:?}"))
            }
            (t, Err(e)) if !t.is_null() => {
                failures.push(format!("{s:?}: packaging accepts, ours rejects: {e}"))
            }
            (t, Ok(r)) => {
                valid_reqs += 1;
                let mut extras: Vec<String> = r
                    .extras
                    .iter()
                    .map(|e| pip_guard::names::normalize(e))
                    .collect();
                extras.sort();
                extras.dedup();
                let mut spec: Vec<String> = r
                    .specifier
                    .split(',')
                    .map(|x| x.chars().filter(|c| !c.is_whitespace()).collect::<String>())
                    .filter(|x| !x.is_empty())
                    .collect();
                spec.sort();
                let mine = json!({
                    "name": pip_guard::names::normalize(&r.name),
                    "extras": extras,
                    "specifier": spec,
                    "url": r.url,
                    "marker": r.marker.is_some(),
                });
                if &mine != t {
                    failures.push(format!("{s:?}: packaging {t} / ours {mine}"));
                }
            }
            _ => {}
        }
        let ours_marker = pep508::parse_marker(s).is_ok();
        if Some(ours_marker) != p["marker"].as_bool() {
            failures.push(format!(
                "{s:?}: marker valid: packaging {} / ours {ours_marker}",
                p["marker"]
            ));
        }
        if let Some(want) = p["marker_eval"].as_bool() {
            valid_markers += 1;
            match markers::parse(s, None).and_then(|(_, m)| m.evaluate(&env)) {
                Ok(got) if got == want => {}
                Ok(_) => failures.push(format!(
                    "{s:?}: marker evaluates to {want} in packaging, not in pip-guard"
                )),
                Err(e) if s.contains("extras") || s.contains("dependency_groups") => {
                    let _ = e; // lock-file-only variables: refused outside lock files (documented)
                }
                Err(e) => failures.push(format!(
                    "{s:?}: packaging evaluates it, pip-guard cannot: {e}"
                )),
            }
        }
    }
    eprintln!("{} strings, {valid_reqs} valid requirements, {valid_markers} evaluable markers, {} disagreements", samples.len(), failures.len());
    assert!(
        valid_reqs > 200 && valid_markers > 300,
        "the generator should produce plenty of valid input"
    );
    let failures: std::collections::BTreeSet<String> = failures.into_iter().collect();
    let failures: Vec<String> = failures.into_iter().take(80).collect();
    assert!(
        failures.is_empty(),
        "packaging and pip-guard disagree:\n{}",
        failures.join("\n")
    );
}
