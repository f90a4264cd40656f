//! The parts of a run's section: its verdict (in the words of [`sentences`]), machine, findings, per-workload
//! tables and configuration.

use std::fmt::Write;

use super::escape::escape;
use super::glossary::{CELL_COLUMNS, FINDINGS_COLUMNS, VERDICT_TERMS, header, key};
use crate::exit;
use crate::report::doubts;
use crate::report::findings::{findings, worker_counts};
use crate::report::judged::JudgedRun;
use crate::report::rows::{HEADERS, rows};
use crate::report::sentences;
use crate::report::verdicts;

/// The verdict in words (see [`sentences::verdict`]), coloured by whether the run passed.
pub fn verdict(run: &JudgedRun) -> String {
    let class = if run.gate.exit_code() == exit::SUCCESS { "pass" } else { "fail" };
    format!("<p class=\"verdict {class}\">{}</p>\n", escape(&sentences::verdict(run)))
}

/// `0.1.0` or `0.1.0 at 1a2b3c4` (`+dirty`): ablate's build, apart from the measured project's commit.
fn ablate_build(record: &crate::record::RunRecord) -> String {
    match &record.ablate_commit {
        Some(commit) => format!(
            "{} at {}{}",
            record.ablate_version,
            commit.get(..7).unwrap_or(commit),
            if record.ablate_dirty { "+dirty" } else { "" }
        ),
        None => record.ablate_version.clone(),
    }
}

pub fn machine(run: &JudgedRun) -> String {
    let m = &run.record.machine;
    let commit = m
        .git_commit
        .as_deref()
        .map_or_else(String::new, |c| format!(", commit {}{}", escape(c), if m.git_dirty { " (dirty)" } else { "" }));
    format!(
        "<p class=\"machine\">Machine <b>{}</b>: {}, {} logical / {} physical cores, {:.1} GiB, {} {}; {}; ablate {}{commit}; \
         measured {}. {} warm-up and {}.</p>\n",
        escape(&m.fingerprint),
        escape(&m.cpu_model),
        m.logical_cores,
        m.physical_cores,
        m.memory_bytes as f64 / (1u64 << 30) as f64,
        escape(&m.os),
        escape(&m.kernel),
        escape(&m.rustc),
        escape(&ablate_build(&run.record)),
        escape(&run.record.created),
        run.record.config.profile.warmup,
        escape(&run.record.config.profile.repetitions_phrase()),
    )
}

/// The answer first: a row per workload with the fastest strategy at each worker count and why.
pub fn findings_table(run: &JudgedRun) -> String {
    let found = findings(run);
    let counts = worker_counts(&found);
    let mut out = String::from("<table class=\"findings\"><thead><tr>");
    out.push_str(&header(&FINDINGS_COLUMNS, "workload"));
    for w in &counts {
        out.push_str(&header(&FINDINGS_COLUMNS, &format!("best at {w} worker{}", if *w == 1 { "" } else { "s" })));
    }
    out.push_str(&header(&FINDINGS_COLUMNS, "scaling"));
    out.push_str(&header(&FINDINGS_COLUMNS, "why"));
    out.push_str("</tr></thead><tbody>\n");
    for f in &found {
        let _ = write!(out, "<tr><td><b>{}</b><br><small>{}</small></td>", escape(&f.workload), escape(&f.size));
        for w in &counts {
            match f.best.iter().find(|b| b.0 == *w) {
                Some((_, label, speedup)) => {
                    let mark = if f.doubt.is_some() { "?" } else { "" };
                    let _ = write!(out, "<td>{} <small>({speedup:.2}× serial{mark})</small></td>", escape(label));
                }
                None => out.push_str("<td>-</td>"),
            }
        }
        let reasons: Vec<String> = f.reasons.iter().map(|r| format!("<li>{}</li>", escape(r))).collect();
        let _ = writeln!(out, "<td>{}</td><td><ul>{}</ul></td></tr>", escape(&f.scaling), reasons.concat());
    }
    out.push_str("</tbody></table>\n");
    out.push_str(&key("What the columns say", &FINDINGS_COLUMNS));
    out
}

/// The verdict table and every threshold in force, as the CLI prints them, with a key to their words; folded away
/// when the run passed.
pub fn verdict_text(run: &JudgedRun) -> String {
    let open = if run.gate.exit_code() == exit::SUCCESS { "" } else { " open" };
    format!(
        "<details{open}><summary>Every verdict, and the thresholds in force</summary><pre class=\"verdicts\">{}</pre>\
         {}</details>\n",
        escape(&verdicts::render(&run.gate)),
        key("What the verdicts' words say", &VERDICT_TERMS)
    )
}

/// A table per workload, with the columns of the CLI's results table, after a key to those columns.
pub fn workload_tables(run: &JudgedRun) -> String {
    let all_rows = rows(&run.record, &run.gate.suspect_references, &doubts::per_cell(&run.record));
    let mut out = key("What the columns say", &CELL_COLUMNS);
    for (workload, size) in run.groups() {
        let _ = writeln!(out, "<h4>{} ({size})</h4>", escape(&workload));
        out.push_str("<table class=\"cells\"><thead><tr>");
        for name in HEADERS.iter().skip(2).chain(&["status"]) {
            out.push_str(&header(&CELL_COLUMNS, name));
        }
        out.push_str("</tr></thead><tbody>\n");
        for (cell, row) in run.record.cells.iter().zip(&all_rows) {
            if cell.workload != workload || cell.size != size {
                continue;
            }
            out.push_str("<tr>");
            for value in row.iter().skip(2) {
                let _ = write!(out, "<td>{}</td>", escape(value));
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody></table>\n");
    }
    out
}

pub fn configuration(run: &JudgedRun) -> String {
    let config = serde_json::to_string_pretty(&run.record.config).unwrap_or_default();
    format!("<details><summary>Configuration</summary><pre>{}</pre></details>\n", escape(&config))
}
