//! Run the child pip that [`super::pip_input`] built, and wait for it.
//!
//! While pip runs:
//! - SIGINT and SIGQUIT are ignored by the guard (as `system(3)` does): the
//!   terminal sends them to pip too, so Ctrl-C stops pip and the guard still
//!   cleans up; pip gets the default handlers back.
//! - SIGTERM and SIGHUP sent to the guard are forwarded to pip; the guard
//!   waits for pip to end, removes its temporary files and exits with
//!   128 + the signal's number (143 for SIGTERM, 129 for SIGHUP). No pip is
//!   left running without its guard, no file is left behind.

use super::pip_input::PipInput;
use crate::error::EnvError;
use crate::exit::Exit;
use color_eyre::eyre::{self, WrapErr};
use std::sync::atomic::{AtomicI32, Ordering};

/// The running child's pid (0: none yet).
static CHILD: AtomicI32 = AtomicI32::new(0);
/// The last forwarded signal (0: none).
static GOT: AtomicI32 = AtomicI32::new(0);

/// The signals forwarded to pip.
const FORWARDED: [libc::c_int; 2] = [libc::SIGTERM, libc::SIGHUP];

extern "C" fn forward(sig: libc::c_int) {
    // Only async-signal-safe operations: atomics and kill(2).
    GOT.store(sig, Ordering::SeqCst);
    let pid = CHILD.load(Ordering::SeqCst);
    if pid > 0 {
        // SAFETY: kill(2) is async-signal-safe; pid is our own child.
        unsafe {
            libc::kill(pid, sig);
        }
    }
}

/// Install `handler` for `sig`, returning the previous action.
fn set_action(sig: libc::c_int, handler: libc::sighandler_t) -> libc::sigaction {
    // SAFETY: sigaction with a zeroed, then filled struct; the handler is an
    // `extern "C" fn(c_int)` or SIG_DFL/SIG_IGN.
    unsafe {
        let mut new: libc::sigaction = std::mem::zeroed();
        new.sa_sigaction = handler;
        new.sa_flags = libc::SA_RESTART;
        libc::sigemptyset(&mut new.sa_mask);
        let mut old: libc::sigaction = std::mem::zeroed();
        libc::sigaction(sig, &new, &mut old);
        old
    }
}

fn restore_action(sig: libc::c_int, old: &libc::sigaction) {
    // SAFETY: restoring an action sigaction(2) gave us.
    unsafe {
        libc::sigaction(sig, old, std::ptr::null_mut());
    }
}

/// Run the child pip (then, for local projects read by pip-guard, a second
/// `pip install --no-deps`) and wait; the temporary files are removed
/// afterwards, whatever happened.
pub fn run(input: &PipInput, depth: u32) -> eyre::Result<Exit> {
    if !input.requirements.is_empty() {
        let code = run_one(input, false, depth)?;
        if code != Exit::External(0) || input.projects.is_empty() {
            return Ok(code);
        }
    }
    if input.projects.is_empty() {
        return Ok(Exit::External(0));
    }
    run_one(input, true, depth)
}

/// One pip run: the requirements file, or (`projects`) the projects file
/// with `--no-deps`.
fn run_one(input: &PipInput, projects: bool, depth: u32) -> eyre::Result<Exit> {
    use std::os::unix::process::{CommandExt, ExitStatusExt};
    // The handlers first: a signal from here on is remembered, so the
    // temporary files are never left behind.
    GOT.store(0, Ordering::SeqCst);
    CHILD.store(0, Ordering::SeqCst);
    let ignored: Vec<(libc::c_int, libc::sigaction)> = [libc::SIGINT, libc::SIGQUIT]
        .into_iter()
        .map(|s| (s, set_action(s, libc::SIG_IGN)))
        .collect();
    let handler = forward as extern "C" fn(libc::c_int) as libc::sighandler_t;
    let forwarded: Vec<(libc::c_int, libc::sigaction)> = FORWARDED
        .into_iter()
        .map(|s| (s, set_action(s, handler)))
        .collect();
    let restore = || {
        for (s, old) in forwarded.iter().chain(ignored.iter()) {
            restore_action(*s, old);
        }
    };
    let written = if projects {
        input.write_projects(depth)
    } else {
        input.write(depth)
    };
    let mut written = match written {
        Ok(w) => w,
        Err(e) => {
            restore();
            return Err(eyre::eyre!(e))
                .wrap_err("could not write the temporary requirements files");
        }
    };
    // SAFETY: only async-signal-safe calls (signal) between fork and exec.
    unsafe {
        written.command.pre_exec(|| {
            libc::signal(libc::SIGINT, libc::SIG_DFL);
            libc::signal(libc::SIGQUIT, libc::SIG_DFL);
            libc::signal(libc::SIGTERM, libc::SIG_DFL);
            libc::signal(libc::SIGHUP, libc::SIG_DFL);
            Ok(())
        });
    }
    if GOT.load(Ordering::SeqCst) != 0 {
        // Told to stop before pip started: do not start it.
        restore();
        drop(written);
        let got = GOT.swap(0, Ordering::SeqCst);
        return Ok(Exit::External(u8::try_from(128 + got).unwrap_or(1)));
    }
    let status = written.command.spawn().and_then(|mut child| {
        // A pid always fits in pid_t; fall back to "no child" otherwise.
        let pid = i32::try_from(child.id()).unwrap_or(0);
        CHILD.store(pid, Ordering::SeqCst);
        // A signal that came before the pid was known: forward it now.
        let early = GOT.load(Ordering::SeqCst);
        if early != 0 && pid > 0 {
            // SAFETY: kill(2) on our own child.
            unsafe {
                libc::kill(pid, early);
            }
        }
        child.wait()
    });
    CHILD.store(0, Ordering::SeqCst);
    restore();
    let program = input.python.display().to_string();
    drop(written);
    let status = status
        .map_err(|e| eyre::eyre!(EnvError(format!("could not run {program} -m pip: {e}"))))?;
    let got = GOT.swap(0, Ordering::SeqCst);
    if got != 0 {
        return Ok(Exit::External(u8::try_from(128 + got).unwrap_or(1)));
    }
    let code = match (status.code(), status.signal()) {
        (Some(c), _) => u8::try_from(c).unwrap_or(1),
        (None, Some(sig)) => u8::try_from(128 + sig).unwrap_or(1),
        _ => 1,
    };
    Ok(Exit::External(code))
}
