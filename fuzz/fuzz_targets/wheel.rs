//! Fuzz the wheel reader (zip + ELF headers): any bytes as a `.whl` must
//! give a scan or a `WheelError` — never a panic, a hang or unbounded
//! memory (the limits are the guard's own).
#![no_main]

use libfuzzer_sys::fuzz_target;
use pip_guard::wheels::archive;
use pip_guard::wheels::elf::Limits;

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("pip-guard-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("x-1.0-cp311-cp311-linux_x86_64.whl");
    if std::fs::write(&path, data).is_ok() {
        let _ = archive::scan(&path, &Limits::default());
    }
});
