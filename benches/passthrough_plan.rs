//! The guard's work before pip starts, for a 50-requirement install, as a
//! library call: plan (resolve against a full-size index + the native
//! alternatives, policy verdicts), decision, explanation text and Nix
//! snippets. No process start, no Python probe (the target is built by
//! hand), no index file parsing (the index is built in memory from the
//! shared `nixpkgs-python-attrs.tsv`, 8,746 attrs, or a synthetic one of the
//! same size when the shared data is not there).
//!
//! `cargo bench --bench passthrough_plan` prints the median of 200 runs.

use pip_guard::alternatives::Alternatives;
use pip_guard::index::Index;
use pip_guard::invocation::parse::{parse_install, Mode};
use pip_guard::plan::Plan;
use pip_guard::policy::Policy;
use pip_guard::render::guard as explain;
use pip_guard::render::text::Style;
use pip_guard::target::{apply_overrides, default_probe, Overrides, Target};
use std::path::Path;
use std::time::{Duration, Instant};

const REQS: &str = "requests numpy pandas boto3 urllib3 setuptools certifi idna \
charset-normalizer typing-extensions python-dateutil packaging six s3transfer botocore \
pyyaml attrs cryptography cffi pycparser jmespath pip wheel platformdirs \
importlib-metadata zipp pydantic click rsa pyasn1 jinja2 markupsafe protobuf filelock \
tomli pluggy pytest colorama psutil grpcio virtualenv aiohttp frozenlist multidict yarl \
scipy pillow sqlalchemy openai-whisper pgtest-frobnitz";

fn index() -> (Index, &'static str) {
    (Index::embedded("python311Packages"), "embedded snapshot")
}

fn main() {
    let (ix, source) = index();
    let alts = Alternatives::embedded();
    let probe = apply_overrides(
        default_probe(),
        &Overrides {
            python_version: Some("3.11".into()),
            ..Overrides::default()
        },
    )
    .expect("version");
    let target = Target::from_probe(None, probe).expect("target");
    let args: Vec<String> = REQS.split_whitespace().map(String::from).collect();
    let policy = Policy::default();
    let style = Style { color: false };
    let mut times: Vec<Duration> = Vec::new();
    let mut bytes = 0;
    for _ in 0..200 {
        let start = Instant::now();
        let inv = parse_install(&args, Mode::Guard).expect("parses");
        let set = pip_guard::requirements::collect::collect(&inv, Path::new("/"), &|_| None)
            .expect("collects");
        let plan = Plan::build(&set, &target, &ix, &alts, &policy);
        let d = pip_guard::plan::decide(&plan, false);
        let mut text = explain::guard(
            &explain::GuardText {
                plan: &plan,
                python: "/usr/bin/python3".into(),
                pep668: Some(
                    "To install Python packages system-wide, try apt install\npython3-xyz.",
                ),
                quiet: false,
                nixify_hint: Some("pip-guard nixify <the same arguments>".into()),
            },
            &style,
        );
        text.push_str(&explain::decision(&plan, &d, false, &style));
        bytes = text.len();
        times.push(start.elapsed());
    }
    times.sort();
    let med = times[times.len() / 2];
    println!(
        "plan + decision + explanation, {} requirements, index of {} attrs ({source}): \
         median {:.3} ms, max {:.3} ms over {} runs ({bytes} bytes of text)",
        args.len(),
        ix.len(),
        med.as_secs_f64() * 1000.0,
        times[times.len() - 1].as_secs_f64() * 1000.0,
        times.len()
    );
}
