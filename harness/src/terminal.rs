//! Text bound for the terminal, made safe to print: every control character but newline and tab is escaped
//! (`\u{1b}`), so that a name read from a file — a workload, a cell id, a baseline — cannot move the cursor,
//! clear the screen, retitle the window or hide a line. Everything ablate prints passes through here: stdout
//! through [`printable`], its messages on stderr through [`say`], each after the name the binary was started by
//! ([`program_name`]). Files written (JSON, CSV, HTML) keep their text as it is, each escaped by its own format.

use std::borrow::Cow;
use std::path::Path;
use std::sync::OnceLock;

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

/// Prints one message on stderr, the binary's own name first (`ablate: `, or `my-bench: ` in a user's binary
/// made with `ablate_main!`), its control characters escaped.
pub fn say(message: std::fmt::Arguments<'_>) {
    eprintln!("{}: {}", program_name(), printable(&message.to_string()));
}

/// The file name this binary was started by (its first argument), `ablate` when there is none; escaped like
/// everything printed.
pub fn program_name() -> &'static str {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| name_from(std::env::args_os().next().as_deref().map(Path::new)))
}

fn name_from(argv0: Option<&Path>) -> String {
    argv0
        .and_then(Path::file_name)
        .map(|name| printable(&name.to_string_lossy()).into_owned())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "ablate".to_owned())
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

    #[test]
    fn the_program_is_named_by_the_file_it_was_started_as() {
        assert_eq!(name_from(Some(Path::new("/home/me/target/release/my-bench"))), "my-bench");
        assert_eq!(name_from(Some(Path::new("ablate"))), "ablate");
        assert_eq!(name_from(None), "ablate");
        assert_eq!(name_from(Some(Path::new("/"))), "ablate");
    }
}
