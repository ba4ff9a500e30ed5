//! Runs last (cargo runs integration tests in name order): counts the tests
//! this `cargo test` run skipped for a missing prerequisite, as recorded by
//! `common::missing`, and prints the count. Under `tests/run` and CI nothing
//! may be skipped: a missing prerequisite already failed its test, and this
//! one fails too if any skip was recorded.

mod common;

use std::io::Write as _;

#[test]
fn skipped_tests_are_counted() {
    let log = common::skip_log();
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    let skipped: Vec<&str> = text.lines().filter(|l| l.starts_with("SKIPPED ")).collect();
    let mut report = String::new();
    for line in &skipped {
        report.push_str(line);
        report.push('\n');
    }
    report.push_str(&format!(
        "skipped tests (missing prerequisites): {}\n",
        skipped.len()
    ));
    // Straight to stderr: libtest does not capture it.
    let _ = std::io::stderr().write_all(report.as_bytes());
    let _ = std::fs::remove_file(&log);
    if common::strict() {
        assert!(
            skipped.is_empty(),
            "tests were skipped under tests/run or CI:\n{report}"
        );
    }
}
