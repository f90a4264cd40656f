//! CSV export: one row per cell with raw numbers (nanoseconds, bytes per task as measured from the real frames
//! where processes were crossed), for spreadsheets and scripts.

use crate::record::{CellStatus, RunRecord};

const HEADER: &str = "id,workload,size,strategy,transport,workers,chunk,tasks,median_wall_ns,relative_spread,\
median_cpu_ns,pool_start_ns,speedup,efficiency,load_proof_efficiency,wall_clock_doubt,utilisation,input_bytes_per_task,output_bytes_per_task,peak_rss_bytes,\
gbps,timeouts,crashes,garbled,retries,fallbacks,respawn_failures,digest,status";

pub(super) fn render(record: &RunRecord) -> String {
    let mut out = format!("{HEADER}\n");
    let doubts = super::doubts::per_cell(record);
    for (cell, doubt) in record.cells.iter().zip(&doubts) {
        let s = cell.summary.as_ref();
        let per_task = cell.bytes_per_task();
        let f = &cell.faults;
        let num = |v: Option<f64>| v.map_or_else(String::new, |v| format!("{v}"));
        let fields = [
            quote(&cell.id),
            quote(&cell.workload),
            cell.size.to_string(),
            cell.strategy.to_string(),
            cell.transport.map_or_else(String::new, |t| t.to_string()),
            cell.workers.to_string(),
            cell.effective_chunk.to_string(),
            cell.tasks.to_string(),
            num(s.map(|s| s.median_wall_ns)),
            num(s.map(|s| s.relative_spread)),
            num(s.map(|s| s.median_cpu_ns)),
            cell.pool_start_ns.to_string(),
            num(s.and_then(|s| s.speedup)),
            num(s.and_then(|s| s.efficiency)),
            num(doubt.load_proof),
            doubt.doubt.as_ref().map_or_else(String::new, |d| quote(&d.describe())),
            num(s.map(|s| s.median_utilisation)),
            num(per_task.map(|(input, _)| input)),
            num(per_task.map(|(_, output)| output)),
            num(s.map(|s| s.peak_rss_bytes as f64)),
            num(s.and_then(|s| s.gbps)),
            f.timeouts.to_string(),
            f.crashes.to_string(),
            f.garbled.to_string(),
            f.retries.to_string(),
            f.fallbacks.to_string(),
            f.respawn_failures.to_string(),
            cell.digest.map_or_else(String::new, |d| d.to_string()),
            quote(match &cell.status {
                CellStatus::Ok => "ok",
                CellStatus::Failed { reason } | CellStatus::Unmeasured { reason } => reason,
            }),
        ];
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    out
}

/// Quotes a field when it holds a comma, quote or newline (RFC 4180).
fn quote(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn fields_with_separators_are_quoted() {
        assert_eq!(quote("plain"), "plain");
        assert_eq!(quote("a,b"), "\"a,b\"");
        assert_eq!(quote("say \"x\""), "\"say \"\"x\"\"\"");
    }
}
