//! The host libraries a manylinux wheel may assume, and which nixpkgs
//! attribute provides each: `data/upstream/manylinux-libraries.tsv` (a copy
//! of the shared facts, from auditwheel's policy and nixpkgs' own manylinux
//! mapping), parsed from the embedded text on first use.

use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The embedded table (first line: provenance comment; second: header).
pub const TSV: &str = include_str!("../../data/upstream/manylinux-libraries.tsv");

/// The NVIDIA driver's library: not a package, the driver provides it.
pub const CUDA_DRIVER: &str = "libcuda.so.1";

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostLib {
    /// `libz.so.1`.
    pub soname: &'static str,
    /// The nixpkgs attribute (`zlib`, `stdenv.cc.cc.lib`, `glibc`, …).
    pub attr: &'static str,
    /// In NixOS' default `programs.nix-ld.libraries`.
    pub nix_ld_default: bool,
}

impl HostLib {
    /// Part of glibc: the interpreter's own loader always provides it.
    pub fn is_glibc(&self) -> bool {
        self.attr == "glibc"
    }
}

/// A line of the table that does not fit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {fault}")]
pub struct TableError {
    /// The line, from 1.
    pub line: usize,
    /// What is wrong with it.
    pub fault: TableFault,
}

/// What is wrong with a line of the table.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableFault {
    /// The first line is not the expected header.
    #[error("unexpected header {0:?}")]
    Header(String),
    /// A row with fewer than 4 columns.
    #[error("fewer than 4 columns")]
    FewerColumns,
    /// `nix_ld_default` is neither `yes` nor `no`.
    #[error("nix_ld_default {0:?}")]
    NixLdDefault(String),
    /// An empty soname or attr.
    #[error("empty soname or attr")]
    Empty,
}

/// Parse the table's text; `Err` names the line that does not fit.
pub fn parse(text: &'static str) -> Result<Vec<HostLib>, TableError> {
    let mut out = Vec::new();
    let mut header_seen = false;
    for (i, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&'static str> = line.split('\t').collect();
        if !header_seen {
            if cols.get(..4) != Some(&["soname", "policies", "nixpkgs_attr", "nix_ld_default"][..])
            {
                return Err(TableError {
                    line: i + 1,
                    fault: TableFault::Header(line.to_string()),
                });
            }
            header_seen = true;
            continue;
        }
        let (Some(soname), Some(attr), Some(nld)) = (cols.first(), cols.get(2), cols.get(3)) else {
            return Err(TableError {
                line: i + 1,
                fault: TableFault::FewerColumns,
            });
        };
        let nix_ld_default = match *nld {
            "yes" => true,
            "no" => false,
            other => {
                return Err(TableError {
                    line: i + 1,
                    fault: TableFault::NixLdDefault(other.to_string()),
                })
            }
        };
        if soname.is_empty() || attr.is_empty() {
            return Err(TableError {
                line: i + 1,
                fault: TableFault::Empty,
            });
        }
        out.push(HostLib {
            soname,
            attr,
            nix_ld_default,
        });
    }
    Ok(out)
}

/// The embedded table, by soname.
pub fn table() -> &'static BTreeMap<&'static str, HostLib> {
    static T: OnceLock<BTreeMap<&'static str, HostLib>> = OnceLock::new();
    T.get_or_init(|| {
        // The embedded file is checked by the `embedded_table_parses` test;
        // a parse failure here is a build defect, not input: fall back to
        // an empty table rather than panic.
        parse(TSV)
            .unwrap_or_default()
            .into_iter()
            .map(|l| (l.soname, l))
            .collect()
    })
}

/// The row for `soname`, if the table has one.
pub fn lookup(soname: &str) -> Option<&'static HostLib> {
    table().get(soname)
}

/// Whether the interpreter's loader always has `soname` (glibc's own
/// libraries and the dynamic loaders).
pub fn always_provided(soname: &str) -> bool {
    lookup(soname).is_some_and(HostLib::is_glibc)
}

/// The common manylinux libraries that are not glibc's (what `doctor` checks).
pub fn common_non_glibc() -> Vec<&'static HostLib> {
    table()
        .values()
        .filter(|l| !l.is_glibc() && l.soname.starts_with("lib"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_table_parses() {
        let rows = parse(TSV).expect("the embedded table parses");
        let data_lines = TSV
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .count();
        assert_eq!(rows.len(), data_lines - 1, "every data line is a row");
        assert_eq!(rows.len(), 35);
        assert_eq!(table().len(), 35, "sonames are unique");
        assert!(TSV.starts_with("# source:"), "provenance line first");
    }

    #[test]
    fn mapping_facts() {
        assert_eq!(lookup("libz.so.1").map(|l| l.attr), Some("zlib"));
        assert_eq!(
            lookup("libstdc++.so.6").map(|l| l.attr),
            Some("stdenv.cc.cc.lib")
        );
        assert_eq!(lookup("libGL.so.1").map(|l| l.attr), Some("libGL"));
        assert!(always_provided("libm.so.6"));
        assert!(always_provided("ld-linux-x86-64.so.2"));
        assert!(!always_provided("libz.so.1"));
        assert!(!always_provided("libfoo.so.1"));
        let nld: Vec<&str> = table()
            .values()
            .filter(|l| l.nix_ld_default)
            .map(|l| l.soname)
            .collect();
        assert_eq!(
            nld,
            [
                "libatomic.so.1",
                "libgcc_s.so.1",
                "libstdc++.so.6",
                "libz.so.1"
            ]
        );
    }

    #[test]
    fn bad_rows_are_named() {
        let e =
            parse("soname\tpolicies\tnixpkgs_attr\tnix_ld_default\nlibz.so.1\tx\tzlib\tmaybe\n")
                .unwrap_err();
        assert_eq!(
            e,
            TableError {
                line: 2,
                fault: TableFault::NixLdDefault("maybe".into()),
            }
        );
        assert_eq!(e.to_string(), "line 2: nix_ld_default \"maybe\"");
        assert!(parse("nope\n").unwrap_err().to_string().contains("header"));
    }
}
