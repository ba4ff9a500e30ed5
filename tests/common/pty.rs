//! A real pseudo-terminal for tests: the child gets the pty as its
//! controlling terminal (stdin, stdout and stderr), the test reads what it
//! draws and types into it — after the prompt appears, before it, or a
//! Ctrl-C, as a user would.
//!
//! ```ignore
//! let mut t = pty::Pty::spawn(cmd);
//! assert!(t.wait_for(b"[y/N] "));
//! t.send(b"y\n");
//! let (status, screen) = t.finish();
//! ```

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, ExitStatus};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long [`Pty::wait_for`] and [`Pty::finish`] wait before giving up
/// (a deadline against hangs, not a timing assertion).
pub const DEADLINE: Duration = Duration::from_secs(120);

/// A child running on a pseudo-terminal.
pub struct Pty {
    master: File,
    child: Child,
    screen: Arc<Mutex<Vec<u8>>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

fn check(r: libc::c_int, what: &str) -> libc::c_int {
    assert!(r >= 0, "{what}: {}", std::io::Error::last_os_error());
    r
}

impl Pty {
    /// Start `cmd` on a new pty (80×24), as the leader of a new session
    /// whose controlling terminal is the pty.
    pub fn spawn(mut cmd: Command) -> Pty {
        // SAFETY: plain libc calls on descriptors this function owns.
        let (master, slave) = unsafe {
            let m = check(
                libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY | libc::O_CLOEXEC),
                "posix_openpt",
            );
            check(libc::grantpt(m), "grantpt");
            check(libc::unlockpt(m), "unlockpt");
            let mut name = [0 as libc::c_char; 128];
            check(
                libc::ptsname_r(m, name.as_mut_ptr(), name.len()),
                "ptsname_r",
            );
            let s = check(
                libc::open(name.as_ptr(), libc::O_RDWR | libc::O_NOCTTY),
                "open the pty slave",
            );
            let ws = libc::winsize {
                ws_row: 24,
                ws_col: 80,
                ws_xpixel: 0,
                ws_ypixel: 0,
            };
            libc::ioctl(s, libc::TIOCSWINSZ, &ws);
            (File::from_raw_fd(m), File::from_raw_fd(s))
        };
        cmd.stdin(slave.try_clone().expect("dup the pty slave"))
            .stdout(slave.try_clone().expect("dup the pty slave"))
            .stderr(slave);
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd.spawn().expect("spawn the command on a pty");
        drop(cmd); // closes the parent's copies of the slave
        let screen = Arc::new(Mutex::new(Vec::new()));
        let mut rd = master.try_clone().expect("dup the pty master");
        let sink = Arc::clone(&screen);
        let reader = std::thread::spawn(move || {
            let mut b = [0u8; 4096];
            // EIO once the child side is closed ends the loop.
            while let Ok(n @ 1..) = rd.read(&mut b) {
                sink.lock().expect("screen lock").extend_from_slice(&b[..n]);
            }
        });
        Pty {
            master,
            child,
            screen,
            reader: Some(reader),
        }
    }

    /// Everything drawn so far.
    pub fn screen(&self) -> Vec<u8> {
        self.screen.lock().expect("screen lock").clone()
    }

    /// Wait until the screen holds `needle` (true), or the child exits or
    /// [`DEADLINE`] passes without it (false).
    pub fn wait_for(&mut self, needle: &[u8]) -> bool {
        let start = Instant::now();
        loop {
            if contains(&self.screen(), needle) {
                return true;
            }
            if start.elapsed() > DEADLINE {
                return false;
            }
            if let Ok(Some(_)) = self.child.try_wait() {
                // Let the reader drain what is left.
                std::thread::sleep(Duration::from_millis(100));
                return contains(&self.screen(), needle);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Type `bytes` (a `\x03` is Ctrl-C: the pty sends SIGINT).
    pub fn send(&mut self, bytes: &[u8]) {
        self.master.write_all(bytes).expect("write to the pty");
        self.master.flush().expect("flush the pty");
    }

    /// Wait for the child (killed after [`DEADLINE`]) and return its
    /// status and the whole screen.
    pub fn finish(mut self) -> (ExitStatus, Vec<u8>) {
        let start = Instant::now();
        let status = loop {
            if let Some(s) = self.child.try_wait().expect("wait") {
                break s;
            }
            if start.elapsed() > DEADLINE {
                let _ = self.child.kill();
                break self.child.wait().expect("wait");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        // The reader ends on EIO once every slave copy is closed; a
        // grandchild still holding one would keep it alive, so wait a
        // little and then stop looking.
        let reader = self.reader.take();
        let t = Instant::now();
        while reader.as_ref().is_some_and(|r| !r.is_finished()) && t.elapsed() < DEADLINE {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.master.as_raw_fd();
        (status, self.screen())
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
}
