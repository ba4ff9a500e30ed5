//! Bad input never panics: each kind of broken requirement source gives an
//! `InputError` (exit 2) whose message names the file and, where there is
//! one, the line — read through the real file system, as `audit` does.

use pip_guard::error::{exit_for, InputError};
use pip_guard::exit::Exit;
use pip_guard::invocation::parse::Mode;
use pip_guard::invocation::parse_install;
use pip_guard::origin::Origin;
use pip_guard::requirements::collect::collect;
use pip_guard::requirements::RequirementSet;
use std::path::Path;
use std::time::{Duration, Instant};

fn run(dir: &Path, args: &[&str]) -> Result<RequirementSet, InputError> {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let inv = parse_install(&args, Mode::Audit)?;
    collect(&inv, dir, &|_| None)
}

/// Run, expect an input error, check it maps to exit 2 and reads as `file:line: …`.
fn fails(dir: &Path, args: &[&str], at: &str, words: &[&str]) -> InputError {
    let e = run(dir, args).expect_err("bad input must be an error");
    let shown = e.to_string();
    assert!(
        shown.starts_with(at),
        "expected the error at {at}, got: {shown}"
    );
    for w in words {
        assert!(shown.contains(w), "expected {w:?} in: {shown}");
    }
    let report = color_eyre::eyre::Report::new(e.clone());
    assert_eq!(exit_for(&report), Exit::Usage);
    assert_eq!(exit_for(&report).code(), 2);
    e
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

#[test]
fn missing_file() {
    let d = tmp();
    let e = fails(
        d.path(),
        &["-r", "nope.txt"],
        "argument 1",
        &["nope.txt", "no such file"],
    );
    assert_eq!(e.origin, Some(Origin::Arg(0)));
    std::fs::write(d.path().join("r.txt"), "ok\n-r missing.txt\n").unwrap();
    fails(d.path(), &["-r", "r.txt"], "r.txt:2:", &["missing.txt"]);
}

#[test]
fn include_cycle() {
    let d = tmp();
    std::fs::create_dir(d.path().join("sub")).unwrap();
    std::fs::write(d.path().join("a.txt"), "x\n-r sub/b.txt\n").unwrap();
    std::fs::write(d.path().join("sub/b.txt"), "y\n\n-r ../a.txt\n").unwrap();
    fails(
        d.path(),
        &["-r", "a.txt"],
        "sub/b.txt:3:",
        &["a.txt -> sub/b.txt -> a.txt"],
    );
}

#[test]
fn binary_garbage() {
    let d = tmp();
    // Every byte value: the first one that is not UTF-8 (0x80) is on line 3.
    let mut garbage = b"requests\n".to_vec();
    garbage.extend((0u8..=255).cycle().take(4096));
    std::fs::write(d.path().join("r.bin"), &garbage).unwrap();
    fails(
        d.path(),
        &["-r", "r.bin"],
        "r.bin:3:",
        &["r.bin", "not valid UTF-8"],
    );
    // Valid UTF-8 with NUL bytes (an ELF header, say) is refused as binary.
    std::fs::write(
        d.path().join("r.elf"),
        b"six\n\x7fELF\x02\x01\x01\x00\x00\x00\n",
    )
    .unwrap();
    fails(
        d.path(),
        &["-r", "r.elf"],
        "r.elf:2:",
        &["r.elf", "NUL", "binary"],
    );
}

#[test]
fn bad_utf8() {
    let d = tmp();
    std::fs::write(d.path().join("r.txt"), b"six\nflask\ncaf\xe9\n").unwrap();
    fails(
        d.path(),
        &["-r", "r.txt"],
        "r.txt:3:",
        &["not valid UTF-8", "coding"],
    );
}

#[test]
fn fifty_megabyte_file() {
    let d = tmp();
    let path = d.path().join("huge.txt");
    {
        use std::io::Write;
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        let line = b"requests>=2.0 ; python_version >= '3.8'\n";
        let mut written = 0usize;
        while written < 50 * 1024 * 1024 {
            f.write_all(line).unwrap();
            written += line.len();
        }
    }
    let start = Instant::now();
    fails(
        d.path(),
        &["-r", "huge.txt"],
        "argument 1",
        &["huge.txt", "16 MiB"],
    );
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "refusing took {:?}",
        start.elapsed()
    );
    // Included from another file, the error points at the including line.
    std::fs::write(d.path().join("r.txt"), "six\n-r huge.txt\n").unwrap();
    fails(d.path(), &["-r", "r.txt"], "r.txt:2:", &["huge.txt"]);
}

#[test]
fn unterminated_continuation() {
    // pip joins a trailing `\` at end of file with nothing: the logical line
    // is the first physical one, and a bad one is reported there.
    let d = tmp();
    std::fs::write(d.path().join("r.txt"), "six\nfoo>= \\\n  \\").unwrap();
    fails(
        d.path(),
        &["-r", "r.txt"],
        "r.txt:2:",
        &["Invalid requirement", "foo>="],
    );
    // A good one is accepted, with its first line as origin.
    std::fs::write(d.path().join("ok.txt"), "six\nfoo>=1 \\").unwrap();
    let set = run(d.path(), &["-r", "ok.txt"]).unwrap();
    assert_eq!(set.requirements[1].origin.to_string(), "ok.txt:2");
}

#[test]
fn invalid_specifier() {
    let d = tmp();
    std::fs::write(d.path().join("r.txt"), "six\n# comment\nnumpy>=1.0.*\n").unwrap();
    fails(
        d.path(),
        &["-r", "r.txt"],
        "r.txt:3:",
        &["numpy>=1.0.*", ".* suffix"],
    );
    fails(
        d.path(),
        &["requests=2"],
        "argument 1",
        &["Did you mean =="],
    );
}

#[test]
fn unknown_option_in_file() {
    let d = tmp();
    std::fs::write(d.path().join("r.txt"), "six\n\n--frobnicate=1\n").unwrap();
    fails(
        d.path(),
        &["-r", "r.txt"],
        "r.txt:3:",
        &["no such option: --frobnicate"],
    );
}

#[test]
fn secrets_never_in_errors() {
    let d = tmp();
    std::fs::write(
        d.path().join("r.txt"),
        "pkg @ https://user:hunter2@example.invalid/p.tar.gz ; bogus_marker == '1'\n",
    )
    .unwrap();
    let e = fails(d.path(), &["-r", "r.txt"], "r.txt:1:", &[]);
    assert!(!e.to_string().contains("hunter2"), "{e}");
    let e = fails(
        d.path(),
        &["-r", "https://tok@example.invalid/r.txt"],
        "argument 1",
        &["URL"],
    );
    assert!(!e.to_string().contains("tok@"), "{e}");
}
