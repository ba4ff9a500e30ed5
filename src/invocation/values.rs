//! The value checks pip's option parser makes while parsing (optparse types
//! and choices, and pip's option callbacks), so that pip-guard rejects
//! exactly the command lines pip rejects, at the same option.
//!
//! Checked against the pinned pip by `tests/pip_oracle.rs`.

use super::options::{Opt, OptSpec};

/// How pip checks an option's value while parsing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// Any string.
    Any,
    /// One of these (optparse `choice`).
    Choice(&'static [&'static str]),
    /// optparse `int` (Python `int(s, radix)` with `0x`/`0b`/`0` prefixes).
    Int,
    /// optparse `float` (Python `float(s)`).
    Float,
    /// `--python-version`: up to three integer parts (`3`, `312`, `3.12.1`).
    PythonVersion,
    /// `-C/--config-settings`: `KEY=VAL`.
    KeyVal,
    /// `--group`: `[path:]group`, path a `pyproject.toml` or `pylock*.toml`.
    Group,
    /// `--no-binary`, `--only-binary`, `--all-releases`, `--only-final`,
    /// `--refresh-package`: must not start with `-`.
    NoDash,
    /// `--uploaded-prior-to`: ISO 8601 datetime or `P<n>D`.
    DateOrDays,
    /// `--hash` (requirements files only): `ALGO:HEX` with a strong algorithm.
    Hash,
}

/// pip's `STRONG_HASHES`.
pub const STRONG_HASHES: &[&str] = &["sha256", "sha384", "sha512"];

/// pip 26.3's choices, by option (checked against pip by the oracle test).
pub const UPGRADE_STRATEGY: &[&str] = &["only-if-needed", "eager"];
/// `--progress-bar` choices.
pub const PROGRESS_BAR: &[&str] = &["auto", "on", "off", "raw"];
/// `--root-user-action` choices.
pub const ROOT_USER_ACTION: &[&str] = &["warn", "ignore"];
/// `--keyring-provider` choices.
pub const KEYRING_PROVIDER: &[&str] = &["auto", "disabled", "import", "subprocess"];
/// `--exists-action` choices.
pub const EXISTS_ACTION: &[&str] = &["s", "i", "w", "b", "a"];
/// `--use-feature` choices.
pub const USE_FEATURE: &[&str] = &[
    "fast-deps",
    "inprocess-build-deps",
    "venv-isolation",
    "truststore",
    "no-binary-enable-wheel-cache",
    "build-constraint",
];
/// `--use-deprecated` choices.
pub const USE_DEPRECATED: &[&str] = &["legacy-resolver", "legacy-certs"];

/// The check pip makes for an option (by its primary long name).
pub fn check_for(spec: &OptSpec) -> Check {
    match spec.id {
        Opt::UpgradeStrategy => Check::Choice(UPGRADE_STRATEGY),
        Opt::ProgressBar => Check::Choice(PROGRESS_BAR),
        Opt::RootUserAction => Check::Choice(ROOT_USER_ACTION),
        Opt::KeyringProvider => Check::Choice(KEYRING_PROVIDER),
        Opt::ExistsAction => Check::Choice(EXISTS_ACTION),
        Opt::UseFeature => Check::Choice(USE_FEATURE),
        Opt::UseDeprecated => Check::Choice(USE_DEPRECATED),
        Opt::Retries | Opt::ResumeRetries => Check::Int,
        Opt::Timeout => Check::Float,
        Opt::PythonVersion => Check::PythonVersion,
        Opt::ConfigSettings => Check::KeyVal,
        Opt::Group => Check::Group,
        Opt::NoBinary
        | Opt::OnlyBinary
        | Opt::AllReleases
        | Opt::OnlyFinal
        | Opt::RefreshPackage => Check::NoDash,
        Opt::UploadedPriorTo => Check::DateOrDays,
        Opt::Hash => Check::Hash,
        _ => Check::Any,
    }
}

/// A value pip's option parser refuses; the message is pip's. `opt` is
/// the option as written (`--progress-bar`, `-i`), `value` the value given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    /// Not one of the choices.
    #[error("option {opt}: invalid choice: '{value}' (choose from {})", quoted(.choices))]
    Choice {
        /// The option.
        opt: String,
        /// The value.
        value: String,
        /// What it may be.
        choices: &'static [&'static str],
    },
    /// Not a Python integer.
    #[error("option {opt}: invalid integer value: '{value}'")]
    Int {
        /// The option.
        opt: String,
        /// The value.
        value: String,
    },
    /// Not a Python float.
    #[error("option {opt}: invalid floating-point value: '{value}'")]
    Float {
        /// The option.
        opt: String,
        /// The value.
        value: String,
    },
    /// Not a `--python-version`.
    #[error("--python-version error: invalid --python-version value: '{value}': {reason}")]
    PythonVersion {
        /// The value.
        value: String,
        /// Why ([`python_version`]'s error).
        reason: &'static str,
    },
    /// `-C` without `=`.
    #[error("Arguments to {opt} must be of the form KEY=VAL")]
    KeyVal {
        /// The option.
        opt: String,
    },
    /// A `--group` path that is not a local `pyproject.toml` or `pylock.toml`.
    #[error("--group error: group paths use local 'pyproject.toml' or 'pylock.toml' files")]
    GroupPath {
        /// The value.
        value: String,
    },
    /// `--hash` without `ALGO:`.
    #[error(
        "Arguments to {opt} must be a hash name followed by a value, like --hash=sha256:abcde..."
    )]
    HashForm {
        /// The option.
        opt: String,
    },
    /// `--hash` with an algorithm that is not in [`STRONG_HASHES`].
    #[error("Allowed hash algorithms for {opt} are {}.", STRONG_HASHES.join(", "))]
    WeakHash {
        /// The option.
        opt: String,
        /// The algorithm given.
        algorithm: String,
    },
    /// A value starting with `-` where pip wants one that does not.
    #[error("{names} option requires 1 argument.")]
    MissingArgument {
        /// The options, as pip names them (`--no-binary / --only-binary`).
        names: &'static str,
    },
    /// Not an ISO 8601 datetime or `P<n>D`.
    #[error(
        "--uploaded-prior-to error: invalid value: '{value}'. Expected an ISO 8601 \
         datetime string (e.g., '2023-01-01' or '2023-01-01T00:00:00Z') or a \
         duration in days (e.g., 'P3D')"
    )]
    DateOrDays {
        /// The value.
        value: String,
    },
}

/// Choices as optparse lists them: `'a', 'b'`.
fn quoted(choices: &[&str]) -> String {
    let list: Vec<String> = choices.iter().map(|c| format!("'{c}'")).collect();
    list.join(", ")
}

/// Check `value` for the option `spec`, written as `opt` (e.g. `--progress-bar`).
/// The error says what pip says.
pub fn check_value(spec: &OptSpec, opt: &str, value: &str) -> Result<(), ValueError> {
    let opt_value = || (opt.to_string(), value.to_string());
    match check_for(spec) {
        Check::Any => Ok(()),
        Check::Choice(choices) => {
            if choices.contains(&value) {
                Ok(())
            } else {
                let (opt, value) = opt_value();
                Err(ValueError::Choice {
                    opt,
                    value,
                    choices,
                })
            }
        }
        Check::Int => py_int(value).map(|_| ()).ok_or_else(|| {
            let (opt, value) = opt_value();
            ValueError::Int { opt, value }
        }),
        Check::Float => py_float(value).map(|_| ()).ok_or_else(|| {
            let (opt, value) = opt_value();
            ValueError::Float { opt, value }
        }),
        Check::PythonVersion => {
            python_version(value)
                .map(|_| ())
                .map_err(|reason| ValueError::PythonVersion {
                    value: value.to_string(),
                    reason,
                })
        }
        Check::KeyVal => {
            if value.contains('=') {
                Ok(())
            } else {
                Err(ValueError::KeyVal {
                    opt: opt.to_string(),
                })
            }
        }
        Check::Group => group(value),
        Check::Hash => match value.split_once(':') {
            None => Err(ValueError::HashForm {
                opt: opt.to_string(),
            }),
            Some((algo, _)) if !STRONG_HASHES.contains(&algo) => Err(ValueError::WeakHash {
                opt: opt.to_string(),
                algorithm: algo.to_string(),
            }),
            Some(_) => Ok(()),
        },
        Check::NoDash => {
            if value.starts_with('-') {
                let names = match spec.id {
                    Opt::NoBinary | Opt::OnlyBinary => "--no-binary / --only-binary",
                    Opt::AllReleases | Opt::OnlyFinal => "--all-releases / --only-final",
                    _ => "--refresh-package",
                };
                Err(ValueError::MissingArgument { names })
            } else {
                Ok(())
            }
        }
        Check::DateOrDays => {
            if is_days(value) || iso_datetime(value) {
                Ok(())
            } else {
                // pip adds Python's own reason after the value; we cannot.
                Err(ValueError::DateOrDays {
                    value: value.to_string(),
                })
            }
        }
    }
}

/// `--python-version` as pip reads it: `""` → none, `"3"`, `"312"` → (3, 12),
/// `"3.12.1"`; at most three parts, each an integer (Python `int()`).
/// Parts are Python ints, so `3.-1` is accepted (as pip does).
pub fn python_version(value: &str) -> Result<Option<Vec<i64>>, &'static str> {
    if value.is_empty() {
        return Ok(None);
    }
    let mut parts: Vec<String> = value.split('.').map(str::to_string).collect();
    if parts.len() > 3 {
        return Err("at most three version parts are allowed");
    }
    if parts.len() == 1 {
        // "37" means 3.7: the first character, then the rest.
        let p = parts[0].clone();
        let mut chars = p.chars();
        if let Some(first) = chars.next() {
            let rest: String = chars.collect();
            if !rest.is_empty() {
                parts = vec![first.to_string(), rest];
            }
        }
    }
    parts
        .iter()
        .map(|p| py_int_radix(p, 10).and_then(|v| i64::try_from(v).ok()))
        .collect::<Option<Vec<i64>>>()
        .map(Some)
        .ok_or("each version part must be an integer")
}

/// `--group [path:]group`: split on the last `:`; an explicit path must name
/// a `pyproject.toml`, `pylock.toml` or `pylock.<name>.toml` (optionally with
/// `[extras]`), and not a URL.
fn group(value: &str) -> Result<(), ValueError> {
    let Some((path, _group)) = value.rsplit_once(':') else {
        return Ok(());
    };
    if pure_path_name(path) == "pyproject.toml" {
        return Ok(());
    }
    let file = strip_extras(path);
    let lower = file.to_ascii_lowercase();
    let is_url = ["http:", "https:", "file:"]
        .iter()
        .any(|p| lower.starts_with(p));
    let name = pure_path_name(file);
    let pylock = name == "pylock.toml"
        || name
            .strip_prefix("pylock.")
            .and_then(|r| r.strip_suffix(".toml"))
            .is_some_and(|mid| !mid.is_empty() && !mid.contains('.'));
    if !is_url && pylock {
        Ok(())
    } else {
        Err(ValueError::GroupPath {
            value: value.to_string(),
        })
    }
}

/// `pathlib.PurePosixPath(p).name`: the last component, ignoring empty and `.` ones.
fn pure_path_name(p: &str) -> &str {
    p.split('/')
        .rfind(|c| !c.is_empty() && *c != ".")
        .unwrap_or("")
}

/// pip's `strip_extras`: `path[extra]` → `path` (right-stripped).
fn strip_extras(path: &str) -> &str {
    // ^(.+)(\[[^\]]+\])$
    if let Some(body) = path.strip_suffix(']') {
        if let Some(open) = body.rfind('[') {
            let inner = &body[open + 1..];
            if open > 0 && !inner.is_empty() && !inner.contains(']') {
                return path[..open].trim_end();
            }
        }
    }
    path
}

fn is_days(v: &str) -> bool {
    v.strip_prefix('P')
        .and_then(|r| r.strip_suffix('D'))
        .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
}

/// Python's `int(s)` for optparse's `int` type: radix from the prefix
/// (`0x` 16, `0b` 2, a leading `0` 8, else 10).
pub fn py_int(val: &str) -> Option<i128> {
    let lower = val.get(..2).map(str::to_ascii_lowercase);
    match lower.as_deref() {
        Some("0x") => py_int_radix(val, 16),
        Some("0b") => {
            let rest = &val[2..];
            py_int_radix(if rest.is_empty() { "0" } else { rest }, 2)
        }
        _ if val.starts_with('0') => py_int_radix(val, 8),
        _ => py_int_radix(val, 10),
    }
}

/// Python's `int(s, radix)`: surrounding whitespace, a sign, an optional
/// `0x`/`0o`/`0b` prefix matching the radix, digits with single `_` between.
/// Deliberate difference: only ASCII digits (Python also takes other
/// Unicode decimal digits, e.g. `١٢`).
pub fn py_int_radix(val: &str, radix: u32) -> Option<i128> {
    let s = val.trim();
    let (neg, s) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let prefix = match radix {
        16 => Some("0x"),
        8 => Some("0o"),
        2 => Some("0b"),
        _ => None,
    };
    let (s, had_prefix) = match prefix {
        Some(p) if s.len() >= 2 && s[..2].eq_ignore_ascii_case(p) => (&s[2..], true),
        _ => (s, false),
    };
    // After a prefix an underscore may come first: 0x_1f.
    let s = if had_prefix {
        s.strip_prefix('_').unwrap_or(s)
    } else {
        s
    };
    if s.is_empty() || s.starts_with('_') || s.ends_with('_') || s.contains("__") {
        return None;
    }
    let digits: String = s.chars().filter(|&c| c != '_').collect();
    if !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    // Base 10 forbids leading zeros ("007"), except all zeros.
    if radix == 10 && !had_prefix && digits.len() > 1 && digits.starts_with('0') {
        if digits.chars().all(|c| c == '0') {
            return Some(0);
        }
        return None;
    }
    let v = i128::from_str_radix(&digits, radix).ok()?;
    Some(if neg { -v } else { v })
}

/// Python's `float(s)`: whitespace, sign, digits with single `_` between,
/// `inf`/`infinity`/`nan` in any case.
pub fn py_float(val: &str) -> Option<f64> {
    let s = val.trim();
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let lower = body.to_ascii_lowercase();
    if matches!(lower.as_str(), "inf" | "infinity" | "nan") {
        return Some(0.0);
    }
    // Only digits, '.', 'e', sign after e, '_' between digits.
    let bytes = body.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-' => {}
            b'_' => {
                let prev = i.checked_sub(1).and_then(|j| bytes.get(j));
                let next = bytes.get(i + 1);
                if !(prev.is_some_and(u8::is_ascii_digit) && next.is_some_and(u8::is_ascii_digit)) {
                    return None;
                }
            }
            _ => return None,
        }
    }
    let cleaned: String = body.chars().filter(|&c| c != '_').collect();
    cleaned.parse::<f64>().ok()
}

/// Python 3.11's `datetime.fromisoformat`, for the forms it accepts:
/// `YYYY-MM-DD` / `YYYYMMDD` / `YYYY-Www[-D]` / `YYYYWww[D]`, then optionally
/// one separator character and a time `HH[:MM[:SS[.f]]]` or `HHMM[SS[.f]]`,
/// then an offset `Z` or `±HH[:MM[:SS[.f]]]`. Ranges are checked.
pub fn iso_datetime(v: &str) -> bool {
    let b = v.as_bytes();
    if !v.is_ascii() || b.len() < 7 {
        return false;
    }
    // fromisoformat: the date part is 7, 8 or 10 characters; find it.
    let date_len = date_prefix_len(v);
    let Some(date_len) = date_len else {
        return false;
    };
    if !valid_date(&v[..date_len]) {
        return false;
    }
    if date_len == v.len() {
        return true;
    }
    // One separator character, then a time.
    let time = &v[date_len + 1..];
    valid_time_with_tz(time)
}

fn date_prefix_len(v: &str) -> Option<usize> {
    let b = v.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b.get(r.clone())
            .is_some_and(|s| s.iter().all(u8::is_ascii_digit))
    };
    if !digits(0..4) {
        return None;
    }
    if b.get(4) == Some(&b'-') {
        if b.get(5) == Some(&b'W') {
            // YYYY-Www or YYYY-Www-D
            if !digits(6..8) {
                return None;
            }
            if b.get(8) == Some(&b'-') && digits(9..10) {
                return Some(10);
            }
            return Some(8);
        }
        if digits(5..7) && b.get(7) == Some(&b'-') && digits(8..10) {
            return Some(10);
        }
        return None;
    }
    if b.get(4) == Some(&b'W') {
        if !digits(5..7) {
            return None;
        }
        // YYYYWwwD: a day digit only if the string is exactly 8 or then a separator.
        if digits(7..8) && (b.len() == 8 || b.len() > 9) {
            return Some(8);
        }
        return Some(7);
    }
    if digits(4..8) {
        return Some(8);
    }
    None
}

fn valid_date(d: &str) -> bool {
    let n = |s: &str| s.parse::<u32>().ok();
    let year = n(&d[..4]).unwrap_or(0);
    if year == 0 {
        return false;
    }
    if let Some(w) = d[4..]
        .strip_prefix("-W")
        .or_else(|| d[4..].strip_prefix('W'))
    {
        let week = n(&w[..2]).unwrap_or(0);
        let day = match w.get(2..) {
            Some("") | None => 1,
            Some(rest) => n(rest.trim_start_matches('-')).unwrap_or(0),
        };
        // Years with 53 ISO weeks: Jan 1 is a Thursday, or a leap year starting Wednesday.
        let jan1 = weekday(year, 1, 1);
        let max_week = if jan1 == 4 || (is_leap(year) && jan1 == 3) {
            53
        } else {
            52
        };
        return (1..=max_week).contains(&week) && (1..=7).contains(&day);
    }
    let (m, day) = if d.len() == 10 {
        (n(&d[5..7]), n(&d[8..10]))
    } else {
        (n(&d[4..6]), n(&d[6..8]))
    };
    let (Some(m), Some(day)) = (m, day) else {
        return false;
    };
    (1..=12).contains(&m) && day >= 1 && day <= days_in_month(year, m)
}

fn is_leap(y: u32) -> bool {
    y.is_multiple_of(4) && (!y.is_multiple_of(100) || y.is_multiple_of(400))
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// ISO weekday (1 = Monday … 7 = Sunday), Sakamoto's method.
fn weekday(y: u32, m: u32, d: u32) -> u32 {
    const T: [u32; 12] = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
    let y = if m < 3 { y - 1 } else { y };
    let w = (y + y / 4 - y / 100 + y / 400 + T[(m - 1) as usize] + d) % 7; // 0 = Sunday
    if w == 0 {
        7
    } else {
        w
    }
}

fn valid_time_with_tz(t: &str) -> bool {
    // Split off the offset: the first 'Z', '+' or '-'.
    let (time, tz) = match t.find(['Z', '+', '-']) {
        Some(i) => (&t[..i], Some(&t[i..])),
        None => (t, None),
    };
    if !valid_time(time, true) {
        return false;
    }
    match tz {
        None => true,
        Some("Z") => true,
        Some(z) if z.starts_with('Z') => false,
        Some(z) => {
            let off = &z[1..];
            // ±HH[:MM[:SS[.ffffff]]] (or basic ±HHMM[SS]); offset must be < 24h.
            valid_time(off, false) && off.get(..2).and_then(|h| h.parse::<u32>().ok()) < Some(24)
        }
    }
}

/// `HH[:MM[:SS[.fff…]]]` or `HHMM[SS[.fff…]]`; fractions of 1–6 digits
/// (Python reads up to 6, more digits are accepted and dropped).
fn valid_time(t: &str, allow_fraction: bool) -> bool {
    let (hms, frac) = match t.find(['.', ',']) {
        Some(i) => (&t[..i], Some(&t[i + 1..])),
        None => (t, None),
    };
    if let Some(f) = frac {
        if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
        if !allow_fraction && f.len() != 6 {
            return false;
        }
    }
    let parts: Vec<&str> = if hms.contains(':') {
        hms.split(':').collect()
    } else {
        if hms.len() % 2 != 0 {
            return false;
        }
        (0..hms.len()).step_by(2).map(|i| &hms[i..i + 2]).collect()
    };
    if parts.is_empty()
        || parts.len() > 3
        || (frac.is_some() && parts.len() != 3)
        || parts
            .iter()
            .any(|p| p.len() != 2 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return false;
    }
    let v: Vec<u32> = parts.iter().filter_map(|p| p.parse().ok()).collect();
    v[0] < 24 && v.get(1).is_none_or(|m| *m < 60) && v.get(2).is_none_or(|s| *s < 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_carry_the_option_and_value_and_read_as_pip_says() {
        let spec = |id: Opt| {
            super::super::options::INSTALL_OPTIONS
                .iter()
                .find(|s| s.id == id)
                .expect("in the table")
        };
        let e = check_value(spec(Opt::ProgressBar), "--progress-bar", "fancy").unwrap_err();
        assert_eq!(
            e.to_string(),
            "option --progress-bar: invalid choice: 'fancy' (choose from 'auto', 'on', 'off', 'raw')"
        );
        assert!(matches!(e, ValueError::Choice { ref value, .. } if value == "fancy"));
        let e = check_value(spec(Opt::Retries), "--retries", "x").unwrap_err();
        assert_eq!(
            e.to_string(),
            "option --retries: invalid integer value: 'x'"
        );
        let e = check_value(spec(Opt::PythonVersion), "--python-version", "3.x").unwrap_err();
        assert_eq!(
            e.to_string(),
            "--python-version error: invalid --python-version value: '3.x': each version part must be an integer"
        );
        let e = check_value(spec(Opt::NoBinary), "--no-binary", "-x").unwrap_err();
        assert_eq!(
            e.to_string(),
            "--no-binary / --only-binary option requires 1 argument."
        );
    }

    #[test]
    fn ints_like_python() {
        assert_eq!(py_int("5"), Some(5));
        assert_eq!(py_int(" -3 "), Some(-3));
        assert_eq!(py_int("0x1f"), Some(31));
        assert_eq!(py_int("010"), Some(8));
        assert_eq!(py_int("08"), None);
        assert_eq!(py_int("0b"), Some(0));
        assert_eq!(py_int("1_000"), Some(1000));
        assert_eq!(py_int("1__0"), None);
        assert_eq!(py_int("abc"), None);
        assert_eq!(py_int(""), None);
        assert_eq!(py_int("0"), Some(0));
    }

    #[test]
    fn floats_like_python() {
        for ok in ["1", "1.5", " 2 ", "1e3", "-inf", "NaN", "1_0.5", ".5", "5."] {
            assert!(py_float(ok).is_some(), "{ok}");
        }
        for bad in ["", "abc", "1__0", "_1", "1_", "0x10", "1.5.5"] {
            assert!(py_float(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn python_versions() {
        assert_eq!(python_version("312"), Ok(Some(vec![3, 12])));
        assert_eq!(python_version("3.12.1"), Ok(Some(vec![3, 12, 1])));
        assert_eq!(python_version(""), Ok(None));
        assert!(python_version("3.x").is_err());
        assert!(python_version("3.1.2.4").is_err());
        // Regression (pip oracle): parts are Python ints, negative ones included.
        assert_eq!(python_version("3.-1"), Ok(Some(vec![3, -1])));
    }

    #[test]
    fn iso_dates() {
        for ok in [
            "2023-01-01",
            "20230101",
            "2023-01-01T00:00:00Z",
            "2023-01-01 10:20",
            "2023-01-01T10:20:30.123+02:00",
            "2024-02-29",
            "2023-W01",
            "2023-W01-2",
        ] {
            assert!(iso_datetime(ok), "{ok}");
        }
        for bad in [
            "2023-02-30",
            "2023-13-01",
            "yesterday",
            "2023-01-01T25:00",
            "2023",
        ] {
            assert!(!iso_datetime(bad), "{bad}");
        }
    }

    #[test]
    fn groups() {
        assert!(group("dev").is_ok());
        assert!(group("sub/pyproject.toml:dev").is_ok());
        assert!(group("pylock.toml:dev").is_ok());
        assert!(group("pylock.ci.toml:dev").is_ok());
        assert!(group("setup.cfg:dev").is_err());
        assert!(group(":dev").is_err());
        assert!(group("https://x/pylock.toml:dev").is_err());
    }
}
