//! Escaping text from results (workload names, units, labels, failure reasons) for GitHub-flavoured markdown:
//! the one place every markdown writer goes through, so that a name can neither break a table, start markup,
//! nor hide the rest of a comment behind `<!--`.
//!
//! Markdown code spans render their content literally — an entity such as `&lt;` would show as typed — and a
//! backtick inside one ends it; so names that should look like code are set in an inline `<code>` element
//! instead, whose content is ordinary markdown text and is escaped like any other.

/// `text` safe anywhere in a line of markdown, table cells included: markup characters are backslash-escaped,
/// `<`, `>` and `&` become entities, and line breaks and other control characters become spaces.
pub fn text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '$' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// `text` set as code: monospace, and as safe as [`text`].
pub fn code(text: &str) -> String {
    format!("<code>{}</code>", self::text(text))
}

#[cfg(test)]
mod tests {
    use super::{code, text};

    #[test]
    fn markup_and_table_breakers_become_literal_text() {
        assert_eq!(text("a|b"), "a\\|b");
        assert_eq!(text("<!-- x -->"), "&lt;!-- x --&gt;");
        assert_eq!(text("*bold* _it_ [l](u) `c`"), "\\*bold\\* \\_it\\_ \\[l\\](u) \\`c\\`");
        assert_eq!(text("a\nb\r\tc"), "a b  c");
        assert_eq!(text("x & y \\"), "x &amp; y \\\\");
        assert_eq!(code("spin/200/serial"), "<code>spin/200/serial</code>");
        assert_eq!(code("`</code>`"), "<code>\\`&lt;/code&gt;\\`</code>");
    }
}
