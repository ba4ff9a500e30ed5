//! A `packaging`-parsed marker turned into a `pep508_rs` [`MarkerTree`].
//!
//! Going through the parsed tree (not the text) keeps string values exactly
//! as Python reads them (escapes in quoted strings) and lets lock files'
//! set-valued variables (`extras`, `dependency_groups`, PEP 751) be decided
//! up front, since the selection is known when the lock is read.

use super::pep508::{parse_marker_ast, MarkerAst, MarkerVar};
use pep508_rs::MarkerTree;
use std::str::FromStr;

/// The values of PEP 751's set-valued marker variables.
#[derive(Debug, Clone, Default)]
pub struct SetVars {
    /// Selected extras (normalized).
    pub extras: Vec<String>,
    /// Selected dependency groups (normalized).
    pub dependency_groups: Vec<String>,
}

/// Parse marker text as `packaging` does and build its tree. `sets` gives
/// the lock-file variables; without it they are an error.
pub fn marker_tree(text: &str, sets: Option<&SetVars>) -> Result<MarkerTree, String> {
    let ast = parse_marker_ast(text).map_err(|e| e.to_string())?;
    build(&ast, sets, text)
}

fn quote(s: &str) -> String {
    if s.contains('\'') {
        format!("\"{s}\"")
    } else {
        format!("'{s}'")
    }
}

fn render(v: &MarkerVar) -> String {
    match v {
        MarkerVar::Var(n) => n.clone(),
        MarkerVar::Str(s) => quote(s),
    }
}

fn build(ast: &MarkerAst, sets: Option<&SetVars>, whole: &str) -> Result<MarkerTree, String> {
    match ast {
        MarkerAst::Expr { atoms, ands } => {
            // `and` binds tighter than `or`.
            let mut result = MarkerTree::FALSE;
            let mut group = MarkerTree::TRUE;
            for (i, atom) in atoms.iter().enumerate() {
                group.and(build(atom, sets, whole)?);
                let next_is_and = ands.get(i).copied();
                if next_is_and != Some(true) {
                    result.or(group);
                    group = MarkerTree::TRUE;
                }
            }
            Ok(result)
        }
        MarkerAst::Item { lhs, op, rhs } => {
            let set_var = |v: &MarkerVar| match v {
                MarkerVar::Var(n) if n == "extras" || n == "dependency_groups" => Some(n.clone()),
                _ => None,
            };
            if let Some(var) = set_var(rhs).or_else(|| set_var(lhs)) {
                let Some(sets) = sets else {
                    return Err(format!(
                        "marker `{whole}` uses `{var}`, which only lock files (PEP 751) may use"
                    ));
                };
                let (MarkerVar::Str(value), "in" | "not in") = (lhs, op.as_str()) else {
                    return Err(format!("marker `{whole}`: `{var}` can only be used as `'name' in {var}`"));
                };
                let set = if var == "extras" { &sets.extras } else { &sets.dependency_groups };
                let found = set.contains(&crate::names::normalize(value));
                return Ok(if found == (op == "in") { MarkerTree::TRUE } else { MarkerTree::FALSE });
            }
            let text = format!("{} {op} {}", render(lhs), render(rhs));
            MarkerTree::from_str(&text).map_err(|e| {
                format!("marker `{whole}` is valid for pip but pip-guard cannot evaluate `{text}`: {}", e.message)
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pep508_rs::{MarkerEnvironment, MarkerEnvironmentBuilder};

    fn env() -> MarkerEnvironment {
        MarkerEnvironment::try_from(MarkerEnvironmentBuilder {
            implementation_name: "cpython",
            implementation_version: "3.11.7",
            os_name: "posix",
            platform_machine: "x86_64",
            platform_python_implementation: "CPython",
            platform_release: "6.1",
            platform_system: "Linux",
            platform_version: "#1",
            python_full_version: "3.11.7",
            python_version: "3.11",
            sys_platform: "linux",
        })
        .unwrap()
    }

    fn eval(m: &str, sets: Option<&SetVars>) -> bool {
        marker_tree(m, sets).unwrap().evaluate(&env(), &[])
    }

    #[test]
    fn precedence_and_escapes() {
        assert!(eval("os_name == 'nt' and sys_platform == 'x' or python_version >= '3'", None));
        assert!(!eval("os_name == 'nt' and (sys_platform == 'x' or python_version >= '3')", None));
        assert!(eval("sys_platform == \"\\x6cinux\"", None));
        assert!(eval("python_implementation == 'CPython'", None));
    }

    #[test]
    fn lock_sets() {
        let s = SetVars { extras: vec!["cli".into()], dependency_groups: vec!["dev".into()] };
        assert!(eval("'cli' in extras and 'Dev' in dependency_groups", Some(&s)));
        assert!(!eval("'test' in dependency_groups", Some(&s)));
        assert!(eval("'test' not in dependency_groups", Some(&s)));
        assert!(marker_tree("'cli' in extras", None).is_err());
    }
}
