//! `pip-guard wheels`: real wheels with gcc-built native code, read without
//! pip; the loader models; bad input. (The guard and audit with the real
//! pip: `tests/wheels_e2e.rs`.)
//!
//! Prerequisites (tests/setup.sh): gcc, python3-dev. Missing → skipped, or
//! failed under CI.

mod common;

use common::native::{self, four_wheels, Built};
use common::wheel::{zip_stored, Wheel};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

struct Fixture {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    built: Vec<Built>,
}

fn fixture() -> Option<Fixture> {
    if !native::available() {
        return None;
    }
    let tmp = tempfile::tempdir().expect("tmp");
    let root = tmp.path().to_path_buf();
    let built = four_wheels(&root.join("wheels"), &root.join("scratch"));
    Some(Fixture {
        _tmp: tmp,
        root,
        built,
    })
}

fn wheels_cmd(python: &Path, files: &[&Path], json: bool) -> Command {
    let mut c = Command::new(common::bin());
    c.arg("wheels").arg("--python").arg(python);
    if json {
        c.args(["--format", "json"]);
    }
    c.args(files)
        .env_remove("LD_LIBRARY_PATH")
        .env_remove("NIX_LD")
        .env_remove("NIX_LD_LIBRARY_PATH");
    c
}

fn json_of(c: &mut Command) -> (Option<i32>, Value, String) {
    let o = c.output().expect("run pip-guard wheels");
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    let v: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{err}",
            String::from_utf8_lossy(&o.stdout)
        )
    });
    (o.status.code(), v, err)
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|x| {
                    x.as_str()
                        .map(String::from)
                        .unwrap_or_else(|| x.to_string())
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn debian_python_predictions() {
    let Some(f) = fixture() else { return };
    let files: Vec<&Path> = f.built.iter().map(|b| b.wheel.as_path()).collect();
    let (code, v, err) = json_of(&mut wheels_cmd(Path::new("/usr/bin/python3"), &files, true));
    assert_eq!(
        code,
        Some(1),
        "one wheel will not load: exit 1\n{v:#}\n{err}"
    );
    assert_eq!(
        v["loader"]
            .as_str()
            .map(|s| s.starts_with("the system's dynamic loader")),
        Some(true),
        "{v:#}"
    );
    let w = v["wheels"].as_array().expect("wheels[]");
    assert_eq!(w.len(), 4);
    for (b, w) in f.built.iter().zip(w) {
        let missing: Vec<String> = w["missing"]
            .as_array()
            .expect("missing[]")
            .iter()
            .map(|m| m["soname"].as_str().unwrap_or("").to_string())
            .collect();
        assert_eq!(
            missing.is_empty(),
            b.loads_on_debian,
            "{}: prediction {missing:?}\n{w:#}",
            b.project
        );
        match b.project {
            "pgt-hostlibs" => {
                assert_eq!(
                    strings(&w["needs"]),
                    ["libstdc++.so.6", "libz.so.1"],
                    "{w:#}"
                );
                assert_eq!(w["objects"], 1);
            }
            "pgt-gone" => {
                assert_eq!(missing, ["libpgtgone.so.1"]);
                assert_eq!(
                    w["missing"][0]["needed_by"][0],
                    format!("pgt_gone/_gone{}", native::EXT_SUFFIX)
                );
                let fixes = w["fixes"].as_array().expect("fixes[]");
                assert_eq!(
                    fixes[0]["kind"], "unknown",
                    "not a manylinux library: {w:#}"
                );
            }
            "pgt-bundled" => {
                assert!(
                    strings(&w["needs"]).is_empty(),
                    "the bundled library is not a host need: {w:#}"
                );
                assert_eq!(w["objects"], 2, "the extension and its bundled library");
            }
            "pgt-pure" => {
                assert_eq!(w["objects"], 0);
                assert!(strings(&w["needs"]).is_empty());
            }
            _ => unreachable!(),
        }
    }
}

/// An interpreter whose loader is a Nix store glibc's: no /usr/lib, no
/// ld.so.cache. The same wheel that loads with Debian's python will not
/// load; a search path we control (LD_LIBRARY_PATH holding copies of the
/// libraries) makes it load.
#[test]
fn a_nix_store_interpreter_cannot_see_usr_lib() {
    let Some(f) = fixture() else { return };
    let glibc = "/nix/store/00000000000000000000000000000000-glibc-2.40/lib";
    let py = native::executable_with_interpreter(
        &f.root.join("fake"),
        "python3",
        &format!("{glibc}/ld-linux-x86-64.so.2"),
    );
    let host = &f.built[0];
    assert_eq!(host.project, "pgt-hostlibs");
    let (code, v, err) = json_of(&mut wheels_cmd(&py, &[host.wheel.as_path()], true));
    assert_eq!(code, Some(1), "{v:#}\n{err}");
    assert!(
        v["loader"].as_str().is_some_and(|l| l.contains(glibc)),
        "{v:#}"
    );
    let w = &v["wheels"][0];
    let missing: Vec<&str> = w["missing"]
        .as_array()
        .expect("missing")
        .iter()
        .filter_map(|m| m["soname"].as_str())
        .collect();
    assert_eq!(missing, ["libstdc++.so.6", "libz.so.1"], "{w:#}");
    let fixes = w["fixes"].as_array().expect("fixes");
    assert_eq!(fixes[0]["kind"], "library-path");
    assert_eq!(
        fixes[0]["nix"],
        "LD_LIBRARY_PATH = lib.makeLibraryPath [ stdenv.cc.cc.lib zlib ];"
    );
    assert!(
        fixes.iter().all(|f| f["kind"] != "nix-ld"),
        "nix-ld does not help a Nix-built interpreter: {w:#}"
    );

    // Text: "will not load", the library, the fix.
    let o = wheels_cmd(&py, &[host.wheel.as_path()], false)
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("will not load"), "{text}");
    assert!(text.contains("stdenv.cc.cc.lib zlib"), "{text}");

    // A search path we control: copies of the two libraries.
    let dir = f.root.join("libpath");
    std::fs::create_dir_all(&dir).expect("mkdir");
    for lib in ["libstdc++.so.6", "libz.so.1"] {
        let src = Path::new("/lib/x86_64-linux-gnu").join(lib);
        std::fs::copy(&src, dir.join(lib)).expect("copy a library");
    }
    let (code, v, _) =
        json_of(wheels_cmd(&py, &[host.wheel.as_path()], true).env("LD_LIBRARY_PATH", &dir));
    assert_eq!(code, Some(0), "{v:#}");
    assert_eq!(v["wheels"][0]["missing"].as_array().map(Vec::len), Some(0));

    // The bundled wheel needs nothing from the host, whatever the loader.
    let bundled = &f.built[2];
    let (code, v, _) = json_of(&mut wheels_cmd(&py, &[bundled.wheel.as_path()], true));
    assert_eq!(code, Some(0), "{v:#}");
}

/// Words joined by one space (the text is wrapped at 80 columns).
fn flat(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn elf_prefix(len: usize) -> Vec<u8> {
    let so = std::fs::read("/lib/x86_64-linux-gnu/libz.so.1").expect("libz");
    so[..len.min(so.len())].to_vec()
}

/// A wheel whose only .so is `bytes`.
fn wheel_with(dir: &Path, name: &str, bytes: Vec<u8>) -> PathBuf {
    Wheel::new(name, "1.0")
        .tag(native::TAG)
        .binary(
            &format!("{}/_x{}", name.replace('-', "_"), native::EXT_SUFFIX),
            bytes,
        )
        .write_to(dir)
}

/// An ELF header and one PT_DYNAMIC program header saying the dynamic
/// section is at `offset` (built by editing a real 64-bit header).
fn lying_elf(offset: u64) -> Vec<u8> {
    let mut h = elf_prefix(64);
    // e_phoff = 64, e_phentsize = 56, e_phnum = 1
    h[32..40].copy_from_slice(&64u64.to_le_bytes());
    h[54..56].copy_from_slice(&56u16.to_le_bytes());
    h[56..58].copy_from_slice(&1u16.to_le_bytes());
    let mut ph = vec![0u8; 56];
    ph[0..4].copy_from_slice(&2u32.to_le_bytes()); // PT_DYNAMIC
    ph[8..16].copy_from_slice(&offset.to_le_bytes()); // p_offset
    ph[32..40].copy_from_slice(&4096u64.to_le_bytes()); // p_filesz
    h.extend(ph);
    h
}

#[test]
fn bad_wheels_get_a_clear_message_and_no_crash() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    let truncated = wheel_with(dir, "pgt-truncated", elf_prefix(100));
    let not_elf = wheel_with(
        dir,
        "pgt-notelf",
        b"#!/bin/sh\necho I am not ELF\n".to_vec(),
    );
    let lying = wheel_with(dir, "pgt-lying", lying_elf(1 << 40));
    let short = wheel_with(dir, "pgt-short", lying_elf(1 << 20));
    let not_zip = dir.join("pgt_notzip-1.0-py3-none-any.whl");
    std::fs::write(&not_zip, b"this is not a zip archive at all").expect("write");
    // A zip bomb: a deflated member that claims 4 GiB and inflates to
    // 64 MiB of zeros (no ELF header), plus the same with an ELF header
    // whose dynamic section lies past the reading limit.
    let bomb = dir.join("pgt_bomb-1.0-cp311-cp311-linux_x86_64.whl");
    {
        use std::io::Write;
        let f = std::fs::File::create(&bomb).expect("create");
        let mut z = zip::ZipWriter::new(f);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        z.start_file("pgt_bomb/_zeros.so", opts).expect("member");
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..64 {
            z.write_all(&zeros).expect("write");
        }
        z.start_file("pgt_bomb/_lying.so", opts).expect("member");
        z.write_all(&lying_elf(1 << 40)).expect("write");
        for _ in 0..64 {
            z.write_all(&zeros).expect("write");
        }
        z.finish().expect("finish");
    }
    let cases: [(&Path, &str); 6] = [
        (&truncated, "truncated ELF file"),
        (&not_elf, "not an ELF file"),
        (&lying, "beyond pip-guard's reading limits"),
        (&short, "past the end of the file"),
        (&not_zip, "not a readable zip archive"),
        (&bomb, "not an ELF file"),
    ];
    for (wheel, expect) in cases {
        let o = wheels_cmd(Path::new("/usr/bin/python3"), &[wheel], false)
            .output()
            .expect("run");
        let out = flat(&String::from_utf8_lossy(&o.stdout));
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(
            o.status.code(),
            Some(1),
            "{}: exit 1\n{out}\n{err}",
            wheel.display()
        );
        assert!(!err.contains("panicked"), "{err}");
        assert!(
            out.contains(expect),
            "{}: `{expect}` in\n{out}\n{err}",
            wheel.display()
        );
    }
    let o = wheels_cmd(Path::new("/usr/bin/python3"), &[&bomb], false)
        .output()
        .expect("run");
    let out = flat(&String::from_utf8_lossy(&o.stdout));
    assert!(
        out.contains("_lying.so: beyond pip-guard's reading limits"),
        "the bomb's second member: {out}"
    );
    // zip_stored is the builder the other wheels use: a stored zip with no
    // .so is a wheel with no native code, exit 0.
    let plain = dir.join("pgt_plain-1.0-py3-none-any.whl");
    std::fs::write(
        &plain,
        zip_stored(&[("pgt_plain/__init__.py".into(), b"x = 1\n".to_vec())]),
    )
    .expect("write");
    let o = wheels_cmd(Path::new("/usr/bin/python3"), &[&plain], false)
        .output()
        .expect("run");
    assert_eq!(o.status.code(), Some(0));
}

/// Found by `fuzz/fuzz_targets/wheel.rs`: a `.so` whose dynamic section
/// starts inside the bytes already read and ends past them made the reader
/// subtract past zero (a panic in debug builds, a wrapped skip in release).
/// It must get the same clear "bad member" message as any broken ELF file.
#[test]
fn a_dynamic_section_inside_the_read_head_is_no_crash() {
    let wheel = common::repo_root().join(
        "tests/fixtures/fuzz/wheel-dynamic-inside-read-head-1.0-cp311-cp311-linux_x86_64.whl",
    );
    let o = wheels_cmd(Path::new("/usr/bin/python3"), &[&wheel], false)
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&o.stderr);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        matches!(o.status.code(), Some(0) | Some(1)),
        "exit 0 or 1, not a crash: {:?}\n{out}\n{err}",
        o.status
    );
}
