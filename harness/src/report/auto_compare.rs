//! `auto` against what it chose among: for each workload, the `auto` cell's median time beside the best fixed
//! configuration's and the naive default's (processes, one task per dispatch, the input copied), with geometric
//! means — the ablation that shows whether `auto` chose well — the reasons each choice was made, and the race of
//! finalists that made it (each entrant's median, runs and fate). The ratio to
//! the best carries a 95 % bootstrap interval: the best of several configurations is also the luckiest, and the
//! interval says how far noise reaches. Where `auto` lost by more than the gate's regression ratio and the race
//! had timed the configuration it chose at other than the auto cell then ran it (beyond that ratio too), the row
//! says the workload's times moved within the run and marks its ratio `?`: the race chose under other conditions
//! than the fixed cells were measured in; where both counted page faults, it says whether fresh memory explains it.
//! Where `auto` lost that much and its cell touched fresh memory that the best fixed cell reused, the row says
//! that too and is marked `?`: which of the two an allocation-heavy workload gets follows the allocator's state,
//! which moves within a run, as much as the strategy.

use std::fmt::Write;

use ablate_workloads::Digest;

use super::judged::strategy_label;
use crate::decision::Race;
use crate::measure::paging;
use crate::plan::is_naive;
use crate::record::{CellRecord, CellStatus, RunRecord};
use crate::stats::inference::{Interval, RESAMPLES, ratio_of_medians_interval};
use crate::stats::median;
use crate::store::thresholds::REGRESSION_RATIO;
use crate::units::duration_ns;

/// One workload's comparison.
pub struct AutoRow {
    pub workload: String,
    pub auto: (String, f64),
    pub best: (String, f64),
    /// 95 % interval of auto ÷ best, from their samples.
    pub interval: Option<Interval>,
    pub naive: Option<f64>,
    /// Why `auto` chose what it did, from its pilot.
    pub reasons: Vec<String>,
    /// The finalists' race, each entrant in a phrase (empty where there was none); why the winner won is among
    /// the reasons.
    pub race: Vec<String>,
    /// Where `auto` lost beyond the regression ratio: how the race's times of the chosen configuration and the
    /// auto cell's disagree, where they do beyond that ratio too, or else how the auto cell touched fresh memory
    /// that the best fixed cell reused.
    pub drift: Option<String>,
}

const CONFIDENCE: f64 = 0.95;

impl AutoRow {
    /// `auto`'s time over the best fixed configuration's: 1 means it found the best.
    pub fn against_best(&self) -> f64 {
        self.auto.1 / self.best.1
    }

    /// How many times faster `auto` ran than the naive default.
    pub fn over_naive(&self) -> Option<f64> {
        self.naive.map(|naive| naive / self.auto.1)
    }
}

/// A row per workload and size that has a measured `auto` cell.
pub fn rows(record: &RunRecord) -> Vec<AutoRow> {
    let most_workers = record.cells.iter().map(|c| c.workers).max().unwrap_or(1);
    let median = |c: &CellRecord| c.summary.as_ref().map(|s| s.median_wall_ns);
    let label = |c: &CellRecord| format!("{} ×{} chunk {}", strategy_label(c), c.workers, c.effective_chunk);
    let measured = |c: &&CellRecord| c.status == CellStatus::Ok && c.summary.is_some();
    let mut rows = Vec::new();
    for auto in record.cells.iter().filter(measured).filter(|c| c.decision.is_some()) {
        let group: Vec<&CellRecord> = record
            .cells
            .iter()
            .filter(measured)
            .filter(|c| c.workload == auto.workload && c.size == auto.size)
            .collect();
        let is_naive = |c: &CellRecord| is_naive(c.strategy, c.chunk, c.transport) && c.workers == most_workers;
        let fixed = group.iter().filter(|c| c.decision.is_none() && !(record.config.naive && is_naive(c)));
        let Some(best) = fixed.min_by(|a, b| median(a).unwrap_or(f64::MAX).total_cmp(&median(b).unwrap_or(f64::MAX)))
        else {
            continue;
        };
        let naive = group.iter().find(|c| record.config.naive && is_naive(c)).and_then(|c| median(c));
        let seed = Digest::of_parts([auto.id.as_bytes()]).0;
        let interval = ratio_of_medians_interval(&auto.walls(), &best.walls(), CONFIDENCE, RESAMPLES, seed);
        let lost = interval.is_some_and(|i| i.low > REGRESSION_RATIO);
        rows.push(AutoRow {
            workload: format!("{} ({})", auto.workload, auto.size),
            auto: (label(auto), median(auto).unwrap_or(f64::NAN)),
            best: (label(best), median(best).unwrap_or(f64::NAN)),
            interval,
            naive,
            reasons: auto.decision.as_ref().map(|d| d.reasons.clone()).unwrap_or_default(),
            race: auto.decision.as_ref().and_then(|d| d.race.as_ref()).map_or_else(Vec::new, Race::standings),
            drift: if lost { drift(auto, seed).or_else(|| fresher_than_best(auto, best)) } else { None },
        });
    }
    rows
}

/// Where the race's times of the configuration `auto` chose and the auto cell's own repetitions of it differ by
/// more than [`REGRESSION_RATIO`] either way (the 95 % interval of their ratio of medians lies wholly beyond it),
/// a sentence saying so: the same configuration ran that much faster or slower at another moment of the same run.
fn drift(auto: &CellRecord, seed: u64) -> Option<String> {
    let race = auto.decision.as_ref()?.race.as_ref()?;
    let raced = race.entrants.get(race.winner)?;
    let walls = auto.walls();
    let interval = ratio_of_medians_interval(&walls, &raced.times_ns, CONFIDENCE, RESAMPLES, seed)?;
    if interval.low <= REGRESSION_RATIO && interval.high >= 1.0 / REGRESSION_RATIO {
        return None;
    }
    let (cell, in_race) = (median(&walls)?, median(&raced.times_ns)?);
    Some(format!(
        "{}'s times moved within the run: the race timed {} at {}, the auto cell ran it at {} ({:.2}× [{:.2}, \
         {:.2}], beyond the {REGRESSION_RATIO:.2} a gate calls a regression){}; the race and the fixed cells met \
         different conditions, so one run does not settle which configuration is best here",
        auto.workload,
        raced.label,
        duration_ns(in_race),
        duration_ns(cell),
        cell / in_race,
        interval.low,
        interval.high,
        page_faults_compared(&raced.minor_page_faults, auto).unwrap_or_default(),
    ))
}

/// Where the auto cell took many more minor page faults an execution than the best fixed cell (see
/// [`paging::fresh_in_one`]), a sentence saying so: the same work touched fresh memory in one and reused it in
/// the other, and for an allocation-heavy workload that follows the allocator's state within the process as
/// much as the strategy (`blobs`: `rayon` ×1 took 1 025 faults and 50.5 ms in one run, 49 412 and 176.5 ms in
/// another).
fn fresher_than_best(auto: &CellRecord, best: &CellRecord) -> Option<String> {
    let (in_auto, in_best) = (auto.median_page_faults()?, best.median_page_faults()?);
    (in_auto > in_best && paging::fresh_in_one(in_auto, in_best)).then(|| {
        format!(
            "{}'s auto cell took {in_auto:.0} minor page faults an execution and the best fixed cell {in_best:.0}: \
             {}, which the allocator's state within the process decides as much as the strategy, so one run does \
             not settle which configuration is best here",
            auto.workload,
            paging::FRESH_IN_ONE
        )
    })
}

/// What the page faults say about a drift, where both the race and the cell counted them: the median minor
/// page faults of an execution in each, and whether the memory the work touched was fresh in one and reused in
/// the other (see [`paging::fresh_in_one`]) or not.
fn page_faults_compared(raced: &[u64], auto: &CellRecord) -> Option<String> {
    let in_race = median(&raced.iter().map(|&f| f as f64).collect::<Vec<f64>>())?;
    let in_cell = auto.median_page_faults()?;
    let what = if paging::fresh_in_one(in_race, in_cell) {
        format!("{}: the allocator's state, not the strategy, made the difference", paging::FRESH_IN_ONE)
    } else {
        "not different enough for fresh memory to explain it".to_owned()
    };
    Some(format!(
        ", with {in_race:.0} minor page faults an execution in the race and {in_cell:.0} in the cell ({what})"
    ))
}

/// The geometric mean of `values`.
pub fn geometric_mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| (values.iter().map(|v| v.ln()).sum::<f64>() / values.len() as f64).exp())
}

/// The comparison as an aligned text table, or `None` when the run had no `auto` cell.
pub fn render(record: &RunRecord) -> Option<String> {
    let rows = rows(record);
    if rows.is_empty() {
        return None;
    }
    let mut out = String::from(
        "\nauto against the fixed strategies (median wall time; naive = process/copy, one task per dispatch, most workers):\n",
    );
    let _ = writeln!(
        out,
        "{:<24} {:<44} {:<44} {:>11} {:>14} {:>10} {:>12}",
        "workload", "auto chose", "best fixed", "auto÷best", "95% interval", "naive", "naive÷auto"
    );
    for row in &rows {
        let _ = writeln!(
            out,
            "{:<24} {:<44} {:<44} {:>11} {:>14} {:>10} {:>12}",
            row.workload,
            format!("{} {}", row.auto.0, duration_ns(row.auto.1)),
            format!("{} {}", row.best.0, duration_ns(row.best.1)),
            format!("{:.2}{}", row.against_best(), if row.drift.is_some() { "?" } else { "" }),
            row.interval.map_or_else(|| "-".to_owned(), |i| format!("[{:.2}, {:.2}]", i.low, i.high)),
            row.naive.map_or_else(|| "-".to_owned(), duration_ns),
            row.over_naive().map_or_else(|| "-".to_owned(), |r| format!("{r:.2}")),
        );
    }
    let against_best: Vec<f64> = rows.iter().map(AutoRow::against_best).collect();
    let over_naive: Vec<f64> = rows.iter().filter_map(AutoRow::over_naive).collect();
    let _ = writeln!(
        out,
        "{:<24} {:<44} {:<44} {:>11.2} {:>14} {:>10} {:>12}",
        "geometric mean",
        "",
        "",
        geometric_mean(&against_best).unwrap_or(f64::NAN),
        "",
        "",
        geometric_mean(&over_naive).map_or_else(|| "-".to_owned(), |r| format!("{r:.2}")),
    );
    out.push_str("\nwhy auto chose as it did:\n");
    for row in &rows {
        let _ = writeln!(out, "{}: {}", row.workload, row.reasons.join("; "));
        if !row.race.is_empty() {
            let _ = writeln!(out, "  race: {}", row.race.join("; "));
        }
        if let Some(drift) = &row.drift {
            let _ = writeln!(out, "  ? {drift}");
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RunConfig;
    use crate::decision::{Decision, Entrant, Pilot};
    use crate::measure::machine::Machine;
    use crate::record::RssScope;
    use crate::record::summary::Summary;
    use crate::strategy::{Chunk, StrategyKind};
    use crate::verdict::fixtures::{cell, walls};
    use ablate_workloads::Kind;

    /// An auto cell that chose `crossbeam ×2` by a race that timed it at `raced_ms`, and then ran it at 36 ms.
    fn auto_cell(raced_ms: f64) -> CellRecord {
        let entrant = |label: &str, ms: f64| Entrant {
            label: label.to_owned(),
            times_ns: walls(ms * 1e6, 0.01, 20),
            dropped_after: None,
            minor_page_faults: Vec::new(),
        };
        let race = Race {
            entrants: vec![entrant("crossbeam ×2", raced_ms), entrant("rayon ×2", raced_ms * 1.3)],
            winner: 0,
            why: "faster".to_owned(),
            spent_ns: 1e9,
        };
        let pilot =
            Pilot { tasks: 256, sampled: 16, mean_task_ns: 1e5, task_cv: 0.1, task_bytes: 2.0, shared_bytes: 0 };
        let decision = Decision {
            strategy: StrategyKind::Crossbeam,
            workers: 2,
            chunk: Chunk::Auto,
            transport: None,
            reasons: vec!["raced".to_owned()],
            pilot,
            race: Some(race),
        };
        CellRecord {
            decision: Some(decision),
            ..cell("blobs", Kind::Mixed, StrategyKind::Crossbeam, 2, &walls(36e6, 0.01, 20))
        }
    }

    #[test]
    fn a_race_that_timed_its_choice_far_from_the_auto_cell_is_called_drift() {
        let moved = drift(&auto_cell(76.1), 1).expect("76 ms in the race against 36 ms in the cell");
        assert!(moved.starts_with("blobs's times moved within the run") && moved.contains("0.47×"), "{moved}");
        assert_eq!(drift(&auto_cell(36.5), 1), None, "the same time in the race and the cell is no drift");
        assert_eq!(drift(&auto_cell(38.0), 1), None, "5 % apart is within the regression ratio");
        let without_race = CellRecord { decision: None, ..auto_cell(76.1) };
        assert_eq!(drift(&without_race, 1), None);
        assert!(!moved.contains("page faults"), "neither side counted them: {moved}");
    }

    /// The drift of blobs as measured: its executions in the race faulted every page of the 256 MiB they wrote,
    /// those of the auto cell almost none.
    #[test]
    fn a_drift_says_whether_fresh_memory_explains_it() {
        let counted = |race_faults: u64, cell_faults: u64| {
            let mut auto = auto_cell(76.1);
            let race = auto.decision.as_mut().unwrap().race.as_mut().unwrap();
            for entrant in &mut race.entrants {
                entrant.minor_page_faults = vec![race_faults; entrant.times_ns.len()];
            }
            auto.samples.iter_mut().for_each(|s| s.minor_page_faults = Some(cell_faults));
            drift(&auto, 1).expect("76 ms in the race against 36 ms in the cell")
        };
        let fresh = counted(65_600, 300);
        assert!(fresh.contains("65600 minor page faults an execution in the race and 300 in the cell"), "{fresh}");
        assert!(fresh.contains("fresh in one and reused in the other"), "{fresh}");
        let alike = counted(400, 300);
        assert!(alike.contains("not different enough for fresh memory to explain it"), "{alike}");
    }

    /// blobs as measured in one run: the race timed `crossbeam` ×2 as the auto cell then ran it, but `rayon` ×1
    /// reused its memory where the auto cell faulted most of it afresh.
    #[test]
    fn an_auto_cell_that_touched_fresh_memory_the_best_reused_is_marked() {
        let faulted = |mut c: CellRecord, faults: u64| {
            c.samples.iter_mut().for_each(|s| s.minor_page_faults = Some(faults));
            c.summary = Summary::of(&c.samples, c.workers, None, None);
            c
        };
        let cells = vec![
            faulted(cell("blobs", Kind::Mixed, StrategyKind::Serial, 1, &walls(200e6, 0.01, 20)), 65_508),
            faulted(cell("blobs", Kind::Mixed, StrategyKind::Rayon, 1, &walls(18e6, 0.01, 20)), 1_025),
            faulted(auto_cell(36.5), 49_635),
        ];
        let mut record =
            RunRecord::new(RunConfig::for_tests(), Machine::for_tests(), RssScope::PerRepetition, cells, false);
        let row = &rows(&record)[0];
        let said = row.drift.as_deref().expect("auto lost by 2x and faulted where the best did not");
        assert!(said.contains("49635 minor page faults an execution and the best fixed cell 1025"), "{said}");

        record.cells[1] = faulted(record.cells[1].clone(), 49_000);
        assert_eq!(rows(&record)[0].drift, None, "both touched fresh memory: nothing to explain");
    }

    #[test]
    fn geometric_mean_of_ratios() {
        assert!((geometric_mean(&[2.0, 8.0]).unwrap() - 4.0).abs() < 1e-12);
        assert!((geometric_mean(&[1.0]).unwrap() - 1.0).abs() < 1e-12);
        assert_eq!(geometric_mean(&[]), None);
    }
}
