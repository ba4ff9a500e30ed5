//! CUDA requests: a `+cuNNN` local version (`torch==2.7.0+cu128`), a
//! PyTorch CUDA index (`--index-url https://download.pytorch.org/whl/cu128`)
//! and NVIDIA's `nvidia-*-cuNN` runtime wheels. Pure: what nixpkgs offers
//! instead, from `data/cuda-wheels.tsv` (built from the upstream
//! `cuda-python.tsv` by `scripts/build-data.py`).

use serde::Serialize;

/// `nvidia wheel stem<TAB>cudaPackages attr`, byte-sorted.
const WHEELS: &str = include_str!("../data/cuda-wheels.tsv");

/// Said on every CUDA note: what a CUDA build costs in nixpkgs.
pub const CACHE_CAVEAT: &str = "CUDA packages are unfree (nixpkgs config allowUnfree = true) and \
     cache.nixos.org does not build them: expect a long local build unless a CUDA binary cache is configured";

/// A CUDA build asked for, and the nixpkgs way to get one (schema field
/// `cuda` of a requirement).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CudaNote {
    /// What asked for CUDA: `+cu128`, `index https://…/whl/cu128` or the wheel name.
    pub asked_by: String,
    /// The nixpkgs way, e.g. `python3Packages.torchWithCuda`,
    /// `cudaPackages.cudnn`; `None` when nixpkgs has none.
    pub nixpkgs: Option<String>,
    /// What to know: config, the binary-cache caveat.
    pub note: String,
}

/// The CUDA tag (`cu128`) of a local version label in `specifier`.
pub fn local_tag(specifier: &str) -> Option<String> {
    specifier.split(',').find_map(|clause| {
        let (_, local) = clause.split_once('+')?;
        let local = local.trim().to_ascii_lowercase();
        let tag = local.split(['.', '_', '-']).next()?;
        is_cuda_tag(tag).then(|| tag.to_string())
    })
}

fn is_cuda_tag(tag: &str) -> bool {
    tag.strip_prefix("cu")
        .is_some_and(|d| !d.is_empty() && d.len() <= 4 && d.bytes().all(|b| b.is_ascii_digit()))
}

/// The CUDA tag of a PyTorch-style wheel index (`…/whl/cu128`,
/// `…/whl/nightly/cu128`).
pub fn index_tag(url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let mut segs: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    let last = segs.pop()?.to_ascii_lowercase();
    let under_whl = segs.contains(&"whl");
    (under_whl && is_cuda_tag(&last)).then_some(last)
}

/// The `cudaPackages` attr an `nvidia-*-cuNN` wheel maps to, with the CUDA
/// major version: `nvidia-cudnn-cu12` → (`cudnn`, 12).
pub fn nvidia_wheel(normalized: &str) -> Option<(Option<&'static str>, u32)> {
    let (stem, major) = normalized.rsplit_once("-cu")?;
    let major: u32 = major.parse().ok()?;
    if !stem.starts_with("nvidia-") {
        return None;
    }
    let attr = WHEELS
        .lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|l| {
            l.split_once('\t')
                .filter(|(k, _)| *k == stem)
                .map(|(_, v)| v)
        });
    Some((attr, major))
}

/// The note for an `nvidia-*-cuNN` wheel.
pub fn wheel_note(normalized: &str) -> Option<CudaNote> {
    let (attr, major) = nvidia_wheel(normalized)?;
    let (nixpkgs, note) = match (attr, major) {
        (_, 11) => (
            None,
            "CUDA 11 wheel: nixpkgs 25.11 and later have no cudaPackages_11 (dropped in 2025; \
             the nix-community/cuda-legacy overlay keeps it): use the cu12 equivalent"
                .to_string(),
        ),
        (Some(a), m) => (
            Some(format!("cudaPackages.{a}")),
            format!(
                "an NVIDIA CUDA {m} runtime wheel: nixpkgs has the library in its CUDA package set \
                 (cudaPackages_{m}.{a} is the exact CUDA {m} match); packages built with \
                 config.cudaSupport = true link it themselves. {CACHE_CAVEAT}"
            ),
        ),
        (None, m) => (
            None,
            format!(
                "an NVIDIA CUDA {m} wheel with no known cudaPackages counterpart: \
                 build with config.cudaSupport = true. {CACHE_CAVEAT}"
            ),
        ),
    };
    Some(CudaNote {
        asked_by: normalized.to_string(),
        nixpkgs,
        note,
    })
}

/// The CUDA variants of an attr worth asking a source about.
pub fn variants(attr: &str) -> &'static [&'static str] {
    match attr {
        "torch" => &["torchWithCuda"],
        "tensorflow" | "tensorflow-gpu" => &["tensorflowWithCuda"],
        _ => &[],
    }
}

/// The nixpkgs way to a CUDA build of `normalized` in `package_set`
/// (`has` says whether the set has an attr): the attr to use and how.
pub fn build_advice(
    normalized: &str,
    package_set: &str,
    has: &dyn Fn(&str) -> bool,
) -> (Option<String>, String) {
    let with = |attr: &str| has(attr).then(|| format!("{package_set}.{attr}"));
    match normalized {
        "torch" => (
            with("torchWithCuda"),
            format!(
                "use {package_set}.torchWithCuda, or nixpkgs config.cudaSupport = true \
                 (pkgsCuda) for every package; {package_set}.torch-bin repackages PyTorch's own CUDA wheel"
            ),
        ),
        "torchvision" | "torchaudio" => (
            with(normalized),
            format!(
                "with nixpkgs config.cudaSupport = true {package_set}.{normalized} matches torchWithCuda; \
                 the -bin variant goes with torch-bin"
            ),
        ),
        "tensorflow" | "tensorflow-gpu" => (
            with("tensorflowWithCuda"),
            format!("use {package_set}.tensorflowWithCuda, or nixpkgs config.cudaSupport = true"),
        ),
        _ => (
            None,
            "set nixpkgs config.cudaSupport = true (import nixpkgs { config = { cudaSupport = true; allowUnfree = true; }; }, or pkgsCuda)".to_string(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_from_versions_and_indexes() {
        assert_eq!(local_tag("==2.7.0+cu128").as_deref(), Some("cu128"));
        assert_eq!(local_tag(">=2,==2.7.0+CU121").as_deref(), Some("cu121"));
        assert_eq!(local_tag("==2.7.0+cpu"), None);
        assert_eq!(local_tag("==2.7.0"), None);
        assert_eq!(
            index_tag("https://download.pytorch.org/whl/cu128").as_deref(),
            Some("cu128")
        );
        assert_eq!(
            index_tag("https://download.pytorch.org/whl/nightly/cu126/").as_deref(),
            Some("cu126")
        );
        assert_eq!(index_tag("https://download.pytorch.org/whl/cpu"), None);
        assert_eq!(index_tag("https://pypi.org/simple/cu128"), None);
    }

    #[test]
    fn nvidia_wheels_map_to_cuda_packages() {
        assert_eq!(nvidia_wheel("nvidia-cudnn-cu12"), Some((Some("cudnn"), 12)));
        assert_eq!(
            nvidia_wheel("nvidia-cuda-runtime-cu12"),
            Some((Some("cuda_cudart"), 12))
        );
        assert_eq!(
            nvidia_wheel("nvidia-cublas-cu11"),
            Some((Some("libcublas"), 11))
        );
        assert_eq!(nvidia_wheel("cupy-cuda12x"), None);
        let n = wheel_note("nvidia-cublas-cu11").expect("a note");
        assert_eq!(n.nixpkgs, None);
        let n = wheel_note("nvidia-nccl-cu12").expect("a note");
        assert_eq!(n.nixpkgs.as_deref(), Some("cudaPackages.nccl"));
    }
}
