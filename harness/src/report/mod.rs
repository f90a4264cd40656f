//! Turning a judged run into output: for stdout an aligned table, a markdown summary, CSV, Bencher JSON or the
//! record itself; on disk the HTML report with its SVG charts. Exporters only make bytes; the caller decides
//! where they go.

pub mod auto_compare;
mod bmf;
#[cfg(test)]
mod browser_tests;
pub mod charts;
mod csv;
pub(crate) mod doubts;
pub mod findings;
pub mod gate_footer;
pub mod html;
#[cfg(test)]
mod items_30;
pub mod judged;
mod markdown;
mod network;
pub mod predicted;
mod predicted_for;
mod rows;
mod sentences;
pub mod site;
mod summary;
mod table;
#[cfg(test)]
mod tests;
pub mod verdicts;

use judged::JudgedRun;

use crate::config::Format;

/// The scaling predicted at `--predict-for N`, as printed after the table (`ablate report` prints it alone).
pub fn predicted_text(run: &JudgedRun) -> Option<String> {
    run.predicted.as_ref().map(predicted_for::text)
}

/// The aligned results table of `record`, without verdicts (a stored baseline, as it was measured); speedups
/// that rest on a serial cell suspect at `alpha` (see [`crate::verdict::reference`]) are marked, as a run's are.
pub fn table(record: &crate::record::RunRecord, alpha: f64) -> String {
    table::render(record, &crate::verdict::reference::suspect_references(record, alpha))
}

/// Renders the run in `format`: `md` is the pull-request summary (verdict first), the others the cells; the table
/// is followed by the scaling predicted at `--predict-for N`, when asked for.
pub fn render(run: &JudgedRun, format: Format) -> String {
    let record = &run.record;
    match format {
        Format::Table => {
            let predicted = run.predicted.as_ref().map(predicted_for::text).unwrap_or_default();
            table::render(record, &run.gate.suspect_references) + &predicted
        }
        Format::Json => serde_json::to_string_pretty(record).expect("a record always encodes") + "\n",
        Format::Csv => csv::render(record),
        Format::Md => summary::render(run),
        Format::Bmf => bmf::render(record),
    }
}
