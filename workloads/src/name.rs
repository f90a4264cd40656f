//! What a workload or parameter name may be: an identifier that reads the same in listings, cell ids, file names
//! and the command line's `-p NAME.KEY=VALUE` and `--size NAME=N`.

use crate::registry::Registry;

/// The longest name accepted: long enough to say what a workload is, short enough for a table column.
pub(crate) const MAX_NAME_LEN: usize = 32;

/// Words the command line gives a meaning of their own in `--workloads`.
pub(crate) const RESERVED: [&str; 2] = [Registry::ALL, Registry::BUILTINS];

/// What breaks the naming rule in a name, found by a `const fn` so that [`crate::Description::new`] can refuse a
/// bad name while the compiler evaluates a constant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fault {
    Empty,
    /// The first character is not a lowercase ASCII letter.
    Start,
    /// The character at this byte offset is not a lowercase letter, digit, `_` or `-`.
    Contains(usize),
    TooLong,
}

impl Fault {
    /// The whole rule, for a panic message, which a constant evaluation cannot format.
    pub(crate) const fn rule(self) -> &'static str {
        match self {
            Fault::Empty => {
                "a workload name is empty; expected a lowercase letter, then lowercase letters, digits, '_' or '-'"
            }
            Fault::Start => {
                "a workload name does not start with a lowercase ASCII letter; expected a lowercase letter, then \
                 lowercase letters, digits, '_' or '-'"
            }
            Fault::Contains(_) => {
                "a workload name contains a character other than a lowercase letter, digit, '_' or '-'; expected a \
                 lowercase letter, then lowercase letters, digits, '_' or '-'"
            }
            Fault::TooLong => "a workload name is longer than 32 characters",
        }
    }
}

/// The first fault of `name` against the rule, or `None` for an identifier: a lowercase ASCII letter, then
/// lowercase letters, digits, `_` or `-`, at most [`MAX_NAME_LEN`] in all.
pub(crate) const fn fault(name: &str) -> Option<Fault> {
    let bytes = name.as_bytes();
    if bytes.is_empty() {
        return Some(Fault::Empty);
    }
    if !bytes[0].is_ascii_lowercase() {
        return Some(Fault::Start);
    }
    let mut at = 1;
    while at < bytes.len() {
        let b = bytes[at];
        if !(b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-') {
            return Some(Fault::Contains(at));
        }
        at += 1;
    }
    if bytes.len() > MAX_NAME_LEN {
        return Some(Fault::TooLong);
    }
    None
}

/// Whether `name` is an identifier (see [`fault`]). The error says what is wrong and what would be valid.
pub(crate) fn check_identifier(name: &str) -> Result<(), String> {
    let rule = "expected a lowercase letter, then lowercase letters, digits, '_' or '-'";
    match fault(name) {
        None => Ok(()),
        Some(Fault::Empty) => Err(format!("it is empty; {rule}")),
        Some(Fault::Start) => Err(format!("it starts with {:?}; {rule}", name.chars().next().unwrap_or_default())),
        Some(Fault::Contains(at)) => Err(format!(
            "it contains {:?}; {rule}",
            name[floor_char_boundary(name, at)..].chars().next().unwrap_or_default()
        )),
        Some(Fault::TooLong) => Err(format!("it is {} characters long; expected at most {MAX_NAME_LEN}", name.len())),
    }
}

/// The start of the character holding byte `at` of `name`.
fn floor_char_boundary(name: &str, mut at: usize) -> usize {
    while !name.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_pass_and_everything_else_says_what_is_wrong() {
        for good in ["spin", "my-work_2", "a", "x".repeat(MAX_NAME_LEN).as_str()] {
            assert_eq!(check_identifier(good), Ok(()), "{good}");
        }
        let cases = [
            ("", "it is empty"),
            ("2fast", "starts with '2'"),
            ("Spin", "starts with 'S'"),
            ("my work", "contains ' '"),
            ("a<b>", "contains '<'"),
            ("a/b", "contains '/'"),
            ("spin.iters", "contains '.'"),
            ("a=b", "contains '='"),
            ("a,b", "contains ','"),
            ("héllo", "contains 'é'"),
        ];
        for (bad, why) in cases {
            let error = check_identifier(bad).unwrap_err();
            assert!(error.contains(why) && error.contains("lowercase letter"), "{bad}: {error}");
        }
        assert!(check_identifier(&"x".repeat(MAX_NAME_LEN + 1)).unwrap_err().contains("at most 32"));
    }

    #[test]
    fn the_const_check_finds_the_same_fault_as_the_message() {
        assert_eq!(fault("spin-2_x"), None);
        assert_eq!(fault(""), Some(Fault::Empty));
        assert_eq!(fault("Spin"), Some(Fault::Start));
        assert_eq!(fault("héllo"), Some(Fault::Contains(1)));
        assert_eq!(fault(&"x".repeat(MAX_NAME_LEN + 1)), Some(Fault::TooLong));
        assert!(Fault::Contains(3).rule().contains("lowercase letter"));
    }
}
