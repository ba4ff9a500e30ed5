//! Calendar arithmetic for cache headers and ages: Unix seconds ⇄
//! `YYYY-MM-DDTHH:MM:SSZ`, HTTP dates (`Last-Modified`), and ages in days.
//! UTC only. The calendar is `jiff`'s (a maintained crate rather than our own
//! date algorithms); dates outside its range (years -9999 to 9999), as a
//! hostile cache or server may send, are `None`, never an overflow.

use jiff::civil::Date;
use jiff::Timestamp;

/// Seconds since the Unix epoch now.
pub fn now_unix() -> i64 {
    Timestamp::now().as_second()
}

fn timestamp(secs: i64) -> Option<Timestamp> {
    Timestamp::from_second(secs).ok()
}

/// `YYYY-MM-DDTHH:MM:SSZ` for Unix seconds (empty when out of range).
pub fn rfc3339(secs: i64) -> String {
    timestamp(secs).map_or_else(String::new, |t| {
        t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
    })
}

/// `YYYY-MM-DD` for Unix seconds (empty when out of range).
pub fn date(secs: i64) -> String {
    timestamp(secs).map_or_else(String::new, |t| t.strftime("%Y-%m-%d").to_string())
}

/// Unix seconds of a date given as `YYYY`, `YYYY-MM`, `YYYY-MM-DD` or
/// `YYYY-MM-DDTHH:MM:SSZ` (missing parts count as the start).
pub fn parse_date(s: &str) -> Option<i64> {
    let (day_part, time_part) = match s.split_once('T') {
        Some((d, t)) => (d, Some(t.strip_suffix('Z').unwrap_or(t))),
        None => (s, None),
    };
    let mut it = day_part.split('-');
    let y: i16 = it.next()?.parse().ok()?;
    let m: i8 = it.next().map_or(Some(1), |v| v.parse().ok())?;
    let d: i8 = it.next().map_or(Some(1), |v| v.parse().ok())?;
    if it.next().is_some() {
        return None;
    }
    let date = Date::new(y, m, d).ok()?;
    let (h, mi, se) = match time_part {
        None => (0, 0, 0),
        Some(t) => {
            let mut parts = t.split(':');
            let h: i8 = parts.next()?.parse().ok()?;
            let mi: i8 = parts.next()?.parse().ok()?;
            let se: i8 = parts.next().map_or(Some(0), |v| v.parse().ok())?;
            if parts.next().is_some() {
                return None;
            }
            (h, mi, se)
        }
    };
    // `Time::new` validates (`Date::at` would panic on 25:00).
    let dt = date.to_datetime(jiff::civil::Time::new(h, mi, se, 0).ok()?);
    jiff::tz::Offset::UTC
        .to_timestamp(dt)
        .ok()
        .map(|t| t.as_second())
}

/// Unix seconds of an HTTP date in IMF-fixdate form
/// (`Sun, 06 Nov 1994 08:49:37 GMT`), as servers send in `Last-Modified`.
pub fn parse_http_date(s: &str) -> Option<i64> {
    jiff::fmt::rfc2822::parse(s)
        .ok()
        .map(|z| z.timestamp().as_second())
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
        for secs in [0i64, 59, 60, 86_399, 951_782_400, 20_000 * 86_400 + 7] {
            assert_eq!(parse_date(&rfc3339(secs)), Some(secs), "{secs}");
        }
        // Out of range: no overflow, no panic.
        assert_eq!(rfc3339(i64::MAX), "");
        assert_eq!(parse_date("99999999999-01-01"), None);
        assert_eq!(parse_date("2024-02-30"), None);
        assert_eq!(parse_date("2024-02-01T25:00:00Z"), None);
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
