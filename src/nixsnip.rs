//! Nix snippets the tool prints. Every one must parse with
//! `nix-instantiate --parse` (tested).

/// `python312.withPackages (ps: with ps; [ a b ])`.
pub fn with_packages(python: &str, attrs: &[&str]) -> String {
    let mut list: Vec<String> = attrs.iter().map(|a| nix_attr(a)).collect();
    list.sort();
    list.dedup();
    format!(
        "{python}.withPackages (ps: with ps; [ {} ])",
        list.join(" ")
    )
}

/// An attr name as Nix source: quoted when it is not a plain identifier.
pub fn nix_attr(a: &str) -> String {
    let plain = a
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && a.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '\''));
    let keyword = matches!(
        a,
        "if" | "then" | "else" | "assert" | "with" | "let" | "in" | "rec" | "inherit" | "or"
    );
    if plain && !keyword {
        a.to_string()
    } else {
        format!(
            "ps.\"{}\"",
            a.replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace("${", "\\${")
        )
    }
}
