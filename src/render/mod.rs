//! Output formats: text for people; JSON, Markdown and GitHub annotations
//! for machines. Renderers return a `String`; the caller prints it. The
//! text and JSON audit reports can also be written as they are made
//! (`text::render_to`, `json::render_to`) through the output edge's
//! escaping writer (`crate::output::Escaping`), so a report of a million
//! requirements is never held whole.

pub mod github;
pub mod guard;
pub mod json;
pub mod layout;
pub mod markdown;
pub mod nix;
pub mod text;
