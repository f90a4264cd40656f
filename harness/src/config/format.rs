//! The formats `--format` accepts for what a run prints on stdout.

use std::fmt;

/// The formats `--format` accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, strum::EnumString, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "lowercase")]
pub enum Format {
    Table,
    Json,
    Csv,
    Md,
    Bmf,
}

impl Format {
    pub const ALL: &[Format] = <Format as strum::VariantArray>::VARIANTS;

    /// The name `--format` takes.
    pub fn name(self) -> &'static str {
        self.into()
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}
