//! A channel listing (`packages.json.br`) fetched by `pip-guard index update`
//! and kept in the cache (see [`super::cache`] for the file format).
//!
//! Updating never damages the cache: the download is decompressed and
//! parsed as a stream, checked (size, shape, number of packages), and only
//! then written atomically under a lock. Any failure leaves the previous
//! cache byte for byte as it was.

use super::cache::{self, CacheFile, Corrupt, Entry, Header, TOPLEVEL};
use super::environment::Environment;
use super::fsutil::{self, Lock};
use super::listing::{self, ListingError};
use super::{embedded, time, Index, IndexMeta, Source, MIN_PYTHON_ATTRS};
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

/// Default total deadline of an update (connect, headers and the whole body).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// Longest wait for one network read or for connecting (never more than
/// the total deadline).
pub const STALL_TIMEOUT: Duration = Duration::from_secs(30);

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
    /// Total deadline: the update fails when the download has not finished
    /// this long after it started (each read also stalls out after
    /// [`STALL_TIMEOUT`] or this, whichever is shorter).
    pub timeout: Duration,
    /// Longest wait for connecting or for one read (`None`: the shorter of
    /// [`STALL_TIMEOUT`] and `timeout`).
    pub stall: Option<Duration>,
    /// Bound on the decompressed listing (`None`:
    /// [`listing::MAX_LISTING_BYTES`], 512 MiB).
    pub max_bytes: Option<u64>,
    /// Refuse listings with fewer packages.
    pub min_packages: usize,
    /// The index cache directory (default: [`fsutil::index_dir`]).
    pub cache_dir: Option<PathBuf>,
    /// Show a progress bar (only honoured when stderr is a terminal).
    pub progress: bool,
    /// The environment, for the default cache directory.
    pub env: Environment,
}

impl Default for UpdateOptions {
    fn default() -> Self {
        UpdateOptions {
            channel: DEFAULT_CHANNEL.to_string(),
            from: None,
            timeout: DEFAULT_TIMEOUT,
            stall: None,
            max_bytes: None,
            min_packages: DEFAULT_MIN_PACKAGES,
            cache_dir: None,
            progress: true,
            env: Environment::default(),
        }
    }
}

impl UpdateOptions {
    /// The stall timeout in force (never longer than the total deadline).
    pub fn stall_timeout(&self) -> Duration {
        self.stall.unwrap_or(STALL_TIMEOUT).min(self.timeout)
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
    /// The total deadline.
    deadline: std::time::Instant,
}

/// The message of a missed total deadline.
const DEADLINE: &str = "deadline reached";

impl<R: Read> Read for Transport<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if std::time::Instant::now() >= self.deadline {
            self.read.borrow_mut().1 = Some(DEADLINE.to_string());
            return Err(io::Error::new(io::ErrorKind::TimedOut, DEADLINE));
        }
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
        let stall = opts.stall_timeout();
        let client = reqwest::blocking::Client::builder()
            .timeout(stall)
            .connect_timeout(stall)
            .user_agent(concat!("pip-guard/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| env_err(format!("cannot set up HTTP: {e}")))?;
        let mut req = client.get(source);
        let (etag, last_modified) = validators(current, source);
        let conditional = etag.is_some() || last_modified.is_some();
        if let Some(e) = etag {
            req = req.header(reqwest::header::IF_NONE_MATCH, e);
        }
        if let Some(l) = last_modified {
            req = req.header(reqwest::header::IF_MODIFIED_SINCE, l);
        }
        let resp = req.send().map_err(|e| {
            let what = if e.is_timeout() {
                format!("timed out after {} s", stall.as_secs_f32())
            } else {
                error_chain(&e)
            };
            env_err(format!("cannot fetch {shown}: {what}"))
        })?;
        let status = resp.status();
        if status == reqwest::StatusCode::NOT_MODIFIED {
            if !conditional {
                // 304 answers a conditional request only: with no cache of
                // this URL, nothing was asked to be "not modified".
                return Err(env_err(format!(
                    "cannot fetch {shown}: the server answered 304 Not Modified to a request \
                     without validators (there is no cache of this URL to be current): refusing"
                )));
            }
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
        None => fsutil::index_dir(&opts.env)
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
    let deadline = std::time::Instant::now() + opts.timeout;
    let Some(fetched) = open(&source, opts, &current)? else {
        return Ok(Outcome::NotModified { path });
    };

    let state = Rc::new(RefCell::new((0u64, None::<String>)));
    let bar = progress_bar(fetched.len, opts.progress);
    let transport = Transport {
        inner: fetched.reader,
        read: state.clone(),
        bar: bar.clone(),
        deadline,
    };
    let keep = toplevel_wanted();
    let max_bytes = opts.max_bytes.unwrap_or(listing::MAX_LISTING_BYTES);
    let parsed = if fetched.brotli {
        listing::parse_within(
            brotli::Decompressor::new(transport, 64 * 1024),
            &keep,
            max_bytes,
        )
    } else {
        listing::parse_within(transport, &keep, max_bytes)
    };
    bar.finish_and_clear();
    let (bytes_read, transport_error) = state.borrow().clone();
    let listing = parsed.map_err(|e| {
        let what = match (&e, transport_error) {
            (_, Some(net)) if net == DEADLINE => format!(
                "timed out: the download did not finish within the {} s deadline \
                 ({bytes_read} bytes read)",
                opts.timeout.as_secs_f32()
            ),
            (ListingError::Limit(m), _) => format!("{m} ({bytes_read} bytes read)"),
            (_, Some(net)) => {
                let net = if net.to_lowercase().contains("timed out") {
                    format!(
                        "timed out after {} s without data",
                        opts.stall_timeout().as_secs_f32()
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
    let largest = listing.sets.values().map(Vec::len).max().unwrap_or(0);
    if largest < MIN_PYTHON_ATTRS {
        return Err(env_err(format!(
            "cannot update from {shown}: its largest Python package set has {largest} attrs, \
             fewer than the {MIN_PYTHON_ATTRS} any nixpkgs has: implausible, refusing it"
        )));
    }
    // A set too small to be real is not kept (loading it would be refused).
    let mut listing = listing;
    listing.sets.retain(|_, v| v.len() >= MIN_PYTHON_ATTRS);
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

/// What a cached listing must satisfy to be used.
#[derive(Debug, Clone, Default)]
pub struct Accept {
    /// Fewer attrs in the set than this: implausible, refused.
    pub min_attrs: usize,
    /// Older than this many days (by the listing's own date, else the fetch
    /// time): stale, refused.
    pub max_age_days: Option<u32>,
    /// From another channel than this: refused.
    pub channel: Option<String>,
}

/// Why a cached listing was not used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unusable {
    /// The file is damaged.
    Corrupt(Corrupt),
    /// The set is too small for nixpkgs: `(set, attrs)`.
    Implausible(String, usize),
    /// Older than allowed: `(date, age in days, max_age_days)`.
    Stale(String, i64, u32),
    /// From another channel: `(found, wanted)`.
    OtherChannel(String, String),
}

impl std::fmt::Display for Unusable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unusable::Corrupt(c) => write!(f, "it is corrupt ({c})"),
            Unusable::Implausible(set, n) => write!(
                f,
                "its {set} has {n} attrs, fewer than the {MIN_PYTHON_ATTRS} any nixpkgs has: implausible"
            ),
            Unusable::Stale(date, days, max) => write!(
                f,
                "the listing dates from {date}, {days} days ago, older than index.max_age_days = {max}"
            ),
            Unusable::OtherChannel(found, want) => write!(
                f,
                "it is a listing of {found}, but the policy locks index.channel = {want:?}"
            ),
        }
    }
}

/// The cached channel index for `package_set`. `Ok(None)` when there is no
/// cache or it lacks that set; `Err` when the cache is corrupt or its set
/// is implausibly small (fewer than [`MIN_PYTHON_ATTRS`] attrs).
pub fn load(dir: &Path, package_set: &str) -> Result<Option<Index>, Corrupt> {
    let accept = Accept {
        min_attrs: MIN_PYTHON_ATTRS,
        ..Accept::default()
    };
    load_accepting(dir, package_set, &accept).map_err(|u| match u {
        Unusable::Corrupt(c) => c,
        other => Corrupt(other.to_string()),
    })
}

/// The cached channel index for `package_set`, if it satisfies `accept`.
pub fn load_accepting(
    dir: &Path,
    package_set: &str,
    accept: &Accept,
) -> Result<Option<Index>, Unusable> {
    let Some(c) = CacheFile::read(&cache_path(dir)).map_err(Unusable::Corrupt)? else {
        return Ok(None);
    };
    // Every section, not only the one used: a damaged file is never used.
    c.verify().map_err(Unusable::Corrupt)?;
    let toplevel_rows = c
        .rows(TOPLEVEL)
        .map_err(Unusable::Corrupt)?
        .unwrap_or_default();
    // `python3Packages` is the versioned set of the listing's `python3`.
    let default_set = toplevel_rows
        .iter()
        .find(|(a, _, _)| *a == "python3")
        .and_then(|(_, _, v)| {
            let mut it = v.split('.');
            Some(format!("python{}{}Packages", it.next()?, it.next()?))
        });
    let wanted = if package_set == "python3Packages" {
        match &default_set {
            Some(s) => s.clone(),
            None => return Ok(None),
        }
    } else {
        package_set.to_string()
    };
    let Some(section) = c.section(&wanted) else {
        return Ok(None);
    };
    if section.rows < accept.min_attrs {
        return Err(Unusable::Implausible(package_set.to_string(), section.rows));
    }
    let h = c.header.clone();
    if let Some(want) = &accept.channel {
        if &h.channel != want {
            return Err(Unusable::OtherChannel(h.channel.clone(), want.clone()));
        }
    }
    if let Some(max) = accept.max_age_days {
        // The data is no newer than its fetch (a date in the future is a lie).
        let data_time = time::parse_date(&h.date).map_or(h.fetched, |d| d.min(h.fetched));
        let days = time::age_days(data_time, time::now_unix());
        if days > i64::from(max) {
            return Err(Unusable::Stale(time::date(data_time), days, max));
        }
    }
    let toplevel = toplevel_rows
        .into_iter()
        .map(|(a, _, _)| Cow::Owned(a.to_string()))
        .collect();
    let Some((text, rows)) = c.into_text_rows(&wanted).map_err(Unusable::Corrupt)? else {
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
        // A three-row set is implausible for nixpkgs: refused by `load`,
        // read here with the plausibility bound off.
        assert!(load(dir.path(), "python312Packages").is_err());
        let ix = load_accepting(dir.path(), "python312Packages", &Accept::default())
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
            load_accepting(dir.path(), "python313Packages", &Accept::default())
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
