//! The patterns of a thresholds file's `[[rule]] match`: `*` matches any run of characters, everything else itself.
//! Matched in O(pattern × text) at worst, whatever the pattern: a hostile file of many stars cannot make a gate
//! hang.

/// Whether `text` matches `pattern`, where `*` matches any run of characters (none included).
///
/// The two-pointer wildcard match: on a mismatch, the last `*` seen takes one more character and matching resumes
/// after it. Only the last star is ever returned to, since a later star can absorb whatever an earlier one would
/// have, so no position pair is visited more than once per star restart.
pub fn matches(pattern: &str, text: &str) -> bool {
    let (pattern, text): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut p, mut t) = (0, 0);
    // The position just after the last star seen, and the text position that star's run ends at so far.
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some('*') => {
                p += 1;
                star = Some((p, t));
            }
            Some(&c) if c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((after, ends)) => {
                    p = after;
                    t = ends + 1;
                    star = Some((after, t));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::time::Duration;

    use super::*;

    #[test]
    fn stars_match_any_run_and_the_rest_matches_itself() {
        assert!(matches("skewed/threads", "skewed/threads"));
        assert!(matches("*/rayon", "spin/rayon"));
        assert!(matches("s*/*", "spin/process"));
        assert!(matches("*", ""));
        assert!(matches("**a**", "a"));
        assert!(matches("a*b*c", "aXbYbc"));
        assert!(matches("é*/*", "éclair/threads"));
        assert!(!matches("*/rayon", "spin/rayon2"));
        assert!(!matches("spin", "spin/rayon"));
        assert!(!matches("a*b", "a"));
        assert!(!matches("", "a"));
    }

    #[test]
    fn item_27_7_a_glob_of_forty_stars_is_matched_without_hanging() {
        let pattern = "*a".repeat(40) + "b";
        let text = "a".repeat(200);
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || sender.send(matches(&pattern, &text)).unwrap());
        let matched = receiver.recv_timeout(Duration::from_secs(10)).expect("a 40-star glob matched within 10 s");
        assert!(!matched);
    }
}
