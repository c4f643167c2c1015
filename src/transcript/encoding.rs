//! Bytes to text: byte order marks, UTF-16, a Windows-1252 fallback, and line
//! endings normalised to `\n` so every parser sees one shape.

use std::borrow::Cow;

use encoding_rs::{UTF_16BE, UTF_16LE, WINDOWS_1252};

use super::error::ParseFailure;
use super::model::{Layout, Warning};

/// Text ready for a parser, with what decoding noticed.
#[derive(Debug)]
pub struct Decoded {
    /// The content with BOM removed and every line ending turned into `\n`.
    pub text: String,
    pub layout: Layout,
    pub warnings: Vec<Warning>,
}

/// Decodes a file's bytes. UTF-8 (BOM or not) is taken without copying when it
/// has no `\r`; UTF-16 needs its BOM; anything else that is not UTF-8 is read
/// as Windows-1252 with a warning. NUL bytes in 8-bit text mean binary data.
pub fn decode(bytes: Vec<u8>) -> Result<Decoded, ParseFailure> {
    let mut warnings = Vec::new();
    let mut layout = Layout::default();
    let text: String = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        layout.bom = true;
        utf8_or_1252(rest.to_vec(), &mut warnings)?
    } else if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        let encoding = if bytes[0] == 0xFF { UTF_16LE } else { UTF_16BE };
        let (text, had_errors) = encoding.decode_with_bom_removal(&bytes);
        if had_errors {
            warnings.push(Warning {
                line: 0,
                message: format!("invalid {} sequences were replaced", encoding.name()),
            });
        }
        text.into_owned()
    } else {
        utf8_or_1252(bytes, &mut warnings)?
    };
    if let Some(line) = text.find('\0').map(|at| line_of_offset(&text, at)) {
        return Err(ParseFailure::new(line, "expected text, found binary data"));
    }
    let text = match normalise_newlines(&text) {
        Cow::Borrowed(_) => text,
        Cow::Owned(normalised) => {
            layout.crlf = text.contains("\r\n");
            normalised
        }
    };
    layout.trailing_newlines = Some(text.len() - text.trim_end_matches('\n').len());
    Ok(Decoded {
        text,
        layout,
        warnings,
    })
}

fn utf8_or_1252(bytes: Vec<u8>, warnings: &mut Vec<Warning>) -> Result<String, ParseFailure> {
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(err) => {
            let bytes = err.into_bytes();
            if bytes.contains(&0) {
                let at = memchr::memchr(0, &bytes).unwrap_or(0);
                let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
                return Err(ParseFailure::new(line, "expected text, found binary data"));
            }
            warnings.push(Warning {
                line: 0,
                message: "not valid UTF-8; read as Windows-1252".to_owned(),
            });
            Ok(WINDOWS_1252
                .decode_without_bom_handling(&bytes)
                .0
                .into_owned())
        }
    }
}

/// `\r\n` and lone `\r` become `\n`; text without `\r` is borrowed untouched.
fn normalise_newlines(text: &str) -> Cow<'_, str> {
    if memchr::memchr(b'\r', text.as_bytes()).is_none() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('\r') {
        out.push_str(&rest[..at]);
        out.push('\n');
        rest = &rest[at + 1..];
        if let Some(after) = rest.strip_prefix('\n') {
            rest = after;
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// The 1-based line holding byte `offset` of `text`.
pub fn line_of_offset(text: &str, offset: usize) -> usize {
    memchr::memchr_iter(b'\n', &text.as_bytes()[..offset.min(text.len())]).count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_bom_and_crlf() {
        let d = decode(b"\xEF\xBB\xBFa\r\nb\r\n".to_vec()).expect("text");
        assert_eq!(d.text, "a\nb\n");
        assert!(d.layout.bom && d.layout.crlf);
        assert_eq!(d.layout.trailing_newlines, Some(1));
        assert!(d.warnings.is_empty());
    }

    #[test]
    fn lone_carriage_returns_are_line_ends() {
        let d = decode(b"a\rb".to_vec()).expect("text");
        assert_eq!(d.text, "a\nb");
        assert!(!d.layout.crlf);
        assert_eq!(d.layout.trailing_newlines, Some(0));
    }

    #[test]
    fn utf16_both_byte_orders() {
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("é\n".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("é\n".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(decode(le).expect("le").text, "é\n");
        assert_eq!(decode(be).expect("be").text, "é\n");
    }

    #[test]
    fn windows_1252_falls_back_with_a_warning() {
        let d = decode(b"caf\xE9 \x93quoted\x94".to_vec()).expect("text");
        assert_eq!(d.text, "café \u{201c}quoted\u{201d}");
        assert_eq!(d.warnings.len(), 1);
    }

    #[test]
    fn binary_is_refused_with_its_line() {
        let err = decode(b"line one\nline\0two".to_vec()).expect_err("binary");
        assert_eq!(err.line, 2);
        let err = decode(vec![0x00, 0x9f, 0x92, 0x96]).expect_err("binary");
        assert_eq!(err.line, 1);
    }
}
