//! Laying text out for an 80-column terminal: the width and word wrapping
//! every text renderer uses.

/// The terminal width the text is laid out for.
pub const WIDTH: usize = 80;

/// Word-wrap `text`: the first line starts with `first`, the others with
/// `rest`; lines stay within `width` columns unless one word is longer.
/// Runs of white space become one space.
pub fn wrap(text: &str, first: &str, rest: &str, width: usize) -> Vec<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    fill(&words, first, rest, width)
}

/// Fill `words` (each kept whole, never broken) into lines of at most
/// `width` columns, one space between words, the first line starting with
/// `first` and the others with `rest`; a word longer than a line gets a
/// line of its own. This is the one word-wrapping implementation:
/// `textwrap`'s first-fit algorithm, with widths measured by `textwrap`
/// (ANSI style sequences take no column).
pub fn fill<S: AsRef<str>>(words: &[S], first: &str, rest: &str, width: usize) -> Vec<String> {
    use textwrap::core::{display_width, Word};
    let spaced: Vec<String> = words.iter().map(|w| format!("{} ", w.as_ref())).collect();
    let fragments: Vec<Word> = spaced.iter().map(|w| Word::from(w)).collect();
    let widths = [
        width.saturating_sub(display_width(first)) as f64,
        width.saturating_sub(display_width(rest)) as f64,
    ];
    let mut lines = Vec::new();
    for (i, line) in textwrap::wrap_algorithms::wrap_first_fit(&fragments, &widths)
        .into_iter()
        .enumerate()
    {
        let mut l = String::from(if i == 0 { first } else { rest });
        let words: Vec<&str> = line.iter().map(|w| w.word).collect();
        l.push_str(&words.join(" "));
        lines.push(l);
    }
    if lines.is_empty() {
        lines.push(first.to_string());
    }
    lines
}

/// Append `text`, wrapped (see [`wrap`]), one `\n` per line.
pub fn push_wrapped(out: &mut String, text: &str, first: &str, rest: &str) {
    for l in wrap(text, first, rest, WIDTH) {
        out.push_str(&l);
        out.push('\n');
    }
}
