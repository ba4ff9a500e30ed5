//! What one ELF object needs from the dynamic loader: `DT_NEEDED`,
//! `DT_RPATH`, `DT_RUNPATH` (and `PT_INTERP`, `DT_SONAME`), read with the
//! `object` crate from only the bytes that hold them.
//!
//! One forward pass reads the ELF and program headers (first 64 KiB), keeps
//! the first read-only segment (where linkers put `.dynstr`, up to 32 MiB),
//! skips to `PT_DYNAMIC` and reads it; only when the string table lies
//! elsewhere does a second pass fetch it. Every offset and size is checked
//! against [`Limits`] before anything is read, so a zip bomb or a lying
//! header costs at most the limits.

use super::stream::{read_up_to, Source, Stream};
use object::elf;
use object::read::elf::{Dyn, FileHeader, ProgramHeader};
use object::read::StringTable;
use object::Endianness;
use std::fmt;

/// How much one object may cost.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The ELF and program headers must lie in the first this many bytes.
    pub head: u64,
    /// Bytes of the first read-only segment kept while skipping forward.
    pub retain: u64,
    /// No range read may end beyond this offset.
    pub max_offset: u64,
    /// Largest `PT_DYNAMIC` accepted.
    pub max_dynamic: u64,
    /// Largest string table read.
    pub max_strtab: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            head: 64 * 1024,
            retain: 32 * 1024 * 1024,
            max_offset: 4 * 1024 * 1024 * 1024,
            max_dynamic: 1024 * 1024,
            max_strtab: 64 * 1024 * 1024,
        }
    }
}

/// What the loader needs to know about one object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ElfInfo {
    /// 64-bit.
    pub class64: bool,
    /// `e_machine`.
    pub machine: u16,
    /// `PT_INTERP`, for executables.
    pub interp: Option<String>,
    /// `DT_SONAME`.
    pub soname: Option<String>,
    /// `DT_NEEDED`, in order.
    pub needed: Vec<String>,
    /// `DT_RPATH` entries (`:`-split).
    pub rpath: Vec<String>,
    /// `DT_RUNPATH` entries (`:`-split).
    pub runpath: Vec<String>,
}

/// Why an object could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ElfError {
    /// It does not start with `\x7fELF`.
    NotElf,
    /// It ends before what its headers describe.
    Truncated(String),
    /// Its headers are inconsistent or unsupported.
    Malformed(String),
    /// What it describes is beyond the limits.
    TooLarge(String),
    /// Reading failed (a corrupt deflate stream, an I/O error).
    Io(String),
}

impl fmt::Display for ElfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ElfError::NotElf => write!(f, "not an ELF file"),
            ElfError::Truncated(w) => write!(f, "truncated ELF file: {w}"),
            ElfError::Malformed(w) => write!(f, "malformed ELF file: {w}"),
            ElfError::TooLarge(w) => write!(f, "beyond pip-guard's reading limits: {w}"),
            ElfError::Io(w) => write!(f, "could not read it: {w}"),
        }
    }
}

fn io_err(e: std::io::Error) -> ElfError {
    ElfError::Io(e.to_string())
}

/// Read the dynamic-linking facts of the object at `src`.
pub fn read(src: &Source, limits: &Limits) -> Result<ElfInfo, ElfError> {
    let mut stream = src.open().map_err(io_err)?;
    let mut buf = Vec::new();
    read_up_to(stream.as_mut(), &mut buf, limits.head as usize).map_err(io_err)?;
    if buf.len() < 16 || &buf[..4] != b"\x7fELF" {
        return Err(ElfError::NotElf);
    }
    match elf::FileClass(buf[4]) {
        elf::ELFCLASS64 => read_as::<elf::FileHeader64<Endianness>>(src, stream, buf, limits),
        elf::ELFCLASS32 => read_as::<elf::FileHeader32<Endianness>>(src, stream, buf, limits),
        c => Err(ElfError::Malformed(format!("unknown ELF class {c}"))),
    }
}

/// A segment as plain numbers.
#[derive(Debug, Clone, Copy)]
struct Seg {
    offset: u64,
    vaddr: u64,
    filesz: u64,
    exec: bool,
}

fn read_as<Elf: FileHeader<Endian = Endianness>>(
    src: &Source,
    mut stream: Box<dyn Stream>,
    mut buf: Vec<u8>,
    limits: &Limits,
) -> Result<ElfInfo, ElfError> {
    let (endian, loads, dynamic, interp_range, mut info) = {
        let head = buf.as_slice();
        let hdr = Elf::parse(head).map_err(|e| ElfError::Truncated(format!("ELF header ({e})")))?;
        let endian = hdr
            .endian()
            .map_err(|e| ElfError::Malformed(e.to_string()))?;
        let phdrs = hdr.program_headers(endian, head).map_err(|e| {
            ElfError::Truncated(format!(
                "program headers not within the first {} bytes ({e})",
                head.len()
            ))
        })?;
        let mut loads = Vec::new();
        let mut dynamic = None;
        let mut interp = None;
        for ph in phdrs {
            let seg = Seg {
                offset: ph.p_offset(endian).into(),
                vaddr: ph.p_vaddr(endian).into(),
                filesz: ph.p_filesz(endian).into(),
                exec: ph.p_flags(endian).0 & elf::PF_X.0 != 0,
            };
            let t = ph.p_type(endian);
            if t == elf::PT_LOAD {
                loads.push(seg);
            } else if t == elf::PT_DYNAMIC {
                dynamic = Some(seg);
            } else if t == elf::PT_INTERP {
                interp = Some(seg);
            }
        }
        let info = ElfInfo {
            class64: hdr.is_type_64(),
            machine: hdr.e_machine(endian).0,
            ..ElfInfo::default()
        };
        (endian, loads, dynamic, interp, info)
    };
    if let Some(r) = interp_range {
        let end = r.offset.saturating_add(r.filesz);
        if end <= buf.len() as u64 && r.filesz <= 4096 {
            let bytes = &buf[r.offset as usize..end as usize];
            let s = bytes.split(|&b| b == 0).next().unwrap_or_default();
            info.interp = Some(String::from_utf8_lossy(s).into_owned());
        }
    }
    let Some(dynamic) = dynamic else {
        return Ok(info); // statically linked: needs nothing
    };
    if dynamic.filesz > limits.max_dynamic {
        return Err(ElfError::TooLarge(format!(
            "a dynamic section of {} bytes (limit {})",
            dynamic.filesz, limits.max_dynamic
        )));
    }
    let dyn_end = dynamic.offset.saturating_add(dynamic.filesz);
    if dyn_end > limits.max_offset {
        return Err(ElfError::TooLarge(format!(
            "its dynamic section at offset {} (limit {})",
            dynamic.offset, limits.max_offset
        )));
    }
    // Keep the first segment when it is read-only and starts the file:
    // that is where `.dynstr` lives in what linkers write.
    let keep = loads
        .first()
        .filter(|s| s.offset == 0 && !s.exec)
        .map_or(0, |s| s.filesz)
        .min(limits.retain)
        .min(dynamic.offset)
        .max(buf.len() as u64);
    read_up_to(stream.as_mut(), &mut buf, keep as usize).map_err(io_err)?;
    let dyn_bytes: Vec<u8> = if dyn_end <= buf.len() as u64 {
        buf[dynamic.offset as usize..dyn_end as usize].to_vec()
    } else {
        // The section may start inside what is already read (a lying
        // header can put it there) and end past it: take that part, then
        // read on; else skip forward to it.
        let pos = buf.len() as u64;
        let mut d = Vec::new();
        let mut skipped_short = false;
        if dynamic.offset < pos {
            d.extend_from_slice(&buf[dynamic.offset as usize..]);
        } else {
            let gap = dynamic.offset - pos;
            skipped_short = stream.skip(gap).map_err(io_err)? < gap;
        }
        read_up_to(stream.as_mut(), &mut d, dynamic.filesz as usize).map_err(io_err)?;
        if skipped_short || (d.len() as u64) < dynamic.filesz {
            return Err(ElfError::Truncated(format!(
                "the dynamic section ends at byte {dyn_end}, past the end of the file"
            )));
        }
        d
    };
    drop(stream);
    let count = dyn_bytes.len() / std::mem::size_of::<Elf::Dyn>();
    let (dyns, _) = object::pod::slice_from_bytes::<Elf::Dyn>(&dyn_bytes, count)
        .map_err(|()| ElfError::Malformed("dynamic section".into()))?;
    let mut strtab = None;
    let mut strsz = None;
    for d in dyns {
        let tag = d.tag(endian);
        if tag == elf::DT_NULL {
            break;
        } else if tag == elf::DT_STRTAB {
            strtab = Some(d.val(endian));
        } else if tag == elf::DT_STRSZ {
            strsz = Some(d.val(endian));
        }
    }
    let (Some(strtab), Some(strsz)) = (strtab, strsz) else {
        return Err(ElfError::Malformed(
            "a dynamic section without DT_STRTAB/DT_STRSZ".into(),
        ));
    };
    let str_off = loads
        .iter()
        .find(|s| strtab >= s.vaddr && strtab - s.vaddr < s.filesz)
        .map(|s| s.offset + (strtab - s.vaddr))
        .ok_or_else(|| {
            ElfError::Malformed(format!("DT_STRTAB {strtab:#x} is in no loaded segment"))
        })?;
    if strsz > limits.max_strtab {
        return Err(ElfError::TooLarge(format!(
            "a string table of {strsz} bytes (limit {})",
            limits.max_strtab
        )));
    }
    let str_end = str_off.saturating_add(strsz);
    if str_end > limits.max_offset {
        return Err(ElfError::TooLarge(format!(
            "its string table at offset {str_off} (limit {})",
            limits.max_offset
        )));
    }
    let fetched;
    let strings: &[u8] = if str_end <= buf.len() as u64 {
        &buf[str_off as usize..str_end as usize]
    } else {
        let mut s2 = src.open().map_err(io_err)?;
        let skipped = s2.skip(str_off).map_err(io_err)?;
        let mut v = Vec::new();
        read_up_to(s2.as_mut(), &mut v, strsz as usize).map_err(io_err)?;
        if skipped < str_off || (v.len() as u64) < strsz {
            return Err(ElfError::Truncated(format!(
                "the string table ends at byte {str_end}, past the end of the file"
            )));
        }
        fetched = v;
        &fetched
    };
    let table = StringTable::new(strings, 0, strings.len() as u64);
    let get = |d: &Elf::Dyn| -> Result<String, ElfError> {
        d.string(endian, table)
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .map_err(|e| ElfError::Malformed(format!("a dynamic string ({e})")))
    };
    for d in dyns {
        let tag = d.tag(endian);
        if tag == elf::DT_NULL {
            break;
        } else if tag == elf::DT_NEEDED {
            info.needed.push(get(d)?);
        } else if tag == elf::DT_RPATH {
            info.rpath.extend(split_path(&get(d)?));
        } else if tag == elf::DT_RUNPATH {
            info.runpath.extend(split_path(&get(d)?));
        } else if tag == elf::DT_SONAME {
            info.soname = Some(get(d)?);
        }
    }
    Ok(info)
}

fn split_path(s: &str) -> Vec<String> {
    s.split(':')
        .filter(|p| !p.is_empty())
        .map(String::from)
        .collect()
}
