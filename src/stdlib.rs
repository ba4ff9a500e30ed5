//! Names that are not packages: modules of Python's standard library and
//! their PyPI back-ports (`typing`, `enum34`, `uuid`, `argparse`, …), and
//! the attrs nixpkgs defines as `null` for some interpreters
//! (`standard-aifc` below 3.13, `distutils` below 3.12). Pure: data from
//! `data/python-stdlib.tsv`, built by `scripts/build-data.py`.

/// `name<TAB>condition<TAB>why`, byte-sorted by name.
const DATA: &str = include_str!("../data/python-stdlib.tsv");

/// The table's rows as (name, the rest of the line), in the file's byte
/// order: looked up by binary search (this runs for every requirement).
fn rows() -> &'static [(&'static str, &'static str)] {
    static ROWS: std::sync::OnceLock<Vec<(&'static str, &'static str)>> =
        std::sync::OnceLock::new();
    ROWS.get_or_init(|| {
        let mut rows: Vec<(&str, &str)> = DATA
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .filter_map(|l| l.split_once('\t'))
            .collect();
        // The generator sorts; sorting again keeps the search right if not.
        rows.sort_unstable_by(|a, b| a.0.cmp(b.0));
        rows
    })
}

/// When a name is part of the interpreter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Condition {
    Always,
    /// Python older than (major, minor).
    Below(u32, u32),
    /// Python (major, minor) or newer.
    AtLeast(u32, u32),
    /// PyPy only.
    PyPy,
}

fn parse_condition(s: &str) -> Option<Condition> {
    let version = |v: &str| -> Option<(u32, u32)> {
        let (a, b) = v.split_once('.')?;
        Some((a.parse().ok()?, b.parse().ok()?))
    };
    if s == "always" {
        Some(Condition::Always)
    } else if s == "pypy" {
        Some(Condition::PyPy)
    } else if let Some(v) = s.strip_prefix("python>=") {
        version(v).map(|(a, b)| Condition::AtLeast(a, b))
    } else if let Some(v) = s.strip_prefix("python<") {
        version(v).map(|(a, b)| Condition::Below(a, b))
    } else {
        None
    }
}

/// Why `normalized` needs nothing installed on this interpreter
/// (`python_version` is `X.Y`, `implementation` is `cpython`, `pypy`, …):
/// `Some(reason)` when it is part of the standard library there.
pub fn builtin(normalized: &str, python_version: &str, implementation: &str) -> Option<String> {
    let rows = rows();
    let at = rows
        .binary_search_by(|(name, _)| (*name).cmp(normalized))
        .ok()?;
    let (_, rest) = rows[at];
    let mut cols = rest.splitn(2, '\t');
    let cond = parse_condition(cols.next()?)?;
    let why = cols.next().unwrap_or("");
    let (major, minor) = python_version
        .split_once('.')
        .and_then(|(a, b)| Some((a.parse::<u32>().ok()?, b.parse::<u32>().ok()?)))?;
    let holds = match cond {
        Condition::Always => true,
        Condition::Below(a, b) => (major, minor) < (a, b),
        Condition::AtLeast(a, b) => (major, minor) >= (a, b),
        Condition::PyPy => implementation == "pypy",
    };
    holds.then(|| {
        format!(
            "part of Python's standard library on Python {python_version}: nothing to install ({why})"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_follow_the_interpreter() {
        assert!(builtin("typing", "3.13", "cpython").is_some());
        assert!(builtin("enum34", "3.11", "cpython").is_some());
        assert!(builtin("standard-aifc", "3.12", "cpython").is_some());
        // From 3.13 aifc left the standard library: the back-port is a package.
        assert!(builtin("standard-aifc", "3.13", "cpython").is_none());
        assert!(builtin("distutils", "3.11", "cpython").is_some());
        assert!(builtin("distutils", "3.12", "cpython").is_none());
        assert!(builtin("backports-asyncio-runner", "3.10", "cpython").is_none());
        assert!(builtin("backports-asyncio-runner", "3.11", "cpython").is_some());
        assert!(builtin("greenlet", "3.11", "cpython").is_none());
        assert!(builtin("greenlet", "3.11", "pypy").is_some());
        assert!(builtin("requests", "3.11", "cpython").is_none());
    }

    #[test]
    fn every_condition_parses() {
        for l in DATA.lines().filter(|l| !l.starts_with('#')) {
            let c = l.split('\t').nth(1).unwrap_or("");
            assert!(parse_condition(c).is_some(), "{l}");
        }
    }
}
