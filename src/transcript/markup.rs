//! Inline markup in caption text: HTML-like tags, ASS `{\...}` overrides and
//! character references. Raw text keeps them; display text drops them.

/// Decodes the character references captions use (`&amp;` `&lt;` `&gt;`
/// `&quot;` `&apos;` `&nbsp;` `&lrm;` `&rlm;` and numeric `&#..;`/`&#x..;`);
/// anything else is left as written.
pub fn decode_entities(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('&') {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let decoded = rest.find(';').filter(|&end| end <= 10).and_then(|end| {
            let name = &rest[1..end];
            let ch = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                "lrm" => Some('\u{200e}'),
                "rlm" => Some('\u{200f}'),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|dec| dec.parse().ok()))
                    .and_then(char::from_u32)
                    // As HTML does: a NUL would make the text read as binary.
                    .map(|ch| if ch == '\0' { '\u{fffd}' } else { ch }),
            }?;
            Some((ch, end + 1))
        });
        match decoded {
            Some((ch, len)) => {
                out.push(ch);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// Display text from caption markup: the tags `<b> <i> <u> <s> <font ...>`
/// (and their closing tags) and ASS overrides like `{\an8}` are removed, `<br>`
/// becomes a line break, and character references are decoded. Anything else
/// that looks like a tag (`a <3 b`, `<v Anna>`) is left as written.
pub fn strip_tags(raw: &str) -> std::borrow::Cow<'_, str> {
    let bytes = raw.as_bytes();
    let Some(first) = memchr::memchr2(b'<', b'{', bytes) else {
        return decode_entities(raw);
    };
    let mut out = String::with_capacity(raw.len());
    let mut copied_to = 0;
    let mut at = first;
    loop {
        if let Some((len, is_break)) = markup_len(&bytes[at..]) {
            out.push_str(&raw[copied_to..at]);
            if is_break {
                out.push('\n');
            }
            copied_to = at + len;
            at = copied_to;
        } else {
            at += 1;
        }
        match memchr::memchr2(b'<', b'{', &bytes[at.min(bytes.len())..]) {
            Some(next) => at += next,
            None => break,
        }
    }
    out.push_str(&raw[copied_to..]);
    if out.contains('&') {
        std::borrow::Cow::Owned(decode_entities(&out).into_owned())
    } else {
        std::borrow::Cow::Owned(out)
    }
}

/// The tags [`strip_tags`] removes; `br` is a line break.
const STRIPPED_TAGS: [&[u8]; 6] = [b"b", b"i", b"u", b"s", b"font", b"br"];
/// The longest tag or override taken as markup, in bytes.
const MAX_MARKUP_BYTES: usize = 200;

/// The length of the tag or override at the start of `s`, and whether it is a
/// line break; `None` when `s` does not start with markup [`strip_tags`] removes.
fn markup_len(s: &[u8]) -> Option<(usize, bool)> {
    let window = &s[..s.len().min(MAX_MARKUP_BYTES)];
    match window.first()? {
        b'{' => {
            if window.get(1) != Some(&b'\\') {
                return None;
            }
            let close = memchr::memchr2(b'}', b'\n', window).filter(|&i| window[i] == b'}')?;
            Some((close + 1, false))
        }
        b'<' => {
            let closing = window.get(1) == Some(&b'/');
            let name_at = 1 + usize::from(closing);
            let name_len = window[name_at..]
                .iter()
                .take_while(|b| b.is_ascii_alphabetic())
                .count();
            let name = &window[name_at..name_at + name_len];
            if !STRIPPED_TAGS
                .iter()
                .any(|tag| tag.eq_ignore_ascii_case(name))
            {
                return None;
            }
            let after = name_at + name_len;
            if !matches!(window.get(after), Some(b'>' | b' ' | b'\t' | b'/')) {
                return None;
            }
            let close = memchr::memchr3(b'>', b'<', b'\n', &window[after..])
                .filter(|&i| window[after + i] == b'>')?;
            Some((after + close + 1, name.eq_ignore_ascii_case(b"br")))
        }
        _ => None,
    }
}

/// Escapes text for caption formats whose readers decode entities (`&`, `<`, `>`).
pub fn escape_entities(text: &str) -> std::borrow::Cow<'_, str> {
    if memchr::memchr3(b'&', b'<', b'>', text.as_bytes()).is_none() {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(ch),
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_decode_and_unknown_ones_stay() {
        assert_eq!(
            decode_entities("a &amp; b &lt;c&gt; &#233;&#xE9;"),
            "a & b <c> éé"
        );
        assert_eq!(decode_entities("AT&T &bogus; &"), "AT&T &bogus; &");
        assert_eq!(decode_entities("&nbsp;"), "\u{a0}");
        assert_eq!(decode_entities("a&#0;b&#x0;"), "a\u{fffd}b\u{fffd}");
    }

    #[test]
    fn escaping_round_trips() {
        let text = "1 < 2 && 3 > 2";
        assert_eq!(decode_entities(&escape_entities(text)), text);
    }

    #[test]
    fn tags_and_overrides_strip_for_display() {
        assert_eq!(strip_tags("plain &amp; simple"), "plain & simple");
        assert_eq!(strip_tags("<i>Hi</i>, <B>you</B>"), "Hi, you");
        assert_eq!(
            strip_tags("{\\an8}<font color=\"#ff0000\">Red</font> <u>u</u> <s>s</s>"),
            "Red u s"
        );
        assert_eq!(
            strip_tags("one<br>two<br/>three<BR />"),
            "one\ntwo\nthree\n"
        );
        assert_eq!(strip_tags("a <3 b &lt;i&gt;"), "a <3 b <i>");
        assert_eq!(
            strip_tags("<v Anna>hi</v> <bold>x</bold>"),
            "<v Anna>hi</v> <bold>x</bold>"
        );
        assert_eq!(
            strip_tags("{not an override} {\\unclosed"),
            "{not an override} {\\unclosed"
        );
        assert_eq!(strip_tags("<i>open <i"), "open <i");
        assert_eq!(strip_tags("é<i>ü</i>{\\b1}ß<"), "éüß<");
    }
}
