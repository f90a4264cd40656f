//! The aligned plain-text table printed after a run, and the same rows as a markdown table.

use super::doubts::{self, CellDoubt};
use super::markdown;
use super::rows::{HEADERS, SUSPECT_MARK, rows};
use crate::record::RunRecord;
use crate::verdict::reference::SuspectReference;

/// Columns padded to their widest entry; the status column last and unpadded; a line under the footer for each
/// suspect reference.
pub(super) fn render(record: &RunRecord, suspects: &[SuspectReference]) -> String {
    let mut header: Vec<String> = HEADERS.iter().map(|h| (*h).to_owned()).collect();
    header.push("status".to_owned());
    let doubts = doubts::per_cell(record);
    let body = rows(record, suspects, &doubts);
    let widths: Vec<usize> = (0..header.len())
        .map(|c| body.iter().chain([&header]).map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for line in std::iter::once(&header).chain(&body) {
        let cells: Vec<String> = line
            .iter()
            .zip(&widths)
            .enumerate()
            .map(
                |(c, (text, &width))| {
                    if c < 2 || c == line.len() - 1 { format!("{text:<width$}") } else { format!("{text:>width$}") }
                },
            )
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out.push_str(&footer(record));
    out.push('\n');
    for line in marks(record, suspects, &doubts) {
        out.push_str(&format!("{SUSPECT_MARK} {line}\n"));
    }
    out.push_str(&super::auto_compare::render(record).unwrap_or_default());
    out
}

/// A GitHub-flavoured markdown table with the same columns.
pub(super) fn render_markdown(record: &RunRecord, suspects: &[SuspectReference]) -> String {
    let mut out = format!("| {} | status |\n", HEADERS.join(" | "));
    out.push_str(&format!("|{}---|\n", "---|".repeat(HEADERS.len())));
    let doubts = doubts::per_cell(record);
    for row in rows(record, suspects, &doubts) {
        let escaped: Vec<String> = row.iter().map(|c| markdown::text(c)).collect();
        out.push_str(&format!("| {} |\n", escaped.join(" | ")));
    }
    out.push('\n');
    out.push_str(&markdown::text(&footer(record)));
    out.push('\n');
    for line in marks(record, suspects, &doubts) {
        out.push_str(&format!("\n{} {}\n", markdown::text(SUSPECT_MARK), markdown::text(&line)));
    }
    out
}

/// What the table's marks mean: each suspect reference, then the wall-clock figures a busy machine made
/// unreliable.
fn marks(record: &RunRecord, suspects: &[SuspectReference], doubts: &[CellDoubt]) -> Vec<String> {
    let mut lines: Vec<String> = suspects.iter().map(SuspectReference::describe).collect();
    lines.extend(doubts::lines(record, doubts));
    lines
}

/// What the table was measured on and against, in one line (without its line break).
fn footer(record: &RunRecord) -> String {
    let m = &record.machine;
    let profile = &record.config.profile;
    format!(
        "machine {} ({}, {} logical / {} physical cores); {} warm-up + {}; \
         speedup and efficiency against serial at the same size",
        m.fingerprint,
        m.cpu_model,
        m.logical_cores,
        m.physical_cores,
        profile.warmup,
        profile.repetitions_phrase()
    )
}
