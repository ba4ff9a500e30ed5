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

/// What the server (or the file) said about the listing, besides its body.
struct Served {
    final_url: String,
    etag: String,
    last_modified: String,
    len: Option<u64>,
    brotli: bool,
}

struct Fetched {
    reader: Box<dyn Read>,
    served: Served,
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
        open_http(source, &shown, opts, current)
    } else {
        open_file(source, &shown).map(Some)
    }
}

/// What an HTTP answer to the listing's GET means.
#[derive(Debug, PartialEq, Eq)]
enum Answer {
    /// Read the body.
    Body,
    /// 304 to a conditional request: the cache is current.
    NotModified,
    /// Refused, and why.
    Refused(String),
}

/// Decide what an HTTP status means for the listing's GET (`conditional`:
/// the request carried the cache's validators).
fn judge_answer(status: reqwest::StatusCode, conditional: bool) -> Answer {
    if status == reqwest::StatusCode::NOT_MODIFIED {
        if !conditional {
            // 304 answers a conditional request only: with no cache of
            // this URL, nothing was asked to be "not modified".
            return Answer::Refused(
                "the server answered 304 Not Modified to a request \
                 without validators (there is no cache of this URL to be current): refusing"
                    .to_string(),
            );
        }
        return Answer::NotModified;
    }
    if !status.is_success() {
        return Answer::Refused(format!("HTTP {status}"));
    }
    Answer::Body
}

/// Whether a listing fetched from `final_url` is brotli-compressed (all but
/// a plain `.json`).
fn is_brotli_url(final_url: &str) -> bool {
    !final_url.split('?').next().unwrap_or("").ends_with(".json")
}

/// The conditional GET of an HTTP(S) listing (`Ok(None)`: not modified).
fn open_http(
    source: &str,
    shown: &str,
    opts: &UpdateOptions,
    current: &Option<CacheFile>,
) -> eyre::Result<Option<Fetched>> {
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
    match judge_answer(resp.status(), conditional) {
        Answer::Body => {}
        Answer::NotModified => return Ok(None),
        Answer::Refused(why) => return Err(env_err(format!("cannot fetch {shown}: {why}"))),
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
    let brotli = is_brotli_url(&final_url);
    Ok(Some(Fetched {
        reader: Box::new(resp),
        served: Served {
            final_url,
            etag,
            last_modified,
            len,
            brotli,
        },
    }))
}

/// A listing in a local file (`file://` or a path).
fn open_file(source: &str, shown: &str) -> eyre::Result<Fetched> {
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
    Ok(Fetched {
        reader: Box::new(file),
        served: Served {
            final_url: String::new(),
            etag: String::new(),
            last_modified: mtime.map(time::rfc3339).unwrap_or_default(),
            len: meta.map(|m| m.len()),
            brotli: !path.ends_with(".json"),
        },
    })
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
    let dir = update_dir(opts)?;
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
    let Some(Fetched { reader, served }) = open(&source, opts, &current)? else {
        return Ok(Outcome::NotModified { path });
    };
    let refuse = |why: String| env_err(format!("cannot update from {shown}: {why}"));
    let mut listing = download(reader, &served, opts, deadline).map_err(refuse)?;
    if let Some(why) = refusal(&listing, opts.min_packages) {
        return Err(refuse(why));
    }
    // A set too small to be real is not kept (loading it would be refused).
    listing.sets.retain(|_, v| v.len() >= MIN_PYTHON_ATTRS);
    let revision = listing_revision(&listing, &served.final_url, &source);
    let header = cache_header(
        &opts.channel,
        &source,
        served,
        &listing,
        revision.clone(),
        time::now_unix(),
    );
    let packages = listing.total;
    let sets = write_cache(&path, &header, listing)?;
    Ok(Outcome::Updated {
        path,
        packages,
        sets,
        revision,
    })
}

/// The cache directory of an update: the one given, else the default.
fn update_dir(opts: &UpdateOptions) -> eyre::Result<PathBuf> {
    match &opts.cache_dir {
        Some(d) => Ok(d.clone()),
        None => fsutil::index_dir(&opts.env)
            .ok_or_else(|| env_err("no cache directory: set XDG_CACHE_HOME or HOME".to_string())),
    }
}

/// Download, decompress and parse the listing, within the deadline and the
/// size bound; `Err` says why it failed ([`download_failure`]).
fn download(
    reader: Box<dyn Read>,
    served: &Served,
    opts: &UpdateOptions,
    deadline: std::time::Instant,
) -> Result<listing::Listing, String> {
    let state = Rc::new(RefCell::new((0u64, None::<String>)));
    let bar = progress_bar(served.len, opts.progress);
    let transport = Transport {
        inner: reader,
        read: state.clone(),
        bar: bar.clone(),
        deadline,
    };
    let keep = toplevel_wanted();
    let max_bytes = opts.max_bytes.unwrap_or(listing::MAX_LISTING_BYTES);
    let parsed = if served.brotli {
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
    parsed.map_err(|e| {
        download_failure(
            &e,
            transport_error,
            bytes_read,
            served.brotli,
            opts.timeout,
            opts.stall_timeout(),
        )
    })
}

/// Why a download failed, told from the parser's error and the transport's
/// (`transport`: the error of the network or file read, if one failed):
/// a missed deadline first, then the size bound, a network failure,
/// corrupt compression, a truncated listing, a bad one.
fn download_failure(
    error: &ListingError,
    transport: Option<String>,
    bytes_read: u64,
    brotli: bool,
    timeout: Duration,
    stall: Duration,
) -> String {
    match (error, transport) {
        (_, Some(net)) if net == DEADLINE => format!(
            "timed out: the download did not finish within the {} s deadline \
             ({bytes_read} bytes read)",
            timeout.as_secs_f32()
        ),
        (ListingError::Limit(m), _) => format!("{m} ({bytes_read} bytes read)"),
        (_, Some(net)) => {
            let net = if net.to_lowercase().contains("timed out") {
                format!("timed out after {} s without data", stall.as_secs_f32())
            } else {
                net
            };
            format!("the download failed after {bytes_read} bytes: {net}")
        }
        (ListingError::Io(io), None) if brotli => {
            format!("corrupt brotli data after {bytes_read} bytes: {io}")
        }
        (ListingError::Truncated(m), None) => {
            format!("the listing is truncated ({bytes_read} bytes read): {m}")
        }
        (e, None) => e.to_string(),
    }
}

/// Why a parsed listing is not a channel's (`None`: it is plausible): too
/// few packages, no Python set, or only implausibly small ones.
fn refusal(listing: &listing::Listing, min_packages: usize) -> Option<String> {
    if listing.total < min_packages {
        return Some(format!(
            "the listing has {} packages, fewer than the {} a channel has at least: refusing it",
            listing.total, min_packages
        ));
    }
    if listing.sets.is_empty() {
        return Some("the listing has no python3XXPackages set".to_string());
    }
    let largest = listing.sets.values().map(Vec::len).max().unwrap_or(0);
    if largest < MIN_PYTHON_ATTRS {
        return Some(format!(
            "its largest Python package set has {largest} attrs, \
             fewer than the {MIN_PYTHON_ATTRS} any nixpkgs has: implausible, refusing it"
        ));
    }
    None
}

/// The listing's nixpkgs revision: its own, else the one in the URL it was
/// served from, else the one in the URL asked for.
fn listing_revision(listing: &listing::Listing, final_url: &str, source: &str) -> Option<String> {
    listing
        .revision
        .clone()
        .or_else(|| revision_from_url(final_url))
        .or_else(|| revision_from_url(source))
}

/// The cache header of a listing fetched from `source` at `now`.
fn cache_header(
    channel: &str,
    source: &str,
    served: Served,
    listing: &listing::Listing,
    revision: Option<String>,
    now: i64,
) -> Header {
    let date = time::parse_http_date(&served.last_modified)
        .or_else(|| time::parse_date(&served.last_modified))
        .map(time::rfc3339)
        .unwrap_or_default();
    Header {
        channel: channel.to_string(),
        url: source.to_string(),
        final_url: if served.final_url == source {
            String::new()
        } else {
            served.final_url
        },
        fetched: now,
        revision: revision.unwrap_or_default(),
        date,
        etag: served.etag,
        last_modified: served.last_modified,
        packages: listing.total,
    }
}

/// Encode the listing under `header` and write it atomically to `path`;
/// the Python sets written and their sizes.
fn write_cache(
    path: &Path,
    header: &Header,
    listing: listing::Listing,
) -> eyre::Result<Vec<(String, usize)>> {
    let mut sections: Vec<(String, Vec<Entry>)> = listing.sets.into_iter().collect();
    let sets = sections.iter().map(|(n, v)| (n.clone(), v.len())).collect();
    sections.push((TOPLEVEL.to_string(), listing.toplevel));
    let bytes = cache::encode(header, &mut sections);
    fsutil::atomic_write(path, &bytes)
        .wrap_err_with(|| format!("cannot write the index cache {}", path.display()))
        .map_err(|e| env_err(format!("{e:#}")))?;
    Ok(sets)
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
    let default_set = default_set(&toplevel_rows);
    let Some(wanted) = wanted_set(package_set, default_set.as_deref()) else {
        return Ok(None);
    };
    let Some(section) = c.section(&wanted) else {
        return Ok(None);
    };
    let h = c.header.clone();
    judge_cached(package_set, section.rows, &h, accept, time::now_unix())?;
    let toplevel = toplevel_rows
        .into_iter()
        .map(|(a, _, _)| Cow::Owned(a.to_string()))
        .collect();
    let Some((text, rows)) = c.into_text_rows(&wanted).map_err(Unusable::Corrupt)? else {
        return Ok(None);
    };
    let meta = channel_meta(&h, rows.len(), default_set);
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

/// The versioned set `python3Packages` is in a listing: the one of its
/// top-level `python3` (`3.13.5` → `python313Packages`).
fn default_set(toplevel_rows: &[cache::RawRow<'_>]) -> Option<String> {
    toplevel_rows
        .iter()
        .find(|(a, _, _)| *a == "python3")
        .and_then(|(_, _, v)| {
            let mut it = v.split('.');
            Some(format!("python{}{}Packages", it.next()?, it.next()?))
        })
}

/// The section to read for `package_set` (`python3Packages` is the
/// listing's `default_set`; `None`: the listing does not say which).
fn wanted_set(package_set: &str, default_set: Option<&str>) -> Option<String> {
    if package_set == "python3Packages" {
        default_set.map(str::to_string)
    } else {
        Some(package_set.to_string())
    }
}

/// Whether a cached set of `rows` attrs under `header` satisfies `accept`
/// at `now` (Unix seconds): plausible size, then channel, then age.
fn judge_cached(
    package_set: &str,
    rows: usize,
    header: &Header,
    accept: &Accept,
    now: i64,
) -> Result<(), Unusable> {
    if rows < accept.min_attrs {
        return Err(Unusable::Implausible(package_set.to_string(), rows));
    }
    if let Some(want) = &accept.channel {
        if &header.channel != want {
            return Err(Unusable::OtherChannel(header.channel.clone(), want.clone()));
        }
    }
    if let Some(max) = accept.max_age_days {
        // The data is no newer than its fetch (a date in the future is a lie).
        let data_time =
            time::parse_date(&header.date).map_or(header.fetched, |d| d.min(header.fetched));
        let days = time::age_days(data_time, now);
        if days > i64::from(max) {
            return Err(Unusable::Stale(time::date(data_time), days, max));
        }
    }
    Ok(())
}

/// The metadata of a channel index of `packages` rows read from a cache
/// with `header`.
fn channel_meta(header: &Header, packages: usize, default_set: Option<String>) -> IndexMeta {
    let date = if header.date.is_empty() {
        time::date(header.fetched)
    } else {
        header.date.chars().take(10).collect()
    };
    IndexMeta {
        source: Source::Channel,
        nixpkgs: if header.revision.is_empty() {
            header.channel.clone()
        } else {
            format!("{}@{}", header.channel, header.revision)
        },
        date,
        packages,
        nixpkgs_from: None,
        default_set,
        stale: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(n: usize) -> Vec<Entry> {
        (0..n)
            .map(|i| Entry {
                attr: format!("p{i}"),
                pname: None,
                version: None,
            })
            .collect()
    }

    #[test]
    fn http_answers_are_judged() {
        use reqwest::StatusCode;
        assert_eq!(judge_answer(StatusCode::OK, false), Answer::Body);
        assert_eq!(judge_answer(StatusCode::OK, true), Answer::Body);
        assert_eq!(
            judge_answer(StatusCode::NOT_MODIFIED, true),
            Answer::NotModified
        );
        // A 304 nobody asked for is refused, never taken as "current".
        assert!(matches!(
            judge_answer(StatusCode::NOT_MODIFIED, false),
            Answer::Refused(why) if why.contains("without validators")
        ));
        assert_eq!(
            judge_answer(StatusCode::NOT_FOUND, true),
            Answer::Refused("HTTP 404 Not Found".to_string())
        );
        assert!(is_brotli_url("https://x/packages.json.br?a=b"));
        assert!(!is_brotli_url("https://x/packages.json?a=b.br"));
    }

    #[test]
    fn download_failures_say_what_failed() {
        let t = Duration::from_secs(300);
        let s = Duration::from_secs(30);
        let truncated = || ListingError::Truncated("eof".into());
        // The deadline wins over whatever the parser saw.
        let m = download_failure(&truncated(), Some(DEADLINE.into()), 7, true, t, s);
        assert_eq!(
            m,
            "timed out: the download did not finish within the 300 s deadline (7 bytes read)"
        );
        let m = download_failure(
            &ListingError::Limit("too big".into()),
            Some("x".into()),
            9,
            true,
            t,
            s,
        );
        assert_eq!(m, "too big (9 bytes read)");
        let m = download_failure(
            &truncated(),
            Some("operation timed out".into()),
            5,
            true,
            t,
            s,
        );
        assert_eq!(
            m,
            "the download failed after 5 bytes: timed out after 30 s without data"
        );
        let m = download_failure(&truncated(), Some("reset by peer".into()), 5, true, t, s);
        assert_eq!(m, "the download failed after 5 bytes: reset by peer");
        let io = || ListingError::Io(io::Error::other("bad block"));
        let m = download_failure(&io(), None, 3, true, t, s);
        assert_eq!(m, "corrupt brotli data after 3 bytes: bad block");
        // Uncompressed: the I/O error as it is.
        assert_eq!(download_failure(&io(), None, 3, false, t, s), "bad block");
        let m = download_failure(&truncated(), None, 4, false, t, s);
        assert_eq!(m, "the listing is truncated (4 bytes read): eof");
        let m = download_failure(&ListingError::Invalid("no".into()), None, 4, false, t, s);
        assert_eq!(m, "not a valid packages.json listing: no");
    }

    #[test]
    fn implausible_listings_are_refused() {
        let mut l = listing::Listing {
            total: 60_000,
            ..Default::default()
        };
        assert_eq!(
            refusal(&l, 50_000).as_deref(),
            Some("the listing has no python3XXPackages set")
        );
        l.sets
            .insert("python313Packages".into(), entries(MIN_PYTHON_ATTRS - 1));
        let why = refusal(&l, 50_000).unwrap_or_default();
        assert!(why.contains("largest Python package set has"), "{why}");
        l.sets
            .insert("python312Packages".into(), entries(MIN_PYTHON_ATTRS));
        assert_eq!(refusal(&l, 50_000), None);
        let why = refusal(&l, 60_001).unwrap_or_default();
        assert!(
            why.starts_with("the listing has 60000 packages, fewer than the 60001"),
            "{why}"
        );
    }

    #[test]
    fn cache_headers_keep_what_was_served() {
        let served = |final_url: &str, last_modified: &str| Served {
            final_url: final_url.into(),
            etag: "\"e\"".into(),
            last_modified: last_modified.into(),
            len: None,
            brotli: true,
        };
        let src = "https://channels.nixos.org/nixpkgs-unstable/packages.json.br";
        let rel =
            "https://releases.nixos.org/nixpkgs/nixpkgs-25.11pre1.a8d610af3f1a/packages.json.br";
        let l = listing::Listing {
            total: 42,
            ..Default::default()
        };
        let rev = listing_revision(&l, rel, src);
        assert_eq!(rev.as_deref(), Some("a8d610af3f1a"));
        let h = cache_header(
            "nixpkgs-unstable",
            src,
            served(rel, "Sun, 06 Nov 1994 08:49:37 GMT"),
            &l,
            rev,
            1_000,
        );
        assert_eq!(h.final_url, rel);
        assert_eq!(h.revision, "a8d610af3f1a");
        assert_eq!(h.date, "1994-11-06T08:49:37Z");
        assert_eq!(h.last_modified, "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!((h.fetched, h.packages), (1_000, 42));
        // Not redirected: no final URL; a file's RFC 3339 mtime is a date too.
        let h = cache_header("c", src, served(src, "2025-01-02T03:04:05Z"), &l, None, 0);
        assert_eq!((h.final_url.as_str(), h.revision.as_str()), ("", ""));
        assert_eq!(h.date, "2025-01-02T03:04:05Z");
        // The listing's own revision comes first.
        let l = listing::Listing {
            revision: Some("abc1234".into()),
            ..Default::default()
        };
        assert_eq!(listing_revision(&l, rel, src).as_deref(), Some("abc1234"));
    }

    #[test]
    fn cached_sets_are_judged() {
        assert_eq!(
            default_set(&[("git", "git", "2.0"), ("python3", "python3", "3.13.5")]).as_deref(),
            Some("python313Packages")
        );
        assert_eq!(default_set(&[("python3", "python3", "3")]), None);
        assert_eq!(wanted_set("python3Packages", None), None);
        assert_eq!(
            wanted_set("python3Packages", Some("python313Packages")).as_deref(),
            Some("python313Packages")
        );
        assert_eq!(
            wanted_set("python312Packages", Some("python313Packages")).as_deref(),
            Some("python312Packages")
        );

        let day = 86_400;
        let h = Header {
            channel: "nixos-25.05".into(),
            fetched: 100 * day,
            date: time::rfc3339(90 * day),
            ..Header::default()
        };
        let accept = Accept {
            min_attrs: 10,
            max_age_days: Some(5),
            channel: Some("nixos-25.05".into()),
        };
        assert_eq!(judge_cached("s", 10, &h, &accept, 95 * day), Ok(()));
        assert_eq!(
            judge_cached("s", 9, &h, &accept, 95 * day),
            Err(Unusable::Implausible("s".into(), 9))
        );
        assert_eq!(
            judge_cached("s", 10, &h, &accept, 96 * day),
            Err(Unusable::Stale(time::date(90 * day), 6, 5))
        );
        let other = Accept {
            channel: Some("nixpkgs-unstable".into()),
            ..accept.clone()
        };
        assert_eq!(
            judge_cached("s", 10, &h, &other, 0),
            Err(Unusable::OtherChannel(
                "nixos-25.05".into(),
                "nixpkgs-unstable".into()
            ))
        );
        // A date after the fetch is a lie: the age counts from the fetch.
        let future = Header {
            date: time::rfc3339(200 * day),
            ..h.clone()
        };
        assert_eq!(
            judge_cached("s", 10, &future, &accept, 106 * day),
            Err(Unusable::Stale(time::date(100 * day), 6, 5))
        );

        let m = channel_meta(&h, 7, Some("python313Packages".into()));
        assert_eq!(
            (m.nixpkgs.as_str(), m.date.as_str(), m.packages),
            ("nixos-25.05", time::date(90 * day).as_str(), 7)
        );
        let undated = Header {
            date: String::new(),
            revision: "abc".into(),
            ..h
        };
        let m = channel_meta(&undated, 7, None);
        assert_eq!(
            (m.nixpkgs.as_str(), m.date.as_str()),
            ("nixos-25.05@abc", time::date(100 * day).as_str())
        );
    }

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
