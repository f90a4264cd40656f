//! What a workload or parameter name may be: an identifier that reads the same in listings, cell ids, file names
//! and the command line's `-p NAME.KEY=VALUE` and `--size NAME=N`.

use crate::registry::Registry;

/// The longest name accepted: long enough to say what a workload is, short enough for a table column.
pub(crate) const MAX_NAME_LEN: usize = 32;

/// Words the command line gives a meaning of their own in `--workloads`.
pub(crate) const RESERVED: [&str; 2] = [Registry::ALL, Registry::BUILTINS];

/// Whether `name` is an identifier: a lowercase ASCII letter, then lowercase letters, digits, `_` or `-`, at most
/// [`MAX_NAME_LEN`] in all. The error says what is wrong and what would be valid.
pub(crate) fn check_identifier(name: &str) -> Result<(), String> {
    let rule = "expected a lowercase letter, then lowercase letters, digits, '_' or '-'";
    let Some(first) = name.chars().next() else {
        return Err(format!("it is empty; {rule}"));
    };
    if !first.is_ascii_lowercase() {
        return Err(format!("it starts with {first:?}; {rule}"));
    }
    if let Some(bad) = name.chars().find(|&c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')) {
        return Err(format!("it contains {bad:?}; {rule}"));
    }
    if name.len() > MAX_NAME_LEN {
        return Err(format!("it is {} characters long; expected at most {MAX_NAME_LEN}", name.len()));
    }
    Ok(())
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
}
