//! pip-guard: a drop-in `pip` for Nix users.
//!
//! The pipeline runs in one direction:
//! argv ──► [`invocation`] ──► [`requirements`] ──► [`resolve`] ──► [`plan`] ──► act
//! ([`render`], then block or [`guard`] execs the real pip).
//!
//! Everything between parsing and acting is pure: I/O lives in
//! [`target`] (probing Python), [`index`] (nix, channel cache, embedded),
//! [`policy`] (reading TOML layers) and [`guard`] (exec). Everything
//! printed leaves through [`output`], which escapes it for its sink with
//! [`escape`] (terminal, GitHub Actions log, Markdown, JSON).

// The documentation is for the people who work on pip-guard and is built
// with its private items (`cargo doc --document-private-items`, as
// tests/run does), so public items may link to crate-private ones.
#![allow(rustdoc::private_intra_doc_links)]

pub mod alternatives;
pub mod app;
pub mod audit_log;
pub mod cli;
pub mod commands;
pub mod cuda;
pub(crate) mod doctor;
pub mod error;
pub mod escape;
pub mod exit;
pub mod guard;
pub mod index;
pub mod invocation;
pub mod names;
pub(crate) mod nixproject;
pub mod nixsnip;
pub(crate) mod numbers;
pub mod origin;
pub(crate) mod output;
pub(crate) mod pipeline;
pub mod plan;
pub mod policy;
pub(crate) mod redact;
pub mod render;
pub mod requirements;
pub mod resolve;
pub(crate) mod safefile;
pub mod settings;
pub(crate) mod shell;
pub mod stdlib;
pub mod target;
pub mod wheels;
