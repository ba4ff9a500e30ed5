//! Output formats: text for people; JSON, Markdown and GitHub annotations
//! for machines. Renderers return a `String`; the caller prints it.

pub mod github;
pub mod json;
pub mod markdown;
pub mod text;
