//! Team policy: what may fall through to pip.
//!
//! The effective [`Policy`] comes from layered TOML files (see
//! `docs/policy.md`): [`file`](mod@file) parses and validates one file (pure),
//! [`layers`] merges them with locking and provenance (pure), [`load`](mod@load)
//! finds and reads them (I/O), [`show`] renders the result.
//! [`Policy::verdict`] is pure.

pub mod file;
pub mod layers;
pub mod load;
pub mod model;
pub mod show;

pub use layers::{EffectivePolicy, LayerKind};
pub use load::load;

pub use model::{AuditLogSettings, Floor, IndexSettings, IndexSource, Mode, Policy, Rule, Verdict};
