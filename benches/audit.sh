#!/usr/bin/env bash
# Benchmark: `pip-guard audit --format json` of a 1,000-requirement file,
# warm target cache, against `python3 -c pass`. Needs hyperfine
# (tests/setup.sh installs it). Prints hyperfine's table; figures go to
# docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=$PWD/target/release/pip-guard
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_CACHE_HOME=$work/cache
# 1,000 requirements: the top PyPI projects with assorted specifiers and markers.
python3 - "$work/req.txt" <<'PY'
import sys, itertools
rows = [l for l in open("data/upstream/pypi-top2000.tsv") if not l.startswith("#")][1:1001]
names = [l.split("\t")[1].strip() for l in rows]
specs = ["", ">=1.0", "==2.*", "~=3.1", "<5,>=0.1", " ; python_version >= '3.8'", "[extra] >=1 ; sys_platform == 'linux'"]
with open(sys.argv[1], "w") as f:
    for n, s in zip(names, itertools.cycle(specs)):
        f.write(n + s + "\n")
PY
"$bin" audit --format json -r "$work/req.txt" >/dev/null || true   # warm the target cache
hyperfine --warmup 5 --runs "${RUNS:-50}" -N \
  "$bin audit --format json --index embedded -r $work/req.txt" \
  "python3 -c pass" ${HYPERFINE_EXTRA:-}
