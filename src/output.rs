//! Writing what the commands print. Both the entry point (`app`) and the
//! subcommands (`commands/*`) use it, so it lives on its own: no command
//! reaches back up into `app`.

use std::io::Write as _;

/// Write to stdout; a closed pipe is not an error (the caller exits 0).
pub fn print_stdout(s: &str) -> color_eyre::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(s.as_bytes())?;
    out.flush()?;
    Ok(())
}
