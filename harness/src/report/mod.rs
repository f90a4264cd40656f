//! Turning a record into text for stdout: an aligned table, markdown, CSV or the JSON record itself.
//! Exporters only make bytes; the caller decides where they go.

mod csv;
mod rows;
mod table;
pub mod units;
pub mod verdicts;

use std::fmt;
use std::str::FromStr;

use crate::record::RunRecord;

/// The formats `--format` accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Csv,
    Md,
}

impl Format {
    pub const ALL: [Format; 4] = [Format::Table, Format::Json, Format::Csv, Format::Md];

    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Md => "md",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Format::ALL.into_iter().find(|f| f.name() == s).ok_or_else(|| s.to_owned())
    }
}

/// Renders the record in `format`.
pub fn render(record: &RunRecord, format: Format) -> String {
    match format {
        Format::Table => table::render(record),
        Format::Json => serde_json::to_string_pretty(record).expect("a record always encodes") + "\n",
        Format::Csv => csv::render(record),
        Format::Md => table::render_markdown(record),
    }
}
