//! The proof after an install: import each installed distribution's
//! top-level modules (`top_level.txt`, else the modules its `RECORD`
//! lists) in the target interpreter, in one child process with a time
//! limit, its output captured, run from `/` so nothing in the working
//! directory shadows what was installed.

use serde::{Deserialize, Serialize};
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long the whole check may take.
pub const TIMEOUT: Duration = Duration::from_secs(60);

const SCRIPT: &str = r#"
import importlib, importlib.metadata as md, json, os, sys
if sys.path and sys.path[0] in ("", os.getcwd()):
    del sys.path[0]
out = []
for name in json.loads(sys.argv[1]):
    try:
        d = md.distribution(name)
    except Exception as e:
        out.append({"dist": name, "module": None, "ok": False, "error": "not installed: %s" % e})
        continue
    mods = []
    tl = d.read_text("top_level.txt")
    if tl:
        mods = [m.strip() for m in tl.splitlines() if m.strip()]
    else:
        for f in d.files or []:
            parts = f.parts
            if not parts or parts[0] in ("..", "__pycache__") or parts[0].endswith((".dist-info", ".data")):
                continue
            top = parts[0]
            if len(parts) == 1:
                if top.endswith(".py"):
                    top = top[:-3]
                elif ".so" in top or top.endswith(".pyd"):
                    top = top.split(".")[0]
                else:
                    continue
            if top.isidentifier() and top not in mods:
                mods.append(top)
    for m in mods:
        if not all(p.isidentifier() for p in m.split(".")):
            continue
        try:
            importlib.import_module(m)
            out.append({"dist": name, "module": m, "ok": True, "error": None})
        except BaseException as e:
            out.append({"dist": name, "module": m, "ok": False, "error": "%s: %s" % (type(e).__name__, e)})
sys.stdout.write("\n@@pip-guard-imports@@" + json.dumps(out))
"#;

/// One import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Import {
    /// The distribution.
    pub dist: String,
    /// The module (None: the distribution was not found).
    pub module: Option<String>,
    /// It imported.
    pub ok: bool,
    /// The exception, when it did not.
    pub error: Option<String>,
}

impl Import {
    /// The library the loader could not find, from the error text
    /// (`libfoo.so.1: cannot open shared object file`).
    pub fn missing_library(&self) -> Option<String> {
        let e = self.error.as_deref()?;
        let i = e.find(": cannot open shared object file")?;
        let start = e[..i]
            .rfind(|c: char| c.is_whitespace() || c == '(' || c == '\'' || c == '"')
            .map_or(0, |j| j + 1);
        let s = &e[start..i];
        (!s.is_empty()).then(|| s.to_string())
    }
}

/// The result of the check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportCheck {
    /// Every import tried.
    pub imports: Vec<Import>,
    /// The check itself failed (timeout, no output): why.
    pub error: Option<String>,
}

impl ImportCheck {
    /// The imports that failed.
    pub fn failures(&self) -> impl Iterator<Item = &Import> {
        self.imports.iter().filter(|i| !i.ok)
    }
}

/// Import `dists`' top-level modules with `python`.
pub fn check(python: &Path, dists: &[String]) -> ImportCheck {
    let names = serde_json::to_string(dists).unwrap_or_else(|_| "[]".into());
    let child = Command::new(python)
        .args(["-c", SCRIPT, &names])
        .current_dir("/")
        .env_remove("PYTHONPATH")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => {
            return ImportCheck {
                imports: vec![],
                error: Some(format!("could not run {}: {e}", python.display())),
            }
        }
    };
    let mut so = child.stdout.take();
    let mut se = child.stderr.take();
    let t_out = std::thread::spawn(move || {
        let mut v = Vec::new();
        if let Some(s) = so.as_mut() {
            let _ = s.take(16 * 1024 * 1024).read_to_end(&mut v);
        }
        v
    });
    let t_err = std::thread::spawn(move || {
        let mut v = Vec::new();
        if let Some(s) = se.as_mut() {
            let _ = s.take(1024 * 1024).read_to_end(&mut v);
        }
        v
    });
    let start = Instant::now();
    let timed_out = loop {
        match child.try_wait() {
            Ok(Some(_)) => break false,
            Ok(None) if start.elapsed() > TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                break true;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(_) => break false,
        }
    };
    let out = t_out.join().unwrap_or_default();
    let _ = t_err.join();
    if timed_out {
        return ImportCheck {
            imports: vec![],
            error: Some(format!(
                "the imports took longer than {} s and were stopped",
                TIMEOUT.as_secs()
            )),
        };
    }
    let text = String::from_utf8_lossy(&out);
    match text
        .rsplit_once("@@pip-guard-imports@@")
        .map(|(_, j)| serde_json::from_str::<Vec<Import>>(j))
    {
        Some(Ok(imports)) => ImportCheck {
            imports,
            error: None,
        },
        _ => ImportCheck {
            imports: vec![],
            error: Some("the import check printed no result (the interpreter crashed?)".into()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_library_from_import_errors() {
        let i = |e: &str| Import {
            dist: "x".into(),
            module: Some("x".into()),
            ok: false,
            error: Some(e.into()),
        };
        assert_eq!(
            i("ImportError: libpgtgone.so.1: cannot open shared object file: No such file or directory")
                .missing_library()
                .as_deref(),
            Some("libpgtgone.so.1")
        );
        assert_eq!(
            i("OSError: libstdc++.so.6: cannot open shared object file: No such file or directory")
                .missing_library()
                .as_deref(),
            Some("libstdc++.so.6")
        );
        assert_eq!(
            i("ModuleNotFoundError: No module named 'x'").missing_library(),
            None
        );
    }
}
