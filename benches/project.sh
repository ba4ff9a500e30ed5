#!/usr/bin/env bash
# Benchmark: reading a local project's declared dependencies. `pip-guard
# audit --format json -e <project>` of a pyproject.toml with 200
# dependencies (and a 100-entry extra asked) against the same 300
# requirements in a requirements file: what reading the project costs over
# reading the lines. Needs hyperfine (tests/setup.sh). Figures go to
# docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=$PWD/target/release/pip-guard
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_CACHE_HOME=$work/cache
mkdir -p "$work/proj"
python3 - "$work" <<'PY'
import sys, itertools
work = sys.argv[1]
rows = [l for l in open("data/upstream/pypi-top2000.tsv") if not l.startswith("#")][1:301]
names = [l.split("\t")[1].strip() for l in rows]
specs = ["", ">=1.0", "==2.*", "~=3.1", "<5,>=0.1", "; python_version >= '3.8'", "[extra] >=1 ; sys_platform == 'linux'"]
reqs = [n + s for n, s in zip(names, itertools.cycle(specs))]
q = lambda r: '"' + r.replace('"', '\\"') + '"'
with open(f"{work}/proj/pyproject.toml", "w") as f:
    f.write('[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n')
    f.write('[project]\nname = "bench"\nversion = "1"\ndependencies = [\n')
    f.writelines(f"  {q(r)},\n" for r in reqs[:200])
    f.write(']\n\n[project.optional-dependencies]\ndev = [\n')
    f.writelines(f"  {q(r)},\n" for r in reqs[200:])
    f.write(']\n')
with open(f"{work}/req.txt", "w") as f:
    f.writelines(r + "\n" for r in reqs + ["hatchling"])
PY
"$bin" audit --format json --index embedded -r "$work/req.txt" >/dev/null || true   # warm the target cache
# HYPERFINE_EXTRA: extra hyperfine flags, split into words on purpose.
# shellcheck disable=SC2086
hyperfine --warmup 5 --runs "${RUNS:-50}" -N \
  "$bin audit --format json --index embedded -e $work/proj[dev]" \
  "$bin audit --format json --index embedded -r $work/req.txt" ${HYPERFINE_EXTRA:-}
