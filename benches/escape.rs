//! The escaping layer's cost: `escape::terminal_text`, `terminal_styled`,
//! `github` and `json` over a clean 1 MB report (the common case: nothing to
//! escape, the input comes back borrowed) and over 1 MB of hostile text
//! (every line carries ESC sequences, a bidi override and a workflow
//! command). Prints MB/s; figures go to docs/performance.md.
//!
//! `cargo bench --bench escape`

use pip_guard::escape;
use std::hint::black_box;
use std::time::Instant;

fn measure(name: &str, input: &str, f: &dyn Fn(&str) -> usize) {
    // Warm up, then take the best of 7 runs (a shared machine).
    for _ in 0..3 {
        black_box(f(input));
    }
    let mut best = f64::MAX;
    for _ in 0..7 {
        let t = Instant::now();
        black_box(f(black_box(input)));
        best = best.min(t.elapsed().as_secs_f64());
    }
    let mb = input.len() as f64 / 1e6;
    println!("{name:<32} {:>8.2} ms  {:>8.0} MB/s", best * 1e3, mb / best);
}

fn main() {
    let clean_line =
        "  allow requests>=2.31  [requirements.txt:12] → python312Packages.requests 2.32.3 — ✅\n";
    let hostile_line = "  block x\x1b[8m ; platform_release != \"\x1b[2K\u{202e}::add-mask::x ##[error]\" \u{9b}31m\n";
    let clean: String = clean_line.repeat(1_000_000 / clean_line.len());
    let hostile: String = hostile_line.repeat(1_000_000 / hostile_line.len());
    for (label, text) in [("clean", &clean), ("hostile", &hostile)] {
        println!("{label} input, {} bytes:", text.len());
        measure("  terminal_text", text, &|s| escape::terminal_text(s).len());
        measure("  terminal_styled", text, &|s| {
            escape::terminal_styled(s).len()
        });
        measure("  github", text, &|s| escape::github(s).len());
        measure("  json", text, &|s| escape::json(s).len());
        measure("  markdown_cell (per line)", text, &|s| {
            s.lines().map(|l| escape::markdown_cell(l).len()).sum()
        });
    }
}
