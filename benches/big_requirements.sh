#!/usr/bin/env bash
# Benchmark (issue 10 item 10): big requirements files through
# `pip-guard audit`, release build, wall time and peak RSS from GNU time.
#   1. 1,000,000 requirement lines (real nixpkgs attr names, a third with
#      a specifier; 9.5 MB), text report;
#   2. the same with --format json;
#   2b. 1,000,000 names nixpkgs does not have (`u0000042>=1`, 12 MB: the
#      slowest shape of a million short lines), text and JSON;
#   3. a 16.6 MB file of 8,300,000 one-letter lines (refused past 1,000,000
#      requirements, never an abort);
#   4. one line holding 4,000,000 `${A}` (linear expansion).
# Figures go to docs/performance.md. Needs GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=$PWD/target/release/pip-guard
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_CACHE_HOME=$work/cache
python3 - "$work" <<'PY'
import sys
d = sys.argv[1]
names = [l.strip() for l in open("data/nixpkgs-python-attrs.txt")
         if l.strip() and not l.startswith("#") and len(l.strip()) < 12]
with open(d + "/req1m.txt", "w") as f:
    for i in range(1_000_000):
        f.write(names[i % len(names)] + (">=1" if i % 3 == 0 else "") + "\n")
with open(d + "/unknown1m.txt", "w") as f:
    for i in range(1_000_000):
        f.write(f"u{i:07}>=1\n")
with open(d + "/lines8m.txt", "w") as f:
    f.write("a\n" * 8_300_000)
with open(d + "/vars.txt", "w") as f:
    f.write("a" + "${A}" * 4_000_000 + "\n")
PY
"$bin" audit --index embedded x >/dev/null 2>&1 || true   # warm the target cache
run() {
  local label=$1 secs kb; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/err" || true
  read -r secs kb < <(tail -n1 "$work/time")
  printf '%-36s %6s s  %5s MB peak RSS  %s bytes of stderr\n' "$label" "$secs" \
    "$((kb / 1024))" "$(wc -c <"$work/err")"
}
run "1M lines, text (-q)" "$bin" audit --index embedded -q -r "$work/req1m.txt"
run "1M lines, json" "$bin" audit --index embedded --format json -r "$work/req1m.txt"
run "1M unknown names, text (-q)" "$bin" audit --index embedded -q -r "$work/unknown1m.txt"
run "1M unknown names, json" "$bin" audit --index embedded --format json -r "$work/unknown1m.txt"
run "8.3M lines (16.6 MB), refused" "$bin" audit --index embedded -r "$work/lines8m.txt"
run "4M \${A} on one line" env A=1 "$bin" audit --index embedded -r "$work/vars.txt"
