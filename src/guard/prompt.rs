//! The explicit yes a fallthrough needs: `--guard-yes` / `PIP_GUARD_YES=1`,
//! or an answer to a prompt when stdin and stderr are both a terminal.
//! The default is No.

use std::io::Write;

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
    /// Ctrl-C (SIGINT) while the prompt waited.
    Interrupted,
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

/// The bytes drawn before the question: reset every style, go to the
/// start of the line and clear it, so the question is alone on its line
/// and nothing printed before can hide or restyle it.
pub const BEFORE_QUESTION: &str = "\x1b[0m\r\x1b[K";

/// Settle the question: the flag wins; else prompt on a terminal.
///
/// The question (escaped: one line, no control character) is the last
/// thing drawn on stderr, after [`BEFORE_QUESTION`]; input typed before it
/// was drawn is discarded (`tcflush(TCIFLUSH)`), then one line is read
/// from stdin. Ctrl-C while waiting is [`Confirmation::Interrupted`].
pub fn confirm(inputs: Inputs, question: &str) -> Confirmation {
    if inputs.flag {
        return Confirmation::Flag;
    }
    if !inputs.interactive || inputs.no_input {
        return Confirmation::NotAsked;
    }
    let q = format!(
        "{BEFORE_QUESTION}{} [y/N] ",
        crate::escape::terminal(question)
    );
    let sigint = SigintFlag::install();
    {
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(q.as_bytes());
        let _ = err.flush();
    }
    // SAFETY: tcflush on fd 0 takes no pointer; on a non-terminal it fails
    // harmlessly (ENOTTY), and `interactive` says stdin is a terminal.
    unsafe {
        libc::tcflush(0, libc::TCIFLUSH);
    }
    let answer = read_answer(&sigint);
    drop(sigint);
    match answer {
        Answer::Line(line) if is_yes(&line) => Confirmation::Answered,
        Answer::Line(_) => Confirmation::Declined,
        Answer::Eof => {
            let _ = writeln!(std::io::stderr());
            Confirmation::Declined
        }
        Answer::Interrupted => {
            let _ = writeln!(std::io::stderr());
            Confirmation::Interrupted
        }
    }
}

enum Answer {
    Line(String),
    Eof,
    Interrupted,
}

/// Read one line from fd 0 (at most 1 KiB is kept), with `read(2)` so that
/// a SIGINT ends the wait (std's readers retry on `EINTR`).
fn read_answer(sigint: &SigintFlag) -> Answer {
    let mut line = Vec::new();
    loop {
        let mut b = [0u8; 64];
        // SAFETY: reads into a local buffer of the given length.
        let n = unsafe { libc::read(0, b.as_mut_ptr().cast(), b.len()) };
        if sigint.raised() {
            return Answer::Interrupted;
        }
        match n {
            0 if line.is_empty() => return Answer::Eof,
            0 => break,
            n if n < 0 => {
                if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                    continue;
                }
                return Answer::Eof;
            }
            n => {
                // n > 0 and at most b.len(): the cast is lossless.
                let got = &b[..n as usize];
                if let Some(i) = got.iter().position(|&c| c == b'\n') {
                    line.extend_from_slice(&got[..i]);
                    break;
                }
                if line.len() < 1024 {
                    line.extend_from_slice(got);
                }
            }
        }
    }
    Answer::Line(String::from_utf8_lossy(&line).into_owned())
}

static SIGINT_RAISED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

extern "C" fn on_sigint(_: libc::c_int) {
    SIGINT_RAISED.store(true, std::sync::atomic::Ordering::SeqCst);
}

/// A SIGINT handler (without `SA_RESTART`, so a blocked `read` returns)
/// for as long as the value lives; the old disposition comes back on drop.
struct SigintFlag {
    old: libc::sigaction,
}

impl SigintFlag {
    fn install() -> SigintFlag {
        SIGINT_RAISED.store(false, std::sync::atomic::Ordering::SeqCst);
        // SAFETY: sigaction with zeroed structs and a handler that only
        // stores an atomic (async-signal-safe).
        unsafe {
            let mut act: libc::sigaction = std::mem::zeroed();
            act.sa_sigaction = on_sigint as extern "C" fn(libc::c_int) as libc::sighandler_t;
            libc::sigemptyset(&mut act.sa_mask);
            act.sa_flags = 0;
            let mut old: libc::sigaction = std::mem::zeroed();
            libc::sigaction(libc::SIGINT, &act, &mut old);
            SigintFlag { old }
        }
    }
    fn raised(&self) -> bool {
        SIGINT_RAISED.load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl Drop for SigintFlag {
    fn drop(&mut self) {
        // SAFETY: restores the disposition saved by `install`.
        unsafe {
            libc::sigaction(libc::SIGINT, &self.old, std::ptr::null_mut());
        }
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
        // The documented set (docs/guard.md): 1, true, yes, y, on; any case.
        for v in ["1", "true", "yes", "y", "on", " Y ", "TRUE", "On"] {
            assert!(env_yes(Some(v)), "{v:?}");
        }
        for v in ["no", "n", "off", "false", "2", "yess"] {
            assert!(!env_yes(Some(v)), "{v:?}");
        }
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
