//! Shared by the index tests and benchmarks: a generator of realistic
//! channel listings (`packages.json.br` in nixpkgs' format) and a small
//! HTTP/1.1 server on loopback that serves them, with faults on demand.
#![allow(dead_code)]

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// Real attrs of the Python set (the embedded snapshot's list).
pub fn python_attrs() -> Vec<&'static str> {
    include_str!("../../data/nixpkgs-python-attrs.txt")
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

/// Deterministic xorshift.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

const PLATFORMS: &[&str] = &[
    "aarch64-darwin",
    "aarch64-linux",
    "armv5tel-linux",
    "armv6l-linux",
    "armv7a-linux",
    "armv7l-linux",
    "i686-linux",
    "loongarch64-linux",
    "m68k-linux",
    "microblaze-linux",
    "microblazeel-linux",
    "mips-linux",
    "mips64-linux",
    "mips64el-linux",
    "mipsel-linux",
    "powerpc64-linux",
    "powerpc64le-linux",
    "riscv32-linux",
    "riscv64-linux",
    "s390-linux",
    "s390x-linux",
    "x86_64-darwin",
    "x86_64-linux",
    "i686-freebsd",
    "x86_64-freebsd",
    "aarch64-freebsd",
    "x86_64-solaris",
    "i686-cygwin",
    "x86_64-cygwin",
    "i686-windows",
    "x86_64-windows",
];
const WORDS: &[&str] = &[
    "library",
    "tool",
    "for",
    "Python",
    "fast",
    "parser",
    "client",
    "server",
    "bindings",
    "interface",
    "utilities",
    "framework",
    "the",
    "and",
    "data",
    "async",
    "HTTP",
    "simple",
    "command-line",
    "plugin",
    "toolkit",
    "implementation",
    "of",
    "a",
    "modern",
    "wrapper",
];
const LICENSES: &[&str] = &[
    "mit",
    "asl20",
    "bsd3",
    "gpl3Plus",
    "lgpl21Plus",
    "mpl20",
    "isc",
];

/// Version of a package in the generated listing (known values for a few).
pub fn version_of(attr: &str) -> String {
    match attr {
        "requests" => "2.32.3".into(),
        "numpy" => "2.2.6".into(),
        "opencv4" => "4.11.0".into(),
        "black" => "25.1.0".into(),
        _ => {
            let h = attr
                .bytes()
                .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(b as u64));
            format!("{}.{}.{}", h % 9, (h / 9) % 30, (h / 270) % 12)
        }
    }
}

fn entry(
    out: &mut String,
    key: &str,
    name: &str,
    pname: &str,
    version: &str,
    rng: &mut Rng,
    new_format: bool,
) {
    let mut desc = String::new();
    for i in 0..(6 + rng.next() % 8) {
        if i > 0 {
            desc.push(' ');
        }
        desc.push_str(rng.pick(WORDS));
    }
    let nplat = 20 + (rng.next() % 12) as usize;
    let mut plats = String::new();
    for (i, p) in PLATFORMS.iter().take(nplat).enumerate() {
        if i > 0 {
            plats.push(',');
        }
        let _ = write!(plats, "\"{p}\"");
    }
    let lic = rng.pick(LICENSES);
    let broken = rng.next().is_multiple_of(50);
    let pname_field = if new_format {
        format!("\"pname\":\"{pname}\",")
    } else {
        // Old listings (nix-env -qa --json) carry pname parsed from name.
        format!(
            "\"pname\":\"{}\",",
            name.strip_suffix(&format!("-{version}")).unwrap_or(name)
        )
    };
    let _ = write!(
        out,
        "\"{key}\":{{\"name\":\"{name}\",{pname_field}\"version\":\"{version}\",\"system\":\"x86_64-linux\",\
\"outputName\":\"out\",\"outputs\":{{\"out\":null}},\"meta\":{{\"available\":true,\"broken\":{broken},\
\"description\":\"{desc}\",\"homepage\":\"https://example.org/{pname}\",\"insecure\":false,\
\"license\":{{\"deprecated\":false,\"free\":true,\"fullName\":\"{lic} license\",\"redistributable\":true,\"shortName\":\"{lic}\",\"spdxId\":\"{lic}\"}},\
\"maintainers\":[{{\"email\":\"someone@example.org\",\"github\":\"someone\",\"githubId\":123456,\"name\":\"Some One\"}}],\
\"name\":\"{name}\",\"outputsToInstall\":[\"out\"],\"platforms\":[{plats}],\
\"position\":\"/nix/store/00000000000000000000000000000000-source/pkgs/development/python-modules/{pname}/default.nix:42\",\
\"unfree\":false,\"unsupported\":false}}}}"
    );
}

/// Facts about a generated listing.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The JSON's size in bytes.
    pub json_bytes: usize,
    /// Number of packages.
    pub packages: usize,
    /// Number of python packages (all sets).
    pub python: usize,
    /// Number in python312Packages.
    pub python312: usize,
}

/// Generate a listing: the real Python attrs in python312Packages and
/// python313Packages, the apps, and synthetic top-level packages up to
/// `total` packages.
pub fn generate_json(total: usize, new_format: bool) -> (String, Generated) {
    let attrs = python_attrs();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut out = String::with_capacity(total * 1_100);
    out.push_str(if new_format {
        "{\"version\":\"2\",\"packages\":{"
    } else {
        "{\"version\":2,\"packages\":{"
    });
    let mut n = 0usize;
    let sep = |out: &mut String, n: &mut usize| {
        if *n > 0 {
            out.push(',');
        }
        *n += 1;
    };
    let mut python = 0;
    for (set, interp) in [
        ("python312Packages", "python3.12"),
        ("python313Packages", "python3.13"),
    ] {
        for attr in &attrs {
            let pname = match *attr {
                "opencv4" => "opencv",
                "jinja2" => "Jinja2",
                "typing-extensions" => "typing_extensions",
                a => a,
            };
            let version = version_of(attr);
            let name = format!("{interp}-{pname}-{version}");
            sep(&mut out, &mut n);
            entry(
                &mut out,
                &format!("{set}.{attr}"),
                &name,
                pname,
                &version,
                &mut rng,
                new_format,
            );
            python += 1;
        }
    }
    for app in [
        "black",
        "ruff",
        "pre-commit",
        "poetry",
        "awscli2",
        "httpie",
        "yt-dlp",
        "hello",
    ] {
        let version = version_of(app);
        sep(&mut out, &mut n);
        entry(
            &mut out,
            app,
            &format!("{app}-{version}"),
            app,
            &version,
            &mut rng,
            new_format,
        );
    }
    // nixpkgs' default interpreter: its version names the set
    // `python3Packages` is (listings do not recurse into that alias).
    sep(&mut out, &mut n);
    entry(
        &mut out,
        "python3",
        "python3-3.13.5",
        "python3",
        "3.13.5",
        &mut rng,
        new_format,
    );
    let mut i = 0;
    while n < total {
        let pname = format!(
            "{}-{}{i}",
            rng.pick(WORDS).to_lowercase(),
            rng.pick(WORDS).to_lowercase()
        );
        let version = format!("{}.{}", rng.next() % 20, rng.next() % 100);
        sep(&mut out, &mut n);
        entry(
            &mut out,
            &pname,
            &format!("{pname}-{version}"),
            &pname,
            &version,
            &mut rng,
            new_format,
        );
        i += 1;
    }
    out.push_str("}}");
    let g = Generated {
        json_bytes: out.len(),
        packages: n,
        python,
        python312: attrs.len(),
    };
    (out, g)
}

/// Brotli-compress at a fast quality.
pub fn brotli(data: &[u8], quality: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() / 8);
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 1 << 16, quality, 22);
        w.write_all(data).expect("compress to memory");
    }
    out
}

/// The realistic fixture (≥100,000 packages, ≥100 MB of JSON), generated
/// once per target dir and reused: `(path of packages.json.br, facts)`.
pub fn big_fixture() -> &'static (PathBuf, Generated) {
    static FIXTURE: OnceLock<(PathBuf, Generated)> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        // v2: the listing has the top-level python3 (the default set).
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("index-fixture-v2");
        std::fs::create_dir_all(&dir).expect("create the fixture dir");
        let br = dir.join("packages.json.br");
        let facts = dir.join("facts");
        if let (Ok(_), Ok(f)) = (std::fs::metadata(&br), std::fs::read_to_string(&facts)) {
            let v: Vec<usize> = f
                .split_whitespace()
                .filter_map(|x| x.parse().ok())
                .collect();
            if v.len() == 4 {
                let g = Generated {
                    json_bytes: v[0],
                    packages: v[1],
                    python: v[2],
                    python312: v[3],
                };
                return (br, g);
            }
        }
        let (json, g) = generate_json(112_000, true);
        let compressed = brotli(json.as_bytes(), 2);
        let tmp = dir.join(format!("packages.json.br.{}", std::process::id()));
        std::fs::write(&tmp, &compressed).expect("write the fixture");
        std::fs::rename(&tmp, &br).expect("rename the fixture");
        std::fs::write(
            &facts,
            format!(
                "{} {} {} {}",
                g.json_bytes, g.packages, g.python, g.python312
            ),
        )
        .expect("write the fixture facts");
        (br, g)
    })
}

/// How the server answers a path.
#[derive(Clone)]
pub enum Route {
    /// 200 with this body, ETag and Last-Modified; 304 when the request's
    /// If-None-Match is the ETag.
    Ok {
        body: Arc<Vec<u8>>,
        etag: String,
        last_modified: String,
    },
    /// This status, short body.
    Status(u16),
    /// Announce the full length, send only the first `send` bytes, close.
    Truncate { body: Arc<Vec<u8>>, send: usize },
    /// Send `send` bytes, then stall for `stall`, then close.
    Stall {
        body: Arc<Vec<u8>>,
        send: usize,
        stall: Duration,
    },
    /// 302 to another path.
    Redirect(String),
    /// 200, a huge announced length, then one byte of `body` every `every`.
    Drip { body: Arc<Vec<u8>>, every: Duration },
    /// 200, no length, `prefix` then `fill` repeated until the client goes
    /// away; brotli-compressed on the fly when `brotli` (an endless stream).
    Endless {
        prefix: Vec<u8>,
        fill: Vec<u8>,
        brotli: bool,
    },
    /// 304 Not Modified, whatever the request asked.
    Always304,
}

/// Requests seen: (path, If-None-Match).
pub type RequestLog = Arc<Mutex<Vec<(String, Option<String>)>>>;

/// A loopback HTTP/1.1 server; routes can be changed while it runs.
pub struct Server {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    routes: Arc<Mutex<HashMap<String, Route>>>,
    /// Requests seen: (path, If-None-Match).
    pub log: RequestLog,
}

impl Server {
    /// Start serving on 127.0.0.1 on a free port (the thread lives as long
    /// as the test process).
    pub fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let base = format!("http://{}", listener.local_addr().expect("local addr"));
        let routes: Arc<Mutex<HashMap<String, Route>>> = Arc::default();
        let log: RequestLog = Arc::default();
        let (r, l) = (routes.clone(), log.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (r, l) = (r.clone(), l.clone());
                std::thread::spawn(move || {
                    let _ = serve(stream, &r, &l);
                });
            }
        });
        Server { base, routes, log }
    }

    /// Set the route of `path`.
    pub fn route(&self, path: &str, route: Route) {
        self.routes
            .lock()
            .expect("routes")
            .insert(path.to_string(), route);
    }

    /// The full URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

fn serve(
    stream: TcpStream,
    routes: &Mutex<HashMap<String, Route>>,
    log: &Mutex<Vec<(String, Option<String>)>>,
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut w = stream;
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let mut inm = None;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h == "\r\n" || h == "\n" {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            if k.eq_ignore_ascii_case("if-none-match") {
                inm = Some(v.trim().to_string());
            }
        }
    }
    log.lock().expect("log").push((path.clone(), inm.clone()));
    let route = routes.lock().expect("routes").get(&path).cloned();
    let head = |code: u16, reason: &str, extra: &str, len: usize| {
        format!(
            "HTTP/1.1 {code} {reason}\r\nContent-Length: {len}\r\nConnection: close\r\n{extra}\r\n"
        )
    };
    match route {
        None => w.write_all(head(404, "Not Found", "", 0).as_bytes())?,
        Some(Route::Status(code)) => {
            let body = b"fault injected";
            w.write_all(head(code, "Fault", "", body.len()).as_bytes())?;
            w.write_all(body)?;
        }
        Some(Route::Redirect(to)) => {
            w.write_all(head(302, "Found", &format!("Location: {to}\r\n"), 0).as_bytes())?
        }
        Some(Route::Ok {
            body,
            etag,
            last_modified,
        }) => {
            if inm.as_deref() == Some(etag.as_str()) {
                w.write_all(head(304, "Not Modified", &format!("ETag: {etag}\r\n"), 0).as_bytes())?;
            } else {
                let extra = format!("ETag: {etag}\r\nLast-Modified: {last_modified}\r\nContent-Type: application/octet-stream\r\n");
                w.write_all(head(200, "OK", &extra, body.len()).as_bytes())?;
                w.write_all(&body)?;
            }
        }
        Some(Route::Truncate { body, send }) => {
            w.write_all(head(200, "OK", "", body.len()).as_bytes())?;
            w.write_all(&body[..send.min(body.len())])?;
        }
        Some(Route::Drip { body, every }) => {
            w.write_all(head(200, "OK", "", 1 << 30).as_bytes())?;
            w.flush()?;
            for b in body.iter() {
                w.write_all(&[*b])?;
                w.flush()?;
                std::thread::sleep(every);
            }
        }
        Some(Route::Endless {
            prefix,
            fill,
            brotli,
        }) => {
            w.write_all(
                b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: application/octet-stream\r\n\r\n",
            )?;
            // Whole repeats of `fill`, about 1 MiB.
            let chunk: Vec<u8> = fill.repeat(((1 << 20) / fill.len().max(1)).max(1));
            if brotli {
                let mut c = brotli::CompressorWriter::new(&mut w, 1 << 16, 1, 22);
                c.write_all(&prefix)?;
                loop {
                    c.write_all(&chunk)?;
                }
            } else {
                w.write_all(&prefix)?;
                loop {
                    w.write_all(&chunk)?;
                }
            }
        }
        Some(Route::Always304) => {
            w.write_all(head(304, "Not Modified", "", 0).as_bytes())?;
        }
        Some(Route::Stall { body, send, stall }) => {
            w.write_all(head(200, "OK", "", body.len()).as_bytes())?;
            w.write_all(&body[..send.min(body.len())])?;
            w.flush()?;
            std::thread::sleep(stall);
        }
    }
    w.flush()?;
    // Drain what the client may still send, then close.
    let _ = w.shutdown(std::net::Shutdown::Write);
    let mut sink = [0u8; 64];
    let _ = reader.read(&mut sink);
    Ok(())
}
