//! TOML values that remember where they were written, so a requirement
//! from `pyproject.toml`, a PEP 723 block or `pylock.toml` gets a line.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;
use std::ops::Range;
use toml::Spanned;

/// A TOML value with byte spans on every array element and table value.
#[derive(Debug, Clone)]
pub enum SVal {
    /// A string.
    Str(String),
    /// Any other scalar (integer, float, boolean, date-time), as text.
    Other(String),
    /// An array.
    Array(Vec<Spanned<SVal>>),
    /// A table, keys in the order the parser gives them.
    Table(Vec<(String, Spanned<SVal>)>),
}

impl SVal {
    /// The value under `key` of a table.
    pub fn get(&self, key: &str) -> Option<&Spanned<SVal>> {
        match self {
            SVal::Table(t) => t.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    /// The string, when it is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            SVal::Str(s) => Some(s),
            _ => None,
        }
    }
    /// A short description of the type, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            SVal::Str(_) => "a string",
            SVal::Other(_) => "a scalar",
            SVal::Array(_) => "an array",
            SVal::Table(_) => "a table",
        }
    }
}

impl<'de> Deserialize<'de> for SVal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(SValVisitor)
    }
}

struct SValVisitor;

impl<'de> Visitor<'de> for SValVisitor {
    type Value = SVal;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a TOML value")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<SVal, E> {
        Ok(SVal::Str(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<SVal, E> {
        Ok(SVal::Str(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<SVal, E> {
        Ok(SVal::Other(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<SVal, E> {
        Ok(SVal::Other(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<SVal, E> {
        Ok(SVal::Other(v.to_string()))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<SVal, E> {
        Ok(SVal::Other(v.to_string()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<SVal, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element::<Spanned<SVal>>()? {
            out.push(v);
        }
        Ok(SVal::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SVal, A::Error> {
        let mut out = Vec::new();
        while let Some(k) = map.next_key::<String>()? {
            let v = map.next_value::<Spanned<SVal>>()?;
            out.push((k, v));
        }
        Ok(SVal::Table(out))
    }
}

/// Parse a TOML document; on error, the 1-based line of the fault.
pub fn parse(text: &str) -> Result<SVal, (usize, String)> {
    parse_at(text).map_err(|(at, m)| (line_of(text, at), m))
}

/// Parse a TOML document; on error, the byte offset of the fault.
///
/// Built from `toml_edit`'s parse tree, which keeps every span: the serde
/// route (`toml::from_str` into `Spanned` values) fails on dotted keys and
/// dotted table headers (`[project.optional-dependencies]`,
/// `[tool.poetry.dependencies]`) with "expected a borrowed string".
pub fn parse_at(text: &str) -> Result<SVal, (usize, String)> {
    let doc = toml_edit::ImDocument::parse(text)
        .map_err(|e| (e.span().map_or(0, |r| r.start), e.message().to_string()))?;
    Ok(table(doc.as_table()))
}

fn spanned(span: Option<Range<usize>>, fallback: Range<usize>, v: SVal) -> Spanned<SVal> {
    Spanned::new(span.unwrap_or(fallback), v)
}

fn table(t: &toml_edit::Table) -> SVal {
    let mut out = Vec::new();
    for (k, item) in t.iter() {
        let key_span = t
            .get_key_value(k)
            .and_then(|(key, _)| key.span())
            .unwrap_or(0..0);
        out.push((
            k.to_string(),
            spanned(item.span(), key_span, self::item(item)),
        ));
    }
    SVal::Table(out)
}

fn item(i: &toml_edit::Item) -> SVal {
    match i {
        toml_edit::Item::None => SVal::Other(String::new()),
        toml_edit::Item::Value(v) => value(v),
        toml_edit::Item::Table(t) => table(t),
        toml_edit::Item::ArrayOfTables(a) => SVal::Array(
            a.iter()
                .map(|t| spanned(t.span(), 0..0, table(t)))
                .collect(),
        ),
    }
}

fn value(v: &toml_edit::Value) -> SVal {
    use toml_edit::Value as V;
    match v {
        V::String(s) => SVal::Str(s.value().clone()),
        V::Integer(i) => SVal::Other(i.value().to_string()),
        V::Float(f) => SVal::Other(f.value().to_string()),
        V::Boolean(b) => SVal::Other(b.value().to_string()),
        V::Datetime(d) => SVal::Other(d.value().to_string()),
        V::Array(a) => SVal::Array(
            a.iter()
                .map(|x| spanned(x.span(), 0..0, value(x)))
                .collect(),
        ),
        V::InlineTable(t) => {
            let mut out = Vec::new();
            for (k, x) in t.iter() {
                let key_span = t
                    .get_key_value(k)
                    .and_then(|(key, _)| key.span())
                    .unwrap_or(0..0);
                out.push((k.to_string(), spanned(x.span(), key_span, value(x))));
            }
            SVal::Table(out)
        }
    }
}

/// The 1-based line of a byte offset.
pub fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The 1-based line where a spanned value starts.
pub fn line_of_span(text: &str, span: Range<usize>) -> usize {
    line_of(text, span.start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_give_lines() {
        let text = "[a]\nx = [\n  \"one\",\n  {k = \"v\"},\n]\n\n[[p]]\nname = \"n\"\n";
        let v = parse(text).expect("test setup");
        let x = v
            .get("a")
            .expect("test setup")
            .get_ref()
            .get("x")
            .expect("test setup");
        let SVal::Array(items) = x.get_ref() else {
            panic!()
        };
        assert_eq!(line_of_span(text, items[0].span()), 3);
        assert_eq!(line_of_span(text, items[1].span()), 4);
        let SVal::Array(ps) = v.get("p").expect("test setup").get_ref() else {
            panic!()
        };
        let name = ps[0].get_ref().get("name").expect("test setup");
        assert_eq!(line_of_span(text, name.span()), 8);
        eprintln!("[[p]] span line: {}", line_of_span(text, ps[0].span()));
        assert!(parse("x = [").is_err());
        // Dotted headers and keys (the serde route failed on them).
        let text = "[tool.poetry.dependencies]\nrequests = \"^2\"\n[project]\na.b = [\"x\"]\n";
        let v = parse(text).expect("test setup");
        let deps = v
            .get("tool")
            .and_then(|t| t.get_ref().get("poetry"))
            .and_then(|t| t.get_ref().get("dependencies"))
            .and_then(|t| t.get_ref().get("requests"))
            .expect("test setup");
        assert_eq!(line_of_span(text, deps.span()), 2);
        let ab = v
            .get("project")
            .and_then(|t| t.get_ref().get("a"))
            .and_then(|t| t.get_ref().get("b"))
            .expect("test setup");
        assert_eq!(line_of_span(text, ab.span()), 4);
    }
}
