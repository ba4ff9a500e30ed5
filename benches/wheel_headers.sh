#!/usr/bin/env bash
# Benchmark: read the native code of a ~700 MB generated wheel (a CUDA
# torch-sized zip): 500 MB of stored incompressible filler, 100 MB of
# deflated text, 20 small .so members, and two 120 MB shared objects (one
# stored, one deflated to about half) whose dynamic section lies after
# 120 MB of .rodata (4-bit noise, so inflating it is real Huffman work), the
# way libtorch_cuda.so's lies after its kernels. `pip-guard wheels` reads only the headers and
# the dynamic section of each .so. Prints hyperfine's timing and GNU time's
# maximum RSS; figures go to docs/performance.md. Needs gcc, hyperfine,
# /usr/bin/time (tests/setup.sh). The wheel is generated, never committed.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=$PWD/target/release/pip-guard
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src"
# A big shared object: 120 MB of .rodata between .dynstr and .dynamic.
python3 - "$work/src/weights.bin" <<'PY'
import os, sys
table = bytes(i & 0x0F for i in range(256))
with open(sys.argv[1], "wb") as f:
    for _ in range(120):
        f.write(os.urandom(1 << 20).translate(table))
PY
cat >"$work/src/big.c" <<C
__asm__(".section .rodata\n.globl pgt_weights\npgt_weights:\n.incbin \"$work/src/weights.bin\"\n.previous\n");
extern const char pgt_weights[];
int pgt_big(void) { return pgt_weights[7]; }
C
gcc -shared -fPIC -O0 -o "$work/src/libbig.so" "$work/src/big.c" -Wl,--no-as-needed -l:libstdc++.so.6 -l:libz.so.1
for i in $(seq 1 20); do
	echo "int pgt_small_$i(void) { return $i; }" >"$work/src/s$i.c"
	gcc -shared -fPIC -o "$work/src/libsmall$i.so" "$work/src/s$i.c" -Wl,--no-as-needed -l:libstdc++.so.6
done
python3 - "$work" <<'PY'
import os, sys, zipfile
work = sys.argv[1]
whl = os.path.join(work, "pgtbench-1.0-cp311-cp311-linux_x86_64.whl")
chunk = os.urandom(1 << 20)
with zipfile.ZipFile(whl, "w") as z:
    for i in range(50):  # incompressible filler, stored (like packed CUDA kernels)
        with z.open(f"pgtbench/data/blob{i}.bin", "w", force_zip64=True) as f:
            for _ in range(10):
                f.write(chunk)
    text = (b"def f():\n    return 'pip-guard benchmark filler'\n" * 20000)[: 1 << 20]
    for i in range(100):  # compressible filler, deflated (Python sources, headers)
        z.writestr(zipfile.ZipInfo(f"pgtbench/py/mod{i}.py"), text, zipfile.ZIP_DEFLATED)
    src = os.path.join(work, "src")
    for i in range(1, 21):
        z.write(os.path.join(src, f"libsmall{i}.so"), f"pgtbench/lib/libsmall{i}.so", zipfile.ZIP_DEFLATED)
    z.write(os.path.join(src, "libbig.so"), "pgtbench/lib/libbig_stored.so", zipfile.ZIP_STORED)
    z.write(os.path.join(src, "libbig.so"), "pgtbench/lib/libbig_deflated.so", zipfile.ZIP_DEFLATED)
print(f"{whl}: {os.path.getsize(whl) / 1e6:.0f} MB")
PY
whl=$work/pgtbench-1.0-cp311-cp311-linux_x86_64.whl
"$bin" wheels --python /usr/bin/python3 --format json "$whl" | python3 -c 'import json,sys; w=json.load(sys.stdin)["wheels"][0]; print("objects", w["objects"], "unreadable", len(w["unreadable"]), "needs", w["needs"])'
python3 -c 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); [print(i.filename, i.file_size, i.compress_size) for i in z.infolist() if "libbig" in i.filename]' "$whl"
/usr/bin/time -f 'max RSS %M KiB, %e s' "$bin" wheels --python /usr/bin/python3 "$whl" >/dev/null
hyperfine --warmup 2 --runs "${RUNS:-10}" -N "$bin wheels --python /usr/bin/python3 $whl" ${HYPERFINE_EXTRA:-}
