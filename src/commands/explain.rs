//! `pip-guard explain NAME`: the reasoning for one requirement.
use crate::cli::{FormatArg, IndexChoice};
use crate::exit::Exit;
/// Explain one requirement (delegates to audit until the guard's explainer lands).
pub fn run(
    requirement: &str,
    format: Option<FormatArg>,
    index: Option<IndexChoice>,
) -> color_eyre::Result<Exit> {
    let flags = crate::commands::audit::Flags {
        format,
        index,
        policy: None,
        strict: false,
    };
    crate::commands::audit::run(flags, &["--".to_string(), requirement.to_string()])
}
