//! One module per subcommand: each gathers its inputs (I/O), calls the pure
//! core, renders, and returns an [`Exit`](crate::exit::Exit).

pub mod audit;
pub mod completions;
pub mod doctor;
pub mod explain;
pub mod index;
pub mod init;
pub mod nixify;
pub mod policy;
pub mod wheels;
