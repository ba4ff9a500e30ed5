//! The explicit yes a fallthrough needs: `--guard-yes` / `PIP_GUARD_YES=1`,
//! or an answer to a prompt when stdin and stderr are both a terminal.
//! The default is No.

use std::io::{BufRead, Write};

/// How the question was settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirmation {
    /// `--guard-yes` or `PIP_GUARD_YES`.
    Flag,
    /// The user typed yes.
    Answered,
    /// The user said no (or just pressed Enter, or closed stdin).
    Declined,
    /// Not a terminal, and no flag: nobody was asked.
    NotAsked,
}

impl Confirmation {
    /// Whether pip may run.
    pub fn yes(self) -> bool {
        matches!(self, Confirmation::Flag | Confirmation::Answered)
    }
}

/// Whether `PIP_GUARD_YES` says yes (`1`, `true`, `yes`, `y`, `on`).
pub fn env_yes(v: Option<&str>) -> bool {
    v.is_some_and(|v| {
        matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "1" | "true" | "yes" | "y" | "on"
        )
    })
}

/// Whether an answer means yes (`y`/`yes`, any case).
pub fn is_yes(answer: &str) -> bool {
    matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

/// What decides the question, gathered by the caller.
#[derive(Debug, Clone, Copy)]
pub struct Inputs {
    /// `--guard-yes` given, or `PIP_GUARD_YES` set to yes.
    pub flag: bool,
    /// stdin and stderr are terminals.
    pub interactive: bool,
    /// pip's `--no-input` (or `PIP_NO_INPUT`): never prompt.
    pub no_input: bool,
}

/// Settle the question: the flag wins; else prompt on a terminal
/// (`question` is written to stderr, one line read from stdin).
pub fn confirm(inputs: Inputs, question: &str) -> Confirmation {
    if inputs.flag {
        return Confirmation::Flag;
    }
    if !inputs.interactive || inputs.no_input {
        return Confirmation::NotAsked;
    }
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "{question} [y/N] ");
    let _ = err.flush();
    drop(err);
    let mut line = String::new();
    match std::io::stdin().lock().read_line(&mut line) {
        Ok(n) if n > 0 && is_yes(&line) => Confirmation::Answered,
        Ok(0) => {
            let _ = writeln!(std::io::stderr());
            Confirmation::Declined
        }
        _ => Confirmation::Declined,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers() {
        for y in ["y", "Y\n", " yes ", "YES"] {
            assert!(is_yes(y), "{y:?}");
        }
        for n in ["", "\n", "n", "no", "yep", "sure"] {
            assert!(!is_yes(n), "{n:?}");
        }
    }

    #[test]
    fn env_values() {
        assert!(env_yes(Some("1")));
        assert!(env_yes(Some("true")));
        assert!(!env_yes(Some("0")));
        assert!(!env_yes(Some("")));
        assert!(!env_yes(None));
    }

    #[test]
    fn flag_wins_and_no_terminal_means_not_asked() {
        let i = Inputs {
            flag: true,
            interactive: false,
            no_input: false,
        };
        assert_eq!(confirm(i, "?"), Confirmation::Flag);
        let i = Inputs {
            flag: false,
            interactive: false,
            no_input: false,
        };
        assert_eq!(confirm(i, "?"), Confirmation::NotAsked);
        let i = Inputs {
            flag: false,
            interactive: true,
            no_input: true,
        };
        assert_eq!(confirm(i, "?"), Confirmation::NotAsked);
    }
}
