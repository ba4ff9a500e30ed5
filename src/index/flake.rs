//! Finding the user's nixpkgs on flake systems, offline: the nearest
//! `flake.lock` above the working directory with a locked `nixpkgs` input,
//! and the flake registries (`~/.config/nix/registry.json`,
//! `$NIX_CONF_DIR/registry.json`, default `/etc/nix/registry.json`) for
//! `flake:nixpkgs`. A locked input is used only when its store path (computed
//! from its `narHash` exactly as Nix computes it) is already in the store:
//! nothing is fetched.

use super::environment::Environment;
use base64::Engine as _;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The Nix store directory: `NIX_STORE_DIR`, else `/nix/store` (as Nix).
pub fn store_dir(env: &Environment) -> PathBuf {
    env.store_dir()
}

/// Nix's base-32 alphabet (no e, o, u, t).
const BASE32: &[u8; 32] = b"0123456789abcdfghijklmnpqrsvwxyz";

/// Nix's base-32 encoding (least significant 5-bit group last).
fn nix_base32(bytes: &[u8]) -> String {
    let len = (bytes.len() * 8).div_ceil(5);
    let mut s = String::with_capacity(len);
    for n in (0..len).rev() {
        let b = n * 5;
        let (i, j) = (b / 8, b % 8);
        let hi = if i + 1 < bytes.len() {
            (bytes[i + 1] as u16) << (8 - j)
        } else {
            0
        };
        let c = ((bytes[i] as u16 >> j) | hi) & 0x1f;
        s.push(BASE32[c as usize] as char);
    }
    s
}

/// Decode Nix's base-32 (the inverse of [`nix_base32`]).
fn nix_base32_decode(s: &str, out_len: usize) -> Option<Vec<u8>> {
    let mut out = vec![0u8; out_len];
    for (k, ch) in s.bytes().rev().enumerate() {
        let digit = BASE32.iter().position(|&c| c == ch)? as u16;
        let b = k * 5;
        let (i, j) = (b / 8, b % 8);
        out[i] |= (digit << j) as u8;
        let carry = (digit << j) >> 8;
        if i + 1 < out_len {
            out[i + 1] |= carry as u8;
        } else if carry != 0 {
            return None;
        }
    }
    Some(out)
}

/// The 32 bytes of a sha256 `narHash` in any of Nix's spellings: SRI
/// (`sha256-<base64>`), or `sha256:` followed by base16, base32 or base64.
pub fn parse_sha256(hash: &str) -> Option<[u8; 32]> {
    let bytes = if let Some(b64) = hash.strip_prefix("sha256-") {
        base64::engine::general_purpose::STANDARD.decode(b64).ok()?
    } else {
        let h = hash.strip_prefix("sha256:")?;
        match h.len() {
            64 => (0..32)
                .map(|i| u8::from_str_radix(h.get(2 * i..2 * i + 2)?, 16).ok())
                .collect::<Option<Vec<u8>>>()?,
            52 => nix_base32_decode(h, 32)?,
            _ => base64::engine::general_purpose::STANDARD.decode(h).ok()?,
        }
    };
    bytes.try_into().ok()
}

/// The store path Nix gives a source tree fetched by a flake input (name
/// `source`, added recursively with sha256 — `makeFixedOutputPath` takes
/// the `source` type for that case): `<store>/<h>-source` where `h` is
/// the sha256 of `source:sha256:<hex nar hash>:<store>:source`, folded to
/// 20 bytes and written in Nix's base 32.
pub fn source_store_path(store: &Path, nar_sha256: &[u8; 32]) -> PathBuf {
    let hex: String = nar_sha256.iter().map(|b| format!("{b:02x}")).collect();
    let fingerprint = format!("source:sha256:{hex}:{}:source", store.display());
    let digest = Sha256::digest(fingerprint.as_bytes());
    let mut folded = [0u8; 20];
    for (i, b) in digest.iter().enumerate() {
        folded[i % 20] ^= b;
    }
    store.join(format!("{}-source", nix_base32(&folded)))
}

/// The store path of a locked input (`path` with a store path, or any type
/// with a `narHash`), if it is in the store.
fn locked_path(locked: &Value, store: &Path) -> Option<PathBuf> {
    if locked.get("type").and_then(Value::as_str) == Some("path") {
        if let Some(p) = locked.get("path").and_then(Value::as_str) {
            let p = PathBuf::from(p);
            if p.is_absolute() && p.is_dir() {
                return Some(p);
            }
        }
    }
    let nar = parse_sha256(locked.get("narHash")?.as_str()?)?;
    let p = source_store_path(store, &nar);
    p.is_dir().then_some(p)
}

/// Why a flake.lock or registry could not give a nixpkgs (for messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// The nixpkgs path.
    Path(PathBuf),
    /// The file names a nixpkgs that is not in the store (what to run).
    NotInStore(String),
    /// Nothing there.
    None,
}

/// The nearest `flake.lock` in `start` or above it.
pub fn nearest_lock(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|d| d.join("flake.lock"))
        .find(|p| p.is_file())
}

/// The nixpkgs locked by the `flake.lock` at `lock`: the root's `nixpkgs`
/// input (a node name, or a `follows` path of input names).
pub fn from_lock(lock: &Path, store: &Path) -> Found {
    let Ok(text) = std::fs::read_to_string(lock) else {
        return Found::None;
    };
    let Ok(v) = serde_json::from_str::<Value>(&text) else {
        return Found::None;
    };
    let nodes = &v["nodes"];
    let root = v["root"].as_str().unwrap_or("root");
    // The input is a node name, or a `follows` path of input names from
    // the root.
    let node = match &nodes[root]["inputs"]["nixpkgs"] {
        Value::String(n) => n.clone(),
        Value::Array(path) => {
            let mut cur = root.to_string();
            for step in path {
                let Some(s) = step.as_str() else {
                    return Found::None;
                };
                match &nodes[&cur]["inputs"][s] {
                    Value::String(n) => cur = n.clone(),
                    _ => return Found::None,
                }
            }
            cur
        }
        _ => return Found::None,
    };
    if node == root {
        return Found::None;
    }
    let locked = &nodes[&node]["locked"];
    if locked.is_null() {
        return Found::None;
    }
    match locked_path(locked, store) {
        Some(p) => Found::Path(p),
        None => Found::NotInStore(format!(
            "{} locks nixpkgs, but its source is not in {}: run `nix flake archive` (or any nix build) in {} to fetch it",
            lock.display(),
            store.display(),
            lock.parent().unwrap_or(Path::new(".")).display()
        )),
    }
}

/// The registry files, most specific first: the user's, then the system's.
pub fn registry_files(env: &Environment) -> Vec<PathBuf> {
    let mut v = Vec::new();
    if let Some(c) = env.config_home() {
        v.push(c.join("nix/registry.json"));
    }
    v.push(env.nix_conf_dir().join("registry.json"));
    v
}

/// `flake:<id>` resolved through one registry file: an entry whose `from`
/// is `{type = "indirect"; id = <id>}` and whose `to` is a `path` or a
/// locked reference in the store.
pub fn from_registry(file: &Path, id: &str, store: &Path) -> Found {
    let Ok(text) = std::fs::read_to_string(file) else {
        return Found::None;
    };
    let Ok(v) = serde_json::from_str::<Value>(&text) else {
        return Found::None;
    };
    let Some(flakes) = v["flakes"].as_array() else {
        return Found::None;
    };
    for f in flakes {
        let from = &f["from"];
        if from["type"].as_str() != Some("indirect") || from["id"].as_str() != Some(id) {
            continue;
        }
        let to = &f["to"];
        return match locked_path(to, store) {
            Some(p) => Found::Path(p),
            None => Found::NotInStore(format!(
                "{} maps flake:{id} to a nixpkgs that is not in {} (not fetched: pip-guard works offline)",
                file.display(),
                store.display()
            )),
        };
    }
    Found::None
}

/// `flake:<id>` through the registries, first answer wins.
pub fn resolve_registry(id: &str, store: &Path, env: &Environment) -> Found {
    let mut last = Found::None;
    for f in registry_files(env) {
        match from_registry(&f, id, store) {
            Found::Path(p) => return Found::Path(p),
            Found::NotInStore(m) => last = Found::NotInStore(m),
            Found::None => {}
        }
    }
    last
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base32_round_trips() {
        let bytes: Vec<u8> = (0u8..32).map(|i| i.wrapping_mul(37)).collect();
        let s = nix_base32(&bytes);
        assert_eq!(s.len(), 52);
        assert_eq!(nix_base32_decode(&s, 32), Some(bytes));
    }

    #[test]
    fn hash_spellings_agree() {
        let hex = "878832cd22b5e038e117b701378558f8a9b6cad7381a0e6d57a9e865d34f85a6";
        let a = parse_sha256(&format!("sha256:{hex}")).expect("hex");
        let sri = format!(
            "sha256-{}",
            base64::engine::general_purpose::STANDARD.encode(a)
        );
        assert_eq!(parse_sha256(&sri), Some(a));
        assert_eq!(parse_sha256(&format!("sha256:{}", nix_base32(&a))), Some(a));
        assert_eq!(parse_sha256("md5-AAAA"), None);
    }
}
