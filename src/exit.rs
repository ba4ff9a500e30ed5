//! Exit codes are a type: every way pip-guard can end maps to one.

/// How a pip-guard process ends. See `docs/exit-codes.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: nothing blocked, command succeeded.
    Success,
    /// 1: something was blocked (by the policy, or because Nix covers it).
    Blocked,
    /// 2: bad input or usage (malformed requirement, missing file, bad flag, bad policy).
    Usage,
    /// 3: a fallthrough to pip needed confirmation and did not get it.
    NotConfirmed,
    /// 4: the environment failed us (network, cache, nix, exec, loop detected).
    Environment,
    /// 130: interrupted (Ctrl-C) at the confirmation prompt; nothing installed.
    Interrupted,
    /// A status from the real pip: passed on unchanged by `exec`, or
    /// mapped by [`Exit::from_pip`] when the guard ran pip and waited.
    External(u8),
}

/// What is added to the status of a pip the guard ran (and waited for)
/// when that status would read as one of the guard's own codes.
pub const PIP_STATUS_OFFSET: u8 = 100;

impl Exit {
    /// The guard's exit for the status of a pip it ran and waited for: 0
    /// stays 0; pip's 1–27 (its `ERROR` 1, `UNKNOWN_ERROR` 2,
    /// `VIRTUALENV_NOT_FOUND` 3, `PREVIOUS_BUILD_DIR_ERROR` 4,
    /// `NO_MATCHES_FOUND` 23) become 101–127, so they never read as the
    /// guard's own 1–4; 28 and above (128+N: killed by signal N) pass
    /// unchanged. See `docs/exit-codes.md`.
    pub fn from_pip(status: u8) -> Exit {
        match status {
            0 => Exit::Success,
            1..=27 => Exit::External(PIP_STATUS_OFFSET + status),
            other => Exit::External(other),
        }
    }
}

impl Exit {
    /// The numeric process status.
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Blocked => 1,
            Exit::Usage => 2,
            Exit::NotConfirmed => 3,
            Exit::Environment => 4,
            Exit::Interrupted => 130,
            Exit::External(c) => c,
        }
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(e: Exit) -> Self {
        std::process::ExitCode::from(e.code())
    }
}
