//! Laying text out for an 80-column terminal: the width and word wrapping
//! every text renderer uses.

/// The terminal width the text is laid out for.
pub const WIDTH: usize = 80;

/// Word-wrap `text`: the first line starts with `first`, the others with
/// `rest`; lines stay within `width` columns unless one word is longer.
pub fn wrap(text: &str, first: &str, rest: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = first.to_string();
    let mut empty = true;
    for w in text.split_whitespace() {
        let need = cur.chars().count() + usize::from(!empty) + w.chars().count();
        if !empty && need > width {
            lines.push(std::mem::replace(&mut cur, rest.to_string()));
            empty = true;
        }
        if !empty {
            cur.push(' ');
        }
        cur.push_str(w);
        empty = false;
    }
    if !empty || lines.is_empty() {
        lines.push(cur);
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
