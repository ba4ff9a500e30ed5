//! A channel listing (`packages.json.br`) fetched by `pip-guard index update`
//! and kept in the cache (see [`super::cache`] for the file format).
//!
//! Updating never damages the cache: the download is decompressed and
//! parsed as a stream, checked (size, shape, number of packages), and only
//! then written atomically under a lock. Any failure leaves the previous
//! cache byte for byte as it was.

use super::cache::{self, CacheFile, Corrupt, Entry, Header, TOPLEVEL};
use super::fsutil::{self, Lock};
use super::listing::{self, ListingError};
use super::{embedded, time, Index, IndexMeta, Source};
use crate::error::{EnvError, InputError};
use crate::redact::redact;
use color_eyre::eyre::{self, WrapErr};
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashSet;
use std::io::{self, IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::Duration;

/// The channel used when none is given.
pub const DEFAULT_CHANNEL: &str = "nixpkgs-unstable";

/// Fewer packages than this in a listing means it is not a real channel
/// listing (nixpkgs' own channel build refuses fewer than 100,000).
pub const DEFAULT_MIN_PACKAGES: usize = 50_000;

/// Default stall timeout for one network read (and for connecting).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The listing URL of a channel.
pub fn channel_url(channel: &str) -> String {
    format!("https://channels.nixos.org/{channel}/packages.json.br")
}

/// The cache file of the channel listing.
pub fn cache_path(dir: &Path) -> PathBuf {
    dir.join("channel.idx")
}

fn lock_path(dir: &Path) -> PathBuf {
    dir.join("channel.lock")
}

/// Options of `pip-guard index update`.
#[derive(Debug, Clone)]
pub struct UpdateOptions {
    /// Channel name (`nixpkgs-unstable`, `nixos-25.05`, …).
    pub channel: String,
    /// A mirror URL or a local file to read instead of the channel's URL.
    pub from: Option<String>,
    /// Stall timeout for connecting and for each read.
    pub timeout: Duration,
    /// Refuse listings with fewer packages.
    pub min_packages: usize,
    /// The index cache directory (default: [`fsutil::index_dir`]).
    pub cache_dir: Option<PathBuf>,
    /// Show a progress bar (only honoured when stderr is a terminal).
    pub progress: bool,
}

impl Default for UpdateOptions {
    fn default() -> Self {
        UpdateOptions {
            channel: DEFAULT_CHANNEL.to_string(),
            from: None,
            timeout: DEFAULT_TIMEOUT,
            min_packages: DEFAULT_MIN_PACKAGES,
            cache_dir: None,
            progress: true,
        }
    }
}

/// What an update did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A new listing was written to the cache.
    Updated {
        /// The cache file.
        path: PathBuf,
        /// Packages in the whole listing.
        packages: usize,
        /// Python packages per set, e.g. `[("python312Packages", 8900)]`.
        sets: Vec<(String, usize)>,
        /// nixpkgs revision, when known.
        revision: Option<String>,
    },
    /// The server answered 304: the cache is current and was not touched.
    NotModified {
        /// The cache file.
        path: PathBuf,
    },
}

/// Whether a channel name is safe to put in a URL path.
fn valid_channel(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 100
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
        && !name.starts_with('.')
}

/// The revision in a release URL such as
/// `…/nixpkgs-25.11pre891648.a8d610af3f1a/packages.json.br`.
pub fn revision_from_url(url: &str) -> Option<String> {
    let path = url.split(['?', '#']).next()?;
    let dir = path.rsplit('/').nth(1)?;
    let last = dir.rsplit('.').next()?;
    let hex = last.len() >= 7 && last.len() <= 40 && last.bytes().all(|b| b.is_ascii_hexdigit());
    (hex && dir.contains('.')).then(|| last.to_string())
}

/// Top-level attrs worth keeping from a listing: applications of the
/// hand-kept table and native alternatives.
fn toplevel_wanted() -> HashSet<String> {
    let mut keep: HashSet<String> = embedded::mappings()
        .apps()
        .map(|(_, attr, _)| attr.to_string())
        .collect();
    for alt in crate::alternatives::Alternatives::embedded().entries {
        keep.insert(alt.attr);
    }
    // Its version names the set `python3Packages` is (listings do not
    // recurse into that alias).
    keep.insert("python3".to_string());
    keep
}

/// Counts bytes for the progress bar and remembers whether a failure came
/// from the transport (and not from decompression).
struct Transport<R> {
    inner: R,
    read: Rc<RefCell<(u64, Option<String>)>>,
    bar: indicatif::ProgressBar,
}

impl<R: Read> Read for Transport<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.inner.read(buf) {
            Ok(n) => {
                self.read.borrow_mut().0 += n as u64;
                self.bar.inc(n as u64);
                Ok(n)
            }
            Err(e) => {
                let what = match e.get_ref() {
                    Some(inner) => error_chain(inner),
                    None => e.to_string(),
                };
                self.read.borrow_mut().1 = Some(what);
                Err(e)
            }
        }
    }
}

fn progress_bar(len: Option<u64>, enabled: bool) -> indicatif::ProgressBar {
    if !enabled || !io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = match len {
        Some(n) => indicatif::ProgressBar::new(n),
        None => indicatif::ProgressBar::new_spinner(),
    };
    let style = indicatif::ProgressStyle::with_template(
        "{spinner} {msg} {bytes}/{total_bytes} {bar:30} {bytes_per_sec} {eta}",
    )
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_message("packages.json.br");
    bar
}

/// The validators of the current cache, if it is valid and for `url`.
fn validators(current: &Option<CacheFile>, url: &str) -> (Option<String>, Option<String>) {
    match current {
        Some(c) if c.header.url == redact(url) => (
            Some(c.header.etag.clone()).filter(|s| !s.is_empty()),
            Some(c.header.last_modified.clone()).filter(|s| !s.is_empty()),
        ),
        _ => (None, None),
    }
}

struct Fetched {
    reader: Box<dyn Read>,
    final_url: String,
    etag: String,
    last_modified: String,
    len: Option<u64>,
    brotli: bool,
}

fn env_err(msg: String) -> eyre::Report {
    eyre::Report::new(EnvError(msg))
}

/// Open the listing: an HTTP(S) GET (conditional) or a local file.
fn open(
    source: &str,
    opts: &UpdateOptions,
    current: &Option<CacheFile>,
) -> eyre::Result<Option<Fetched>> {
    let shown = redact(source).into_owned();
    if source.starts_with("http://") || source.starts_with("https://") {
        let client = reqwest::blocking::Client::builder()
            .timeout(opts.timeout)
            .connect_timeout(opts.timeout)
            .user_agent(concat!("pip-guard/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| env_err(format!("cannot set up HTTP: {e}")))?;
        let mut req = client.get(source);
        let (etag, last_modified) = validators(current, source);
        if let Some(e) = etag {
            req = req.header(reqwest::header::IF_NONE_MATCH, e);
        }
        if let Some(l) = last_modified {
            req = req.header(reqwest::header::IF_MODIFIED_SINCE, l);
        }
        let resp = req.send().map_err(|e| {
            let what = if e.is_timeout() {
                format!("timed out after {} s", opts.timeout.as_secs_f32())
            } else {
                error_chain(&e)
            };
            env_err(format!("cannot fetch {shown}: {what}"))
        })?;
        let status = resp.status();
        if status == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(None);
        }
        if !status.is_success() {
            return Err(env_err(format!("cannot fetch {shown}: HTTP {status}")));
        }
        let header = |name: reqwest::header::HeaderName| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string()
        };
        let etag = header(reqwest::header::ETAG);
        let last_modified = header(reqwest::header::LAST_MODIFIED);
        let final_url = resp.url().to_string();
        let len = resp.content_length();
        let brotli = !final_url.split('?').next().unwrap_or("").ends_with(".json");
        Ok(Some(Fetched {
            reader: Box::new(resp),
            final_url,
            etag,
            last_modified,
            len,
            brotli,
        }))
    } else {
        let path = source.strip_prefix("file://").unwrap_or(source);
        let file = std::fs::File::open(path).map_err(|e| {
            eyre::Report::new(InputError::new(format!(
                "--from {shown}: cannot open the listing: {e}"
            )))
        })?;
        let meta = file.metadata().ok();
        let mtime = meta
            .as_ref()
            .and_then(|m| m.modified().ok())
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_secs() as i64);
        Ok(Some(Fetched {
            reader: Box::new(file),
            final_url: String::new(),
            etag: String::new(),
            last_modified: mtime.map(time::rfc3339).unwrap_or_default(),
            len: meta.map(|m| m.len()),
            brotli: !path.ends_with(".json"),
        }))
    }
}

/// An error and its causes on one line.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let m = c.to_string();
        if !s.contains(&m) {
            s.push_str(": ");
            s.push_str(&m);
        }
        cur = c.source();
    }
    s
}

/// Read the current cache, reporting (once, on stderr) a corrupt one.
fn read_current(path: &Path) -> Option<CacheFile> {
    match CacheFile::read(path).and_then(|c| c.map(|c| c.verify().map(|()| c)).transpose()) {
        Ok(c) => c,
        Err(Corrupt(why)) => {
            crate::output::eprintln(&format!(
                "pip-guard: ignoring the corrupt channel cache {}: {why}",
                path.display()
            ));
            None
        }
    }
}

/// `pip-guard index update`: fetch, check and cache a channel listing.
pub fn update(opts: &UpdateOptions) -> eyre::Result<Outcome> {
    if !valid_channel(&opts.channel) {
        return Err(eyre::Report::new(InputError::new(format!(
            "--channel {:?}: a channel name has only letters, digits, '.', '-' and '_' (e.g. nixpkgs-unstable, nixos-25.05)",
            opts.channel
        ))));
    }
    let dir = match &opts.cache_dir {
        Some(d) => d.clone(),
        None => fsutil::index_dir()
            .ok_or_else(|| env_err("no cache directory: set XDG_CACHE_HOME or HOME".to_string()))?,
    };
    let path = cache_path(&dir);
    let _lock = Lock::acquire(&lock_path(&dir)).map_err(|e| {
        env_err(format!(
            "cannot lock the index cache in {}: {e}",
            dir.display()
        ))
    })?;
    let current = read_current(&path);
    let source = opts
        .from
        .clone()
        .unwrap_or_else(|| channel_url(&opts.channel));
    let shown = redact(&source).into_owned();
    let Some(fetched) = open(&source, opts, &current)? else {
        return Ok(Outcome::NotModified { path });
    };

    let state = Rc::new(RefCell::new((0u64, None::<String>)));
    let bar = progress_bar(fetched.len, opts.progress);
    let transport = Transport {
        inner: fetched.reader,
        read: state.clone(),
        bar: bar.clone(),
    };
    let keep = toplevel_wanted();
    let parsed = if fetched.brotli {
        listing::parse(brotli::Decompressor::new(transport, 64 * 1024), &keep)
    } else {
        listing::parse(transport, &keep)
    };
    bar.finish_and_clear();
    let (bytes_read, transport_error) = state.borrow().clone();
    let listing = parsed.map_err(|e| {
        let what = match (&e, transport_error) {
            (_, Some(net)) => {
                let net = if net.to_lowercase().contains("timed out") {
                    format!(
                        "timed out after {} s without data",
                        opts.timeout.as_secs_f32()
                    )
                } else {
                    net
                };
                format!("the download failed after {bytes_read} bytes: {net}")
            }
            (ListingError::Io(io), None) if fetched.brotli => {
                format!("corrupt brotli data after {bytes_read} bytes: {io}")
            }
            (ListingError::Truncated(m), None) => {
                format!("the listing is truncated ({bytes_read} bytes read): {m}")
            }
            (e, None) => e.to_string(),
        };
        env_err(format!("cannot update from {shown}: {what}"))
    })?;
    if listing.total < opts.min_packages {
        return Err(env_err(format!(
            "cannot update from {shown}: the listing has {} packages, fewer than the {} a channel has at least: refusing it",
            listing.total, opts.min_packages
        )));
    }
    if listing.sets.is_empty() {
        return Err(env_err(format!(
            "cannot update from {shown}: the listing has no python3XXPackages set"
        )));
    }
    let now = time::now_unix();
    let revision = listing
        .revision
        .clone()
        .or_else(|| revision_from_url(&fetched.final_url))
        .or_else(|| revision_from_url(&source));
    let date = time::parse_http_date(&fetched.last_modified)
        .or_else(|| time::parse_date(&fetched.last_modified))
        .map(time::rfc3339)
        .unwrap_or_default();
    let header = Header {
        channel: opts.channel.clone(),
        url: source.clone(),
        final_url: if fetched.final_url == source {
            String::new()
        } else {
            fetched.final_url.clone()
        },
        fetched: now,
        revision: revision.clone().unwrap_or_default(),
        date,
        etag: fetched.etag,
        last_modified: fetched.last_modified,
        packages: listing.total,
    };
    let mut sections: Vec<(String, Vec<Entry>)> = listing.sets.into_iter().collect();
    let sets = sections.iter().map(|(n, v)| (n.clone(), v.len())).collect();
    sections.push((TOPLEVEL.to_string(), listing.toplevel));
    let bytes = cache::encode(&header, &mut sections);
    fsutil::atomic_write(&path, &bytes)
        .wrap_err_with(|| format!("cannot write the index cache {}", path.display()))
        .map_err(|e| env_err(format!("{e:#}")))?;
    Ok(Outcome::Updated {
        path,
        packages: listing.total,
        sets,
        revision,
    })
}

/// Facts about a cache for `pip-guard index status`.
#[derive(Debug, Clone)]
pub struct CacheStatus {
    /// The cache file.
    pub path: PathBuf,
    /// Its header.
    pub header: Header,
    /// Python sets and their sizes.
    pub sets: Vec<(String, usize)>,
}

/// Read and fully verify the cache in `dir` (`Ok(None)`: no cache).
pub fn status(dir: &Path) -> Result<Option<CacheStatus>, Corrupt> {
    let path = cache_path(dir);
    let Some(c) = CacheFile::read(&path)? else {
        return Ok(None);
    };
    c.verify()?;
    let sets = c.package_sets().map(|s| (s.name.clone(), s.rows)).collect();
    Ok(Some(CacheStatus {
        path,
        header: c.header,
        sets,
    }))
}

/// The cached channel index for `package_set`. `Ok(None)` when there is no
/// cache or it lacks that set; `Err` when the cache is corrupt.
pub fn load(dir: &Path, package_set: &str) -> Result<Option<Index>, Corrupt> {
    let Some(c) = CacheFile::read(&cache_path(dir))? else {
        return Ok(None);
    };
    // Every section, not only the one used: a damaged file is never used.
    c.verify()?;
    let toplevel_rows = c.rows(TOPLEVEL)?.unwrap_or_default();
    // `python3Packages` is the versioned set of the listing's `python3`.
    let default_set = toplevel_rows
        .iter()
        .find(|(a, _, _)| *a == "python3")
        .and_then(|(_, _, v)| {
            let mut it = v.split('.');
            Some(format!("python{}{}Packages", it.next()?, it.next()?))
        });
    let section = if package_set == "python3Packages" {
        match &default_set {
            Some(s) => s.clone(),
            None => return Ok(None),
        }
    } else {
        package_set.to_string()
    };
    if c.section(&section).is_none() {
        return Ok(None);
    }
    let toplevel = toplevel_rows
        .into_iter()
        .map(|(a, _, _)| Cow::Owned(a.to_string()))
        .collect();
    let h = c.header.clone();
    let Some((text, rows)) = c.into_text_rows(&section)? else {
        return Ok(None);
    };
    let date = if h.date.is_empty() {
        time::date(h.fetched)
    } else {
        h.date.chars().take(10).collect()
    };
    let meta = IndexMeta {
        source: Source::Channel,
        nixpkgs: if h.revision.is_empty() {
            h.channel.clone()
        } else {
            format!("{}@{}", h.channel, h.revision)
        },
        date,
        packages: rows.len(),
        nixpkgs_from: None,
        default_set,
        stale: None,
    };
    let mut index = Index::from_text(
        Some(meta),
        package_set.to_string(),
        text,
        rows,
        embedded::mappings(),
    );
    index.set_toplevel(toplevel);
    Ok(Some(index))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revisions_from_release_urls() {
        assert_eq!(
            revision_from_url("https://releases.nixos.org/nixpkgs/nixpkgs-25.11pre891648.a8d610af3f1a/packages.json.br"),
            Some("a8d610af3f1a".into())
        );
        assert_eq!(
            revision_from_url("https://channels.nixos.org/nixpkgs-unstable/packages.json.br"),
            None
        );
    }

    #[test]
    fn cached_rows_are_read_in_place() {
        let dir = tempfile::tempdir().expect("test setup");
        let e = |a: &str, p: Option<&str>, v: Option<&str>| Entry {
            attr: a.into(),
            pname: p.map(Into::into),
            version: v.map(Into::into),
        };
        let header = Header {
            channel: "c".into(),
            fetched: 86_400,
            ..Header::default()
        };
        let bytes = cache::encode(
            &header,
            &mut [
                (
                    "python312Packages".into(),
                    vec![
                        e("requests", Some("requests"), Some("2.32.3")),
                        e("opencv4", Some("opencv"), Some("4.11.0")),
                        e("plasTeX", None, None),
                    ],
                ),
                (TOPLEVEL.into(), vec![e("black", None, Some("25.1"))]),
            ],
        );
        std::fs::write(cache_path(dir.path()), bytes).expect("test setup");
        let ix = load(dir.path(), "python312Packages")
            .expect("test setup")
            .expect("test setup");
        assert_eq!(ix.len(), 3);
        assert_eq!(ix.meta.as_ref().expect("test setup").date, "1970-01-02");
        let got = |n: &str| match ix.lookup(n) {
            super::super::Lookup::Found {
                package,
                matched_by,
                ..
            } => Some((package.attr, package.pname, package.version, matched_by)),
            _ => None,
        };
        use super::super::MatchedBy::*;
        assert_eq!(
            got("requests"),
            Some((
                "requests".into(),
                Some("requests".into()),
                Some("2.32.3".into()),
                Attr
            ))
        );
        assert_eq!(
            got("opencv"),
            Some((
                "opencv4".into(),
                Some("opencv".into()),
                Some("4.11.0".into()),
                Pname
            ))
        );
        assert_eq!(
            got("plastex").map(|g| (g.0, g.2)),
            Some(("plasTeX".into(), None))
        );
        assert_eq!(
            load(dir.path(), "python313Packages")
                .expect("test setup")
                .map(|i| i.len()),
            None
        );
    }

    #[test]
    fn channel_names() {
        assert!(valid_channel("nixos-25.05"));
        assert!(!valid_channel("../etc"));
        assert!(!valid_channel("a/b"));
        assert!(!valid_channel(""));
    }
}
