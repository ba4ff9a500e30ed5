//! Subcommands.

pub mod policy;
