//! Where a baseline comes from: a name in the baseline store, or a results file given by path.

use std::path::{Path, PathBuf};

/// Where the baseline comes from.
#[derive(Clone, Debug)]
pub enum BaselineSource {
    /// A name in the store, for this machine's fingerprint.
    Named(String),
    /// A results file given by path.
    File(PathBuf),
}

impl BaselineSource {
    /// A path when the text names an existing file or looks like one (has a `/` or ends in `.json`), else a name.
    pub fn parse(text: &str) -> Self {
        if text.contains('/') || text.ends_with(".json") || Path::new(text).is_file() {
            BaselineSource::File(PathBuf::from(text))
        } else {
            BaselineSource::Named(text.to_owned())
        }
    }
}
