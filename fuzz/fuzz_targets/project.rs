//! Fuzz the local-project reader: any bytes as `pyproject.toml` (and, after
//! the first 0xFE byte, as `setup.cfg`) must give a project or a
//! `ProjectError` — never a panic, a hang or unbounded memory.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pip_guard::requirements::fs::MemFs;
use pip_guard::requirements::project;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let (pyproject, setup_cfg) = match data.iter().position(|&b| b == 0xfe) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let mut fs = MemFs::new();
    fs.add("/w/p/pyproject.toml", pyproject.to_vec())
        .add("/w/p/setup.cfg", setup_cfg.to_vec());
    for extras in [&[][..], &["dev".to_string()][..]] {
        if let Ok(p) = project::read(Path::new("/w/p"), extras, &fs) {
            // Every dependency read is a parsed requirement with a line.
            for d in &p.deps {
                let _ = format!("{d:?}");
            }
        }
    }
});
