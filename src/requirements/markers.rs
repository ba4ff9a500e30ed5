//! Markers, two ways.
//!
//! - A `pep508_rs` [`MarkerTree`] built from the `packaging`-parsed tree (not
//!   the text), so string values are exactly what Python reads (escapes in
//!   quoted strings), for display and for the rest of the program.
//! - [`PipMarker`]: the same tree evaluated exactly as pip's vendored
//!   `packaging` 26.3 evaluates it. The two differ where `packaging` is
//!   peculiar: ordering comparisons of plain strings (`<` and `>` are always
//!   false, `<=` and `>=` mean `==`), `platform_release` compared as a
//!   version only when it is one, `~=` / `===` on strings an error.
//!   [`Requirement::applies`](super::Requirement::applies) uses this one.
//!
//! Lock files' set-valued variables (`extras`, `dependency_groups`, PEP 751)
//! are decided up front, since the selection is known when the lock is read.

use super::pep508::{parse_marker_ast, MarkerAst, MarkerVar};
use super::pystr::is_py_space;
use pep508_rs::pep440_rs::{Version, VersionSpecifier};
use pep508_rs::{MarkerEnvironment, MarkerTree};
use std::str::FromStr;

/// A marker as pip evaluates it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipMarker {
    ast: MarkerAst,
    sets: Option<SetVars>,
}

impl PipMarker {
    /// The same marker as a `pep508_rs` tree (built as [`parse`] built it:
    /// what could not be built was refused there).
    pub fn tree(&self) -> MarkerTree {
        build(&self.ast, self.sets.as_ref(), "").unwrap_or(MarkerTree::TRUE)
    }
}

/// Why a marker is refused, or cannot be evaluated (pip's and
/// `packaging`'s words).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MarkerError {
    /// Not marker syntax (the parser's message).
    #[error("{0}")]
    Syntax(String),
    /// `~=` or `===` between values `packaging` can never compare.
    #[error(
        "marker `{marker}`: `{op}` cannot compare {key} with {value:?} (pip fails when it evaluates this)"
    )]
    NeverComparable {
        /// The whole marker.
        marker: String,
        /// The operator.
        op: String,
        /// The variable.
        key: String,
        /// The value compared with.
        value: String,
    },
    /// `extras` or `dependency_groups` outside a lock file.
    #[error("marker `{marker}` uses `{var}`, which only lock files (PEP 751) may use")]
    LockFileOnly {
        /// The whole marker.
        marker: String,
        /// The variable.
        var: String,
    },
    /// `extras` or `dependency_groups` with another operator than `in`.
    #[error("marker `{marker}`: `{var}` can only be used as `'name' in {var}`")]
    InOnly {
        /// The whole marker.
        marker: String,
        /// The variable.
        var: String,
    },
    /// Valid for pip, but `pep508_rs` cannot build the part.
    #[error("marker `{marker}` is valid for pip but pip-guard cannot evaluate `{part}`: {reason}")]
    Unsupported {
        /// The whole marker.
        marker: String,
        /// The part `pep508_rs` refused.
        part: String,
        /// Its message.
        reason: String,
    },
    /// `UndefinedEnvironmentName`.
    #[error("undefined environment name {0:?}")]
    UndefinedName(String),
    /// A set-valued variable compared as a string, when evaluating.
    #[error("set-valued marker {0:?} can only be used as `\"name\" in {0}`")]
    SetValued(String),
    /// `UndefinedComparison`.
    #[error("undefined comparison {op:?} on {lhs:?}")]
    UndefinedComparison {
        /// The operator.
        op: String,
        /// The left-hand value.
        lhs: String,
    },
}

/// Parse marker text as `packaging` does: the `pep508_rs` tree and pip's evaluator.
pub fn parse(text: &str, sets: Option<&SetVars>) -> Result<(MarkerTree, PipMarker), MarkerError> {
    let ast = parse_marker_ast(text).map_err(|e| MarkerError::Syntax(e.to_string()))?;
    check_evaluable(&ast, text)?;
    let tree = build(&ast, sets, text)?;
    Ok((
        tree,
        PipMarker {
            ast,
            sets: sets.cloned(),
        },
    ))
}

/// Refuse comparisons `packaging` can never evaluate (`~=` / `===` between
/// plain strings raise `UndefinedComparison` whatever the environment).
fn check_evaluable(ast: &MarkerAst, whole: &str) -> Result<(), MarkerError> {
    match ast {
        MarkerAst::Expr { atoms, .. } => atoms.iter().try_for_each(|a| check_evaluable(a, whole)),
        MarkerAst::Item { lhs, op, rhs } => {
            if op != "~=" && op != "===" {
                return Ok(());
            }
            let (key, value) = match (lhs, rhs) {
                (MarkerVar::Var(k), v) => (k.as_str(), value_of(v)),
                (v, MarkerVar::Var(k)) => (k.as_str(), value_of(v)),
                (_, MarkerVar::Str(k)) => (k.as_str(), String::new()),
            };
            let spec = format!("{op}{value}");
            let trimmed = spec.trim_matches(is_py_space);
            let valid = VERSION_KEYS.contains(&key)
                && super::pep508::specifier_token_len(trimmed)
                    .is_some_and(|n| trimmed[n..].chars().all(is_py_space));
            if valid {
                Ok(())
            } else {
                Err(MarkerError::NeverComparable {
                    marker: whole.to_string(),
                    op: op.clone(),
                    key: key.to_string(),
                    value,
                })
            }
        }
    }
}

/// Variables whose comparisons `packaging` makes as versions when it can.
const VERSION_KEYS: &[&str] = &[
    "implementation_version",
    "platform_release",
    "python_full_version",
    "python_version",
];

impl PipMarker {
    /// Evaluate for a target as pip does for a top-level requirement (no
    /// extra requested). An `Err` is where `packaging` raises
    /// (`UndefinedComparison`, `UndefinedEnvironmentName`).
    pub fn evaluate(&self, env: &MarkerEnvironment) -> Result<bool, MarkerError> {
        self.eval(&self.ast, env)
    }

    fn lookup(&self, env: &MarkerEnvironment, key: &str) -> Result<Lookup, MarkerError> {
        Ok(Lookup::Str(match key {
            "implementation_name" => env.implementation_name().to_string(),
            "implementation_version" => env.implementation_version().string.clone(),
            "os_name" => env.os_name().to_string(),
            "platform_machine" => env.platform_machine().to_string(),
            "platform_python_implementation" => env.platform_python_implementation().to_string(),
            "platform_release" => env.platform_release().to_string(),
            "platform_system" => env.platform_system().to_string(),
            "platform_version" => env.platform_version().to_string(),
            "python_full_version" => env.python_full_version().string.clone(),
            "python_version" => env.python_version().string.clone(),
            "sys_platform" => env.sys_platform().to_string(),
            "extra" => String::new(),
            "extras" | "dependency_groups" => match &self.sets {
                Some(s) => {
                    return Ok(Lookup::Set(if key == "extras" {
                        s.extras.clone()
                    } else {
                        s.dependency_groups.clone()
                    }))
                }
                None => return Err(MarkerError::UndefinedName(key.to_string())),
            },
            other => return Err(MarkerError::UndefinedName(other.to_string())),
        }))
    }

    fn eval(&self, ast: &MarkerAst, env: &MarkerEnvironment) -> Result<bool, MarkerError> {
        match ast {
            MarkerAst::Expr { atoms, ands } => {
                let mut any = false;
                let mut all = true;
                for (i, atom) in atoms.iter().enumerate() {
                    all &= self.eval(atom, env)?;
                    if ands.get(i).copied() != Some(true) {
                        any |= all;
                        all = true;
                    }
                }
                Ok(any)
            }
            MarkerAst::Item { lhs, op, rhs } => {
                let (key, lhs_v, rhs_v) = match (lhs, rhs) {
                    (MarkerVar::Var(k), r) => {
                        (k.clone(), self.lookup(env, k)?, Lookup::Str(value_of(r)))
                    }
                    (MarkerVar::Str(l), r) => {
                        let k = value_of(r);
                        (k.clone(), Lookup::Str(l.clone()), self.lookup(env, &k)?)
                    }
                };
                let Lookup::Str(mut lhs_v) = lhs_v else {
                    return Err(MarkerError::SetValued(key));
                };
                let normalize = |s: &str| crate::names::normalize(s);
                let rhs_v = match rhs_v {
                    Lookup::Str(r) if key == "extra" => {
                        // packaging normalizes the literal next to `extra` when parsing.
                        lhs_v = if matches!(lhs, MarkerVar::Str(_)) {
                            normalize(&lhs_v)
                        } else {
                            lhs_v
                        };
                        Lookup::Str(if matches!(rhs, MarkerVar::Str(_)) {
                            normalize(&r)
                        } else {
                            r
                        })
                    }
                    Lookup::Set(set) => {
                        lhs_v = normalize(&lhs_v);
                        Lookup::Set(set.iter().map(|v| normalize(v)).collect())
                    }
                    other => other,
                };
                eval_op(&lhs_v, op, &rhs_v, &key)
            }
        }
    }
}

enum Lookup {
    Str(String),
    Set(Vec<String>),
}

fn value_of(v: &MarkerVar) -> String {
    match v {
        MarkerVar::Var(n) | MarkerVar::Str(n) => n.clone(),
    }
}

/// packaging's `_eval_op`.
fn eval_op(lhs: &str, op: &str, rhs: &Lookup, key: &str) -> Result<bool, MarkerError> {
    if let Lookup::Str(rhs) = rhs {
        if VERSION_KEYS.contains(&key) {
            let spec_text = format!("{op}{rhs}");
            let trimmed = spec_text.trim_matches(is_py_space);
            let full = super::pep508::specifier_token_len(trimmed)
                .is_some_and(|n| trimmed[n..].chars().all(is_py_space));
            if full {
                return Ok(spec_contains(trimmed, lhs));
            }
        }
    }
    match (op, rhs) {
        ("in", Lookup::Str(r)) => Ok(r.contains(lhs)),
        ("not in", Lookup::Str(r)) => Ok(!r.contains(lhs)),
        ("in", Lookup::Set(r)) => Ok(r.iter().any(|v| v == lhs)),
        ("not in", Lookup::Set(r)) => Ok(!r.iter().any(|v| v == lhs)),
        ("<" | ">", Lookup::Str(_)) => Ok(false),
        ("<=" | "==" | ">=", Lookup::Str(r)) => Ok(lhs == r),
        ("!=", Lookup::Str(r)) => Ok(lhs != r),
        _ => Err(MarkerError::UndefinedComparison {
            op: op.to_string(),
            lhs: lhs.to_string(),
        }),
    }
}

/// `Specifier(spec).contains(version, prereleases=True)`: false when the
/// version is not a PEP 440 version.
fn spec_contains(spec: &str, version: &str) -> bool {
    let spec = spec.trim();
    if let Some(arbitrary) = spec.strip_prefix("===") {
        return arbitrary.trim().to_lowercase() == version.trim().to_lowercase();
    }
    let Ok(v) = Version::from_str(version.trim_matches(is_py_space)) else {
        return false;
    };
    match VersionSpecifier::from_str(spec) {
        Ok(s) => s.contains(&v),
        Err(_) => false,
    }
}

/// The values of PEP 751's set-valued marker variables.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SetVars {
    /// Selected extras (normalized).
    pub extras: Vec<String>,
    /// Selected dependency groups (normalized).
    pub dependency_groups: Vec<String>,
}

/// Parse marker text as `packaging` does and build its tree. `sets` gives
/// the lock-file variables; without it they are an error.
#[cfg(test)]
pub fn marker_tree(text: &str, sets: Option<&SetVars>) -> Result<MarkerTree, MarkerError> {
    let ast = parse_marker_ast(text).map_err(|e| MarkerError::Syntax(e.to_string()))?;
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

fn build(ast: &MarkerAst, sets: Option<&SetVars>, whole: &str) -> Result<MarkerTree, MarkerError> {
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
                    return Err(MarkerError::LockFileOnly {
                        marker: whole.to_string(),
                        var,
                    });
                };
                let (MarkerVar::Str(value), "in" | "not in") = (lhs, op.as_str()) else {
                    return Err(MarkerError::InOnly {
                        marker: whole.to_string(),
                        var,
                    });
                };
                let set = if var == "extras" {
                    &sets.extras
                } else {
                    &sets.dependency_groups
                };
                let found = set.contains(&crate::names::normalize(value));
                return Ok(if found == (op == "in") {
                    MarkerTree::TRUE
                } else {
                    MarkerTree::FALSE
                });
            }
            let text = format!("{} {op} {}", render(lhs), render(rhs));
            MarkerTree::from_str(&text).map_err(|e| MarkerError::Unsupported {
                marker: whole.to_string(),
                part: text.clone(),
                reason: e.message.to_string(),
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
        .expect("test setup")
    }

    fn eval(m: &str, sets: Option<&SetVars>) -> bool {
        marker_tree(m, sets)
            .expect("test setup")
            .evaluate(&env(), &[])
    }

    #[test]
    fn precedence_and_escapes() {
        assert!(eval(
            "os_name == 'nt' and sys_platform == 'x' or python_version >= '3'",
            None
        ));
        assert!(!eval(
            "os_name == 'nt' and (sys_platform == 'x' or python_version >= '3')",
            None
        ));
        assert!(eval("sys_platform == \"\\x6cinux\"", None));
        assert!(eval("python_implementation == 'CPython'", None));
    }

    fn pip_eval(m: &str) -> Result<bool, MarkerError> {
        parse(m, None).expect("test setup").1.evaluate(&env())
    }

    #[test]
    fn packaging_string_comparisons() {
        // packaging 26: plain strings have no order.
        assert_eq!(pip_eval("os_name > 'a'"), Ok(false));
        assert_eq!(pip_eval("os_name >= 'posix'"), Ok(true));
        assert_eq!(pip_eval("os_name <= 'a'"), Ok(false));
        // Never evaluable.
        assert!(matches!(
            parse("os_name ~= 'a'", None),
            Err(MarkerError::NeverComparable { .. })
        ));
        // platform_release "6.1" is a version here.
        assert_eq!(pip_eval("platform_release >= '5'"), Ok(true));
        assert_eq!(pip_eval("platform_release >= '5.x'"), Ok(false));
        assert_eq!(pip_eval("python_version == '3.*'"), Ok(true));
        assert_eq!(pip_eval("'3.11' == python_version"), Ok(true));
        assert_eq!(pip_eval("extra == 'X_y'"), Ok(false));
        // pip only fails later, when evaluating.
        assert_eq!(
            parse("'a' in extras", None).map(|_| ()),
            Err(MarkerError::LockFileOnly {
                marker: "'a' in extras".into(),
                var: "extras".into()
            })
        );
    }

    #[test]
    fn lock_sets() {
        let s = SetVars {
            extras: vec!["cli".into()],
            dependency_groups: vec!["dev".into()],
        };
        assert!(eval(
            "'cli' in extras and 'Dev' in dependency_groups",
            Some(&s)
        ));
        assert!(!eval("'test' in dependency_groups", Some(&s)));
        assert!(eval("'test' not in dependency_groups", Some(&s)));
        assert!(marker_tree("'cli' in extras", None).is_err());
    }
}
