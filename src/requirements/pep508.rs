//! The PEP 508 grammar exactly as pip's vendored `packaging` 26.3 accepts it.
//!
//! `pep508_rs` (the parser from uv) is deliberately more lenient than
//! `packaging` in places (whitespace inside URLs, a `;` right after a URL,
//! Unicode whitespace, names ending in `_`), so pip-guard first runs this
//! port of `packaging._parser` / `packaging._tokenizer` to decide what is
//! valid and to split the text into its parts; `pep508_rs` / `pep440_rs`
//! then give the parts their meaning (marker evaluation, version sets).

/// A syntax error, with the byte span it points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// What was expected.
    pub message: String,
    /// The source text.
    pub source: String,
    /// Byte offsets `[start, end)` of the fault.
    pub span: (usize, usize),
}

impl std::fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The line is shown escaped (one line, no control character), the
        // marks under the escaped text.
        use crate::escape::terminal;
        let pre = self.source.get(..self.span.0).unwrap_or("");
        let mid = self.source.get(self.span.0..self.span.1).unwrap_or("");
        write!(
            f,
            "{}\n    {}\n    {}{}^",
            self.message,
            terminal(&self.source),
            " ".repeat(terminal(pre).chars().count()),
            "~".repeat(terminal(mid).chars().count())
        )
    }
}

/// The parts of a requirement, as `packaging.requirements.Requirement` has them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parts {
    /// The name as written.
    pub name: String,
    /// Extras as written, in order (may repeat).
    pub extras: Vec<String>,
    /// The URL after `@`, if any.
    pub url: Option<String>,
    /// Specifiers as `packaging` joins them (`>=1,<2`), `""` if none.
    pub specifier: String,
    /// The marker expression text (after `;`), if any.
    pub marker: Option<String>,
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// A cursor over ASCII-ish text for the specifier matcher.
struct Scan<'a> {
    b: &'a [u8],
    s: &'a str,
    i: usize,
}

impl<'a> Scan<'a> {
    fn new(s: &'a str) -> Self {
        Scan {
            b: s.as_bytes(),
            s,
            i: 0,
        }
    }
    fn lit(&mut self, w: &str) -> bool {
        if self.b[self.i..].len() >= w.len()
            && self.b[self.i..self.i + w.len()].eq_ignore_ascii_case(w.as_bytes())
        {
            self.i += w.len();
            true
        } else {
            false
        }
    }
    fn one_of(&mut self, set: &[u8]) -> bool {
        match self.b.get(self.i) {
            Some(c) if set.contains(c) => {
                self.i += 1;
                true
            }
            _ => false,
        }
    }
    fn digits(&mut self) -> usize {
        let start = self.i;
        while self.b.get(self.i).is_some_and(u8::is_ascii_digit) {
            self.i += 1;
        }
        self.i - start
    }
    fn alnum_lower(&mut self) -> usize {
        let start = self.i;
        while self.b.get(self.i).is_some_and(u8::is_ascii_alphanumeric) {
            self.i += 1;
        }
        self.i - start
    }
    /// Python's `\s*` (Unicode whitespace).
    fn ws(&mut self) {
        while let Some(c) = self.s[self.i..].chars().next() {
            if !super::pystr::is_py_space(c) {
                break;
            }
            self.i += c.len_utf8();
        }
    }
    /// `(?:[0-9]+!)?` then `[0-9]+(?:\.[0-9]+)*` (or `+` with `min2`).
    /// `v?` then [`Scan::epoch_release`]; when the `v` form fails, the
    /// release alone (packaging's optional `v` prefix).
    fn v_epoch_release(&mut self, min2: bool) -> bool {
        let save = self.i;
        self.one_of(b"vV");
        if self.epoch_release(min2) {
            return true;
        }
        self.i = save;
        self.epoch_release(min2)
    }
    fn epoch_release(&mut self, min2: bool) -> bool {
        let save = self.i;
        if !(self.digits() > 0 && self.one_of(b"!")) {
            self.i = save;
        }
        if self.digits() == 0 {
            return false;
        }
        let mut parts = 1;
        loop {
            let save = self.i;
            if self.one_of(b".") && self.digits() > 0 {
                parts += 1;
            } else {
                self.i = save;
                break;
            }
        }
        !min2 || parts >= 2
    }
    /// `[-_\.]?(WORD|…)[-_\.]?[0-9]*`, optional: the shape shared by the
    /// pre-, post- and dev-release segments. Leaves the position unchanged
    /// when there is no match.
    fn tagged(&mut self, words: &[&str]) -> bool {
        let save = self.i;
        for with_sep in [true, false] {
            self.i = save;
            if with_sep && !self.one_of(b"-_.") {
                continue;
            }
            if words.iter().any(|w| self.lit(w)) {
                self.one_of(b"-_.");
                self.digits();
                return true;
            }
        }
        self.i = save;
        false
    }
    /// `[-_\.]?(alpha|beta|preview|pre|a|b|c|rc)[-_\.]?[0-9]*`, optional.
    fn pre(&mut self) {
        self.tagged(&["alpha", "beta", "preview", "pre", "a", "b", "c", "rc"]);
    }
    /// `(?:-[0-9]+)|(?:[-_\.]?(post|rev|r)[-_\.]?[0-9]*)`, optional.
    fn post(&mut self) {
        let save = self.i;
        if self.one_of(b"-") && self.digits() > 0 {
            return;
        }
        self.i = save;
        self.tagged(&["post", "rev", "r"]);
    }
    /// `[-_\.]?dev[-_\.]?[0-9]*`, optional.
    fn dev(&mut self) {
        self.tagged(&["dev"]);
    }
    /// `\+[a-z0-9]+(?:[-_\.][a-z0-9]+)*`, optional (ASCII, any case).
    fn local(&mut self) {
        let save = self.i;
        if !(self.one_of(b"+") && self.alnum_lower() > 0) {
            self.i = save;
            return;
        }
        loop {
            let save = self.i;
            if !(self.one_of(b"-_.") && self.alnum_lower() > 0) {
                self.i = save;
                return;
            }
        }
    }
}

/// The length of the version-specifier token at the start of `s`, as
/// `packaging`'s tokenizer finds it (tests compare it with `packaging`).
pub fn specifier_token_len(s: &str) -> Option<usize> {
    match_specifier(s)
}

/// packaging's `Specifier._specifier_regex_str` (VERBOSE | IGNORECASE),
/// matched at the start of `s`: the length of the match. Written out by
/// hand (the alternatives are tried in the regex's order, and every group
/// after the release is optional, so greedy choices are final).
fn match_specifier(s: &str) -> Option<usize> {
    // === <anything but whitespace, ';' and ')'>
    let mut c = Scan::new(s);
    if c.lit("===") {
        c.ws();
        while let Some(ch) = c.s[c.i..].chars().next() {
            if super::pystr::is_py_space(ch) || ch == ';' || ch == ')' {
                break;
            }
            c.i += ch.len_utf8();
        }
        return Some(c.i);
    }
    // == / != with wildcard or pre/post/dev/local
    let mut c = Scan::new(s);
    if c.lit("==") || c.lit("!=") {
        c.ws();
        if !c.v_epoch_release(false) {
            return None;
        }
        if !c.lit(".*") {
            c.pre();
            c.post();
            c.dev();
            c.local();
        }
        return Some(c.i);
    }
    // ~= with at least two release parts
    let mut c = Scan::new(s);
    if c.lit("~=") {
        c.ws();
        if !c.v_epoch_release(true) {
            return None;
        }
        c.pre();
        c.post();
        c.dev();
        return Some(c.i);
    }
    match_ordered(s)
}

/// The `(?:<=|>=|<|>)` alternative.
fn match_ordered(s: &str) -> Option<usize> {
    for op in ["<=", ">=", "<", ">"] {
        let mut c = Scan::new(s);
        if !c.lit(op) {
            continue;
        }
        c.ws();
        if !c.v_epoch_release(false) {
            continue;
        }
        c.pre();
        c.post();
        c.dev();
        return Some(c.i);
    }
    None
}

/// The marker variables `packaging` knows, in its regex's order.
const VARIABLES: &[&str] = &[
    "python_version",
    "python_full_version",
    "os_name",
    "os.name",
    "sys_platform",
    "sys.platform",
    "platform_release",
    "platform_system",
    "platform_version",
    "platform.version",
    "platform_machine",
    "platform.machine",
    "platform_python_implementation",
    "platform.python_implementation",
    "python_implementation",
    "implementation_name",
    "implementation_version",
    "extras",
    "extra",
    "dependency_groups",
];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum T {
    LParen,
    RParen,
    LBracket,
    RBracket,
    Semicolon,
    Comma,
    QuotedString,
    Op,
    BoolOp,
    In,
    Not,
    Variable,
    Specifier,
    At,
    Url,
    Identifier,
    VersionPrefixTrail,
    VersionLocalLabelTrail,
    Ws,
    End,
}

impl T {
    fn name(self) -> &'static str {
        match self {
            T::LParen => "LEFT_PARENTHESIS",
            T::RParen => "RIGHT_PARENTHESIS",
            T::LBracket => "LEFT_BRACKET",
            T::RBracket => "RIGHT_BRACKET",
            _ => "token",
        }
    }
}

struct Tokenizer<'a> {
    src: &'a str,
    pos: usize,
    next: Option<(T, usize)>, // kind, length
    depth: usize,             // parentheses open in a marker
}

/// How deeply marker parentheses may nest. `packaging` is recursive too and
/// fails with `RecursionError` somewhat below 500; this keeps the recursion
/// here well inside the stack.
pub const MAX_MARKER_DEPTH: usize = 400;

type R<X> = Result<X, SyntaxError>;

impl<'a> Tokenizer<'a> {
    fn new(src: &'a str) -> Self {
        Tokenizer {
            src,
            pos: 0,
            next: None,
            depth: 0,
        }
    }

    fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }

    fn boundary_at(&self, at: usize) -> bool {
        let before = self.src[..at].chars().next_back().is_some_and(is_word);
        let after = self.src[at..].chars().next().is_some_and(is_word);
        before != after
    }

    /// The length of the token `t` at the current position, if it matches.
    fn match_len(&self, t: T) -> Option<usize> {
        let rest = self.rest();
        let lit = |s: &str| rest.starts_with(s).then_some(s.len());
        match t {
            T::LParen => lit("("),
            T::RParen => lit(")"),
            T::LBracket => lit("["),
            T::RBracket => lit("]"),
            T::Semicolon => lit(";"),
            T::Comma => lit(","),
            T::At => lit("@"),
            T::QuotedString => {
                let q = rest.chars().next().filter(|c| *c == '\'' || *c == '"')?;
                let end = rest[1..].find(q)?;
                Some(end + 2)
            }
            T::Op => ["===", "==", "~=", "!=", "<=", ">=", "<", ">"]
                .iter()
                .find(|o| rest.starts_with(**o))
                .map(|o| o.len()),
            T::BoolOp => ["or", "and"].iter().find_map(|w| self.word(w)),
            T::In => self.word("in"),
            T::Not => self.word("not"),
            T::Variable => VARIABLES.iter().find_map(|w| self.word(w)),
            T::Specifier => match_specifier(rest),
            T::Url => {
                let n = rest.find([' ', '\t']).unwrap_or(rest.len());
                (n > 0).then_some(n)
            }
            T::Identifier => {
                if !self.boundary_at(self.pos) {
                    return None;
                }
                let first = rest.chars().next().filter(|c| c.is_ascii_alphanumeric())?;
                let mut end = first.len_utf8();
                for c in rest[end..].chars() {
                    if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                        end += 1;
                    } else {
                        break;
                    }
                }
                // Backtrack to a word boundary.
                while end > 0 {
                    if self.boundary_at(self.pos + end) {
                        return Some(end);
                    }
                    end -= 1;
                }
                None
            }
            T::VersionPrefixTrail => lit(".*"),
            T::VersionLocalLabelTrail => {
                let b = rest.as_bytes();
                if b.first() != Some(&b'+') {
                    return None;
                }
                let lab = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
                let mut i = 1;
                let start = i;
                while i < b.len() && lab(b[i]) {
                    i += 1;
                }
                if i == start {
                    return None;
                }
                loop {
                    if i < b.len()
                        && matches!(b[i], b'-' | b'_' | b'.')
                        && i + 1 < b.len()
                        && lab(b[i + 1])
                    {
                        i += 1;
                        while i < b.len() && lab(b[i]) {
                            i += 1;
                        }
                    } else {
                        break;
                    }
                }
                Some(i)
            }
            T::Ws => {
                let n = rest.len() - rest.trim_start_matches([' ', '\t']).len();
                (n > 0).then_some(n)
            }
            T::End => rest.is_empty().then_some(0),
        }
    }

    /// `\bword\b` at the current position.
    fn word(&self, w: &str) -> Option<usize> {
        if self.rest().starts_with(w)
            && self.boundary_at(self.pos)
            && self.boundary_at(self.pos + w.len())
        {
            Some(w.len())
        } else {
            None
        }
    }

    fn check(&mut self, t: T) -> bool {
        match self.match_len(t) {
            Some(n) => {
                self.next = Some((t, n));
                true
            }
            None => false,
        }
    }

    fn peek(&self, t: T) -> bool {
        self.match_len(t).is_some()
    }

    fn read(&mut self) -> &'a str {
        let (_, n) = self.next.take().unwrap_or((T::End, 0));
        let s = &self.src[self.pos..self.pos + n];
        self.pos += n;
        s
    }

    fn consume(&mut self, t: T) {
        if self.check(t) {
            self.read();
        }
    }

    fn err<X>(&self, message: impl Into<String>, start: Option<usize>, end: Option<usize>) -> R<X> {
        Err(SyntaxError {
            message: message.into(),
            source: self.src.to_string(),
            span: (start.unwrap_or(self.pos), end.unwrap_or(self.pos)),
        })
    }

    fn expect(&mut self, t: T, expected: &str) -> R<&'a str> {
        if !self.check(t) {
            return self.err(format!("Expected {expected}"), None, None);
        }
        Ok(self.read())
    }

    /// `enclosing_tokens`: run `body` inside optional `open`/`close` tokens.
    fn enclosing<X>(
        &mut self,
        open: T,
        close: T,
        around: &str,
        body: impl FnOnce(&mut Self) -> R<X>,
    ) -> R<X> {
        let open_pos = if self.check(open) {
            let p = self.pos;
            self.read();
            Some(p)
        } else {
            None
        };
        let x = body(self)?;
        if let Some(p) = open_pos {
            if !self.check(close) {
                return self.err(
                    format!(
                        "Expected matching {} for {}, after {around}",
                        close.name(),
                        open.name()
                    ),
                    Some(p),
                    None,
                );
            }
            self.read();
        }
        Ok(x)
    }
}

/// Parse a requirement string as `packaging.requirements.Requirement` does.
pub fn parse_requirement(src: &str) -> Result<Parts, SyntaxError> {
    let mut t = Tokenizer::new(src);
    t.consume(T::Ws);
    let name = t.expect(
        T::Identifier,
        "package name at the start of dependency specifier",
    )?;
    t.consume(T::Ws);
    let extras = parse_extras(&mut t)?;
    t.consume(T::Ws);
    let (url, specifier, marker) = parse_details(&mut t)?;
    t.expect(T::End, "end of dependency specifier")?;
    Ok(Parts {
        name: name.to_string(),
        extras,
        url,
        specifier,
        marker,
    })
}

/// Parse a marker expression as `packaging.markers.Marker` does.
pub fn parse_marker(src: &str) -> Result<(), SyntaxError> {
    parse_marker_ast(src).map(|_| ())
}

fn parse_extras(t: &mut Tokenizer<'_>) -> R<Vec<String>> {
    if !t.peek(T::LBracket) {
        return Ok(Vec::new());
    }
    t.enclosing(T::LBracket, T::RBracket, "extras", |t| {
        t.consume(T::Ws);
        let extras = parse_extras_list(t)?;
        t.consume(T::Ws);
        Ok(extras)
    })
}

fn parse_extras_list(t: &mut Tokenizer<'_>) -> R<Vec<String>> {
    let mut extras = Vec::new();
    if !t.check(T::Identifier) {
        return Ok(extras);
    }
    extras.push(t.read().to_string());
    loop {
        t.consume(T::Ws);
        if t.peek(T::Identifier) {
            return t.err("Expected comma between extra names", None, None);
        } else if !t.check(T::Comma) {
            break;
        }
        t.read();
        t.consume(T::Ws);
        let e = t.expect(T::Identifier, "extra name after comma")?;
        extras.push(e.to_string());
    }
    Ok(extras)
}

type Details = (Option<String>, String, Option<String>);

fn parse_details(t: &mut Tokenizer<'_>) -> R<Details> {
    if t.check(T::At) {
        t.read();
        t.consume(T::Ws);
        let url_start = t.pos;
        let url = t.expect(T::Url, "URL after @")?.to_string();
        if t.peek(T::End) {
            return Ok((Some(url), String::new(), None));
        }
        t.expect(T::Ws, "whitespace after URL")?;
        if t.peek(T::End) {
            return Ok((Some(url), String::new(), None));
        }
        let marker =
            parse_requirement_marker(t, url_start, "semicolon (after URL and whitespace)")?;
        Ok((Some(url), String::new(), Some(marker)))
    } else {
        let spec_start = t.pos;
        let spec = parse_specifier(t)?;
        t.consume(T::Ws);
        if t.peek(T::End) {
            return Ok((None, spec, None));
        }
        let expected = if spec.is_empty() {
            "semicolon (after name with no version specifier)"
        } else {
            "comma (within version specifier), semicolon (after version specifier)"
        };
        let marker = parse_requirement_marker(t, spec_start, expected)?;
        Ok((None, spec, Some(marker)))
    }
}

fn parse_requirement_marker(t: &mut Tokenizer<'_>, span_start: usize, expected: &str) -> R<String> {
    if !t.check(T::Semicolon) {
        return t.err(
            format!("Expected {expected} or end"),
            Some(span_start),
            None,
        );
    }
    t.read();
    let start = t.pos;
    parse_marker_expr(t)?;
    let text = t.src[start..t.pos].trim_matches([' ', '\t']).to_string();
    t.consume(T::Ws);
    Ok(text)
}

fn parse_specifier(t: &mut Tokenizer<'_>) -> R<String> {
    t.enclosing(T::LParen, T::RParen, "version specifier", |t| {
        t.consume(T::Ws);
        let s = parse_version_many(t)?;
        t.consume(T::Ws);
        Ok(s)
    })
}

fn parse_version_many(t: &mut Tokenizer<'_>) -> R<String> {
    let mut out = String::new();
    while t.check(T::Specifier) {
        let span_start = t.pos;
        let spec = t.read();
        out.push_str(spec);
        if t.peek(T::VersionPrefixTrail) {
            let msg =
                if spec.starts_with("!=") || (spec.starts_with("==") && !spec.starts_with("===")) {
                    ".* suffix cannot be used with pre-release, post-release, dev or local versions"
                } else {
                    ".* suffix can only be used with `==` or `!=` operators"
                };
            return t.err(msg, Some(span_start), Some(t.pos + 1));
        }
        if t.peek(T::VersionLocalLabelTrail) {
            return t.err(
                "Local version label can only be used with `==` or `!=` operators",
                Some(span_start),
                None,
            );
        }
        t.consume(T::Ws);
        if !t.check(T::Comma) {
            break;
        }
        out.push_str(t.read());
        t.consume(T::Ws);
    }
    Ok(out)
}

/// A marker variable or a string value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MarkerVar {
    /// A variable, with `.` spelled `_` and `python_implementation` as
    /// `platform_python_implementation` (as packaging does).
    Var(String),
    /// A quoted string's value.
    Str(String),
}

/// A parsed marker expression (`packaging`'s marker list).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MarkerAst {
    /// `lhs op rhs`.
    Item {
        /// Left side.
        lhs: MarkerVar,
        /// `==`, `in`, `not in`, ….
        op: String,
        /// Right side.
        rhs: MarkerVar,
    },
    /// Atoms joined by `and` / `or` (`ands[i]` joins atom i and i+1).
    Expr {
        /// The atoms.
        atoms: Vec<MarkerAst>,
        /// `true` for `and`, `false` for `or`.
        ands: Vec<bool>,
    },
}

/// Parse a marker expression into its tree.
pub fn parse_marker_ast(src: &str) -> Result<MarkerAst, SyntaxError> {
    let mut t = Tokenizer::new(src);
    let ast = parse_marker_expr(&mut t)?;
    t.expect(T::End, "end of marker expression")?;
    Ok(ast)
}

fn parse_marker_expr(t: &mut Tokenizer<'_>) -> R<MarkerAst> {
    let mut atoms = vec![parse_marker_atom(t)?];
    let mut ands = Vec::new();
    while t.check(T::BoolOp) {
        ands.push(t.read() == "and");
        atoms.push(parse_marker_atom(t)?);
    }
    Ok(MarkerAst::Expr { atoms, ands })
}

fn parse_marker_atom(t: &mut Tokenizer<'_>) -> R<MarkerAst> {
    t.consume(T::Ws);
    let ast = if t.peek(T::LParen) {
        if t.depth >= MAX_MARKER_DEPTH {
            return t.err(
                format!("Marker parentheses nest more than {MAX_MARKER_DEPTH} deep"),
                None,
                None,
            );
        }
        t.depth += 1;
        let inner = t.enclosing(T::LParen, T::RParen, "marker expression", |t| {
            t.consume(T::Ws);
            let m = parse_marker_expr(t)?;
            t.consume(T::Ws);
            Ok(m)
        })?;
        t.depth -= 1;
        inner
    } else {
        parse_marker_item(t)?
    };
    t.consume(T::Ws);
    Ok(ast)
}

fn parse_marker_item(t: &mut Tokenizer<'_>) -> R<MarkerAst> {
    t.consume(T::Ws);
    let lhs = parse_marker_var(t)?;
    t.consume(T::Ws);
    let op = parse_marker_op(t)?;
    t.consume(T::Ws);
    let rhs = parse_marker_var(t)?;
    t.consume(T::Ws);
    Ok(MarkerAst::Item { lhs, op, rhs })
}

fn parse_marker_var(t: &mut Tokenizer<'_>) -> R<MarkerVar> {
    if t.check(T::Variable) {
        let v = t.read().replace('.', "_");
        let v = if v == "python_implementation" {
            "platform_python_implementation".to_string()
        } else {
            v
        };
        Ok(MarkerVar::Var(v))
    } else if t.check(T::QuotedString) {
        let start = t.pos;
        let tok = t.read();
        match python_str_literal(tok) {
            Some(v) => Ok(MarkerVar::Str(v)),
            None => t.err(
                "Invalid quoted string",
                Some(start),
                Some(start + tok.len()),
            ),
        }
    } else {
        t.err("Expected a marker variable or quoted string", None, None)
    }
}

fn parse_marker_op(t: &mut Tokenizer<'_>) -> R<String> {
    if t.check(T::In) {
        t.read();
        Ok("in".into())
    } else if t.check(T::Not) {
        t.read();
        t.expect(T::Ws, "whitespace after 'not'")?;
        t.expect(T::In, "'in' after 'not'")?;
        Ok("not in".into())
    } else if t.check(T::Op) {
        Ok(t.read().to_string())
    } else {
        t.err(
            "Expected marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in",
            None,
            None,
        )
    }
}

/// `ast.literal_eval` of a quoted Python string (no prefix): its value, or
/// `None` when Python would raise.
pub fn python_str_literal(tok: &str) -> Option<String> {
    let inner = tok.get(1..tok.len().checked_sub(1)?)?;
    let mut out = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\0' {
            return None;
        }
        if c != '\\' {
            out.push(c);
            continue;
        }
        let e = chars.next()?; // a trailing backslash escapes the closing quote
        match e {
            '\\' => out.push('\\'),
            '\'' => out.push('\''),
            '"' => out.push('"'),
            'a' => out.push('\x07'),
            'b' => out.push('\x08'),
            'f' => out.push('\x0c'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\x0b'),
            '0'..='7' => {
                let mut v = e.to_digit(8)?;
                for _ in 0..2 {
                    match chars.peek().and_then(|c| c.to_digit(8)) {
                        Some(d) => {
                            v = v * 8 + d;
                            chars.next();
                        }
                        None => break,
                    }
                }
                out.push(char::from_u32(v)?);
            }
            'x' | 'u' | 'U' => {
                let n = match e {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let mut v = 0u32;
                for _ in 0..n {
                    v = v.checked_mul(16)? + chars.next()?.to_digit(16)?;
                }
                out.push(char::from_u32(v)?);
            }
            'N' => return None, // \N{NAME}: not supported (no Unicode name table)
            other => {
                out.push('\\');
                out.push(other);
            }
        }
    }
    Some(out)
}

/// PEP 440 specifiers, parsed one by one (an arbitrary `===` string that
/// `pep440_rs` cannot represent is left out of the parsed set; the text
/// keeps it).
pub fn parse_specifiers(text: &str) -> pep508_rs::pep440_rs::VersionSpecifiers {
    if text.trim().is_empty() {
        return pep508_rs::pep440_rs::VersionSpecifiers::empty();
    }
    if let Ok(s) = text.parse::<pep508_rs::pep440_rs::VersionSpecifiers>() {
        return s;
    }
    text.split(',')
        .filter_map(|s| {
            s.trim()
                .parse::<pep508_rs::pep440_rs::VersionSpecifier>()
                .ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> Parts {
        parse_requirement(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
    }

    #[test]
    fn error_lines_are_escaped_with_the_caret_under_the_fault() {
        let e = SyntaxError {
            message: "Expected end".into(),
            source: "a\x1b[8m b!".into(),
            span: (7, 8),
        };
        let text = e.to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[1], r"    a\e[8m b!");
        assert!(!text.contains('\x1b'));
        // The mark sits under the fault (`!`) in the escaped line, the
        // caret right after it, as in pip's message.
        let col = lines[2].find('~').expect("mark");
        assert_eq!(&lines[1][col..col + 1], "!");
        assert_eq!(lines[2].find('^'), Some(col + 1));
    }

    #[test]
    fn plain_forms() {
        let p = ok("requests [security , tests] >= 2.8.1, == 2.8.* ; python_version < '2.7'");
        assert_eq!(p.name, "requests");
        assert_eq!(p.extras, vec!["security", "tests"]);
        assert_eq!(p.specifier, ">= 2.8.1,== 2.8.*");
        assert_eq!(p.marker.as_deref(), Some("python_version < '2.7'"));
        let p = ok("name(>=1,<2)");
        assert_eq!(p.specifier, ">=1,<2");
        let p =
            ok("pip @ https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee ; os_name=='a'");
        assert_eq!(
            p.url.as_deref(),
            Some("https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee")
        );
        // packaging allows a name ending in `_`.
        assert_eq!(ok("foo_").name, "foo_");
        assert_eq!(ok("foo===bar").specifier, "===bar");
        // No whitespace before `;`: it is part of the URL.
        assert_eq!(ok("foo @ https://x;os_name=='a'").marker, None);
    }

    #[test]
    fn packaging_rejects() {
        for bad in [
            "",
            "foo @ https://x y",
            "foo>=1.0.*",
            "foo>=1.0+local",
            "foo~=1",
            "foo==1.0a1.*",
            "foo\u{a0}>=1",
            "foo[bar baz]",
            "foo[bar",
            "foo>=1 bar",
            "foo; os_name == 'a' and",
            "foo; os_name is 'a'",
            "foo; python_version notin '3'",
            "foo; unknown_var == 'a'",
            "foo; os_name == 'a\\'",
            "-foo",
            "foo-",
        ] {
            assert!(
                parse_requirement(bad).is_err(),
                "{bad:?} should be rejected"
            );
        }
    }

    #[test]
    fn markers() {
        assert!(parse_marker("python_version>'3'and(os_name=='nt'or os.name=='posix')").is_ok());
        assert!(parse_marker("'a' not in extras").is_ok());
        assert!(parse_marker("'a' not  in extras").is_ok());
        assert!(parse_marker("'a' notin extras").is_err());
        assert!(parse_marker("").is_err());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let ok = format!("{}os_name == 'a'{}", "(".repeat(400), ")".repeat(400));
        assert!(parse_marker(&ok).is_ok());
        let deep = format!(
            "{}os_name == 'a'{}",
            "(".repeat(100_000),
            ")".repeat(100_000)
        );
        assert!(parse_marker(&deep).is_err());
        assert!(parse_requirement(&format!("x ; {deep}")).is_err());
    }

    #[test]
    fn literal_eval() {
        assert_eq!(python_str_literal(r#""a\x41\n""#).as_deref(), Some("aA\n"));
        assert_eq!(python_str_literal(r#""a\q""#).as_deref(), Some("a\\q"));
        assert_eq!(python_str_literal(r#""a\""#), None);
        assert_eq!(python_str_literal(r#""\x4""#), None);
    }
}
