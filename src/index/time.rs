//! Just enough calendar arithmetic for cache headers and ages: Unix
//! seconds ⇄ `YYYY-MM-DDTHH:MM:SSZ`, HTTP dates (`Last-Modified`), and ages
//! in days. UTC only, proleptic Gregorian (Howard Hinnant's algorithms).

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch now (0 if the clock is before 1970).
pub fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Days since 1970-01-01 of a civil date.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date `(year, month, day)` of a day count since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `YYYY-MM-DDTHH:MM:SSZ` for Unix seconds.
pub fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// `YYYY-MM-DD` for Unix seconds.
pub fn date(secs: i64) -> String {
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

/// Unix seconds of a date given as `YYYY`, `YYYY-MM`, `YYYY-MM-DD` or
/// `YYYY-MM-DDTHH:MM:SSZ` (missing parts count as the start).
pub fn parse_date(s: &str) -> Option<i64> {
    let (day_part, time_part) = match s.split_once('T') {
        Some((d, t)) => (d, Some(t.trim_end_matches('Z'))),
        None => (s, None),
    };
    let mut it = day_part.split('-');
    let y: i64 = it.next()?.parse().ok()?;
    let m: u32 = it.next().map_or(Some(1), |v| v.parse().ok())?;
    let d: u32 = it.next().map_or(Some(1), |v| v.parse().ok())?;
    if it.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let mut secs = days_from_civil(y, m, d) * 86_400;
    if let Some(t) = time_part {
        let mut parts = t.split(':');
        let h: i64 = parts.next()?.parse().ok()?;
        let mi: i64 = parts.next()?.parse().ok()?;
        let se: i64 = parts.next().map_or(Some(0), |v| v.parse().ok())?;
        secs += h * 3600 + mi * 60 + se;
    }
    Some(secs)
}

/// Unix seconds of an HTTP date in IMF-fixdate form
/// (`Sun, 06 Nov 1994 08:49:37 GMT`), as servers send in `Last-Modified`.
pub fn parse_http_date(s: &str) -> Option<i64> {
    let rest = s.split_once(", ").map_or(s, |(_, r)| r);
    let mut it = rest.split_whitespace();
    let d: u32 = it.next()?.parse().ok()?;
    let mon = it.next()?;
    let m = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
    .iter()
    .position(|x| x.eq_ignore_ascii_case(mon))? as u32
        + 1;
    let y: i64 = it.next()?.parse().ok()?;
    let t = it.next()?;
    parse_date(&format!("{y:04}-{m:02}-{d:02}T{t}Z"))
}

/// Whole days from `then` to `now` (never negative).
pub fn age_days(then: i64, now: i64) -> i64 {
    ((now - then) / 86_400).max(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(parse_date("2023-11-14T22:13:20Z"), Some(1_700_000_000));
        for days in [-800_000i64, -1, 0, 59, 60, 11_016, 20_000, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn partial_and_http_dates() {
        assert_eq!(parse_date("2024-10"), parse_date("2024-10-01"));
        assert_eq!(parse_date("2024-13"), None);
        assert_eq!(parse_date("soon"), None);
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            parse_date("1994-11-06T08:49:37Z")
        );
        assert_eq!(parse_http_date("garbage"), None);
        assert_eq!(age_days(0, 86_400 * 31 + 5), 31);
    }
}
