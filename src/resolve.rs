//! Resolution: pure code, no I/O. Each requirement gets a tier and every
//! option that applies, first tier first.

use crate::alternatives::{Alternative, Alternatives};
use crate::index::{Index, Lookup, MatchedBy};
use crate::requirements::{Kind, Requirement};
use pep508_rs::MarkerEnvironment;
use serde::Serialize;

/// The priority order (schema field `tier`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tier {
    /// 1. `python3XXPackages.<attr>` covers it.
    Nixpkgs,
    /// 2. A native alternative covers it.
    Native,
    /// 3. Needs a dev shell (version mismatch, URL/path/editable, native libs).
    DevShell,
    /// 4. pip `--user --break-system-packages` is the last resort.
    Pip,
    /// Its marker is false for the target.
    Skipped,
}

impl Tier {
    /// The schema spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Nixpkgs => "nixpkgs",
            Tier::Native => "native",
            Tier::DevShell => "dev-shell",
            Tier::Pip => "pip",
            Tier::Skipped => "skipped",
        }
    }
}

/// The nixpkgs match (schema field `nix`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NixMatch {
    /// Full attr path, e.g. `python312Packages.numpy`.
    pub attr: String,
    /// The attr inside the set, e.g. `numpy`.
    #[serde(skip)]
    pub short_attr: String,
    /// nixpkgs' version, when known.
    pub version: Option<String>,
    /// Whether the version satisfies the specifier; `None` when unknown.
    pub satisfies: Option<bool>,
    /// Which mapping rule found it.
    pub matched_by: MatchedBy,
    /// Top-level application attr for command-line use, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app: Option<String>,
}

/// What pip-guard found for one requirement.
#[derive(Debug, Clone)]
pub struct Resolution {
    /// Whether its marker is true for the target.
    pub applies: bool,
    /// The first tier of the priority order that applies.
    pub tier: Tier,
    /// The nixpkgs match, if any.
    pub nix: Option<NixMatch>,
    /// Native alternatives, if any.
    pub native: Vec<Alternative>,
    /// One line per finding, first tier first.
    pub reasons: Vec<String>,
}

/// Resolve one requirement against the index and alternatives for a target.
pub fn resolve(
    req: &Requirement,
    index: &Index,
    alternatives: &Alternatives,
    env: &MarkerEnvironment,
) -> Resolution {
    let mut reasons = Vec::new();
    // The marker as pip evaluates it; one pip cannot evaluate counts as
    // applying (pip would stop with an error, so never skip it silently).
    let applies = req.applies(env).unwrap_or_else(|e| {
        reasons.push(format!("marker cannot be evaluated for the target: {e}"));
        true
    });
    let native: Vec<Alternative> = req
        .normalized
        .as_deref()
        .map(|n| alternatives.for_name(n).cloned().collect())
        .unwrap_or_default();
    let mut nix = None;
    if let Some(name) = req.normalized.as_deref() {
        match index.lookup(name) {
            Lookup::Found {
                package,
                matched_by,
                app,
            } => {
                let satisfies = package
                    .version
                    .as_deref()
                    .map(|v| version_satisfies(v, &req.specifiers));
                nix = Some(NixMatch {
                    attr: format!("{}.{}", index.package_set, package.attr),
                    short_attr: package.attr.clone(),
                    version: package.version.clone(),
                    satisfies,
                    matched_by,
                    app,
                });
            }
            Lookup::Removed { attr, message } => {
                reasons.push(format!(
                    "nixpkgs removed {}.{attr}: {message}",
                    index.package_set
                ));
                nix = app_only(index, name);
            }
            Lookup::Missing => nix = app_only(index, name),
        }
    }

    let tier = if !applies {
        reasons.insert(
            0,
            "marker is false for the target: pip would skip it".to_string(),
        );
        Tier::Skipped
    } else if matches!(req.kind, Kind::Url | Kind::Path | Kind::Editable) {
        let what = match req.kind {
            Kind::Editable => "an editable install",
            Kind::Path => "a local path",
            _ => "a direct URL",
        };
        match &req.project {
            Some(p) => project_reasons(p, env, &mut reasons),
            None => reasons.push(format!(
                "{what} is project-specific: build it in a dev shell"
            )),
        }
        if let Some(n) = &nix {
            reasons.push(format!("nixpkgs also has {}", n.attr));
        }
        Tier::DevShell
    } else if let Some(n) = &nix {
        let tier = match n.satisfies {
            Some(true) => {
                reasons.push(format!(
                    "nixpkgs provides {} {} (satisfies {})",
                    n.attr,
                    n.version.as_deref().unwrap_or("?"),
                    if req.specifier.is_empty() {
                        "any version"
                    } else {
                        &req.specifier
                    }
                ));
                Tier::Nixpkgs
            }
            Some(false) => {
                reasons.push(format!(
                    "nixpkgs has {} {}, which does not satisfy {}: pin it in a dev shell",
                    n.attr,
                    n.version.as_deref().unwrap_or("?"),
                    req.specifier
                ));
                Tier::DevShell
            }
            None => {
                if req.specifier.is_empty() {
                    reasons.push(format!("nixpkgs provides {}", n.attr));
                } else {
                    reasons.push(format!(
                        "nixpkgs provides {} (version unknown to this index: check it satisfies {})",
                        n.attr, req.specifier
                    ));
                }
                Tier::Nixpkgs
            }
        };
        if let Some(app) = &n.app {
            if *app == n.attr {
                reasons.push(format!(
                    "a command-line tool: nixpkgs has it at the top level (pkgs.{app}), \
                     not as an importable Python package"
                ));
            } else {
                reasons.push(format!("for the command line: the top-level pkgs.{app}"));
            }
        }
        tier
    } else if !native.is_empty() {
        Tier::Native
    } else {
        reasons.push("not in nixpkgs and no native alternative known".to_string());
        Tier::Pip
    };
    if let Some(v) = &req.via {
        reasons.insert(0, via_reason(v));
    }
    if applies {
        for alt in &native {
            reasons.push(format!(
                "native alternative: {} ({}) — {}",
                alt.attr, alt.language, alt.note
            ));
        }
    }
    Resolution {
        applies,
        tier,
        nix,
        native,
        reasons,
    }
}

/// How a project's dependency is brought in, as one line.
pub fn via_reason(v: &crate::requirements::Via) -> String {
    if v.build {
        format!(
            "a build requirement of {} ([build-system] requires): for the dev shell; \
             pip install does not install it",
            v.project
        )
    } else if let Some(g) = &v.group {
        format!(
            "in {}'s Poetry group {g}: for the dev shell; pip install does not install it",
            v.project
        )
    } else if let Some(g) = &v.dependency_group {
        format!("in {}'s dependency group {g} (--group)", v.project)
    } else if let Some(e) = &v.extra {
        format!("a dependency of {}[{e}]", v.project)
    } else {
        format!("a dependency of {}", v.project)
    }
}

/// The reasons for a local project whose metadata was read.
fn project_reasons(
    p: &crate::requirements::ProjectSummary,
    env: &MarkerEnvironment,
    reasons: &mut Vec<String>,
) {
    let version = p
        .version
        .as_deref()
        .map(|v| format!(" {v}"))
        .unwrap_or_default();
    reasons.push(format!(
        "the project {}{version} itself: install it in a dev shell (editable, --no-deps); \
         its {} declared requirement{} listed with it",
        p.name,
        p.dependencies,
        if p.dependencies == 1 { " is" } else { "s are" }
    ));
    if let Some(rp) = &p.requires_python {
        let full = &env.python_full_version().version;
        let ok = rp
            .parse::<pep508_rs::pep440_rs::VersionSpecifiers>()
            .map(|s| s.iter().all(|x| x.contains(full)));
        match ok {
            Ok(true) => {}
            Ok(false) => reasons.push(format!(
                "requires-python {rp} excludes the target's Python {full}: pip would refuse to install it"
            )),
            Err(_) => reasons.push(format!("requires-python {rp} cannot be checked")),
        }
    }
    for e in &p.extras_missing {
        reasons.push(format!(
            "it declares no extra {e:?} (pip warns and installs it without)"
        ));
    }
    for d in &p.dynamic {
        if matches!(d.what.as_str(), "version") {
            continue;
        }
        reasons.push(format!(
            "its {} {} dynamic ({}): pip-guard does not guess; to see what pip would install: {}",
            d.what,
            if d.what.ends_with('s') { "are" } else { "is" },
            d.why,
            crate::requirements::project::report_command(&p.dir)
        ));
    }
}

/// A command-line tool nixpkgs has only at the top level (`pre-commit`,
/// `awscli`): not importable as a library, but `pkgs.<attr>` gives the command.
fn app_only(index: &Index, name: &str) -> Option<NixMatch> {
    let app = index.app(name)?;
    Some(NixMatch {
        attr: app.clone(),
        short_attr: app.clone(),
        version: None,
        satisfies: None,
        matched_by: MatchedBy::Table,
        app: Some(app),
    })
}

/// Whether `version` satisfies every specifier (a version pip cannot parse
/// satisfies nothing but an empty set).
pub fn version_satisfies(version: &str, specs: &pep508_rs::pep440_rs::VersionSpecifiers) -> bool {
    match version.parse::<pep508_rs::pep440_rs::Version>() {
        Ok(v) => specs.iter().all(|s| s.contains(&v)),
        Err(_) => specs.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::{Mappings, Package};
    use crate::requirements::collect::collect;
    use crate::target::{default_probe, Target};

    fn index() -> Index {
        let pkg = |a: &str, v: Option<&str>| Package {
            attr: a.into(),
            pname: Some(a.into()),
            version: v.map(Into::into),
        };
        Index::from_packages(
            None,
            "python312Packages",
            vec![pkg("black", None), pkg("numpy", Some("1.26.4"))],
            Mappings::new(
                vec![],
                vec![(
                    "poetry".into(),
                    "poetry was promoted to a top-level attribute".into(),
                )],
                vec![],
                vec![
                    ("black".into(), "black".into()),
                    ("poetry".into(), "poetry".into()),
                    ("pre-commit".into(), "pre-commit".into()),
                ],
            ),
        )
    }

    fn one(req: &str) -> Resolution {
        let inv = crate::invocation::parse_install(
            &[req.to_string()],
            crate::invocation::parse::Mode::Audit,
        )
        .expect("argv");
        let set = collect(&inv, std::path::Path::new("/"), &|_| None).expect("requirement");
        let target = Target::from_probe(None, default_probe()).expect("target");
        resolve(
            &set.requirements[0],
            &index(),
            &Alternatives::default(),
            &target.markers,
        )
    }

    #[test]
    fn versions_decide_between_nixpkgs_and_dev_shell() {
        let r = one("numpy>=1.26");
        assert_eq!(
            (r.tier, r.nix.as_ref().and_then(|n| n.satisfies)),
            (Tier::Nixpkgs, Some(true))
        );
        let r = one("numpy>=2");
        assert_eq!(
            (r.tier, r.nix.as_ref().and_then(|n| n.satisfies)),
            (Tier::DevShell, Some(false))
        );
        let r = one("numpy; sys_platform == 'win32'");
        assert_eq!(r.tier, Tier::Skipped);
        assert!(!r.applies);
    }

    #[test]
    fn command_line_tools_point_at_the_top_level() {
        let r = one("Pre_Commit");
        let n = r.nix.expect("top-level match");
        assert_eq!(
            (r.tier, n.attr.as_str(), n.app.as_deref()),
            (Tier::Nixpkgs, "pre-commit", Some("pre-commit"))
        );
        // A library that is also an application: both, the set's attr first.
        let r = one("black");
        let n = r.nix.expect("match");
        assert_eq!(
            (n.attr.as_str(), n.app.as_deref()),
            ("python312Packages.black", Some("black"))
        );
        assert!(
            r.reasons.iter().any(|x| x.contains("pkgs.black")),
            "{:?}",
            r.reasons
        );
        // Removed from the Python set, kept at the top level: both said.
        let r = one("poetry");
        assert_eq!(r.tier, Tier::Nixpkgs);
        assert!(
            r.reasons.iter().any(|x| x.contains("removed")),
            "{:?}",
            r.reasons
        );
        let r = one("made-up-thing");
        assert_eq!((r.tier, r.nix.is_none()), (Tier::Pip, true));
    }
}
