//! Subcommands.
pub mod index;
