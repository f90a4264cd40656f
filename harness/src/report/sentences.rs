//! The verdict of a run in sentences, one source for every format that states it: the HTML report and the markdown
//! summary each render these words in their own markup.

use super::judged::{JudgedRun, Origin};
use crate::exit;

/// The run's verdict in words: what a plain `run` or `report` found, or a gate's verdict with its exit code. A pass
/// says only what was judged: cells that could not be judged are counted, and a busy machine's wall-clock figures
/// are named as such.
pub fn verdict(run: &JudgedRun) -> String {
    let code = run.gate.exit_code();
    let text = match run.origin {
        Origin::Run => format!("{}{}", found(run), power_phrase(run, "the comparison with the baseline ")),
        Origin::Gate => {
            format!("{} (gate exit code {code}){}", gate_verdict(run, code), power_phrase(run, "this gate "))
        }
    };
    let busy = busy_phrase(run).map(|line| format!("; {line}")).unwrap_or_default();
    format!("{text}{busy}")
}

/// `every parallel cell scales`, or how many could not be judged.
fn scales(run: &JudgedRun) -> String {
    let scaling = &run.gate.scaling;
    match scaling.iter().filter(|s| s.inconclusive()).count() {
        0 => "every parallel cell scales".to_owned(),
        unjudged => {
            format!("no parallel cell is judged below its floor, {unjudged} of {} could not be judged", scaling.len())
        }
    }
}

/// What a plain run found, every kind of finding counted, without speaking of a gate.
fn found(run: &JudgedRun) -> String {
    let gate = &run.gate;
    let below = format!("below the {} scaling floor", run.min_efficiency);
    let counted = [
        (gate.failed_cells.len(), "cell", "failed outright"),
        (gate.regressions().count(), "cell", "slower than the baseline"),
        (gate.scaling_failures().count(), "parallel cell", &below),
    ];
    let mut found: Vec<String> = counted
        .iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, what, how)| format!("{n} {what}{} {how}", if *n == 1 { "" } else { "s" }))
        .collect();
    if found.is_empty() {
        let compared = !gate.comparisons.is_empty();
        found.push(if compared { format!("no cell slower than the baseline, {}", scales(run)) } else { scales(run) });
    }
    if gate.comparisons.is_empty() {
        found.push("no baseline compared".to_owned());
    }
    let text = found.join("; ");
    text[..1].to_uppercase() + &text[1..]
}

/// The gate's verdict, by its exit code.
fn gate_verdict(run: &JudgedRun, code: u8) -> String {
    match code {
        exit::SUCCESS if run.gate.comparisons.is_empty() => format!("PASS: {} (no baseline compared)", scales(run)),
        exit::SUCCESS => format!("PASS: no regression against the baseline, {}", scales(run)),
        exit::REGRESSION => "REGRESSED: cells are slower than the baseline".to_owned(),
        exit::SCALING => "SCALING BELOW THRESHOLD: workers that do not pay for themselves".to_owned(),
        exit::INCONCLUSIVE => {
            "INCONCLUSIVE: verdicts the gate could not reach, and --require-power asks for them".to_owned()
        }
        _ => "FAILED: cells failed outright".to_owned(),
    }
}

/// `; this gate could see slowdowns ≥ 1.08× in 5 of 36 cells`, with `subject` in place of `this gate `.
fn power_phrase(run: &JudgedRun, subject: &str) -> String {
    let line = run.gate.power_line().map(|line| line.replacen("this gate ", subject, 1));
    line.map(|line| format!("; {line}")).unwrap_or_default()
}

/// `measured on a busy machine — other processes used up to 1.0 of 2 cores: …`, where a wall-clock figure was in
/// doubt.
fn busy_phrase(run: &JudgedRun) -> Option<String> {
    let doubted: Vec<_> = run.gate.scaling.iter().filter(|s| s.wall_clock_doubt.is_some()).collect();
    if doubted.is_empty() {
        return None;
    }
    let cores = run.record.machine.logical_cores;
    let busy = match doubted.iter().filter_map(|s| s.busy_load).reduce(f64::max) {
        Some(load) => format!("measured on a busy machine — other processes used up to {load:.1} of {cores} cores: "),
        None => String::new(),
    };
    let on_proof = doubted.iter().filter(|s| s.judged_on_load_proof).count();
    Some(format!(
        "{busy}the wall-clock speedups of {} cell(s) are unreliable (marked ?), {on_proof} judged on the load-proof \
         efficiency instead",
        doubted.len()
    ))
}
