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

/// The segments [`read_as`] needs from the program headers.
#[derive(Debug, Default)]
struct Segments {
    /// `PT_LOAD`, in order.
    loads: Vec<Seg>,
    /// `PT_DYNAMIC`.
    dynamic: Option<Seg>,
    /// `PT_INTERP`.
    interp: Option<Seg>,
}

/// Read one object of class `Elf` whose first bytes are in `buf`, the rest
/// coming from `stream` (and, for a string table behind the dynamic
/// section, from a second pass over `src`).
fn read_as<Elf: FileHeader<Endian = Endianness>>(
    src: &Source,
    mut stream: Box<dyn Stream>,
    mut buf: Vec<u8>,
    limits: &Limits,
) -> Result<ElfInfo, ElfError> {
    let (endian, segs, mut info) = headers::<Elf>(&buf)?;
    info.interp = segs.interp.and_then(|r| interp_in(&buf, r));
    let Some(dynamic) = segs.dynamic else {
        return Ok(info); // statically linked: needs nothing
    };
    let dyn_end = dynamic_end(dynamic, limits)?;
    let keep = retained(&segs.loads, dynamic, limits, buf.len() as u64);
    read_up_to(stream.as_mut(), &mut buf, keep as usize).map_err(io_err)?;
    let dyn_bytes = read_dynamic(stream, &buf, dynamic, dyn_end)?;
    let count = dyn_bytes.len() / std::mem::size_of::<Elf::Dyn>();
    let (dyns, _) = object::pod::slice_from_bytes::<Elf::Dyn>(&dyn_bytes, count)
        .map_err(|()| ElfError::Malformed("dynamic section".into()))?;
    let (strtab, strsz) = string_table_entries::<Elf>(dyns, endian)?;
    let (str_off, str_end) = string_table_range(&segs.loads, strtab, strsz, limits)?;
    let fetched;
    let strings: &[u8] = if str_end <= buf.len() as u64 {
        &buf[str_off as usize..str_end as usize]
    } else {
        fetched = read_strings(src, str_off, strsz, str_end)?;
        &fetched
    };
    linking_entries::<Elf>(dyns, endian, strings, &mut info)?;
    Ok(info)
}

/// The byte order, the segments and the header facts, from the ELF and
/// program headers in `head`.
fn headers<Elf: FileHeader<Endian = Endianness>>(
    head: &[u8],
) -> Result<(Endianness, Segments, ElfInfo), ElfError> {
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
    let mut segs = Segments::default();
    for ph in phdrs {
        let seg = Seg {
            offset: ph.p_offset(endian).into(),
            vaddr: ph.p_vaddr(endian).into(),
            filesz: ph.p_filesz(endian).into(),
            exec: ph.p_flags(endian).0 & elf::PF_X.0 != 0,
        };
        let t = ph.p_type(endian);
        if t == elf::PT_LOAD {
            segs.loads.push(seg);
        } else if t == elf::PT_DYNAMIC {
            segs.dynamic = Some(seg);
        } else if t == elf::PT_INTERP {
            segs.interp = Some(seg);
        }
    }
    let info = ElfInfo {
        class64: hdr.is_type_64(),
        machine: hdr.e_machine(endian).0,
        ..ElfInfo::default()
    };
    Ok((endian, segs, info))
}

/// `PT_INTERP`'s path, when it lies in `buf` and is at most 4 KiB.
fn interp_in(buf: &[u8], r: Seg) -> Option<String> {
    let end = r.offset.saturating_add(r.filesz);
    if end <= buf.len() as u64 && r.filesz <= 4096 {
        let bytes = &buf[r.offset as usize..end as usize];
        let s = bytes.split(|&b| b == 0).next().unwrap_or_default();
        Some(String::from_utf8_lossy(s).into_owned())
    } else {
        None
    }
}

/// Where the dynamic section ends, if it is within the limits.
fn dynamic_end(dynamic: Seg, limits: &Limits) -> Result<u64, ElfError> {
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
    Ok(dyn_end)
}

/// How many bytes of the file to hold before skipping to the dynamic
/// section (`read`: already held): the first segment when it is read-only
/// and starts the file, as that is where `.dynstr` lives in what linkers
/// write; never past the dynamic section nor beyond [`Limits::retain`].
fn retained(loads: &[Seg], dynamic: Seg, limits: &Limits, read: u64) -> u64 {
    loads
        .first()
        .filter(|s| s.offset == 0 && !s.exec)
        .map_or(0, |s| s.filesz)
        .min(limits.retain)
        .min(dynamic.offset)
        .max(read)
}

/// The dynamic section's bytes: from `buf` when it is all there, else read
/// on from `stream` (which is consumed).
fn read_dynamic(
    mut stream: Box<dyn Stream>,
    buf: &[u8],
    dynamic: Seg,
    dyn_end: u64,
) -> Result<Vec<u8>, ElfError> {
    if dyn_end <= buf.len() as u64 {
        return Ok(buf[dynamic.offset as usize..dyn_end as usize].to_vec());
    }
    // The section may start inside what is already read (a lying
    // header can put it there) and end past it: take that part, then
    // read on; else skip forward to it.
    let pos = buf.len() as u64;
    let (start, gap) = match dynamic.offset.checked_sub(pos) {
        None => (buf[dynamic.offset as usize..].to_vec(), 0),
        Some(gap) => (Vec::new(), gap),
    };
    let what = "the dynamic section";
    read_span(stream.as_mut(), start, gap, dynamic.filesz, what, dyn_end)
}

/// `bytes` followed by what `stream` holds after skipping `gap` bytes, up
/// to `len` bytes in all; an error when the file ends first (`what` ends
/// at byte `end`).
fn read_span(
    stream: &mut dyn Stream,
    mut bytes: Vec<u8>,
    gap: u64,
    len: u64,
    what: &str,
    end: u64,
) -> Result<Vec<u8>, ElfError> {
    let skipped = stream.skip(gap).map_err(io_err)?;
    read_up_to(stream, &mut bytes, len as usize).map_err(io_err)?;
    if skipped < gap || (bytes.len() as u64) < len {
        return Err(ElfError::Truncated(format!(
            "{what} ends at byte {end}, past the end of the file"
        )));
    }
    Ok(bytes)
}

/// `DT_STRTAB` and `DT_STRSZ` (up to `DT_NULL`).
fn string_table_entries<Elf: FileHeader<Endian = Endianness>>(
    dyns: &[Elf::Dyn],
    endian: Endianness,
) -> Result<(u64, u64), ElfError> {
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
    match (strtab, strsz) {
        (Some(strtab), Some(strsz)) => Ok((strtab, strsz)),
        _ => Err(ElfError::Malformed(
            "a dynamic section without DT_STRTAB/DT_STRSZ".into(),
        )),
    }
}

/// The file range `(start, end)` of the string table at address `strtab`,
/// `strsz` bytes long: in a loaded segment, and within the limits.
fn string_table_range(
    loads: &[Seg],
    strtab: u64,
    strsz: u64,
    limits: &Limits,
) -> Result<(u64, u64), ElfError> {
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
    Ok((str_off, str_end))
}

/// The string table, read in a second pass over `src`.
fn read_strings(src: &Source, str_off: u64, strsz: u64, str_end: u64) -> Result<Vec<u8>, ElfError> {
    let mut s2 = src.open().map_err(io_err)?;
    let what = "the string table";
    read_span(s2.as_mut(), Vec::new(), str_off, strsz, what, str_end)
}

/// `DT_NEEDED`, `DT_RPATH`, `DT_RUNPATH` and `DT_SONAME` (up to `DT_NULL`),
/// their strings taken from `strings`, into `info`.
fn linking_entries<Elf: FileHeader<Endian = Endianness>>(
    dyns: &[Elf::Dyn],
    endian: Endianness,
    strings: &[u8],
    info: &mut ElfInfo,
) -> Result<(), ElfError> {
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
    Ok(())
}

fn split_path(s: &str) -> Vec<String> {
    s.split(':')
        .filter(|p| !p.is_empty())
        .map(String::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(offset: u64, vaddr: u64, filesz: u64, exec: bool) -> Seg {
        Seg {
            offset,
            vaddr,
            filesz,
            exec,
        }
    }

    #[test]
    fn the_interpreter_is_read_only_from_what_is_held() {
        let mut buf = vec![0u8; 16];
        buf.extend_from_slice(b"/lib/ld.so\0pad");
        assert_eq!(
            interp_in(&buf, seg(16, 0, 14, false)).as_deref(),
            Some("/lib/ld.so")
        );
        // Past the bytes held, or over 4 KiB: not read.
        assert_eq!(interp_in(&buf, seg(16, 0, 15, false)), None);
        assert_eq!(interp_in(&vec![b'a'; 5000], seg(0, 0, 4097, false)), None);
        assert_eq!(interp_in(&buf, seg(u64::MAX, 0, 2, false)), None);
    }

    #[test]
    fn the_dynamic_section_must_be_within_the_limits() {
        let limits = Limits {
            max_dynamic: 100,
            max_offset: 1_000,
            ..Limits::default()
        };
        assert_eq!(dynamic_end(seg(900, 0, 100, false), &limits), Ok(1_000));
        assert!(matches!(
            dynamic_end(seg(0, 0, 101, false), &limits),
            Err(ElfError::TooLarge(m)) if m.contains("101 bytes")
        ));
        assert!(matches!(
            dynamic_end(seg(901, 0, 100, false), &limits),
            Err(ElfError::TooLarge(m)) if m.contains("offset 901")
        ));
        // An offset near u64::MAX saturates, never wraps.
        assert!(dynamic_end(seg(u64::MAX, 0, 10, false), &limits).is_err());
    }

    #[test]
    fn the_first_read_only_segment_is_held_within_bounds() {
        let limits = Limits {
            retain: 1_000,
            ..Limits::default()
        };
        let dynamic = seg(5_000, 0, 10, false);
        // Read-only at offset 0: held, up to `retain`.
        assert_eq!(
            retained(&[seg(0, 0, 800, false)], dynamic, &limits, 64),
            800
        );
        assert_eq!(
            retained(&[seg(0, 0, 9_000, false)], dynamic, &limits, 64),
            1_000
        );
        // Never past the dynamic section; never less than what is held.
        assert_eq!(
            retained(
                &[seg(0, 0, 800, false)],
                seg(300, 0, 10, false),
                &limits,
                64
            ),
            300
        );
        assert_eq!(
            retained(&[seg(0, 0, 800, false)], dynamic, &limits, 900),
            900
        );
        // Executable or not at the start: nothing more.
        assert_eq!(retained(&[seg(0, 0, 800, true)], dynamic, &limits, 64), 64);
        assert_eq!(retained(&[seg(8, 0, 800, false)], dynamic, &limits, 64), 64);
        assert_eq!(retained(&[], dynamic, &limits, 64), 64);
    }

    #[test]
    fn the_string_table_is_found_in_a_loaded_segment() {
        let limits = Limits {
            max_strtab: 100,
            max_offset: 10_000,
            ..Limits::default()
        };
        let loads = [
            seg(0, 0x1000, 0x500, false),
            seg(0x2000, 0x4000, 0x500, true),
        ];
        assert_eq!(
            string_table_range(&loads, 0x1010, 50, &limits),
            Ok((0x10, 0x42))
        );
        assert_eq!(
            string_table_range(&loads, 0x4100, 10, &limits),
            Ok((0x2100, 0x210a))
        );
        assert_eq!(
            string_table_range(&loads, 0x1500, 10, &limits),
            Err(ElfError::Malformed(
                "DT_STRTAB 0x1500 is in no loaded segment".into()
            ))
        );
        assert!(matches!(
            string_table_range(&loads, 0x1010, 101, &limits),
            Err(ElfError::TooLarge(_))
        ));
        let far = [seg(9_990, 0, 0x500, false)];
        assert!(matches!(
            string_table_range(&far, 0, 50, &limits),
            Err(ElfError::TooLarge(m)) if m.contains("offset 9990")
        ));
    }
}
