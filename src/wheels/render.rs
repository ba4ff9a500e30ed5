//! The check's text (before the prompt, in `pip-guard wheels` and audit's
//! text) and the import check's text.

use super::imports::ImportCheck;
use super::prepare::Prepared;
use super::{fixes, WheelCheck};
use crate::render::layout::push_wrapped;

/// One field from a wheel or pip (names, errors): control and invisible
/// characters shown visibly ([`crate::escape::terminal`]), before wrapping.
fn clean(s: &str) -> String {
    crate::escape::terminal(s).into_owned()
}

/// The lines for one wheel that will not load (or could not be read).
pub fn wheel(out: &mut String, c: &WheelCheck) {
    let file = clean(&c.file);
    if let Some(e) = &c.error {
        push_wrapped(
            out,
            &format!("{file}: cannot be read: {}", clean(e)),
            "  ",
            "      ",
        );
        return;
    }
    if c.will_not_load() {
        let libs: Vec<String> = c.missing.iter().map(|m| clean(&m.soname)).collect();
        push_wrapped(
            out,
            &format!(
                "{file} will not load: the loader cannot find {}",
                libs.join(", ")
            ),
            "  ",
            "      ",
        );
        for m in &c.missing {
            push_wrapped(
                out,
                &format!(
                    "{} is needed by {}",
                    clean(&m.soname),
                    m.needed_by
                        .iter()
                        .map(|n| clean(n))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                "      ",
                "        ",
            );
        }
        for (i, f) in c.fixes.iter().enumerate() {
            push_wrapped(
                out,
                &format!("{}. {}", i + 1, f.text),
                "      ",
                "         ",
            );
            if let Some(n) = &f.nix {
                out.push_str(&format!("           {n}\n"));
            }
        }
    } else if !c.unreadable.is_empty() {
        push_wrapped(
            out,
            &format!(
                "{file}: {} of its {} shared objects could not be read; whether it loads is not known",
                c.unreadable.len(),
                c.objects
            ),
            "  ",
            "      ",
        );
    } else if c.objects > 0 {
        let needs = if c.needs.is_empty() {
            "nothing from the host beyond glibc".to_string()
        } else {
            c.needs.join(", ")
        };
        push_wrapped(
            out,
            &format!("{file} loads (needs {})", clean(&needs)),
            "  ",
            "      ",
        );
    }
    for u in &c.unreadable {
        push_wrapped(
            out,
            &format!("{}: {}", clean(&u.member), clean(&u.error)),
            "      ",
            "        ",
        );
    }
}

/// The section shown before the prompt.
pub fn prepared(p: &Prepared) -> String {
    let mut out = String::new();
    let loader = p.loader.as_deref().unwrap_or("unknown");
    let native: Vec<&WheelCheck> = p
        .checks
        .iter()
        .filter(|c| c.objects > 0 || c.error.is_some())
        .collect();
    let pure = p.checks.len() - native.len();
    push_wrapped(
        &mut out,
        &format!(
            "Native code: pip would install {} distribution{}; {} wheel{} with native code, {} without. \
             Loader: {loader}.",
            p.planned.len(),
            if p.planned.len() == 1 { "" } else { "s" },
            native.len(),
            if native.len() == 1 { "" } else { "s" },
            pure
        ),
        "",
        "  ",
    );
    for c in native {
        wheel(&mut out, c);
    }
    if !p.not_wheels.is_empty() {
        push_wrapped(
            &mut out,
            &format!(
                "Not wheels (pip builds or copies them; checked after the install only): {}",
                clean(&p.not_wheels.join(", "))
            ),
            "  ",
            "    ",
        );
    }
    for n in &p.notes {
        push_wrapped(&mut out, &format!("note: {}", clean(n)), "  ", "    ");
    }
    out
}

/// The text after the install: failures with the same mapping.
pub fn imports(check: &ImportCheck, kind: &super::loader::LoaderKind) -> String {
    let mut out = String::new();
    if let Some(e) = &check.error {
        push_wrapped(
            &mut out,
            &format!("pip-guard: import check: {}", clean(e)),
            "",
            "  ",
        );
        return out;
    }
    let failed: Vec<_> = check.failures().collect();
    if failed.is_empty() {
        let n = check.imports.len();
        push_wrapped(
            &mut out,
            &format!(
                "pip-guard: import check: {n} module{} imported.",
                if n == 1 { "" } else { "s" }
            ),
            "",
            "  ",
        );
        return out;
    }
    push_wrapped(
        &mut out,
        &format!(
            "pip-guard: import check: {} of {} imports failed after the install:",
            failed.len(),
            check.imports.len()
        ),
        "",
        "  ",
    );
    for f in failed {
        let what = f.module.as_deref().unwrap_or("(distribution)");
        push_wrapped(
            &mut out,
            &format!(
                "{} ({}): {}",
                clean(what),
                clean(&f.dist),
                clean(f.error.as_deref().unwrap_or(""))
            ),
            "  ",
            "      ",
        );
        if let Some(lib) = f.missing_library() {
            let missing = [super::Missing {
                soname: lib.clone(),
                needed_by: vec![],
            }];
            for (i, fix) in fixes::for_missing(&missing, kind, None).iter().enumerate() {
                push_wrapped(
                    &mut out,
                    &format!("{}. {}", i + 1, fix.text),
                    "      ",
                    "         ",
                );
                if let Some(n) = &fix.nix {
                    out.push_str(&format!("           {n}\n"));
                }
            }
        }
    }
    out
}
