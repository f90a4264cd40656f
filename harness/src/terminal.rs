//! Text bound for the terminal, made safe to print: every control character but newline and tab is escaped
//! (`\u{1b}`), so that a name read from a file — a workload, a cell id, a baseline — cannot move the cursor,
//! clear the screen, retitle the window or hide a line. Everything ablate prints passes through here: stdout
//! through [`printable`], its messages on stderr through [`say`]. Files written (JSON, CSV, HTML) keep their
//! text as it is, each escaped by its own format.

use std::borrow::Cow;

/// `text` with its control characters (C0 but newline and tab, DEL, C1) escaped as `\u{…}`.
pub fn printable(text: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| c.is_control() && c != '\n' && c != '\t';
    if !text.contains(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if unsafe_char(c) {
            escaped.extend(c.escape_unicode());
        } else {
            escaped.push(c);
        }
    }
    Cow::Owned(escaped)
}

/// Prints one message of ablate's on stderr, `ablate: ` first, its control characters escaped.
pub fn say(message: std::fmt::Arguments<'_>) {
    eprintln!("ablate: {}", printable(&message.to_string()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_the_rest_kept() {
        assert!(matches!(printable("spin/8/serial\tok\n"), Cow::Borrowed(_)));
        assert_eq!(printable("a\u{1b}[31mb"), "a\\u{1b}[31mb");
        assert_eq!(printable("\u{9b}1m\r\u{7}\u{7f}é"), "\\u{9b}1m\\u{d}\\u{7}\\u{7f}é");
    }
}
