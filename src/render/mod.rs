//! Output formats: text for people; JSON, Markdown and GitHub annotations
//! for machines. Renderers return a `String`; the caller prints it.

pub mod github;
pub mod guard;
pub mod json;
pub mod layout;
pub mod markdown;
pub mod nix;
pub mod text;
