//! Numbers from the command line and the environment, range-checked before
//! they become a [`Duration`] (which panics on overflow): out of range is an
//! input error (exit 2) with a short message, never a panic.

use crate::error::InputError;
use std::time::Duration;

/// The longest timeout accepted, in seconds (one day).
pub const MAX_SECONDS: f64 = 86_400.0;

/// Variables holding a number of seconds, checked by [`check_env`].
pub const SECONDS_VARS: &[&str] = &["PIP_GUARD_NIX_TIMEOUT", "PIP_GUARD_HTTP_TIMEOUT"];

/// A number of seconds that is refused. `shown` is the text as given, cut
/// to 40 characters, without control characters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecondsError {
    /// Not a number at all.
    #[error("`{shown}` is not a number of seconds")]
    NotANumber {
        /// The text, as shown.
        shown: String,
    },
    /// Not finite, not above 0, or above [`MAX_SECONDS`].
    #[error("`{shown}` seconds is out of range (more than 0, at most {max})", max = MAX_SECONDS)]
    OutOfRange {
        /// The text, as shown.
        shown: String,
    },
}

/// Parse a number of seconds: finite, above 0, at most [`MAX_SECONDS`].
pub fn seconds(text: &str) -> Result<f64, SecondsError> {
    let shown = || text.chars().take(40).filter(|c| !c.is_control()).collect();
    let v: f64 = text
        .trim()
        .parse()
        .map_err(|_| SecondsError::NotANumber { shown: shown() })?;
    if !v.is_finite() || v <= 0.0 || v > MAX_SECONDS {
        return Err(SecondsError::OutOfRange { shown: shown() });
    }
    Ok(v)
}

/// [`seconds`] as a [`Duration`].
pub fn duration(text: &str) -> Result<Duration, SecondsError> {
    seconds(text).map(Duration::from_secs_f64)
}

/// Check the environment's numbers ([`SECONDS_VARS`]): a set, non-empty
/// value out of range is an input error naming the variable.
pub fn check_env(env: &crate::settings::Env) -> Result<(), InputError> {
    for var in SECONDS_VARS {
        if let Some(v) = env.nonempty_os(var) {
            let v = v.to_string_lossy();
            seconds(&v).map_err(|m| InputError::new(format!("{var}: {m}")))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(seconds("1.5"), Ok(1.5));
        assert_eq!(seconds(" 30 "), Ok(30.0));
        for bad in ["1e20", "0", "-1", "NaN", "inf", "x", "86400.5"] {
            assert!(seconds(bad).is_err(), "{bad}");
        }
        assert_eq!(duration("86400"), Ok(Duration::from_secs(86_400)));
        // The messages, as users see them.
        assert_eq!(
            seconds("x\u{7}y").map_err(|e| e.to_string()),
            Err("`xy` is not a number of seconds".to_string())
        );
        assert_eq!(
            seconds("0").map_err(|e| e.to_string()),
            Err("`0` seconds is out of range (more than 0, at most 86400)".to_string())
        );
    }
}
