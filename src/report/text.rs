//! Text output that cannot lie: every string read from a bundle or a certificate may carry
//! terminal control characters (an escape sequence that moves the cursor and paints a forged
//! "verified" line over the real one, a carriage return that overwrites the line). Text output
//! shows them escaped, as `\x1b` (C0 controls and DEL) or `\u{9b}` (other control and
//! bidirectional formatting characters); JSON output escapes them by itself.

use std::borrow::Cow;

/// Whether `c` must not reach a terminal as is. `\n` is judged by the caller.
fn is_dangerous(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn escape_with(s: &str, keep_newlines: bool) -> Cow<'_, str> {
    let keep = |c: char| !is_dangerous(c) || (keep_newlines && c == '\n');
    if s.chars().all(keep) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if keep(c) {
            out.push(c);
        } else if (c as u32) < 0x20 || c == '\u{7f}' {
            out.push_str(&format!("\\x{:02x}", c as u32));
        } else {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        }
    }
    Cow::Owned(out)
}

/// A whole rendering: control characters escaped, line breaks kept (they are the renderer's
/// own, or continuation lines of a multi-line message).
pub fn escape_controls(s: &str) -> Cow<'_, str> {
    escape_with(s, true)
}

/// One value on one line (a tag, a reference, a certificate subject): control characters and
/// line breaks escaped, so that the value cannot start a line of its own.
pub fn one_line(s: &str) -> Cow<'_, str> {
    escape_with(s, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_escaped_and_plain_text_is_kept() {
        assert!(matches!(escape_controls("app:v1 ok"), Cow::Borrowed(_)));
        assert_eq!(escape_controls("a\x1b[2Kb\rc\n"), "a\\x1b[2Kb\\x0dc\n");
        assert_eq!(escape_controls("\u{9b}31m\u{7f}"), "\\u{9b}31m\\x7f");
        assert_eq!(escape_controls("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(one_line("v1\nforged: verified"), "v1\\x0aforged: verified");
        assert_eq!(one_line("é ✓"), "é ✓");
    }
}
