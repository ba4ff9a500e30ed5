//! Fuzz pip-guard's requirements-file reader: any bytes, as a file that may
//! include a second file (the input after the first 0xFE byte), must give
//! requirements or an `InputError` with a file origin — never a panic, a
//! hang or unbounded memory.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pip_guard::origin::Origin;
use pip_guard::requirements::fs::MemFs;
use pip_guard::requirements::reqfile::{read_file, Ctx};
use pip_guard::requirements::{pep508, RequirementSet};
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let (main, other) = match data.iter().position(|&b| b == 0xfe) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let mut fs = MemFs::new();
    fs.add("/w/requirements.txt", main.to_vec())
        .add("/w/other.txt", other.to_vec())
        .add("/w/sub/other.txt", other.to_vec())
        .add("/w/proj/setup.py", "")
        .add_dir("/w/empty");
    let env = |k: &str| match k {
        "A" => Some("other.txt".to_string()),
        "B" => Some("${A}".to_string()),
        _ => None,
    };
    let ctx = Ctx {
        cwd: Path::new("/w"),
        fs: &fs,
        env: &env,
    };
    let mut out = RequirementSet::default();
    match read_file(
        &ctx,
        "requirements.txt",
        false,
        Some(Origin::Arg(1)),
        &mut out,
    ) {
        Ok(()) => {
            for r in &out.requirements {
                // Every requirement points at a real line of a real file.
                match &r.origin {
                    Origin::File { line, .. } => assert!(*line >= 1),
                    Origin::Arg(_) => panic!("file requirement with an argv origin"),
                }
                if let Some(n) = &r.normalized {
                    assert!(!n.is_empty());
                }
            }
        }
        Err(e) => assert!(!e.message.is_empty()),
    }
    // The grammar port on its own, on any UTF-8.
    if let Ok(s) = std::str::from_utf8(data) {
        if let Ok(p) = pep508::parse_requirement(s) {
            assert!(!p.name.is_empty());
        }
        let _ = pep508::parse_marker(s);
    }
});
