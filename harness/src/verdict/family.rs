//! The A/B gate's family of paired tests: each workload first (its cells combined), then its cells, with the chance
//! of any false regression in the whole gate at most alpha (and, separately, of any false improvement).
//!
//! A real slowdown usually moves several cells of one workload, so a workload is tested on one series: each round's
//! mean log ratio over its cells measured in that round. A round's cells share the round's two fresh processes, so
//! their signs are not independent of each other; the round as a whole is what flips under "no change", and one
//! value per round keeps the sign-flip null exact (see [`crate::stats::sequential`]). Then its cells, by the hierarchical
//! procedure of Meinshausen ("Hierarchical testing of variable importance", *Biometrika* 95, 2008, 265–278), a
//! shortcut of closed testing with Bonferroni weights proportional to the number of cells:
//!
//! - a workload of m of the gate's M cells is *opened* (its "no change" rejected) when its combined series crosses
//!   its boundary at level `alpha·m / (2M)`, or any one of its cells crosses at `alpha / (2M)` — a valid test of
//!   the workload's hypothesis at `alpha·m / M`;
//! - a cell is called changed when its workload is opened and the cell crosses at `alpha / M`.
//!
//! Under any set of unchanged cells, a false call needs an unchanged workload opened (at most `alpha·m / M` each)
//! or an unchanged cell of a changed workload crossing (at most `alpha / M` each): at most alpha in all, whatever
//! depends on what. Each test is sequential over the looks with its own exactly calibrated boundaries, so that
//! holds over every look. A cell that changed alone is still seen at `alpha / (2M)`: its minimum detectable ratio
//! is stated at that level.

use crate::stats::detectable::{paired_min_detectable_ratio, projected_min_detectable_ratio};
use crate::stats::inference::Interval;
use crate::stats::preempted::{Tries, kept_by_round};
use crate::stats::pseudo_median::{pseudo_median, pseudo_median_interval};
use crate::stats::sequential::{Look, judge_series};
use crate::store::thresholds::Thresholds;
use crate::verdict::compare::{CellComparison, Change};

/// How the gate's looks and family were planned.
#[derive(Clone, Debug, PartialEq)]
pub struct FamilyPlan {
    /// The planned looks (round counts); the last is the end of the plan, information fraction 1.
    pub looks: Vec<u32>,
    /// How many cells the gate compares (M).
    pub family: usize,
}

/// One cell as the family sees it.
pub struct SeriesCell<'a> {
    pub id: &'a str,
    pub workload: &'a str,
    /// Its paired rounds in round order, from the run's first round (a cell that stopped has fewer).
    pub rounds: &'a [Tries],
    pub thresholds: Thresholds,
}

/// A workload's verdict: its combined series, and its cells'.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct WorkloadVerdict {
    pub workload: String,
    pub cells: usize,
    pub regressed_cells: usize,
    pub improved_cells: usize,
    /// The Hodges–Lehmann estimate of the combined series, as a ratio; `None` without pairs.
    pub ratio: Option<f64>,
    /// Whether the combined series alone crossed toward slower (`[slower, faster]`) at some look.
    pub combined_crossed: [bool; 2],
    pub change: Change,
}

impl WorkloadVerdict {
    /// `` `hashchain` regressed: 5 of 9 cells (its pairs 1.16× combined) ``.
    pub fn line(&self) -> String {
        let combined = self.ratio.map(|r| format!(" (its pairs {r:.2}× combined)")).unwrap_or_default();
        match self.change {
            Change::Regressed => {
                format!("`{}` regressed: {} of {} cells{combined}", self.workload, self.regressed_cells, self.cells)
            }
            Change::Improved => {
                format!("`{}` improved: {} of {} cells{combined}", self.workload, self.improved_cells, self.cells)
            }
            Change::Unchanged => format!("`{}` unchanged: {} cells", self.workload, self.cells),
            Change::Inconclusive => format!("`{}` inconclusive over {} cells{combined}", self.workload, self.cells),
        }
    }
}

/// The family's verdicts after `run_rounds` rounds.
pub struct FamilyVerdict {
    pub cells: Vec<CellComparison>,
    pub workloads: Vec<WorkloadVerdict>,
}

/// The rounds at which a series that has `rounds` rounds was looked at, with their information fractions: the
/// planned looks it reached, and — when the run ended (`run_rounds`) off the plan and this series ran to the end —
/// a final look that spends whatever alpha is left.
fn looks_of(plan: &FamilyPlan, rounds: usize, run_rounds: u32) -> Vec<(u32, f64)> {
    let last = f64::from(plan.looks.last().copied().unwrap_or(run_rounds).max(1));
    let mut looks: Vec<(u32, f64)> =
        plan.looks.iter().filter(|&&r| r as usize <= rounds).map(|&r| (r, f64::from(r) / last)).collect();
    let ended_off_plan = !plan.looks.contains(&run_rounds) && rounds as u32 >= run_rounds && run_rounds > 0;
    if ended_off_plan {
        looks.push((run_rounds, 1.0));
    }
    looks
}

/// A series kept by round (`None`: set aside) judged at each of its looks so far: the kept values before the latest
/// look, and that look's verdict at `level`; `None` before the first look.
fn judged_at(series: &[Option<f64>], looks: &[(u32, f64)], level: f64) -> Option<(Vec<f64>, Look)> {
    let counts: Vec<usize> =
        looks.iter().map(|&(r, _)| series.iter().take(r as usize).filter(|v| v.is_some()).count()).collect();
    let fractions: Vec<f64> = looks.iter().map(|&(_, f)| f).collect();
    let values: Vec<f64> = series.iter().take(looks.last()?.0 as usize).flatten().copied().collect();
    let look = judge_series(&values, &counts, &fractions, level)?;
    Some((values, look))
}

/// Whether the series crossed toward slower and toward faster at any of its looks so far.
fn crossed_any(series: &[Option<f64>], looks: &[(u32, f64)], level: f64) -> [bool; 2] {
    let mut crossed = [false, false];
    for k in 1..=looks.len() {
        if let Some((_, look)) = judged_at(series, &looks[..k], level) {
            crossed[0] |= look.crossed(true);
            crossed[1] |= look.crossed(false);
        }
    }
    crossed
}

/// The series a workload is tested on: each round's mean over its cells' kept log ratios of that round.
fn combined_series(cells: &[Vec<Option<f64>>]) -> Vec<Option<f64>> {
    let rounds = cells.iter().map(Vec::len).max().unwrap_or(0);
    (0..rounds)
        .map(|r| {
            let kept: Vec<f64> = cells.iter().filter_map(|c| c.get(r).copied().flatten()).collect();
            (!kept.is_empty()).then(|| kept.iter().sum::<f64>() / kept.len() as f64)
        })
        .collect()
}

/// Judges the family after `run_rounds` rounds: every workload, then every cell.
pub fn judge_family(plan: &FamilyPlan, cells: &[SeriesCell], run_rounds: u32) -> FamilyVerdict {
    let family = plan.family.max(1) as f64;
    let mut workloads: Vec<&str> = cells.iter().map(|c| c.workload).collect();
    workloads.dedup();
    workloads.sort_unstable();
    workloads.dedup();
    let mut judged = Vec::new();
    let mut verdicts = Vec::new();
    for workload in workloads {
        let members: Vec<&SeriesCell> = cells.iter().filter(|c| c.workload == workload).collect();
        let alpha = members[0].thresholds.alpha.value;
        let series: Vec<Vec<Option<f64>>> = members.iter().map(|c| kept_by_round(c.rounds, alpha)).collect();
        let combined = combined_series(&series);
        let combined_looks = looks_of(plan, combined.len(), run_rounds);
        let combined_crossed = crossed_any(&combined, &combined_looks, alpha * members.len() as f64 / (2.0 * family));
        let mut opened = combined_crossed;
        for (cell, kept) in members.iter().zip(&series) {
            let lone = crossed_any(kept, &looks_of(plan, cell.rounds.len(), run_rounds), alpha / (2.0 * family));
            opened = [opened[0] | lone[0], opened[1] | lone[1]];
        }
        let mut cell_verdicts = Vec::new();
        for (cell, kept) in members.iter().zip(&series) {
            let looks = looks_of(plan, cell.rounds.len(), run_rounds);
            let stopped_early = (cell.rounds.len() as u32) < run_rounds;
            if let Some(verdict) = judge_cell(cell, kept, &looks, (plan, family), opened, stopped_early) {
                cell_verdicts.push(verdict);
            }
        }
        verdicts.push(workload_verdict(
            workload,
            &combined,
            combined_crossed,
            &cell_verdicts,
            members[0].thresholds.clone(),
        ));
        judged.extend(cell_verdicts);
    }
    let order = |id: &str| cells.iter().position(|c| c.id == id);
    judged.sort_by_key(|c| order(&c.id));
    FamilyVerdict { cells: judged, workloads: verdicts }
}

/// One cell at its latest look: changed only when its workload is `opened` in that direction and it crosses at
/// `alpha / M`; its minimum detectable ratio at its lone level `alpha / (2M)`. A cell that stopped before the run's
/// end without a decision at its last look was dropped as too noisy: it says what it could have seen by the plan's
/// end.
fn judge_cell(
    cell: &SeriesCell,
    kept: &[Option<f64>],
    looks: &[(u32, f64)],
    (plan, family): (&FamilyPlan, f64),
    opened: [bool; 2],
    stopped_early: bool,
) -> Option<CellComparison> {
    let alpha = cell.thresholds.alpha.value;
    let all: Vec<f64> = kept.iter().flatten().copied().collect();
    let center_all = pseudo_median(&all)?;
    let Some((values, look)) = judged_at(kept, looks, alpha / family) else {
        let reason = dropped_reason(&all, plan, family, alpha, kept.len());
        return Some(before_any_look(cell, &all, center_all, kept, reason));
    };
    let (_, lone) = judged_at(kept, looks, alpha / (2.0 * family))?;
    let center = pseudo_median(&values)?;
    let larger = center >= 0.0;
    let side = usize::from(!larger);
    let significant = lone.crossed(larger) || (opened[side] && look.crossed(larger));
    let level = if opened[side] { look.nominal_level } else { lone.nominal_level };
    let p_value = look.p_values[side];
    let p_adjusted = if level > 0.0 { (alpha * p_value / level).min(1.0) } else { 1.0 };
    let log_interval = pseudo_median_interval(&values, 1.0 - alpha / plan.looks.len().max(1) as f64)?;
    let mut comparison = CellComparison {
        id: cell.id.to_owned(),
        baseline_median_ns: 0.0,
        candidate_median_ns: 0.0,
        ratio: center.exp(),
        interval: Interval { low: log_interval.low.exp(), high: log_interval.high.exp() },
        p_value,
        // On the gate's scale: at most alpha exactly when the cell crossed (the look's p-value at most its level).
        p_adjusted: if significant { p_adjusted.min(alpha) } else { p_adjusted.max(alpha * (1.0 + f64::EPSILON)) },
        min_detectable_ratio: paired_min_detectable_ratio(&values, lone.nominal_level),
        pairs: Some(values.len()),
        set_aside: kept.iter().take(looks.last()?.0 as usize).filter(|v| v.is_none()).count(),
        change: Change::Inconclusive,
        reason: None,
        thresholds: cell.thresholds.clone(),
    };
    comparison.judge();
    if stopped_early && comparison.change == Change::Inconclusive {
        comparison.reason = Some(dropped_reason(&all, plan, family, alpha, kept.len()));
    }
    Some(comparison)
}

/// A cell the run stopped before the first look (dropped as too noisy): inconclusive, for `reason`.
fn before_any_look(
    cell: &SeriesCell,
    all: &[f64],
    center: f64,
    kept: &[Option<f64>],
    reason: String,
) -> CellComparison {
    CellComparison {
        id: cell.id.to_owned(),
        baseline_median_ns: 0.0,
        candidate_median_ns: 0.0,
        ratio: center.exp(),
        interval: Interval { low: 0.0, high: f64::INFINITY },
        p_value: 1.0,
        p_adjusted: 1.0,
        min_detectable_ratio: f64::INFINITY,
        pairs: Some(all.len()),
        set_aside: kept.iter().filter(|v| v.is_none()).count(),
        change: Change::Inconclusive,
        reason: Some(reason),
        thresholds: cell.thresholds.clone(),
    }
}

/// Why a cell the run stopped early (dropped as too noisy) is inconclusive: what it could have seen by the plan's
/// end at its spread, at the level of a cell whose workload is opened (the drop rule's, see
/// [`crate::verdict::too_noisy`]).
fn dropped_reason(all: &[f64], plan: &FamilyPlan, family: f64, alpha: f64, rounds: usize) -> String {
    let end = plan.looks.last().copied().unwrap_or(0);
    let could = projected_min_detectable_ratio(all, end as usize, alpha / family);
    if could.is_finite() {
        format!("too noisy: could see ≥ {could:.2}× by round {end} at its spread; dropped after {rounds} rounds")
    } else {
        format!("too noisy: {end} rounds are too few to see any slowdown; dropped after {rounds} rounds")
    }
}

fn workload_verdict(
    workload: &str,
    combined: &[Option<f64>],
    combined_crossed: [bool; 2],
    cells: &[CellComparison],
    thresholds: Thresholds,
) -> WorkloadVerdict {
    let count = |change| cells.iter().filter(|c| c.change == change).count();
    let (regressed_cells, improved_cells) = (count(Change::Regressed), count(Change::Improved));
    let values: Vec<f64> = combined.iter().flatten().copied().collect();
    let ratio = pseudo_median(&values).map(f64::exp);
    let threshold = thresholds.regression_ratio.value;
    let beyond = |r: f64| [r > threshold, r < 1.0 / threshold];
    let combined_change = ratio.map_or([false, false], |r| {
        let beyond = beyond(r);
        [combined_crossed[0] && beyond[0], combined_crossed[1] && beyond[1]]
    });
    let change = if regressed_cells > 0 || combined_change[0] {
        Change::Regressed
    } else if improved_cells > 0 || combined_change[1] {
        Change::Improved
    } else if count(Change::Unchanged) == cells.len() {
        Change::Unchanged
    } else {
        Change::Inconclusive
    };
    WorkloadVerdict {
        workload: workload.to_owned(),
        cells: cells.len(),
        regressed_cells,
        improved_cells,
        ratio,
        combined_crossed,
        change,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Overrides;
    use crate::stats::preempted::Timing;
    use crate::store::thresholds::ThresholdSet;
    use ablate_workloads::rng::Rng;

    fn thresholds(ratio: f64, alpha: f64) -> Thresholds {
        let overrides = Overrides { regression_ratio: Some(ratio), alpha: Some(alpha), ..Overrides::default() };
        ThresholdSet::load(None, overrides).unwrap().for_cell("w", "rayon")
    }

    /// Rounds of one try each with these log ratios, CPU time unmeasured (none set aside).
    fn timed(ratios: &[f64]) -> Vec<Tries> {
        let at = |ns: f64| Timing { wall_ns: ns as u64, cpu_ns: 0 };
        ratios.iter().map(|r| vec![[at(1e7), at(1e7 * r.exp())]]).collect()
    }

    /// `n` log ratios of `ratio` plus deterministic, tie-free noise of amplitude `noise`, phase `phase`.
    fn crafted(ratio: f64, noise: f64, n: usize, phase: f64) -> Vec<Tries> {
        let ratios: Vec<f64> =
            (1..=n).map(|i| ratio.ln() + noise * ((i as f64 * 0.618_034 + phase).fract() * 2.0 - 1.0)).collect();
        timed(&ratios)
    }

    struct Gate {
        ids: Vec<String>,
        workloads: Vec<String>,
        rounds: Vec<Vec<Tries>>,
    }

    impl Gate {
        /// Workload `name`'s nine cells, each of `ratio(cell)`, over `n` rounds of 3 % noise.
        fn workload(&mut self, name: &str, n: usize, ratio: impl Fn(usize) -> f64) {
            for cell in 0..9 {
                self.ids.push(format!("{name}/100/rayon/w{cell}"));
                self.workloads.push(name.to_owned());
                self.rounds.push(crafted(ratio(cell), 0.03, n, cell as f64 * 0.1));
            }
        }

        fn judge(&self, plan: &FamilyPlan, run_rounds: u32) -> FamilyVerdict {
            let series: Vec<SeriesCell> = (0..self.ids.len())
                .map(|i| SeriesCell {
                    id: &self.ids[i],
                    workload: &self.workloads[i],
                    rounds: &self.rounds[i],
                    thresholds: thresholds(1.1, 0.01),
                })
                .collect();
            judge_family(plan, &series, run_rounds)
        }
    }

    fn gate() -> Gate {
        Gate { ids: Vec::new(), workloads: Vec::new(), rounds: Vec::new() }
    }

    fn workload<'a>(verdict: &'a FamilyVerdict, name: &str) -> &'a WorkloadVerdict {
        verdict.workloads.iter().find(|w| w.workload == name).unwrap()
    }

    #[test]
    fn a_whole_workload_slowdown_is_called_at_the_workload_before_any_cell_could_be() {
        // 12 rounds: a lone cell of 72 needs 2⁻ⁿ ≤ 0.01 / 144, n ≥ 14; nine cells 1.15× slower together are one
        // series at 0.01 · 9 / 144, which 12 rounds all slower reach.
        let mut g = gate();
        g.workload("hashchain", 12, |_| 1.15);
        g.workload("spin", 12, |_| 1.0);
        let verdict = g.judge(&FamilyPlan { looks: vec![12], family: 72 }, 12);
        let hashchain = workload(&verdict, "hashchain");
        assert_eq!((hashchain.change, hashchain.regressed_cells), (Change::Regressed, 0), "{hashchain:?}");
        assert_eq!(hashchain.line(), "`hashchain` regressed: 0 of 9 cells (its pairs 1.15× combined)");
        assert_eq!(workload(&verdict, "spin").change, Change::Inconclusive, "12 rounds cannot see 1.10× alone");
        assert!(verdict.cells.iter().all(|c| c.change != Change::Regressed));

        // By 16 rounds the workload opens its cells, each judged at 0.01 / 72 rather than a lone cell's 0.01 / 144.
        let mut g = gate();
        g.workload("hashchain", 16, |_| 1.15);
        g.workload("spin", 16, |_| 1.0);
        let verdict = g.judge(&FamilyPlan { looks: vec![16], family: 72 }, 16);
        let hashchain = workload(&verdict, "hashchain");
        assert_eq!((hashchain.change, hashchain.regressed_cells), (Change::Regressed, 9), "{hashchain:?}");
        assert_eq!(workload(&verdict, "spin").change, Change::Unchanged);
    }

    #[test]
    fn one_slower_cell_is_called_alone_and_names_its_workload() {
        let mut g = gate();
        g.workload("hashchain", 20, |cell| if cell == 4 { 1.3 } else { 1.0 });
        g.workload("spin", 20, |_| 1.0);
        let verdict = g.judge(&FamilyPlan { looks: vec![15, 20], family: 72 }, 20);
        let regressed: Vec<&str> =
            verdict.cells.iter().filter(|c| c.change == Change::Regressed).map(|c| c.id.as_str()).collect();
        assert_eq!(regressed, ["hashchain/100/rayon/w4"]);
        assert_eq!(
            workload(&verdict, "hashchain").line(),
            "`hashchain` regressed: 1 of 9 cells (its pairs 1.03× combined)"
        );
        assert_eq!(workload(&verdict, "spin").change, Change::Unchanged);
    }

    #[test]
    fn no_change_is_no_regression_at_either_level() {
        let mut g = gate();
        g.workload("hashchain", 20, |_| 1.0);
        g.workload("spin", 20, |_| 1.0);
        let verdict = g.judge(&FamilyPlan { looks: vec![15, 20], family: 18 }, 20);
        assert!(verdict.cells.iter().all(|c| c.change == Change::Unchanged), "{:?}", verdict.cells);
        assert!(verdict.workloads.iter().all(|w| w.change == Change::Unchanged));
    }

    #[test]
    fn the_verdicts_recomputed_after_the_run_are_those_the_run_stopped_on() {
        // A run as the A/B loop makes it: each round every undecided cell gets a pair; at each look the family is
        // judged and decided cells stop; after each round hopeless cells are dropped. Then the whole family is
        // judged once more from the pairs alone, as `compare_paired` does from the two records.
        use crate::verdict::too_noisy::too_noisy_to_finish;
        let plan = FamilyPlan { looks: vec![15, 20, 26], family: 27 };
        let mut full = gate();
        full.workload("slow", 26, |_| 1.15);
        full.workload("quiet", 26, |_| 1.0);
        full.workload("noisy", 26, |_| 1.0);
        for (i, rounds) in full.rounds.iter_mut().enumerate().skip(18) {
            *rounds = crafted(1.0, 0.5, 26, i as f64 * 0.1);
        }
        let mut g = gate();
        (g.ids, g.workloads) = (full.ids.clone(), full.workloads.clone());
        g.rounds = vec![Vec::new(); full.ids.len()];
        let mut stopped: Vec<Option<Change>> = vec![None; full.ids.len()];
        for round in 1..=26u32 {
            for (cell, rounds) in g.rounds.iter_mut().enumerate().filter(|(c, _)| stopped[*c].is_none()) {
                rounds.push(full.rounds[cell][round as usize - 1].clone());
            }
            if plan.looks.contains(&round) {
                for verdict in g.judge(&plan, round).cells {
                    let cell = g.ids.iter().position(|id| *id == verdict.id).unwrap();
                    if stopped[cell].is_none() && verdict.change != Change::Inconclusive {
                        stopped[cell] = Some(verdict.change);
                    }
                }
            }
            for (state, rounds) in stopped.iter_mut().zip(&g.rounds).filter(|(s, _)| s.is_none()) {
                let kept: Vec<f64> = kept_by_round(rounds, 0.01).into_iter().flatten().collect();
                if too_noisy_to_finish(&kept, &plan, &thresholds(1.1, 0.01), 9) {
                    *state = Some(Change::Inconclusive);
                }
            }
        }
        let last = g.judge(&plan, 26);
        for (cell, verdict) in last.cells.iter().enumerate() {
            match stopped[cell] {
                Some(Change::Inconclusive) => {
                    let reason = verdict.reason.as_deref().unwrap_or("");
                    assert!(reason.contains("dropped after"), "{}: {reason}", verdict.id);
                }
                Some(change) => assert_eq!(verdict.change, change, "{}", verdict.id),
                None => {}
            }
        }
        let counts = |change| stopped.iter().filter(|s| **s == Some(change)).count();
        assert_eq!((counts(Change::Regressed), counts(Change::Unchanged)), (9, 9), "{stopped:?}");
        assert_eq!(counts(Change::Inconclusive), 9, "the noisy workload is dropped: {stopped:?}");
        assert_eq!(workload(&last, "slow").line(), "`slow` regressed: 9 of 9 cells (its pairs 1.15× combined)");
    }

    #[test]
    fn false_regressions_over_simulated_null_gates_stay_within_alpha() {
        // 1000 null gates of two workloads of three cells, 12 rounds and looks at 6, 9 and 12, at alpha 0.2 and
        // a threshold of 1.0001 (so significance alone decides, and a simulation can see the level). Each round's
        // cells share a common shock, as they share the round's two processes. The rate of gates with any
        // regression, at either level, must lie within 3 Monte-Carlo standard errors (3 × 0.0126) of at most 0.2 (a release run of 2000 gates
        // saw 207 false alarms: the family is conservative, as the union over its two levels makes it).
        let plan = FamilyPlan { looks: vec![6, 9, 12], family: 6 };
        let false_alarm = |seed: u64, shift: f64| {
            let mut rng = Rng::new(seed);
            let shocks: Vec<f64> = (0..12).map(|_| rng.normal()).collect();
            let rounds: Vec<Vec<Tries>> = (0..6)
                .map(|cell| {
                    let slower = if cell < 3 { shift } else { 0.0 };
                    timed(&shocks.iter().map(|s| 0.02 * (s + rng.normal()) + slower).collect::<Vec<_>>())
                })
                .collect();
            let ids: Vec<String> = (0..6).map(|c| format!("w{}/1/rayon/{c}", c / 3)).collect();
            let workloads: Vec<String> = (0..6).map(|c| format!("w{}", c / 3)).collect();
            let series: Vec<SeriesCell> = (0..6)
                .map(|c| SeriesCell {
                    id: &ids[c],
                    workload: &workloads[c],
                    rounds: &rounds[c],
                    thresholds: thresholds(1.0001, 0.2),
                })
                .collect();
            (1..=3).map(|k| judge_family(&plan, &series, plan.looks[k - 1])).any(|v| {
                v.cells.iter().any(|c| c.change == Change::Regressed)
                    || v.workloads.iter().any(|w| w.change == Change::Regressed)
            })
        };
        let trials = 1000;
        let alarms = (0..trials).filter(|&seed| false_alarm(seed, 0.0)).count();
        assert!((alarms as f64) / (trials as f64) <= 0.2 + 0.038, "{alarms} of {trials}");
        let caught = (0..200).filter(|&seed| false_alarm(seed + 10_000, 0.03)).count();
        assert!(caught > 150, "one workload 3 % slower: caught in {caught} of 200");
    }
}
