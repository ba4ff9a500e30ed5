//! Bytes to text, the way pip's `_decode_req_file` does it.
//!
//! 1. A byte-order mark picks UTF-8, UTF-16 or UTF-32 (and is removed).
//! 2. Else a PEP 263 `coding:` comment on one of the first two lines picks
//!    the encoding.
//! 3. Else UTF-8.
//!
//! Where pip would fall back to the locale's encoding on invalid UTF-8, we
//! refuse: a requirements file that is not valid UTF-8 (and declares no
//! other encoding) is an error naming the line of the first bad byte. A
//! NUL character in the decoded text is an error too (binary file).

/// Why a file could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// 1-based physical line where the problem is (counting `\n` bytes).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Decode a requirements file's bytes as pip does (see the module docs).
pub fn decode(data: &[u8]) -> Result<String, DecodeError> {
    let text = decode_inner(data)?;
    if let Some(pos) = text.find('\0') {
        let line = text[..pos].matches('\n').count() + 1;
        return Err(DecodeError {
            line,
            message:
                "contains a NUL character: this looks like a binary file, not a requirements file"
                    .into(),
        });
    }
    Ok(text)
}

fn line_of_byte(data: &[u8], offset: usize) -> usize {
    data[..offset.min(data.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

fn decode_inner(data: &[u8]) -> Result<String, DecodeError> {
    // Order matters: the UTF-16 LE BOM is a prefix of the UTF-32 LE BOM.
    if let Some(rest) = data.strip_prefix(b"\xef\xbb\xbf") {
        return utf8(
            rest,
            data.len() - rest.len(),
            data,
            "UTF-8 (byte-order mark)",
        );
    }
    if let Some(rest) = data.strip_prefix(b"\xff\xfe\x00\x00") {
        // Python's "utf-32" codec: a second BOM would pick the order again.
        return utf32_bom(rest);
    }
    if let Some(rest) = data.strip_prefix(b"\x00\x00\xfe\xff") {
        return utf32(rest, true);
    }
    if let Some(rest) = data.strip_prefix(b"\xff\xfe") {
        return utf16_bom(rest);
    }
    if let Some(rest) = data.strip_prefix(b"\xfe\xff") {
        return utf16(rest, true);
    }
    for (i, line) in data.split(|&b| b == b'\n').take(2).enumerate() {
        if line.first() == Some(&b'#') {
            if let Some(enc) = pep263(line) {
                return declared(data, &enc, i + 1);
            }
        }
    }
    utf8(data, 0, data, "UTF-8")
}

/// The encoding named by `coding[:=]\s*([-\w.]+)` in a line, if any.
fn pep263(line: &[u8]) -> Option<String> {
    let mut from = 0;
    while let Some(pos) = find(&line[from..], b"coding") {
        let mut i = from + pos + 6;
        if matches!(line.get(i), Some(b':' | b'=')) {
            i += 1;
            while matches!(
                line.get(i),
                Some(b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c')
            ) {
                i += 1;
            }
            let start = i;
            while matches!(line.get(i), Some(c) if c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
            {
                i += 1;
            }
            if i > start {
                return Some(String::from_utf8_lossy(&line[start..i]).into_owned());
            }
        }
        from += pos + 1;
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[derive(Clone, Copy)]
enum Codec {
    Utf8,
    Utf8Sig,
    Latin1,
    Ascii,
    Cp1252,
    Utf16,
    Utf16Le,
    Utf16Be,
    Utf32,
    Utf32Le,
    Utf32Be,
}

/// Python codec names (after its normalization) we support.
fn codec(name: &str) -> Option<Codec> {
    let n: String = name
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c == '-' || c == ' ' { '_' } else { c })
        .collect();
    Some(match n.as_str() {
        "utf_8" | "utf8" | "u8" | "utf" | "utf8_ucs2" | "utf8_ucs4" | "cp65001" => Codec::Utf8,
        "utf_8_sig" => Codec::Utf8Sig,
        "latin_1" | "latin1" | "latin" | "l1" | "iso_8859_1" | "iso8859_1" | "8859" | "cp819"
        | "iso_ir_100" | "iso_8859_1:1987" | "csisolatin1" | "ibm819" => Codec::Latin1,
        "ascii" | "us_ascii" | "646" | "us" | "ansi_x3.4_1968" | "ansi_x3_4_1968"
        | "ansi_x3.4_1986" | "cp367" | "csascii" | "ibm367" | "iso646_us" | "iso_646.irv:1991"
        | "iso_ir_6" => Codec::Ascii,
        "cp1252" | "windows_1252" | "1252" => Codec::Cp1252,
        "utf_16" | "utf16" | "u16" => Codec::Utf16,
        "utf_16_le" | "utf_16le" => Codec::Utf16Le,
        "utf_16_be" | "utf_16be" => Codec::Utf16Be,
        "utf_32" | "utf32" | "u32" => Codec::Utf32,
        "utf_32_le" | "utf_32le" => Codec::Utf32Le,
        "utf_32_be" | "utf_32be" => Codec::Utf32Be,
        _ => return None,
    })
}

fn declared(data: &[u8], enc: &str, line: usize) -> Result<String, DecodeError> {
    let Some(c) = codec(enc) else {
        return Err(DecodeError {
            line,
            message: format!(
                "declares the encoding {enc:?}, which pip-guard does not support \
                 (supported: utf-8, latin-1, ascii, cp1252, utf-16, utf-32)"
            ),
        });
    };
    let what = format!("{enc} (declared on line {line})");
    match c {
        Codec::Utf8 => utf8(data, 0, data, &what),
        Codec::Utf8Sig => match data.strip_prefix(b"\xef\xbb\xbf") {
            Some(rest) => utf8(rest, 3, data, &what),
            None => utf8(data, 0, data, &what),
        },
        Codec::Latin1 => Ok(data.iter().map(|&b| b as char).collect()),
        Codec::Ascii => match data.iter().position(|&b| b >= 0x80) {
            Some(p) => Err(bad_byte(data, p, &what)),
            None => Ok(data.iter().map(|&b| b as char).collect()),
        },
        Codec::Cp1252 => {
            let mut s = String::with_capacity(data.len());
            for (i, &b) in data.iter().enumerate() {
                match cp1252(b) {
                    Some(c) => s.push(c),
                    None => return Err(bad_byte(data, i, &what)),
                }
            }
            Ok(s)
        }
        Codec::Utf16 => utf16_bom(data),
        Codec::Utf16Le => utf16(data, false),
        Codec::Utf16Be => utf16(data, true),
        Codec::Utf32 => utf32_bom(data),
        Codec::Utf32Le => utf32(data, false),
        Codec::Utf32Be => utf32(data, true),
    }
}

fn cp1252(b: u8) -> Option<char> {
    const HIGH: [u16; 32] = [
        0x20ac, 0, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039,
        0x152, 0, 0x17d, 0, 0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc,
        0x2122, 0x161, 0x203a, 0x153, 0, 0x17e, 0x178,
    ];
    match b {
        0x80..=0x9f => match HIGH[(b - 0x80) as usize] {
            0 => None,
            u => char::from_u32(u as u32),
        },
        _ => Some(b as char),
    }
}

fn bad_byte(whole: &[u8], offset: usize, what: &str) -> DecodeError {
    DecodeError {
        line: line_of_byte(whole, offset),
        message: format!(
            "is not valid {what}: byte 0x{:02x} cannot be decoded; save the file as UTF-8 \
             or declare its encoding with a first line like `# -*- coding: latin-1 -*-`",
            whole.get(offset).copied().unwrap_or(0)
        ),
    }
}

fn utf8(data: &[u8], base: usize, whole: &[u8], what: &str) -> Result<String, DecodeError> {
    match std::str::from_utf8(data) {
        Ok(s) => Ok(s.to_owned()),
        Err(e) => Err(bad_byte(whole, base + e.valid_up_to(), what)),
    }
}

fn utf16_bom(data: &[u8]) -> Result<String, DecodeError> {
    if let Some(rest) = data.strip_prefix(b"\xff\xfe") {
        utf16(rest, false)
    } else if let Some(rest) = data.strip_prefix(b"\xfe\xff") {
        utf16(rest, true)
    } else {
        utf16(data, false)
    }
}

fn utf32_bom(data: &[u8]) -> Result<String, DecodeError> {
    if let Some(rest) = data.strip_prefix(b"\xff\xfe\x00\x00") {
        utf32(rest, false)
    } else if let Some(rest) = data.strip_prefix(b"\x00\x00\xfe\xff") {
        utf32(rest, true)
    } else {
        utf32(data, false)
    }
}

fn wide_error(what: &str) -> DecodeError {
    DecodeError {
        line: 1,
        message: format!("is not valid {what}: truncated or malformed data"),
    }
}

fn utf16(data: &[u8], be: bool) -> Result<String, DecodeError> {
    if !data.len().is_multiple_of(2) {
        return Err(wide_error("UTF-16"));
    }
    let units = data.chunks_exact(2).map(|c| {
        if be {
            u16::from_be_bytes([c[0], c[1]])
        } else {
            u16::from_le_bytes([c[0], c[1]])
        }
    });
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .map_err(|_| wide_error("UTF-16"))
}

fn utf32(data: &[u8], be: bool) -> Result<String, DecodeError> {
    if !data.len().is_multiple_of(4) {
        return Err(wide_error("UTF-32"));
    }
    data.chunks_exact(4)
        .map(|c| {
            let u = if be {
                u32::from_be_bytes([c[0], c[1], c[2], c[3]])
            } else {
                u32::from_le_bytes([c[0], c[1], c[2], c[3]])
            };
            char::from_u32(u).ok_or_else(|| wide_error("UTF-32"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boms() {
        assert_eq!(decode(b"\xef\xbb\xbfa\n").as_deref(), Ok("a\n"));
        assert_eq!(decode(b"\xff\xfea\x00\n\x00").as_deref(), Ok("a\n"));
        assert_eq!(decode(b"\xfe\xff\x00a").as_deref(), Ok("a"));
        assert_eq!(decode(b"\xff\xfe\x00\x00a\x00\x00\x00").as_deref(), Ok("a"));
    }

    #[test]
    fn pep263_latin1() {
        let d = b"# -*- coding: latin-1 -*-\ncaf\xe9\n";
        assert_eq!(
            decode(d).as_deref(),
            Ok("# -*- coding: latin-1 -*-\ncaf\u{e9}\n")
        );
    }

    #[test]
    fn bad_utf8_names_line() {
        let e = decode(b"a\nb\n\xff\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("UTF-8"), "{}", e.message);
    }

    #[test]
    fn nul_is_binary() {
        let e = decode(b"a\n\0\n").unwrap_err();
        assert_eq!(e.line, 2);
    }

    #[test]
    fn unsupported_declared_encoding() {
        assert!(decode(b"# coding: koi8-r\nx\n").is_err());
        // Only the first two lines count.
        assert!(decode(b"a\nb\n# coding: koi8-r\n").is_ok());
        // The coding comment must start the line with '#'.
        assert!(decode(b"x # coding: koi8-r\n").is_ok());
    }
}
