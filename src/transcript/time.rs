//! Clock-style timestamps (`HH:MM:SS.mmm` and relatives): reading them from
//! bytes fast, and writing them back in the shape the source used.
//!
//! A fraction is decimal: `,5` is 500 ms and `.05` is 50 ms; digits past the
//! third are dropped (truncated, not rounded), so `.1239` is 123 ms.

/// How many hour digits a written timestamp carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hours {
    /// Always written, zero-padded to this many digits (`00:01:02.000` is 2).
    Always(u8),
    /// Written only when non-zero, unpadded (`1:02:03` but `02:03`).
    WhenNonZero,
    /// Never written: minutes count on past 59 (`75:12`).
    Never,
}

/// The shape of timestamps in a file, kept so a write-back looks like the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeStyle {
    /// Whether and how hours are written.
    pub hours: Hours,
    /// Minimum digits of the minutes field when there are no hours (1 gives `0:03`).
    pub minute_digits: u8,
    /// `.` or `,` before the fraction.
    pub frac_sep: u8,
    /// Fraction digits, 0 to 3 (0 writes whole seconds, truncating).
    pub frac_digits: u8,
}

impl Default for TimeStyle {
    fn default() -> Self {
        TimeStyle {
            hours: Hours::Always(2),
            minute_digits: 2,
            frac_sep: b'.',
            frac_digits: 3,
        }
    }
}

/// A timestamp read from text: its value and the shape it was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timestamp {
    /// The time in milliseconds.
    pub ms: u64,
    /// Bytes the timestamp took in the input.
    pub len: usize,
    /// Digits in the hours field, or 0 when there was none.
    pub hour_digits: u8,
    /// Digits in the minutes field.
    pub minute_digits: u8,
    /// `.` or `,`, or 0 when there was no fraction.
    pub frac_sep: u8,
    /// Digits after the separator, as written (may exceed 3).
    pub frac_digits: u8,
}

impl Timestamp {
    /// The style that writes this timestamp back the way it was read.
    pub fn style(&self) -> TimeStyle {
        TimeStyle {
            hours: if self.hour_digits == 0 && self.ms >= 3_600_000 {
                Hours::Never
            } else if self.hour_digits == 0 {
                Hours::WhenNonZero
            } else {
                Hours::Always(self.hour_digits.min(2))
            },
            minute_digits: self.minute_digits.clamp(1, 2),
            frac_sep: if self.frac_sep == 0 {
                b'.'
            } else {
                self.frac_sep
            },
            frac_digits: self.frac_digits.min(3),
        }
    }
}

/// Reads the digits at the start of `s`: (value, count). At most 18 digits are
/// taken so the value cannot overflow.
fn digits(s: &[u8]) -> (u64, usize) {
    let mut value = 0u64;
    let mut n = 0;
    while n < s.len() && n < 18 && s[n].is_ascii_digit() {
        value = value * 10 + u64::from(s[n] - b'0');
        n += 1;
    }
    (value, n)
}

/// Reads a timestamp `(H+:)?M+:SS([.,]d+)?` at the start of `s`.
///
/// With hours, minutes are two digits below 60; without, minutes may be one or
/// more digits and exceed 59 (`75:12`). Seconds are two digits below 60.
pub fn parse_timestamp(s: &[u8]) -> Option<Timestamp> {
    let (a, a_len) = digits(s);
    if a_len == 0 || s.get(a_len) != Some(&b':') {
        return None;
    }
    let rest = &s[a_len + 1..];
    let (b, b_len) = digits(rest);
    if b_len == 0 {
        return None;
    }
    let (hours, minutes, hour_digits, minute_digits, secs_at) = if rest.get(b_len) == Some(&b':') {
        // a:b:c with b two digits → hours:minutes:seconds.
        let after = &rest[b_len + 1..];
        let (_, c_len) = digits(after);
        if b_len != 2 || c_len != 2 || b >= 60 {
            return None;
        }
        (a, b, a_len as u8, 2u8, a_len + 1 + b_len + 1)
    } else {
        (0, a, 0, a_len.min(255) as u8, a_len + 1)
    };
    let secs_text = &s[secs_at..];
    let (secs, secs_len) = digits(secs_text);
    if secs_len != 2 || secs >= 60 {
        return None;
    }
    let mut len = secs_at + secs_len;
    let mut frac_ms = 0;
    let mut frac_sep = 0;
    let mut frac_digits = 0;
    if let Some(&sep) = s.get(len).filter(|&&c| c == b'.' || c == b',') {
        let (_, n) = digits(&s[len + 1..]);
        if n > 0 {
            let frac = &s[len + 1..len + 1 + n];
            for i in 0..3 {
                frac_ms = frac_ms * 10 + frac.get(i).map_or(0, |d| u64::from(d - b'0'));
            }
            frac_sep = sep;
            frac_digits = n.min(255) as u8;
            len += 1 + n;
        }
    }
    let ms = hours
        .checked_mul(3_600_000)?
        .checked_add(minutes.checked_mul(60_000)?)?
        .checked_add(secs * 1000 + frac_ms)?;
    Some(Timestamp {
        ms,
        len,
        hour_digits,
        minute_digits,
        frac_sep,
        frac_digits,
    })
}

/// How many spaces and tabs start `bytes`: the blanks between the parts of a
/// timing line.
pub fn count_blanks(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t'))
        .count()
}

/// Appends `ms` to `out` in the given style.
pub fn write_timestamp(out: &mut String, ms: u64, style: TimeStyle) {
    let hours = ms / 3_600_000;
    let minutes = ms / 60_000 % 60;
    let secs = ms / 1000 % 60;
    let frac = ms % 1000;
    // Writers and the VTT reader's canonical check call this per word:
    // digits are pushed by hand rather than through `fmt`.
    match style.hours {
        Hours::Always(width) => {
            push_digits(out, hours, usize::from(width));
            out.push(':');
            push_digits(out, minutes, 2);
        }
        Hours::WhenNonZero if hours > 0 => {
            push_digits(out, hours, 1);
            out.push(':');
            push_digits(out, minutes, 2);
        }
        Hours::WhenNonZero => push_digits(out, minutes, usize::from(style.minute_digits)),
        Hours::Never => push_digits(out, ms / 60_000, usize::from(style.minute_digits)),
    }
    out.push(':');
    push_digits(out, secs, 2);
    if style.frac_digits > 0 {
        out.push(char::from(style.frac_sep));
        let digits = u32::from(style.frac_digits.min(3));
        push_digits(out, frac / 10u64.pow(3 - digits), digits as usize);
    }
}

/// Appends `value` in decimal, zero-padded to at least `width` digits.
fn push_digits(out: &mut String, mut value: u64, width: usize) {
    let mut buf = [0u8; 20];
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    for _ in buf.len() - at..width {
        out.push('0');
    }
    out.extend(buf[at..].iter().map(|&digit| char::from(digit)));
}

/// `ms` as a string in the given style.
pub fn format_timestamp(ms: u64, style: TimeStyle) -> String {
    let mut out = String::with_capacity(12);
    write_timestamp(&mut out, ms, style);
    out
}

/// Milliseconds from float seconds as JSON formats write them (rounded to the
/// nearest ms; negative and non-finite values become 0).
pub fn ms_from_secs(secs: f64) -> u64 {
    if secs.is_finite() && secs > 0.0 {
        (secs * 1000.0).round() as u64
    } else {
        0
    }
}

/// Float seconds from milliseconds, for JSON writers.
pub fn secs_from_ms(ms: u64) -> f64 {
    ms as f64 / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(s: &str) -> Option<u64> {
        parse_timestamp(s.as_bytes()).map(|t| t.ms)
    }

    #[test]
    fn reads_the_shapes_real_files_use() {
        assert_eq!(ms("00:00:01.400"), Some(1_400));
        assert_eq!(ms("01:31:46.035"), Some(5_506_035));
        assert_eq!(ms("00:00:01,400"), Some(1_400));
        assert_eq!(ms("01:02.5"), Some(62_500));
        assert_eq!(ms("01:02.05"), Some(62_050));
        assert_eq!(ms("1:02:03"), Some(3_723_000));
        assert_eq!(ms("123:00:00.000"), Some(442_800_000));
        assert_eq!(ms("75:12"), Some(4_512_000));
        assert_eq!(ms("0:03"), Some(3_000));
        assert_eq!(ms("00:00:01.1239"), Some(1_123));
    }

    #[test]
    fn refuses_what_is_not_a_time() {
        for bad in [
            "", "12", "1:2", "00:60", "00:61:00", "aa:bb", "10:3x", ":00:01",
        ] {
            assert_eq!(ms(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn stops_at_the_end_of_the_timestamp() {
        let t = parse_timestamp(b"00:00:01.400 - 00:00:03.725").expect("a time");
        assert_eq!(t.len, 12);
        let t = parse_timestamp(b"00:01. x").expect("a time");
        assert_eq!((t.ms, t.len), (1_000, 5));
    }

    #[test]
    fn writes_back_in_the_style_it_read() {
        for text in [
            "00:00:01.400",
            "01:31:46,035",
            "01:02.5",
            "1:02:03",
            "0:03",
            "123:04:05.678",
            "75:12",
        ] {
            let t = parse_timestamp(text.as_bytes()).expect("a time");
            let mut style = t.style();
            if t.hour_digits > 2 {
                style.hours = Hours::Always(2);
            }
            assert_eq!(format_timestamp(t.ms, style), text);
        }
    }

    #[test]
    fn seconds_convert_to_the_nearest_ms() {
        assert_eq!(ms_from_secs(1.4), 1_400);
        assert_eq!(ms_from_secs(0.0005), 1);
        assert_eq!(ms_from_secs(-3.0), 0);
        assert_eq!(ms_from_secs(f64::NAN), 0);
        assert_eq!(secs_from_ms(1_400), 1.4);
    }
}
