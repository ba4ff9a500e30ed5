//! Nix snippets the tool prints. Pure: text from values.
//!
//! Every snippet must be correct Nix, ready to paste; `tests/nix_snippets.rs`
//! parses each kind with `nix-instantiate --parse`. The rules that make them
//! correct:
//! - a library is importable only through the interpreter's environment:
//!   `(python312.withPackages (ps: with ps; [ requests ]))`;
//! - inside `with ps;` a name the surrounding code binds lexically (`ps`,
//!   `pkgs`, `nixpkgs`, Nix's global builtins…) would win over the `with`,
//!   so such names, and names that are not plain identifiers, are written
//!   `ps.name` / `ps."name"`;
//! - a dotted attr path (`bootstrap.flit-core`) is a path, each component
//!   quoted on its own when needed.

use crate::plan::Plan;
use crate::redact::redact;
use crate::resolve::Tier;
use std::collections::BTreeSet;

/// The nixpkgs branch `nixify` pins: a release whose binary cache has the
/// default `python3` set (unstable builds only the newest sets).
pub const NIXIFY_CHANNEL: &str = "nixos-25.11";

/// Nix keywords: never usable as a bare identifier.
const KEYWORDS: &[&str] = &[
    "if", "then", "else", "assert", "with", "let", "in", "rec", "inherit", "or",
];

/// Names bound lexically around our snippets (module arguments, the
/// flake's own bindings, Nix's global builtins): a `with` never reaches them.
const LEXICAL: &[&str] = &[
    "abort",
    "baseNameOf",
    "break",
    "builtins",
    "config",
    "derivation",
    "derivationStrict",
    "dirOf",
    "false",
    "fetchGit",
    "fetchMercurial",
    "fetchTarball",
    "fetchTree",
    "forAllSystems",
    "fromTOML",
    "import",
    "isNull",
    "lib",
    "map",
    "nixpkgs",
    "null",
    "pkgs",
    "placeholder",
    "ps",
    "python",
    "removeAttrs",
    "scopedImport",
    "self",
    "system",
    "systems",
    "throw",
    "toString",
    "true",
];

/// Whether `s` is a Nix identifier that is not a keyword.
fn is_ident(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '\''))
        && !KEYWORDS.contains(&s)
}

/// One attr-path component as Nix source after a `.`: bare or quoted.
fn component(s: &str) -> String {
    if is_ident(s) {
        s.to_string()
    } else {
        format!(
            "\"{}\"",
            s.replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace("${", "\\${")
        )
    }
}

/// `prefix.a.b` with each component quoted as needed.
pub fn select(prefix: &str, path: &str) -> String {
    let mut out = prefix.to_string();
    for c in path.split('.') {
        out.push('.');
        out.push_str(&component(c));
    }
    out
}

/// An attr path as written inside `with <scope>;`: bare when that reaches
/// the attr, else `scope.path` (quoted as needed).
pub fn in_scope(scope: &str, path: &str) -> String {
    let first = path.split('.').next().unwrap_or(path);
    let bare_ok = path.split('.').all(is_ident) && !LEXICAL.contains(&first) && first != scope;
    if bare_ok {
        path.to_string()
    } else {
        select(scope, path)
    }
}

/// An attr of the Python set inside `ps: with ps; [ … ]`.
pub fn nix_attr(a: &str) -> String {
    in_scope("ps", a)
}

/// The interpreter attr for a package set: `python311Packages` → `python311`.
pub fn interpreter(package_set: &str) -> String {
    package_set
        .strip_suffix("Packages")
        .filter(|p| !p.is_empty())
        .unwrap_or("python3")
        .to_string()
}

fn sorted_unique(items: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = items.iter().map(|s| s.to_string()).collect();
    v.sort();
    v.dedup();
    v
}

/// Greedy fill of `words` into lines of at most `width` columns, each
/// starting with `indent` spaces (a word longer than a line gets its own).
pub fn fill(words: &[String], indent: usize, width: usize) -> Vec<String> {
    if words.is_empty() {
        return Vec::new();
    }
    let pad = " ".repeat(indent);
    crate::render::layout::fill(words, &pad, &pad, width)
}

/// An extra of a Python-set attr as a list to append to `withPackages`'
/// list: `(ps.requests.optional-dependencies.socks or [ ])` (`or [ ]` keeps
/// an extra this nixpkgs lacks from failing the evaluation).
pub fn extra_deps(attr: &str, extra: &str) -> String {
    format!(
        "({}.optional-dependencies.{} or [ ])",
        select("ps", attr),
        component(extra)
    )
}

/// Split items into attrs and extras (the `(…)` lists of [`extra_deps`]).
fn split_items<'a>(items: &[&'a str]) -> (Vec<&'a str>, Vec<String>) {
    let (extras, attrs): (Vec<&str>, Vec<&str>) = items.iter().partition(|i| i.starts_with('('));
    (attrs, sorted_unique(&extras))
}

/// ` ++ (…) ++ (…)` for the extras, or nothing.
fn tail(extras: &[String]) -> String {
    extras.iter().map(|e| format!(" ++ {e}")).collect()
}

/// `python312.withPackages (ps: with ps; [ a b ])` on one line; items
/// written `(…)` (see [`extra_deps`]) are appended with `++`.
pub fn with_packages(python: &str, attrs: &[&str]) -> String {
    let (attrs, extras) = split_items(attrs);
    let list: Vec<String> = sorted_unique(&attrs).iter().map(|a| nix_attr(a)).collect();
    if list.is_empty() {
        format!("{python}.withPackages (ps: with ps; [ ]{})", tail(&extras))
    } else {
        format!(
            "{python}.withPackages (ps: with ps; [ {} ]{})",
            list.join(" "),
            tail(&extras)
        )
    }
}

/// `with_packages`, broken over lines when it would pass `width` columns at
/// `indent`: the list items go on their own lines, indented two more.
/// The first line carries no indent (the caller places it).
pub fn with_packages_wrapped(python: &str, attrs: &[&str], indent: usize, width: usize) -> String {
    with_packages_at(python, attrs, indent, indent, width, 0)
}

/// `with_packages` placed at column `first_col` (plus `extra` columns that
/// follow it on that line, such as a closing quote), continuation lines
/// aligned on `indent`.
pub fn with_packages_at(
    python: &str,
    attrs: &[&str],
    first_col: usize,
    indent: usize,
    width: usize,
    extra: usize,
) -> String {
    let one = with_packages(python, attrs);
    if first_col + one.len() + 2 + extra <= width {
        return one;
    }
    let (attrs, extras) = split_items(attrs);
    let list: Vec<String> = sorted_unique(&attrs).iter().map(|a| nix_attr(a)).collect();
    let mut out = format!("{python}.withPackages (ps: with ps; [\n");
    for l in fill(&list, indent + 2, width) {
        out.push_str(&l);
        out.push('\n');
    }
    out.push_str(&" ".repeat(indent));
    out.push(']');
    for e in &extras {
        out.push_str(&format!("\n{}  ++ {e}", " ".repeat(indent)));
    }
    out.push(')');
    out
}

use crate::shell::sh_quote;

/// What to suggest for a plan: the Python environment's libraries, the
/// top-level packages (applications, native alternatives) and what only
/// pip can provide.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Suggestion {
    /// The interpreter attr, e.g. `python311`.
    pub python: String,
    /// Attrs of the Python set for `withPackages`, sorted, unique.
    pub libs: Vec<String>,
    /// Top-level attrs (applications and native alternatives), sorted, unique.
    pub tops: Vec<String>,
    /// Native alternatives to requirements Nix already covers as Python
    /// packages (`whisper-cpp` for `openai-whisper`): offered, not chosen.
    /// Sorted, unique, none of them in `tops`.
    pub alternatives: Vec<String>,
    /// Requirements only pip can install (dev-shell and pip tiers), as
    /// written and redacted, in input order.
    pub pip: Vec<String>,
    /// Extras as lists to append (`(ps.requests.optional-dependencies.socks
    /// or [ ])`), sorted, unique.
    pub extras: Vec<String>,
    /// CUDA advice, one line each (a CUDA build was asked for).
    pub cuda: Vec<String>,
    /// The host libraries (nixpkgs attrs) the native code of pip's wheels
    /// needs, when `nixify --check-wheels` read them; `None`: not known.
    pub library_path: Option<Vec<String>>,
}

/// Add `item` to `set` unless it is there (no copy then).
fn add_once(set: &mut BTreeSet<String>, item: &str) {
    if !set.contains(item) {
        set.insert(item.to_string());
    }
}

impl Suggestion {
    /// Gather the suggestion from a plan (constraints and skipped
    /// requirements contribute nothing).
    pub fn from_plan(plan: &Plan) -> Suggestion {
        Self::gather(plan, true)
    }

    /// [`Suggestion::from_plan`] without [`Suggestion::pip`] (left empty),
    /// which only a flake shows: the reports' Nix section does not copy
    /// every line only pip can install.
    pub fn for_report(plan: &Plan) -> Suggestion {
        Self::gather(plan, false)
    }

    fn gather(plan: &Plan, with_pip: bool) -> Suggestion {
        let mut s = Suggestion {
            python: interpreter(&plan.target.package_set),
            ..Suggestion::default()
        };
        // Each name once as it is met (sorted, unique): a million
        // requirements name a few thousand attrs.
        let mut libs = BTreeSet::new();
        let mut tops = BTreeSet::new();
        let mut alternatives = BTreeSet::new();
        let mut extras = BTreeSet::new();
        for e in &plan.entries {
            if e.req.constraint {
                continue;
            }
            match e.res.tier {
                Tier::Nixpkgs => {
                    if let Some(n) = &e.res.nix {
                        match &n.app {
                            Some(app) => add_once(&mut tops, app),
                            None => add_once(&mut libs, n.short_attr()),
                        }
                        if let Some(x) = &n.extras {
                            x.attrs.iter().for_each(|a| add_once(&mut libs, a));
                            for extra in x.known.iter().chain(&x.unknown) {
                                if !x.own.contains(extra) && n.app.is_none() {
                                    add_once(&mut extras, &extra_deps(n.short_attr(), extra));
                                }
                            }
                        }
                    }
                    e.res
                        .native
                        .iter()
                        .for_each(|a| add_once(&mut alternatives, &a.attr));
                }
                Tier::Native => {
                    if let Some(a) = e.res.native.first() {
                        add_once(&mut tops, &a.attr);
                    }
                }
                Tier::DevShell | Tier::Pip if with_pip => s.pip.push(one_line(&redact(&e.req.raw))),
                Tier::DevShell | Tier::Pip => {}
                Tier::Skipped => {}
            }
        }
        for e in &plan.entries {
            if let (Some(c), true) = (&e.res.cuda, e.res.applies) {
                let what = title_of(e);
                let line = match &c.nixpkgs {
                    Some(a) => format!(
                        "{what} asks for a CUDA build ({}): nixpkgs' way is {a}",
                        c.asked_by
                    ),
                    None => format!("{what} asks for a CUDA build ({}): {}", c.asked_by, c.note),
                };
                s.cuda.push(one_line(&redact(&line)));
            }
        }
        s.alternatives = alternatives
            .into_iter()
            .filter(|a| !tops.contains(a))
            .collect();
        s.extras = extras.into_iter().collect();
        s.libs = libs.into_iter().collect();
        s.tops = tops.into_iter().collect();
        s
    }

    /// Whether there is anything for Nix to provide.
    pub fn has_nix(&self) -> bool {
        !self.libs.is_empty() || !self.tops.is_empty()
    }

    /// The libs and the extras' lists, for `withPackages`.
    fn lib_refs(&self) -> Vec<&str> {
        self.libs
            .iter()
            .chain(&self.extras)
            .map(String::as_str)
            .collect()
    }

    /// `home.packages = with pkgs; [ … ];` for a home-manager module (the
    /// same list works in NixOS' `environment.systemPackages`), indented by
    /// `indent`. `None` when Nix provides nothing.
    pub fn packages_binding(&self, indent: usize, width: usize) -> Option<String> {
        if !self.has_nix() {
            return None;
        }
        let pad = " ".repeat(indent);
        let mut out = format!("{pad}home.packages = with pkgs; [\n");
        if !self.libs.is_empty() {
            out.push_str(&format!(
                "{pad}  ({})\n",
                with_packages_wrapped(&self.python, &self.lib_refs(), indent + 2, width)
            ));
        }
        for t in &self.tops {
            out.push_str(&format!("{pad}  {}\n", in_scope("pkgs", t)));
        }
        out.push_str(&format!("{pad}];"));
        Some(out)
    }

    /// The arguments of `nix-shell -p` (each one a Nix expression), before
    /// shell quoting.
    pub fn nix_shell_exprs(&self, indent: usize, width: usize) -> Vec<String> {
        let mut v = Vec::new();
        if !self.libs.is_empty() {
            v.push(with_packages_wrapped(
                &self.python,
                &self.lib_refs(),
                indent,
                width,
            ));
        }
        for t in &self.tops {
            v.push(in_scope("pkgs", t));
        }
        v
    }

    /// `nix-shell -p 'python312.withPackages (…)' whisper-cpp`: try it now.
    /// Placed at column `indent`; when it would pass `width`, the command
    /// continues on the next lines (`\` line breaks, or inside the quotes).
    /// `None` when Nix provides nothing.
    pub fn nix_shell(&self, indent: usize, width: usize) -> Option<String> {
        if !self.has_nix() {
            return None;
        }
        let cont = indent + 2;
        let mut out = String::from("nix-shell -p");
        let mut col = indent + out.len();
        let mut exprs: Vec<String> = Vec::new();
        if !self.libs.is_empty() {
            // The first argument follows `nix-shell -p ` and a quote.
            exprs.push(with_packages_at(
                &self.python,
                &self.lib_refs(),
                col + 2,
                cont,
                width,
                1,
            ));
        }
        exprs.extend(self.tops.iter().map(|t| in_scope("pkgs", t)));
        for (i, e) in exprs.iter().enumerate() {
            let arg = sh_quote(e);
            let first = arg.lines().next().unwrap_or("").chars().count();
            if i > 0 && col + 1 + first + 2 > width {
                out.push_str(" \\\n");
                out.push_str(&" ".repeat(cont));
                col = cont;
            } else {
                out.push(' ');
                col += 1;
            }
            out.push_str(&arg);
            col = match arg.rsplit_once('\n') {
                Some((_, last)) => last.chars().count(),
                None => col + first,
            };
        }
        Some(out)
    }

    /// A complete `flake.nix` with `devShells.<system>.default`: the Python
    /// environment, the top-level packages, and (when pip is still needed) a
    /// `.venv` that sees the Nix packages, for `pip install` inside the shell.
    pub fn flake(&self) -> String {
        let mut f = self.flake_head();
        f.push_str("      devShells = forAllSystems (pkgs:\n");
        f.push_str("        let\n");
        f.push_str(&self.python_env());
        f.push_str("        in\n");
        f.push_str("        {\n");
        f.push_str("          default = pkgs.mkShell {\n");
        f.push_str(&self.shell_packages());
        if !self.pip.is_empty() {
            f.push_str(&self.pip_part());
        }
        f.push_str("          };\n");
        f.push_str("        });\n");
        f.push_str("    };\n");
        f.push_str("}\n");
        f
    }

    /// The flake's description, its pinned nixpkgs, and the `let` of its
    /// outputs (the systems, and nixpkgs with CUDA when asked).
    fn flake_head(&self) -> String {
        let mut f = String::new();
        f.push_str("{\n");
        f.push_str("  description = \"Python dev shell (written by pip-guard nixify)\";\n\n");
        // A release branch whose binary cache builds the default python3
        // set (docs/guard.md, "Which nixpkgs nixify pins").
        f.push_str(&format!(
            "  inputs.nixpkgs.url = \"github:NixOS/nixpkgs/{NIXIFY_CHANNEL}\";\n\n"
        ));
        if self.python != "python3" {
            f.push_str(&format!(
                "  # {} is not {NIXIFY_CHANNEL}'s default python3: the binary cache builds the\n  # default set, so its packages may build from source.\n",
                one_line(&self.python)
            ));
        }
        f.push_str("  outputs = { self, nixpkgs }:\n");
        f.push_str("    let\n");
        f.push_str(
            "      systems = [ \"x86_64-linux\" \"aarch64-linux\" \"x86_64-darwin\" \"aarch64-darwin\" ];\n",
        );
        for c in &self.cuda {
            f.push_str(&format!("      # CUDA: {c}.\n"));
        }
        if !self.cuda.is_empty() {
            f.push_str(
                "      # config.cudaSupport = true builds torch and friends against cudaPackages\n",
            );
            f.push_str("      # (unfree: allowUnfree). cache.nixos.org does not build CUDA packages: expect\n");
            f.push_str("      # a long local build unless a CUDA binary cache is configured.\n");
        }
        f.push_str("      forAllSystems = f:\n");
        if self.cuda.is_empty() {
            f.push_str(
                "        nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});\n",
            );
        } else {
            f.push_str("        nixpkgs.lib.genAttrs systems (system: f (import nixpkgs {\n");
            f.push_str("          inherit system;\n");
            f.push_str("          config = { allowUnfree = true; cudaSupport = true; };\n");
            f.push_str("        }));\n");
        }
        f.push_str("    in\n");
        f.push_str("    {\n");
        f
    }

    /// The dev shell's `python = ….withPackages …;`.
    fn python_env(&self) -> String {
        let mut f = String::new();
        let py = select("pkgs", &self.python);
        if self.libs.is_empty() {
            f.push_str(&format!(
                "          python = {py}.withPackages (ps: with ps; [ ]);\n"
            ));
        } else {
            f.push_str(&format!(
                "          python = {py}.withPackages (ps: with ps; [\n"
            ));
            let list: Vec<String> = self.libs.iter().map(|a| nix_attr(a)).collect();
            for l in fill(&list, 12, 80) {
                f.push_str(&l);
                f.push('\n');
            }
            f.push_str("          ]");
            for e in &self.extras {
                f.push_str(&format!("\n            ++ {e}"));
            }
            f.push_str(");\n");
        }
        f
    }

    /// The dev shell's `packages`: the interpreter, the top-level packages,
    /// the native alternatives (commented out).
    fn shell_packages(&self) -> String {
        let mut f = String::new();
        f.push_str("            packages = [\n");
        f.push_str("              python\n");
        for t in &self.tops {
            f.push_str(&format!("              {}\n", select("pkgs", t)));
        }
        if !self.alternatives.is_empty() {
            f.push_str(
                "              # Native alternatives (no Python dependencies); uncomment to use:\n",
            );
            for t in &self.alternatives {
                f.push_str(&format!("              # {}\n", select("pkgs", t)));
            }
        }
        f.push_str("            ];\n");
        f
    }

    /// What pip must still add: the requirements (in a comment), the host
    /// libraries their wheels need, and a hook making a `.venv`.
    fn pip_part(&self) -> String {
        let mut f = String::new();
        f.push_str("            # Not in nixpkgs (or not at the version asked): `pip install`\n");
        f.push_str(
            "            # them inside this shell, into .venv, which sees the Nix packages:\n",
        );
        for p in &self.pip {
            f.push_str(&format!("            #   {p}\n"));
        }
        f.push_str(&self.library_path_lines());
        f.push_str("            shellHook = ''\n");
        f.push_str("              if [ ! -d .venv ]; then\n");
        f.push_str("                ${python}/bin/python -m venv --system-site-packages .venv\n");
        f.push_str("              fi\n");
        f.push_str("              source .venv/bin/activate\n");
        f.push_str("            '';\n");
        f
    }

    /// `LD_LIBRARY_PATH` for pip's wheels: the libraries found
    /// (`--check-wheels`), nothing when they need none, else a hint.
    fn library_path_lines(&self) -> String {
        let mut f = String::new();
        match &self.library_path {
            Some(attrs) if !attrs.is_empty() => {
                f.push_str(
                    "            # The native code of pip's wheels needs these host libraries:\n",
                );
                let list: Vec<String> = attrs.iter().map(|a| select("pkgs", a)).collect();
                f.push_str(&format!(
                    "            LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [ {} ];\n",
                    list.join(" ")
                ));
            }
            Some(_) => {}
            None => {
                f.push_str(
                    "            # If their wheels' native code needs host libraries (pip-guard\n",
                );
                f.push_str(
                    "            # nixify --check-wheels finds out), put them on the path:\n",
                );
                f.push_str(
                    "            # LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [ pkgs.stdenv.cc.cc.lib pkgs.zlib ];\n",
                );
            }
        }
        f
    }
}

/// The requirement's name (or its redacted text) for a comment.
fn title_of(e: &crate::plan::Entry) -> String {
    match (&e.req.name, e.req.specifier.is_empty()) {
        (Some(n), true) => n.to_string(),
        (Some(n), false) => format!("{n}{}", e.req.specifier),
        (None, _) => redact(&e.req.raw).into_owned(),
    }
}

/// Text safe for a one-line Nix `#` comment.
fn one_line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

/// Where a snippet goes, which decides how a test wraps it to parse it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// An expression in `with pkgs;` scope (a `nix-shell -p` argument, an
    /// item of `home.packages`).
    Expr,
    /// A binding inside a module's attribute set (`home.packages = …;`).
    Binding,
    /// A whole file (`flake.nix`).
    File,
}

/// One snippet as the tool prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    /// Where it goes.
    pub context: Context,
    /// The Nix text.
    pub text: String,
}

impl Snippet {
    /// A complete Nix file that contains the snippet in its context, for
    /// `nix-instantiate --parse`.
    pub fn as_file(&self) -> String {
        match self.context {
            Context::Expr => format!(
                "{{ pkgs ? import <nixpkgs> {{ }} }}:\nwith pkgs;\n[ ({}) ]\n",
                self.text
            ),
            Context::Binding => format!("{{ config, pkgs, lib, ... }}:\n{{\n{}\n}}\n", self.text),
            Context::File => self.text.clone(),
        }
    }
}

/// Every snippet the tool can print for a suggestion (what the tests parse).
pub fn snippets(s: &Suggestion, width: usize) -> Vec<Snippet> {
    let mut v = Vec::new();
    if let Some(b) = s.packages_binding(2, width) {
        v.push(Snippet {
            context: Context::Binding,
            text: b,
        });
    }
    for e in s.nix_shell_exprs(2, width) {
        v.push(Snippet {
            context: Context::Expr,
            text: e,
        });
    }
    v.push(Snippet {
        context: Context::File,
        text: s.flake(),
    });
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn library_path_follows_what_the_wheel_check_found() {
        let with = |lp: Option<Vec<String>>| Suggestion {
            library_path: lp,
            ..Suggestion::default()
        };
        assert_eq!(with(Some(Vec::new())).library_path_lines(), "");
        assert_eq!(
            with(Some(vec!["zlib".into(), "stdenv.cc.cc.lib".into()])).library_path_lines(),
            "            # The native code of pip's wheels needs these host libraries:\n            \
             LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [ pkgs.zlib pkgs.stdenv.cc.cc.lib ];\n"
        );
        let hint = with(None).library_path_lines();
        assert!(
            hint.starts_with("            # If their wheels' native code"),
            "{hint}"
        );
        assert!(hint.ends_with("# LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [ pkgs.stdenv.cc.cc.lib pkgs.zlib ];\n"), "{hint}");
    }

    #[test]
    fn cuda_makes_nixpkgs_with_cuda_support() {
        let plain = Suggestion {
            python: "python3".into(),
            ..Suggestion::default()
        };
        let head = plain.flake_head();
        assert!(
            head.contains("f nixpkgs.legacyPackages.${system}"),
            "{head}"
        );
        assert!(
            !head.contains("cudaSupport") && !head.contains("is not"),
            "{head}"
        );
        let cuda = Suggestion {
            python: "python312".into(),
            cuda: vec!["torch asks for CUDA 12".into()],
            ..Suggestion::default()
        };
        let head = cuda.flake_head();
        assert!(
            head.contains("      # CUDA: torch asks for CUDA 12.\n"),
            "{head}"
        );
        assert!(
            head.contains("config = { allowUnfree = true; cudaSupport = true; };"),
            "{head}"
        );
        assert!(head.contains("  # python312 is not "), "{head}");
    }

    #[test]
    fn attrs_in_scope() {
        assert_eq!(nix_attr("requests"), "requests");
        assert_eq!(nix_attr("zope-interface"), "zope-interface");
        assert_eq!(nix_attr("3to2"), "ps.\"3to2\"");
        assert_eq!(nix_attr("if"), "ps.\"if\"");
        assert_eq!(nix_attr("nixpkgs"), "ps.nixpkgs");
        assert_eq!(nix_attr("bootstrap.flit-core"), "bootstrap.flit-core");
        assert_eq!(nix_attr("a.${b}"), "ps.a.\"\\${b}\"");
        assert_eq!(in_scope("pkgs", "whisper-cpp"), "whisper-cpp");
        assert_eq!(in_scope("pkgs", "pkgs"), "pkgs.pkgs");
    }

    #[test]
    fn interpreter_follows_the_set() {
        assert_eq!(interpreter("python311Packages"), "python311");
        assert_eq!(interpreter("python312Packages"), "python312");
        assert_eq!(interpreter("weird"), "python3");
    }

    #[test]
    fn with_packages_sorted_unique() {
        assert_eq!(
            with_packages("python312", &["requests", "numpy", "requests"]),
            "python312.withPackages (ps: with ps; [ numpy requests ])"
        );
    }

    #[test]
    fn wrapping_keeps_80_columns() {
        let names: Vec<String> = (0..40).map(|i| format!("package-{i}")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let s = with_packages_wrapped("python312", &refs, 4, 80);
        for (i, l) in s.lines().enumerate() {
            // The caller places the first line at the indent; the others carry it.
            let cols = l.len() + if i == 0 { 4 } else { 0 };
            assert!(cols <= 80, "{l:?}");
        }
        assert!(s.lines().count() > 2);
        assert!(s.ends_with("])"));
    }

    #[test]
    fn shell_quoting() {
        // The one implementation (crate::shell): what a shell reads back
        // is the word.
        assert_eq!(sh_quote("whisper-cpp"), "whisper-cpp");
        for w in ["a b", "ps.\"x\"", "it's \"x\"", "$(x) `y` !z", "a\nb"] {
            assert_eq!(shlex::split(&sh_quote(w)), Some(vec![w.to_string()]), "{w}");
        }
    }

    #[test]
    fn fill_respects_width() {
        let w: Vec<String> = ["aaa", "bbb", "ccc"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(fill(&w, 2, 10), ["  aaa bbb", "  ccc"]);
    }
}
