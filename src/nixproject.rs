//! `pip-guard nixify` for a local project (`nixify -e .[dev]`): a
//! `flake.nix` whose dev shell has the Nix-covered dependencies (runtime,
//! the extras asked and the build system) in `withPackages`, a `.venv`
//! that sees them, the project installed editable with `--no-deps`, and
//! from pip only what nixpkgs lacks, by name; plus a `packages.default`
//! built with `buildPythonPackage` when every runtime dependency is in
//! nixpkgs (else a comment naming the ones that keep it from building).
//! Pure: plan in, text out.

use crate::nixsnip::{fill, interpreter, nix_attr, select, Suggestion};
use crate::plan::{Entry, Plan};
use crate::redact::redact;
use crate::resolve::Tier;
use crate::shell::sh_quote;

/// What the flake needs to know about one project.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectFlake {
    /// The project's name.
    pub name: String,
    /// Its version (`None`: dynamic).
    pub version: Option<String>,
    /// The requirement as `pip install` gets it (`-e .[dev]`), redacted.
    pub install: String,
    /// Runtime dependencies nixpkgs has: attrs of the Python set.
    pub deps: Vec<String>,
    /// Per extra asked: the attrs nixpkgs has.
    pub extras: Vec<(String, Vec<String>)>,
    /// Build requirements nixpkgs has.
    pub build: Vec<String>,
    /// Requirements nixpkgs lacks (or not at the version asked), as written:
    /// pip installs them in the shell.
    pub lacking: Vec<String>,
    /// What keeps `packages.default` from building (runtime or build
    /// requirements nixpkgs lacks), as written.
    pub blockers: Vec<String>,
    /// Whether pip can build it without fetching its build system.
    pub build_from_nix: bool,
    /// Its dependencies are dynamic: pip installs it with them.
    pub dynamic: bool,
}

/// The Python-set attr nixpkgs has for an entry, if it is one.
fn python_attr(e: &Entry) -> Option<String> {
    let n = e.res.nix.as_ref()?;
    match (&n.app, e.res.tier) {
        // Only a top-level application: not importable.
        (Some(app), _) if **app == *n.attr => None,
        (_, Tier::Nixpkgs) => Some(n.short_attr().to_string()),
        _ => None,
    }
}

fn push_unique(v: &mut Vec<String>, s: String) {
    if !v.contains(&s) {
        v.push(s);
    }
}

/// The projects of a plan whose dependencies were read statically.
pub fn projects(plan: &Plan) -> Vec<ProjectFlake> {
    let mut out = Vec::new();
    for e in plan.entries.iter().filter(|e| !e.req.constraint) {
        let Some(p) = e.req.project() else { continue };
        let mut f = ProjectFlake {
            name: p.name.clone(),
            version: p.version.clone(),
            install: redact(&e.req.raw).replace(['\n', '\r'], " "),
            build_from_nix: true,
            dynamic: p.dynamic.iter().any(|d| {
                d.what.contains("dependencies")
                    || d.what.starts_with("dependency")
                    || d.what.starts_with("group")
            }),
            ..ProjectFlake::default()
        };
        if f.dynamic {
            f.blockers.push(format!(
                "its dependencies are dynamic: see {}",
                crate::requirements::project::report_command(&p.dir)
            ));
        }
        for d in plan.entries.iter().filter(|d| {
            d.req.via().is_some_and(|v| v.project == p.name) && d.res.tier != Tier::Skipped
        }) {
            let Some(v) = d.req.via() else { continue };
            if v.dependency_group.is_some() {
                // For the shell (below), not the package.
                continue;
            }
            let raw = redact(&d.req.raw).replace(['\n', '\r'], " ");
            match python_attr(d) {
                Some(attr) if v.build => push_unique(&mut f.build, attr),
                Some(attr) => match &v.extra {
                    Some(x) => match f.extras.iter_mut().find(|(n, _)| n == x) {
                        Some((_, list)) => push_unique(list, attr),
                        None => f.extras.push((x.clone(), vec![attr])),
                    },
                    None if v.group.is_none() => push_unique(&mut f.deps, attr),
                    None => {}
                },
                None if v.build => {
                    f.build_from_nix = false;
                    push_unique(
                        &mut f.blockers,
                        format!("nixpkgs lacks the build requirement {raw}"),
                    );
                }
                None => {
                    if v.extra.is_none() && v.group.is_none() {
                        push_unique(&mut f.blockers, format!("nixpkgs lacks {raw}"));
                    }
                    push_unique(&mut f.lacking, raw);
                }
            }
        }
        f.deps.sort();
        f.build.sort();
        for (_, l) in &mut f.extras {
            l.sort();
        }
        out.push(f);
    }
    out
}

/// Text for a Nix `''…''` string: `''` and `${` escaped.
fn indented(s: &str) -> String {
    s.replace("''", "'''").replace("${", "''${")
}

/// A Nix string literal.
fn string(s: &str) -> String {
    format!(
        "\"{}\"",
        s.replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace("${", "\\${")
    )
}

fn list(attrs: &[String], indent: usize) -> String {
    list_at(attrs, indent + 20, indent)
}

/// A list starting at column `col`, continuation lines at `indent`.
fn list_at(attrs: &[String], col: usize, indent: usize) -> String {
    if attrs.is_empty() {
        return "[ ]".into();
    }
    let items: Vec<String> = attrs.iter().map(|a| nix_attr(a)).collect();
    let one = format!("[ {} ]", items.join(" "));
    if col + one.len() + 2 <= 80 {
        return one;
    }
    let mut out = String::from("[\n");
    for l in fill(&items, indent + 2, 80) {
        out.push_str(&l);
        out.push('\n');
    }
    out.push_str(&" ".repeat(indent));
    out.push(']');
    out
}

/// The complete `flake.nix` for the projects of `plan` (`None` when the
/// plan has no project whose dependencies were read).
pub fn flake(plan: &Plan) -> Option<String> {
    let projects = projects(plan);
    let first = projects.first()?;
    let s = Suggestion::from_plan(plan);
    let set = plan.target.package_set.clone();
    let lacking = lacking(&projects, plan);
    let mut f = preamble(&first.name);
    f.push_str(&dev_shell(&projects, &s, &set, &lacking));
    f.push_str(&package(first, &set));
    f.push_str("    };\n");
    f.push_str("}\n");
    Some(f)
}

/// The flake's description, inputs and the head of its outputs.
fn preamble(name: &str) -> String {
    let mut f = String::new();
    f.push_str("{\n");
    f.push_str(&format!(
        "  description = {};\n\n",
        string(&format!(
            "{name}: dev shell and package (written by pip-guard nixify)"
        ))
    ));
    f.push_str("  inputs.nixpkgs.url = \"github:NixOS/nixpkgs/nixpkgs-unstable\";\n\n");
    f.push_str("  outputs = { self, nixpkgs }:\n");
    f.push_str("    let\n");
    f.push_str(
        "      systems = [ \"x86_64-linux\" \"aarch64-linux\" \"x86_64-darwin\" \"aarch64-darwin\" ];\n",
    );
    f.push_str("      forAllSystems = f:\n");
    f.push_str(
        "        nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});\n",
    );
    f.push_str("    in\n");
    f.push_str("    {\n");
    f
}

/// What nixpkgs lacks: the projects' own, then the other requirements
/// of the command line (a `--group`, a named requirement) pip must add.
fn lacking(projects: &[ProjectFlake], plan: &Plan) -> Vec<String> {
    let mut lacking: Vec<String> = projects.iter().flat_map(|p| p.lacking.clone()).collect();
    for e in &plan.entries {
        if e.req.constraint
            || e.req.dev_only()
            || e.req.project().is_some()
            || e.req
                .via()
                .as_ref()
                .is_some_and(|v| v.dependency_group.is_none())
            || !matches!(e.res.tier, Tier::Pip | Tier::DevShell)
        {
            continue;
        }
        push_unique(&mut lacking, redact(&e.req.raw).replace(['\n', '\r'], " "));
    }
    lacking
}

/// `devShells`: the interpreter with the libraries nixpkgs has, the
/// top-level tools, and a hook that makes `.venv` and has pip add the
/// projects and what nixpkgs lacks.
fn dev_shell(projects: &[ProjectFlake], s: &Suggestion, set: &str, lacking: &[String]) -> String {
    let python = interpreter(set);
    let mut libs: Vec<String> = s.libs.clone();
    libs.sort();
    libs.dedup();
    let mut f = String::new();
    f.push_str("      devShells = forAllSystems (pkgs:\n");
    f.push_str("        let\n");
    let head = format!(
        "          python = {}.withPackages (ps: with ps; ",
        select("pkgs", &python)
    );
    f.push_str(&format!("{head}{});\n", list_at(&libs, head.len(), 10)));
    f.push_str("        in\n");
    f.push_str("        {\n");
    f.push_str("          default = pkgs.mkShell {\n");
    f.push_str("            packages = [\n");
    f.push_str("              python\n");
    for t in &s.tops {
        f.push_str(&format!("              {}\n", select("pkgs", t)));
    }
    f.push_str("            ];\n");
    if !lacking.is_empty() {
        f.push_str(
            "            # Not in nixpkgs (or not at the version asked): pip installs them\n",
        );
        f.push_str("            # into .venv, which sees the Nix packages:\n");
        for l in lacking {
            f.push_str(&format!("            #   {l}\n"));
        }
    }
    f.push_str("            shellHook = ''\n");
    f.push_str("              if [ ! -d .venv ]; then\n");
    f.push_str("                ${python}/bin/python -m venv --system-site-packages .venv\n");
    f.push_str("              fi\n");
    f.push_str("              source .venv/bin/activate\n");
    for p in projects {
        f.push_str(&project_install(p));
    }
    if let Some(line) = lacking_install(lacking) {
        f.push_str(&line);
    }
    f.push_str("            '';\n");
    f.push_str("          };\n");
    f.push_str("        });\n");
    f
}

/// The hook's `pip install` line of one project: `--no-deps` unless its
/// dependencies are dynamic, `--no-build-isolation` when nixpkgs has its
/// build system.
fn project_install(p: &ProjectFlake) -> String {
    let (flag, target) = match p.install.strip_prefix("-e ") {
        Some(t) => ("-e ", t.trim()),
        None => ("", p.install.trim()),
    };
    let iso = if p.build_from_nix {
        "--no-build-isolation "
    } else {
        ""
    };
    let deps = if p.dynamic { "" } else { "--no-deps " };
    format!(
        "              pip install --quiet {deps}{iso}{flag}{}\n",
        indented(&sh_quote(target))
    )
}

/// The hook's `pip install` line of what nixpkgs lacks, if anything.
fn lacking_install(lacking: &[String]) -> Option<String> {
    if lacking.is_empty() {
        return None;
    }
    let names: Vec<String> = lacking
        .iter()
        .map(|l| match l.strip_prefix("-e ") {
            Some(rest) => format!("-e {}", indented(&sh_quote(rest.trim()))),
            None => indented(&sh_quote(l)),
        })
        .collect();
    Some(format!(
        "              pip install --quiet {}\n",
        names.join(" ")
    ))
}

/// `packages.default` (`buildPythonPackage`), or a comment naming what
/// keeps it from building.
fn package(first: &ProjectFlake, set: &str) -> String {
    let mut f = String::new();
    // The package.
    if first.blockers.is_empty() {
        f.push_str("\n      packages = forAllSystems (pkgs:\n");
        f.push_str("        let\n");
        f.push_str(&format!("          ps = {};\n", select("pkgs", set)));
        f.push_str("        in\n");
        f.push_str("        {\n");
        f.push_str("          default = ps.buildPythonPackage {\n");
        f.push_str(&format!("            pname = {};\n", string(&first.name)));
        match &first.version {
            Some(v) => f.push_str(&format!("            version = {};\n", string(v))),
            None => {
                f.push_str(
                    "            # The version is dynamic (computed by the build backend).\n",
                );
                f.push_str("            version = \"0.0.0\";\n");
            }
        }
        f.push_str("            pyproject = true;\n");
        f.push_str("            src = ./.;\n");
        f.push_str(&format!(
            "            build-system = with ps; {};\n",
            list(&first.build, 12)
        ));
        f.push_str(&format!(
            "            dependencies = with ps; {};\n",
            list(&first.deps, 12)
        ));
        if !first.extras.is_empty() {
            f.push_str("            optional-dependencies = with ps; {\n");
            for (x, l) in &first.extras {
                f.push_str(&format!("              {} = {};\n", string(x), list(l, 14)));
            }
            f.push_str("            };\n");
        }
        f.push_str("          };\n");
        f.push_str("        });\n");
    } else {
        f.push_str(&format!(
            "\n      # No packages.default (buildPythonPackage) for {}:\n",
            first.name.replace(['\n', '\r'], " ")
        ));
        for b in &first.blockers {
            f.push_str(&format!("      #   {b}\n"));
        }
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(install: &str) -> ProjectFlake {
        ProjectFlake {
            name: "demo".into(),
            install: install.into(),
            build_from_nix: true,
            ..ProjectFlake::default()
        }
    }

    #[test]
    fn each_project_is_installed_with_the_right_flags() {
        assert_eq!(
            project_install(&project("-e .[dev]")),
            "              pip install --quiet --no-deps --no-build-isolation -e '.[dev]'\n"
        );
        // Its build system from PyPI: isolated; dynamic dependencies: pip resolves them.
        let p = ProjectFlake {
            build_from_nix: false,
            dynamic: true,
            ..project("./lib")
        };
        assert_eq!(
            project_install(&p),
            "              pip install --quiet ./lib\n"
        );
    }

    #[test]
    fn what_nixpkgs_lacks_is_one_pip_line() {
        assert_eq!(lacking_install(&[]), None);
        assert_eq!(
            lacking_install(&["foo>=1".into(), "-e ../bar".into()]).as_deref(),
            Some("              pip install --quiet 'foo>=1' -e ../bar\n")
        );
    }

    #[test]
    fn a_blocked_package_is_a_comment() {
        let p = ProjectFlake {
            blockers: vec!["nixpkgs lacks foo".into()],
            ..project(".")
        };
        assert_eq!(
            package(&p, "python313Packages"),
            "\n      # No packages.default (buildPythonPackage) for demo:\n      #   nixpkgs lacks foo\n"
        );
        let p = ProjectFlake {
            version: Some("1.0".into()),
            deps: vec!["requests".into()],
            ..project(".")
        };
        let text = package(&p, "python313Packages");
        assert!(
            text.contains("          ps = pkgs.python313Packages;\n"),
            "{text}"
        );
        assert!(text.contains("            version = \"1.0\";\n"), "{text}");
        assert!(
            text.contains("dependencies = with ps; [ requests ];"),
            "{text}"
        );
        assert!(!text.contains("optional-dependencies"), "{text}");
    }
}
