#!/usr/bin/env bash
# Guard benchmarks (hyperfine, from Debian: apt-get install -y hyperfine).
#
#  1. passthrough: `pip --version` through the guard (symlinked as `pip`
#     first on PATH, exec'ing Debian's /usr/bin/pip) vs /usr/bin/pip directly.
#     Goal: median ratio <= 1.02.
#  2. plan + explanation of a 50-requirement install, everything before pip
#     would start: `pip install --dry-run --guard-index embedded <50 names>`
#     through the guard (warm target-probe cache). Goal: < 10 ms.
#
# Usage: benches/passthrough.sh [path/to/pip-guard]   (default: target/release)
# Prints a Markdown table for docs/performance.md; raw JSON in $OUT (default
# target/bench-guard).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
guard=${1:-$repo/target/release/pip-guard}
out=${OUT:-$repo/target/bench-guard}
real_pip=${REAL_PIP:-/usr/bin/pip}
python=${PYTHON:-/usr/bin/python3}
runs=${RUNS:-40}

command -v hyperfine >/dev/null || { echo "hyperfine is missing: run tests/setup.sh" >&2; exit 1; }
[ -x "$guard" ] || { echo "no pip-guard at $guard: cargo build --release" >&2; exit 1; }
[ -x "$real_pip" ] || { echo "no real pip at $real_pip (Debian python3-pip)" >&2; exit 1; }

mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/home"
ln -s "$guard" "$tmp/bin/pip"

# A sealed environment: no PIP_* from the caller, a temp HOME and cache.
unset $(env | awk -F= '/^PIP_/ {print $1}') VIRTUAL_ENV PYTHONPATH 2>/dev/null || true
export PATH="$tmp/bin:/usr/bin:/bin" HOME="$tmp/home" XDG_CACHE_HOME="$tmp/home/.cache"
export PYTHONUSERBASE="$tmp/home/.local" NO_COLOR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
export PIP_GUARD_PYTHON="$python"

echo "== passthrough: pip --version" >&2
hyperfine -N --warmup 5 --runs "$runs" --export-json "$out/passthrough.json" \
  -n guard "$tmp/bin/pip --version" \
  -n real "$real_pip --version" >&2

echo "== the guard's own cost: exec of /bin/true through it" >&2
hyperfine -N --warmup 10 --runs 200 -i --export-json "$out/overhead.json" \
  -n guard-true "env PIP_GUARD_REAL_PIP=/bin/true $tmp/bin/pip --version" \
  -n true "env /bin/true --version" >&2

reqs="requests numpy pandas boto3 urllib3 setuptools certifi idna charset-normalizer
typing-extensions python-dateutil packaging six s3transfer botocore pyyaml
attrs cryptography cffi pycparser jmespath pip wheel platformdirs importlib-metadata
zipp pydantic click rsa pyasn1 jinja2 markupsafe protobuf filelock tomli
pluggy pytest colorama psutil grpcio virtualenv aiohttp frozenlist multidict
yarl scipy pillow sqlalchemy openai-whisper pgtest-frobnitz"
n=$(echo $reqs | wc -w)

echo "== plan + explanation: pip install --dry-run ($n requirements)" >&2
# Warm the target-probe cache once.
"$tmp/bin/pip" install --dry-run --guard-index embedded $reqs >/dev/null 2>&1 || true
hyperfine -N --warmup 5 --runs "$runs" -i --export-json "$out/plan50.json" \
  -n plan50 "$tmp/bin/pip install --dry-run --guard-index embedded $reqs" >&2

echo "== passthrough, interleaved (guard, real, guard, real, …: load drift hits both)" >&2
python3 - "$out" "$tmp/bin/pip" "$real_pip" "$runs" <<'PY' >&2
import json, statistics, subprocess, sys, time
out, guard, real, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
t = {"guard": [], "real": []}
for i in range(runs * 2 + 4):
    for name, prog in (("guard", guard), ("real", real)) if i % 2 else (("real", real), ("guard", guard)):
        s = time.perf_counter()
        subprocess.run([prog, "--version"], stdout=subprocess.DEVNULL, check=True)
        if i >= 4:
            t[name].append(time.perf_counter() - s)
json.dump(t, open(f"{out}/interleaved.json", "w"))
print(f"guard median {statistics.median(t['guard'])*1000:.1f} ms, real median {statistics.median(t['real'])*1000:.1f} ms")
PY

python3 - "$out" "$n" <<'PY'
import json, statistics, sys
out, n = sys.argv[1], sys.argv[2]
p = {r["command"]: r for r in json.load(open(f"{out}/passthrough.json"))["results"]}
g, r = p["guard"], p["real"]
plan = json.load(open(f"{out}/plan50.json"))["results"][0]
o = {r["command"]: r for r in json.load(open(f"{out}/overhead.json"))["results"]}
over = o["guard-true"]["median"] - o["true"]["median"]
over_min = o["guard-true"]["min"] - o["true"]["min"]
ms = lambda s: f"{s * 1000:.1f} ms"
print("| measurement | median | mean ± σ | goal |")
print("|---|---|---|---|")
print(f"| `pip --version`, real pip directly | {ms(r['median'])} | {ms(r['mean'])} ± {ms(r['stddev'])} | |")
print(f"| `pip --version` through the guard | {ms(g['median'])} | {ms(g['mean'])} ± {ms(g['stddev'])} | |")
print(f"| passthrough median ratio (guard / real) | **{g['median'] / r['median']:.3f}** | | ≤ 1.02 |")
il = json.load(open(f"{out}/interleaved.json"))
gi, ri = statistics.median(il["guard"]), statistics.median(il["real"])
print(f"| interleaved runs ({len(il['guard'])} each): median guard / median real | **{gi / ri:.3f}** ({ms(gi)} / {ms(ri)}) | | ≤ 1.02 |")
print(f"| guard's own cost: exec of `/bin/true` through it, minus `/bin/true` (medians; fastest runs) | {ms(over)}; {ms(over_min)} | | |")
cost = max(over, over_min)
print(f"| ratio implied by that cost: (real + cost) / real | **{(r['median'] + cost) / r['median']:.3f}** | | ≤ 1.02 |")
print(f"| plan + explanation, {n} requirements (`--dry-run`) | **{ms(plan['median'])}** | {ms(plan['mean'])} ± {ms(plan['stddev'])} | < 10 ms |")
PY
