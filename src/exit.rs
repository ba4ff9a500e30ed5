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
    /// The real pip's own status, passed on unchanged.
    External(u8),
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
