//! `file:` URLs (RFC 8089) made into local paths. macOS names the
//! documents it asks an application to open (a Finder double-click, Open
//! With, `open FILE`) by URL; `ui::macos_open` receives them and this turns
//! them into the paths a window opens. Pure, so it is tested everywhere.
//!
//! Only what names a file on this machine is taken: the scheme `file`
//! (any case), then an empty host or `localhost`, then an absolute path
//! whose percent-escapes are decoded byte by byte (a path need not be
//! UTF-8 on Unix); a query or fragment is dropped. Anything else (another
//! scheme, another host, a malformed escape, an escaped NUL) names no path.

use std::path::PathBuf;

/// The local path that `url` names, or `None` when it names none (see the
/// module's rules): `file:///Users/me/My%20Show.mp3` gives
/// `/Users/me/My Show.mp3`.
pub fn to_path(url: &str) -> Option<PathBuf> {
    let scheme_end = url.find(':')?;
    if !url[..scheme_end].eq_ignore_ascii_case("file") {
        return None;
    }
    let rest = &url[scheme_end + 1..];
    // The path ends where a query or fragment starts; `?` and `#` in a
    // file's name are escaped (`%3F`, `%23`).
    let rest = &rest[..rest.find(['?', '#']).unwrap_or(rest.len())];
    let path = match rest.strip_prefix("//") {
        // `file://HOST/path`: only this machine's host.
        Some(authority_and_path) => {
            let host_end = authority_and_path
                .find('/')
                .unwrap_or(authority_and_path.len());
            let host = &authority_and_path[..host_end];
            if !host.is_empty() && !host.eq_ignore_ascii_case("localhost") {
                return None;
            }
            &authority_and_path[host_end..]
        }
        // `file:/path`, which RFC 8089 allows too.
        None => rest,
    };
    if !path.starts_with('/') {
        return None;
    }
    path_from_bytes(percent_decode(path)?)
}

/// The local paths of those of `urls` that name one (see [`to_path`]), in
/// their order; the others are left out.
pub fn to_paths<S: AsRef<str>>(urls: &[S]) -> Vec<PathBuf> {
    urls.iter()
        .filter_map(|url| to_path(url.as_ref()))
        .collect()
}

/// `text` with each `%XX` replaced by the byte it stands for; `None` when a
/// `%` is not followed by two hex digits, or a NUL would result (no path
/// holds one).
fn percent_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let byte = if bytes[i] == b'%' {
            let high = hex_digit(*bytes.get(i + 1)?)?;
            let low = hex_digit(*bytes.get(i + 2)?)?;
            i += 3;
            (high << 4) | low
        } else {
            i += 1;
            bytes[i - 1]
        };
        if byte == 0 {
            return None;
        }
        decoded.push(byte);
    }
    Some(decoded)
}

fn hex_digit(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

/// A Unix path is bytes, whatever they are.
#[cfg(unix)]
fn path_from_bytes(bytes: Vec<u8>) -> Option<PathBuf> {
    use std::os::unix::ffi::OsStringExt;
    Some(PathBuf::from(std::ffi::OsString::from_vec(bytes)))
}

/// Elsewhere, only UTF-8 is taken (this is for macOS's URLs; a Windows
/// `file:///C:/…` keeps its leading slash).
#[cfg(not(unix))]
fn path_from_bytes(bytes: Vec<u8>) -> Option<PathBuf> {
    String::from_utf8(bytes).ok().map(PathBuf::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(url: &str) -> Option<String> {
        to_path(url).map(|path| path.to_string_lossy().into_owned())
    }

    #[test]
    fn a_file_url_gives_its_decoded_path() {
        assert_eq!(
            path("file:///Users/me/Podcasts/My%20Show%20%231.mp3").as_deref(),
            Some("/Users/me/Podcasts/My Show #1.mp3")
        );
        // Escapes in either case, and letters never escaped.
        assert_eq!(path("file:///a%2fb%2Fc").as_deref(), Some("/a/b/c"));
        assert_eq!(path("file:///plain.txt").as_deref(), Some("/plain.txt"));
    }

    #[test]
    fn non_ascii_names_come_back_from_their_utf8_escapes() {
        // NSURL escapes "é" (U+00E9) as its two UTF-8 bytes.
        assert_eq!(
            path("file:///Users/me/%C3%A9pisode%20%E2%80%94%201.srt").as_deref(),
            Some("/Users/me/épisode — 1.srt")
        );
        // Unescaped UTF-8 is taken as it is.
        assert_eq!(path("file:///tmp/été.vtt").as_deref(), Some("/tmp/été.vtt"));
    }

    #[cfg(unix)]
    #[test]
    fn bytes_that_are_not_utf8_stay_as_they_are() {
        use std::os::unix::ffi::OsStrExt;
        let decoded = to_path("file:///tmp/%FF.mp3").expect("a path");
        assert_eq!(decoded.as_os_str().as_bytes(), b"/tmp/\xFF.mp3");
    }

    #[test]
    fn localhost_and_the_short_form_are_this_machine() {
        assert_eq!(
            path("file://localhost/tmp/a.mp3").as_deref(),
            Some("/tmp/a.mp3")
        );
        assert_eq!(
            path("FILE://LocalHost/tmp/a.mp3").as_deref(),
            Some("/tmp/a.mp3")
        );
        assert_eq!(path("file:/tmp/a.mp3").as_deref(), Some("/tmp/a.mp3"));
    }

    #[test]
    fn a_query_or_fragment_is_not_part_of_the_path() {
        assert_eq!(path("file:///tmp/a.mp3?x=1").as_deref(), Some("/tmp/a.mp3"));
        assert_eq!(
            path("file:///tmp/a.mp3#t=10").as_deref(),
            Some("/tmp/a.mp3")
        );
        assert_eq!(
            path("file:///tmp/a%3F%23.mp3").as_deref(),
            Some("/tmp/a?#.mp3")
        );
    }

    #[test]
    fn what_names_no_local_file_is_none() {
        for url in [
            "https://example.com/episode.mp3",
            "earmark://open?file=/tmp/a.mp3",
            "file://server/share/a.mp3",
            "file:relative/a.mp3",
            "file://",
            "/tmp/a.mp3",
            "",
            "file:///tmp/100%.mp3",
            "file:///tmp/%4",
            "file:///tmp/%zz.mp3",
            "file:///tmp/a%00.mp3",
        ] {
            assert_eq!(path(url), None, "{url}");
        }
    }

    #[test]
    fn a_list_keeps_the_files_in_order_and_leaves_out_the_rest() {
        let urls = [
            "file:///tmp/b.srt",
            "https://example.com/x",
            "file:///tmp/a.mp3",
        ];
        assert_eq!(
            to_paths(&urls),
            [PathBuf::from("/tmp/b.srt"), PathBuf::from("/tmp/a.mp3")]
        );
        assert!(to_paths::<&str>(&[]).is_empty());
    }
}
