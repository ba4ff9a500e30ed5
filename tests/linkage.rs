//! The release binary links nothing beyond the C runtime: no OpenSSL, no
//! Python (the product must not have the problem it exists to solve).

mod common;

use std::path::PathBuf;
use std::process::Command;

#[test]
fn release_binary_links_only_libc() {
    let bin = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/pip-guard");
    if !bin.exists() {
        let _: Option<()> = common::missing(&format!(
            "the release binary {} (tests/run builds it)",
            bin.display()
        ));
        return;
    }
    let out = Command::new("ldd").arg(&bin).output().expect("ldd runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let allowed = [
        "linux-vdso",
        "libc.so",
        "libm.so",
        "libgcc_s.so",
        "ld-linux",
        "libpthread.so",
        "libdl.so",
        "librt.so",
    ];
    let libs: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    assert!(
        libs.iter().any(|l| l.contains("libc.so")),
        "ldd output unexpected:\n{text}"
    );
    for lib in &libs {
        assert!(
            allowed.iter().any(|a| lib.contains(a)),
            "the release binary links {lib}, which is not the C runtime:\n{text}"
        );
    }
}
