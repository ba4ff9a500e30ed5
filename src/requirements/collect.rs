//! Gather requirements from an invocation (stub: positional named
//! requirements only, until the full intake lands).

use super::{Kind, Requirement, RequirementSet};
use crate::error::InputError;
use crate::invocation::{Invocation, Item};
use crate::origin::Origin;
use std::path::Path;
use std::str::FromStr;

/// Gather every requirement an install invocation asks for.
pub fn collect(
    inv: &Invocation,
    _cwd: &Path,
    _env: &dyn Fn(&str) -> Option<String>,
) -> Result<RequirementSet, InputError> {
    let mut set = RequirementSet::default();
    for item in &inv.items {
        if let Item::Positional { index, value } = item {
            let r = pep508_rs::Requirement::<pep508_rs::VerbatimUrl>::from_str(value)
                .map_err(|e| InputError::at(Origin::Arg(*index), e.to_string()))?;
            let specifiers = match &r.version_or_url {
                Some(pep508_rs::VersionOrUrl::VersionSpecifier(s)) => s.clone(),
                _ => Default::default(),
            };
            set.requirements.push(Requirement {
                origin: Origin::Arg(*index),
                included_from: vec![],
                raw: crate::redact::redact(value).into_owned(),
                kind: Kind::Named,
                name: Some(r.name.to_string()),
                normalized: Some(crate::names::normalize(r.name.as_ref())),
                extras: r.extras.iter().map(|e| e.to_string()).collect(),
                specifier: specifiers
                    .iter()
                    .map(|s| s.to_string())
                    .collect::<Vec<_>>()
                    .join(","),
                specifiers,
                marker: r.marker.contents().map(|_| r.marker.clone()),
                url: None,
                editable: false,
                constraint: false,
                options: vec![],
                pip_line: value.clone(),
            });
        }
    }
    Ok(set)
}
