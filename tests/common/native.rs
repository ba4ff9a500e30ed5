//! Compile real native code for test wheels with gcc: shared libraries
//! with a chosen soname, and CPython extension modules (Debian's
//! `/usr/include/python3.11`) that call into them.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// Debian 12's CPython headers.
pub const PY_INCLUDE: &str = "/usr/include/python3.11";
/// The extension suffix of Debian 12's python3.
pub const EXT_SUFFIX: &str = ".cpython-311-x86_64-linux-gnu.so";
/// The wheel tag Debian's pip accepts for these.
pub const TAG: &str = "cp311-cp311-linux_x86_64";

/// gcc and the Python headers are there.
pub fn available() -> bool {
    let gcc = Command::new("gcc")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !gcc || !Path::new(PY_INCLUDE).join("Python.h").is_file() {
        return super::missing::<()>("gcc and python3-dev (Python.h)").is_some();
    }
    true
}

fn gcc(args: &[&str]) {
    let out = Command::new("gcc").args(args).output().expect("run gcc");
    assert!(
        out.status.success(),
        "gcc {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A shared library `dir/file` with `DT_SONAME` `soname` defining
/// `int SYMBOL(void)` (returns 42).
pub fn shared_lib(dir: &Path, file: &str, soname: &str, symbol: &str) -> PathBuf {
    std::fs::create_dir_all(dir).expect("mkdir");
    let src = dir.join(format!("{symbol}.c"));
    std::fs::write(&src, format!("int {symbol}(void) {{ return 42; }}\n")).expect("write");
    let out = dir.join(file);
    gcc(&[
        "-shared",
        "-fPIC",
        "-o",
        out.to_str().expect("utf8"),
        src.to_str().expect("utf8"),
        &format!("-Wl,-soname,{soname}"),
    ]);
    out
}

/// A CPython extension module `module` (its `PyInit_` name) whose
/// `answer()` returns `call` (a C expression, e.g. `pgt_gone()`), with
/// `decl` before it and `link` appended to gcc's command line (after
/// `-Wl,--no-as-needed`, so every named library becomes a `DT_NEEDED`).
/// Returns the `.so` bytes.
pub fn extension(dir: &Path, module: &str, decl: &str, call: &str, link: &[&str]) -> Vec<u8> {
    std::fs::create_dir_all(dir).expect("mkdir");
    let src = dir.join(format!("{module}.c"));
    let code = format!(
        r#"#include <Python.h>
{decl}
static PyObject *answer(PyObject *self, PyObject *args) {{ return PyLong_FromLong({call}); }}
static PyMethodDef methods[] = {{{{"answer", answer, METH_NOARGS, ""}}, {{NULL, NULL, 0, NULL}}}};
static struct PyModuleDef def = {{PyModuleDef_HEAD_INIT, "{module}", NULL, -1, methods}};
PyMODINIT_FUNC PyInit_{module}(void) {{ return PyModule_Create(&def); }}
"#
    );
    std::fs::write(&src, code).expect("write");
    let out = dir.join(format!("{module}{EXT_SUFFIX}"));
    let mut args = vec![
        "-shared".to_string(),
        "-fPIC".into(),
        format!("-I{PY_INCLUDE}"),
        "-o".into(),
        out.to_string_lossy().into_owned(),
        src.to_string_lossy().into_owned(),
        "-Wl,--no-as-needed".into(),
    ];
    args.extend(link.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    gcc(&refs);
    std::fs::read(&out).expect("read the extension")
}

/// An executable that names `interp` as its ELF interpreter (`PT_INTERP`),
/// e.g. a Nix-store loader that does not exist here: pip-guard reads its
/// headers, nobody runs it.
pub fn executable_with_interpreter(dir: &Path, name: &str, interp: &str) -> PathBuf {
    std::fs::create_dir_all(dir).expect("mkdir");
    let src = dir.join(format!("{name}.c"));
    std::fs::write(&src, "int main(void) { return 0; }\n").expect("write");
    let out = dir.join(name);
    gcc(&[
        "-o",
        out.to_str().expect("utf8"),
        src.to_str().expect("utf8"),
        &format!("-Wl,--dynamic-linker={interp}"),
    ]);
    out
}

/// One of [`four_wheels`].
#[derive(Debug, Clone)]
pub struct Built {
    /// The project.
    pub project: &'static str,
    /// Its top-level module.
    pub module: &'static str,
    /// The wheel file.
    pub wheel: PathBuf,
    /// Whether Debian's python3 can import it once installed.
    pub loads_on_debian: bool,
}

/// The four wheels of the issue, written to `wheels` (scratch files in
/// `scratch`):
/// - `pgt-hostlibs`: an extension linking libstdc++.so.6 and libz.so.1,
///   which Debian has;
/// - `pgt-gone`: an extension linking libpgtgone.so.1, built here and then
///   deleted (the import really fails);
/// - `pgt-bundled`: an extension linking a library bundled in
///   `pgt_bundled.libs/` (auditwheel's layout), found via `$ORIGIN`;
/// - `pgt-pure`: pure Python.
pub fn four_wheels(wheels: &Path, scratch: &Path) -> Vec<Built> {
    use super::wheel::Wheel;
    let init = |m: &str| format!("from .{m} import answer\nPIP_GUARD_FAKE = True\n");
    let mut out = Vec::new();

    let so = extension(
        &scratch.join("hostlibs"),
        "_hostlibs",
        "extern const char *zlibVersion(void);",
        "zlibVersion() != 0 ? 42 : 0",
        &["-l:libstdc++.so.6", "-l:libz.so.1"],
    );
    let w = Wheel::new("pgt-hostlibs", "1.0")
        .tag(TAG)
        .module("pgt_hostlibs/__init__.py", &init("_hostlibs"))
        .binary(&format!("pgt_hostlibs/_hostlibs{EXT_SUFFIX}"), so)
        .write_to(wheels);
    out.push(Built {
        project: "pgt-hostlibs",
        module: "pgt_hostlibs",
        wheel: w,
        loads_on_debian: true,
    });

    let libdir = scratch.join("gone-lib");
    let lib = shared_lib(&libdir, "libpgtgone.so.1", "libpgtgone.so.1", "pgt_gone");
    let so = extension(
        &scratch.join("gone"),
        "_gone",
        "extern int pgt_gone(void);",
        "pgt_gone()",
        &[&format!("-L{}", libdir.display()), "-l:libpgtgone.so.1"],
    );
    std::fs::remove_file(&lib).expect("remove the library");
    let w = Wheel::new("pgt-gone", "1.0")
        .tag(TAG)
        .module("pgt_gone/__init__.py", &init("_gone"))
        .binary(&format!("pgt_gone/_gone{EXT_SUFFIX}"), so)
        .write_to(wheels);
    out.push(Built {
        project: "pgt-gone",
        module: "pgt_gone",
        wheel: w,
        loads_on_debian: false,
    });

    let libdir = scratch.join("bundled-lib");
    let hashed = "libpgtbundled-1a2b3c4d.so.1";
    let lib = shared_lib(&libdir, hashed, hashed, "pgt_bundled");
    let so = extension(
        &scratch.join("bundled"),
        "_bundled",
        "extern int pgt_bundled(void);",
        "pgt_bundled()",
        &[
            &format!("-L{}", libdir.display()),
            &format!("-l:{hashed}"),
            "-Wl,--enable-new-dtags,-rpath,$ORIGIN/../pgt_bundled.libs",
        ],
    );
    let w = Wheel::new("pgt-bundled", "1.0")
        .tag(TAG)
        .module("pgt_bundled/__init__.py", &init("_bundled"))
        .binary(&format!("pgt_bundled/_bundled{EXT_SUFFIX}"), so)
        .binary(
            &format!("pgt_bundled.libs/{hashed}"),
            std::fs::read(&lib).expect("read lib"),
        )
        .write_to(wheels);
    std::fs::remove_file(&lib).expect("remove the library");
    out.push(Built {
        project: "pgt-bundled",
        module: "pgt_bundled",
        wheel: w,
        loads_on_debian: true,
    });

    let w = Wheel::new("pgt-pure", "1.0")
        .module(
            "pgt_pure/__init__.py",
            "PIP_GUARD_FAKE = True\nANSWER = 42\n",
        )
        .write_to(wheels);
    out.push(Built {
        project: "pgt-pure",
        module: "pgt_pure",
        wheel: w,
        loads_on_debian: true,
    });
    out
}
