#!/usr/bin/env bash
# Build the wheels docs/wheels.md uses, into target/wheels-demo/ (with gcc
# and Debian's python3 + python3-dev):
#   fastmath  an extension linking libfastmath.so.3, which is built and then
#             deleted (it will not load anywhere) and libstdc++.so.6;
#   hostlibs  an extension linking libstdc++.so.6 and libz.so.1 (loads with
#             Debian's python3, not with a Nix-built one);
# and nix-python3, an executable whose ELF interpreter is a Nix store
# glibc's loader (pip-guard reads its headers; nobody runs it).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=target/wheels-demo
rm -rf "$out"
mkdir -p "$out/build"
/usr/bin/python3 - "$out" <<'PY'
import base64, hashlib, os, subprocess, sys, zipfile
out = sys.argv[1]
build = os.path.join(out, "build")
def cc(*args):
    subprocess.run(["gcc", *args], check=True)
def ext(mod, decl, call, link):
    src = os.path.join(build, mod + ".c")
    with open(src, "w") as f:
        f.write(f"""#include <Python.h>
{decl}
static PyObject *answer(PyObject *s, PyObject *a) {{ return PyLong_FromLong({call}); }}
static PyMethodDef m[] = {{{{"answer", answer, METH_NOARGS, ""}}, {{NULL, NULL, 0, NULL}}}};
static struct PyModuleDef d = {{PyModuleDef_HEAD_INIT, "{mod}", NULL, -1, m}};
PyMODINIT_FUNC PyInit_{mod}(void) {{ return PyModule_Create(&d); }}
""")
    so = os.path.join(build, mod + ".cpython-311-x86_64-linux-gnu.so")
    cc("-shared", "-fPIC", "-I/usr/include/python3.11", "-o", so, src, "-Wl,--no-as-needed", *link)
    return open(so, "rb").read()
def wheel(name, files):
    stem = f"{name}-1.0"
    info = f"{stem}.dist-info"
    files[f"{info}/METADATA"] = f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n".encode()
    files[f"{info}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: examples/wheels/build.sh\nRoot-Is-Purelib: false\nTag: cp311-cp311-linux_x86_64\n"
    def h(d):
        return base64.urlsafe_b64encode(hashlib.sha256(d).digest()).rstrip(b"=").decode()
    files[f"{info}/RECORD"] = ("".join(f"{p},sha256={h(d)},{len(d)}\n" for p, d in files.items()) + f"{info}/RECORD,,\n").encode()
    path = os.path.join(out, f"{stem}-cp311-cp311-linux_x86_64.whl")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for p, d in files.items():
            z.writestr(p, d)
    print("built", path)
with open(os.path.join(build, "fastmath.c"), "w") as f:
    f.write("int fastmath_kernel(void) { return 42; }\n")
lib = os.path.join(build, "libfastmath.so.3")
cc("-shared", "-fPIC", "-o", lib, os.path.join(build, "fastmath.c"), "-Wl,-soname,libfastmath.so.3")
so = ext("_core", "extern int fastmath_kernel(void);", "fastmath_kernel()", ["-L" + build, "-l:libfastmath.so.3", "-l:libstdc++.so.6"])
os.remove(lib)
wheel("fastmath", {"fastmath/__init__.py": b"from ._core import answer\n", "fastmath/_core.cpython-311-x86_64-linux-gnu.so": so})
so = ext("_host", "extern const char *zlibVersion(void);", "zlibVersion() ? 42 : 0", ["-l:libstdc++.so.6", "-l:libz.so.1"])
wheel("hostlibs", {"hostlibs/__init__.py": b"from ._host import answer\n", "hostlibs/_host.cpython-311-x86_64-linux-gnu.so": so})
main = os.path.join(build, "main.c")
with open(main, "w") as f:
    f.write("int main(void) { return 0; }\n")
cc("-o", os.path.join(out, "nix-python3"), main,
   "-Wl,--dynamic-linker=/nix/store/00000000000000000000000000000000-glibc-2.40/lib/ld-linux-x86-64.so.2")
PY
