//! A/B mode: two builds of ablate measured in one session, each cell under both builds back to back, so that a
//! change is judged against its base under the same machine state rather than against another moment's numbers.
//!
//! Every round starts both builds afresh as servers (`ablate ab-serve`, see [`crate::runner::serve`]) over the
//! same suite. Each build's group inputs are made once, by its first round's server, and decoded from the driver's
//! [`InputCache`] by every later round's, so a round pays for warm-up and timed executions rather than for making
//! inputs. Group by group (one workload's data resident at a time), both open the group's undecided cells and
//! warm them up; then each of those cells runs once under each build, the two executions of a pair back to back
//! in a random order, and the cells in a freshly shuffled order. A pair visibly preempted (see
//! [`crate::stats::preempted`]) is run again, up to three tries: far cheaper than losing the round. At each planned look ([`Looks`]) a cell whose
//! paired verdict is decided (regressed, improved or unchanged) stops; the rest go on until the last look or until
//! `--max-time` is spent. The records keep every sample's round, so the pairs — and every verdict — can be
//! recomputed from the two files.
//!
//! Both builds are owned: each leads a process group killed whole when its round ends, however it ends, and no
//! wait for a build is unbounded (see [`build`]). A stop (Ctrl-C, SIGTERM, SIGHUP) ends the round under way at
//! once, its pairs dropped, and the run returns the rounds completed before, marked cancelled.

mod build;
mod inputs;
mod replies;
mod schedule;

use std::path::Path;
use std::time::{Duration, Instant};

use ablate_workloads::rng::Rng;

use crate::cancel::Cancel;
use crate::error::HarnessError;
use crate::record::summary::Summary;
use crate::record::{CellStatus, Pairing, RunRecord};
use crate::runner::serve::{Reply, Request};
use crate::stats::looks::{Looks, fewest_pairs};
use crate::stats::median;
use crate::stats::preempted::{ATTEMPTS, Timing, Tries, preempted, typical_shares};
use crate::store::thresholds::ThresholdSet;
use crate::strategy::StrategyKind;
use crate::terminal::say;
use crate::verdict::family::FamilyPlan;
use crate::verdict::gate::some_ids;
use build::Build;
pub use build::same_binary;
pub use inputs::InputCache;
use schedule::{decide, drop_too_noisy};

/// How an A/B run proceeds.
pub struct AbPlan {
    /// The looks, or `None` for the sequential plan fitted to the number of cells (see [`Looks::sequential`]).
    pub looks: Option<Looks>,
    /// The time budget: no round starts that would likely end past it. Each wait for a build's reply is bounded by
    /// it plus [`build::REPLY_GRACE`]: a build silent for longer is taken for hung, killed, and the run fails.
    pub max_time: Duration,
    /// Seeds the order of cells and of the builds within each pair.
    pub seed: u64,
    /// Only these cells (by id) are paired, or `None` for every cell both builds plan; `ablate bisect` follows
    /// the cells that regressed between its ends.
    pub cells: Option<Vec<String>>,
    /// Where each build's group inputs are kept between rounds (a bisection keeps one for all its steps).
    pub inputs: InputCache,
}

/// The two builds' records, paired.
pub struct AbOutcome {
    pub base: RunRecord,
    pub candidate: RunRecord,
}

/// One cell both builds measure: its group, its id, its paired executions (base, candidate) so far, each round's
/// tries together.
struct PairedCell {
    group: usize,
    id: String,
    pairs: Vec<Tries>,
    done: bool,
}

/// Measures `suite` under `base` and `candidate` in paired rounds as `plan` says; `thresholds` decide when a cell
/// is decided. Each build's stderr is kept in `dir`. Once `cancel` is cancelled the round under way ends (its
/// builds killed, its pairs dropped), no round starts, and the records of the rounds before say so.
///
/// Every round starts both builds afresh: what a process settles into for its lifetime — where its memory
/// landed, its allocator's arenas — differs from process to process by as much as a third of a cell's time, and
/// would be a bias between two long-lived builds; a fresh pair of processes per round makes it noise that
/// pairing and the test can see.
pub fn measure(
    base: &Path,
    candidate: &Path,
    suite: &[String],
    plan: &AbPlan,
    thresholds: &ThresholdSet,
    dir: &Path,
    cancel: &Cancel,
) -> Result<AbOutcome, HarnessError> {
    let started = Instant::now();
    plan.inputs.start_run(&[base, candidate]);
    let mut rng = Rng::new(plan.seed);
    let mut cells: Vec<PairedCell> = Vec::new();
    let mut looks = plan.looks.clone();
    let mut merged: [Option<RunRecord>; 2] = [None, None];
    let (mut round, mut last_round) = (0u32, Duration::ZERO);
    loop {
        let all_decided = round > 0 && cells.iter().all(|c| c.done);
        let out_of_rounds = looks.as_ref().is_some_and(|l| round >= l.last());
        let out_of_time = round > 0 && started.elapsed().saturating_add(last_round) > plan.max_time;
        if all_decided || out_of_rounds || out_of_time || cancel.is_cancelled() {
            break;
        }
        let round_started = Instant::now();
        let builds = [(base, "base"), (candidate, "candidate")];
        let records = match run_round(builds, suite, dir, plan, cancel, (&mut cells, round, &mut rng)) {
            Err(_) if cancel.is_cancelled() => break,
            records => records?,
        };
        for (side, record) in records.into_iter().enumerate() {
            merge(&mut merged[side], record);
        }
        round += 1;
        if looks.is_none() {
            // Planned once, after the first round and before any test: from the time a round takes, never from
            // what was measured in it, so the plan cannot bias the verdicts.
            let affordable = (plan.max_time.as_secs_f64() / round_started.elapsed().as_secs_f64().max(1e-3)) as u32;
            let default_alpha = thresholds.for_cell("", "").alpha.value;
            let planned = Looks::sequential(default_alpha, cells.len()).within(affordable);
            if !planned.can_decide(default_alpha, cells.len()) {
                let needed = fewest_pairs(default_alpha, cells.len());
                say(format_args!(
                    "warning: --max-time {:.0}s buys about {affordable} rounds here, and among {} cells one that \
                     changed alone needs at least {needed} paired rounds to be judged: only a workload slower or \
                     faster as a whole can be called, every other cell will be inconclusive; a --max-time of about \
                     {:.0}s would do",
                    plan.max_time.as_secs_f64(),
                    cells.len(),
                    f64::from(needed + 1) * round_started.elapsed().as_secs_f64()
                ));
            }
            say(format_args!(
                "A/B plan: {} cells, looks at rounds {}; a first round took {:.1}s, so about {:.0}s to the last \
                 look, less as cells are decided",
                cells.len(),
                planned.rounds.iter().map(u32::to_string).collect::<Vec<_>>().join(", "),
                round_started.elapsed().as_secs_f64(),
                f64::from(planned.last()) * round_started.elapsed().as_secs_f64()
            ));
            looks = Some(planned);
        }
        let looks = looks.as_ref().expect("planned after the first round");
        let family = FamilyPlan { looks: looks.rounds.clone(), family: cells.len() };
        if looks.is_look(round) {
            decide(&mut cells, thresholds, &family, round);
        }
        // Only a plan fitted to the time budget drops cells; `--ab-rounds N` measures every cell N times.
        let dropped = if plan.looks.is_none() { drop_too_noisy(&mut cells, thresholds, &family) } else { Vec::new() };
        if !dropped.is_empty() {
            say(format_args!(
                "A/B round {round}: {} too noisy to be decided by round {}, dropped: {}",
                dropped.len(),
                looks.last(),
                some_ids(&dropped)
            ));
        }
        last_round = round_started.elapsed();
        if looks.is_look(round) && round < looks.last() {
            say(format_args!(
                "A/B look at round {round}: expect about {:.0}s more for the undecided cells (to round {} at {:.1}s \
                 a round)",
                f64::from(looks.last() - round) * last_round.as_secs_f64(),
                looks.last(),
                last_round.as_secs_f64()
            ));
        }
        let undecided = cells.iter().filter(|c| !c.done).count();
        say(format_args!(
            "A/B round {round}: {undecided} of {} cells undecided ({:.1}s)",
            cells.len(),
            started.elapsed().as_secs_f64()
        ));
    }
    let looks = looks.unwrap_or_else(|| Looks::fixed(0));
    let family = cells.len();
    let [base_record, candidate_record] = merged;
    let missing = || HarnessError::Ab("the A/B run was stopped before its first round".to_owned());
    let (mut base_record, mut candidate_record) =
        (base_record.ok_or_else(missing)?, candidate_record.ok_or_else(missing)?);
    for (record, partner, label) in [(&mut base_record, candidate, "base"), (&mut candidate_record, base, "candidate")]
    {
        let opens = plan.inputs.opens(label);
        record.pairing =
            Some(Pairing { partner: partner.display().to_string(), looks: looks.rounds.clone(), family, opens });
        record.config.profile.reps = round;
        record.config.profile.warmup = round;
        record.cancelled |= cancel.is_cancelled();
        resummarise(record);
    }
    Ok(AbOutcome { base: base_record, candidate: candidate_record })
}

/// Runs one round: both builds started afresh, each group's undecided cells measured, both records. In the first
/// round, the cells both builds plan (of those `plan` names) become `cells`.
fn run_round(
    builds: [(&Path, &'static str); 2],
    suite: &[String],
    dir: &Path,
    plan: &AbPlan,
    cancel: &Cancel,
    (cells, round, rng): (&mut Vec<PairedCell>, u32, &mut Rng),
) -> Result<[RunRecord; 2], HarnessError> {
    let (base, candidate) = (builds[0].0, builds[1].0);
    let start = |(binary, label)| Build::start(binary, label, suite, dir, plan.max_time, (cancel, &plan.inputs));
    let mut builds = [start(builds[0])?, start(builds[1])?];
    if round == 0 {
        *cells = planned_cells(&builds[0].groups, &builds[1].groups);
        if cells.is_empty() {
            return Err(nothing_in_common((base, &builds[0].groups), (candidate, &builds[1].groups)));
        }
        if let Some(only) = &plan.cells {
            cells.retain(|cell| only.contains(&cell.id));
        }
    }
    let mut groups: Vec<usize> = cells.iter().filter(|c| !c.done).map(|c| c.group).collect();
    groups.dedup();
    for group in groups {
        measure_group(&mut builds, group, cells, round, rng)?;
    }
    Ok([builds[0].finish()?, builds[1].finish()?])
}

/// Runs one round of `group`'s undecided cells, each under both builds back to back in a random order.
fn measure_group(
    builds: &mut [Build; 2],
    group: usize,
    cells: &mut [PairedCell],
    round: u32,
    rng: &mut Rng,
) -> Result<(), HarnessError> {
    let undecided: Vec<usize> = (0..cells.len()).filter(|&i| cells[i].group == group && !cells[i].done).collect();
    let wanted: Vec<String> = undecided.iter().map(|&i| cells[i].id.clone()).collect();
    // Both builds prepare and warm up at once (nothing of it is timed); only the timed pairs take turns.
    for build in builds.iter_mut() {
        build.open(group, wanted.clone(), round)?;
    }
    let mut opened = Vec::new();
    for build in builds.iter_mut() {
        opened.push(build.opened()?);
    }
    let order = crate::runner::round_order(undecided.len(), false, rng);
    for cell in order.into_iter().map(|i| undecided[i]) {
        let (Some(base), Some(candidate)) = (
            opened[0].iter().position(|id| *id == cells[cell].id),
            opened[1].iter().position(|id| *id == cells[cell].id),
        ) else {
            cells[cell].done = true;
            continue;
        };
        cells[cell].pairs.push(Vec::new());
        for attempt in 0..ATTEMPTS {
            let Some(pair) = run_pair(builds, [base, candidate], (round, attempt), rng)? else {
                cells[cell].done = true;
                cells[cell].pairs.pop();
                break;
            };
            cells[cell].pairs.last_mut().expect("this round's tries").push(pair);
            if !worth_another_try(&cells[cell].pairs, &pair) {
                break;
            }
        }
    }
    for build in builds.iter_mut() {
        match build.ask(&Request::Close)? {
            Reply::Closed => {}
            other => return Err(build.unexpected(other)),
        }
    }
    Ok(())
}

/// Runs one try of a pair: the cell (`index` in each build) under both builds back to back, which first at random;
/// `None` when the cell failed under either.
fn run_pair(
    builds: &mut [Build; 2],
    index: [usize; 2],
    (round, attempt): (u32, u32),
    rng: &mut Rng,
) -> Result<Option<[Timing; 2]>, HarnessError> {
    let mut pair = [Timing { wall_ns: 0, cpu_ns: 0 }; 2];
    for side in if rng.below(2) == 0 { [0, 1] } else { [1, 0] } {
        match builds[side].ask(&Request::Execute { cell: index[side], round, attempt })? {
            Reply::Executed { wall_ns: Some(wall_ns), cpu_ns, failure: None } => {
                pair[side] = Timing { wall_ns, cpu_ns: cpu_ns.unwrap_or(0) };
            }
            Reply::Executed { .. } => return Ok(None),
            other => return Err(builds[side].unexpected(other)),
        }
    }
    Ok(Some(pair))
}

/// Whether `pair`, just run, was visibly preempted on either side against each build's typical share so far
/// (known once each build has run the cell three times), so that its round should try again.
fn worth_another_try(history: &[Tries], pair: &[Timing; 2]) -> bool {
    let runs: usize = history.iter().map(Vec::len).sum();
    runs >= 3 && typical_shares(history).is_some_and(|typical| preempted(pair, typical) != [false, false])
}

/// Adds one round's record to the merged one: each cell's samples appended (numbered by round already), its
/// faults added, a failure kept; a cell some round did not reach is measured once another round did.
fn merge(merged: &mut Option<RunRecord>, round: RunRecord) {
    let Some(merged) = merged else {
        *merged = Some(round);
        return;
    };
    for mut cell in round.cells {
        match merged.cells.iter_mut().find(|c| c.id == cell.id) {
            None => merged.cells.push(cell),
            Some(target) => {
                target.samples.append(&mut cell.samples);
                target.warmup.append(&mut cell.warmup);
                target.faults.add(&cell.faults);
                match cell.status {
                    CellStatus::Failed { .. } => target.status = cell.status,
                    _ if matches!(target.status, CellStatus::Unmeasured { .. }) && !target.samples.is_empty() => {
                        target.status = CellStatus::Ok;
                    }
                    _ => {}
                }
            }
        }
    }
}

/// Recomputes every summary from the merged samples (speedup against the merged serial cell of each group).
fn resummarise(record: &mut RunRecord) {
    let serial_medians: Vec<(String, u64, Option<f64>)> = record
        .cells
        .iter()
        .filter(|c| c.strategy == StrategyKind::Serial)
        .map(|c| (c.workload.clone(), c.size, median(&c.walls())))
        .collect();
    for cell in &mut record.cells {
        let serial =
            serial_medians.iter().find(|(w, s, _)| *w == cell.workload && *s == cell.size).and_then(|(_, _, m)| *m);
        cell.summary = Summary::of(&cell.samples, cell.workers, serial, cell.bytes_touched);
    }
}

/// The refusal (exit 5) of two builds that plan no cell in common, with a few of each one's cells: they can be
/// paired on nothing, though each may plan many.
fn nothing_in_common((base, base_groups): (&Path, &[Vec<String>]), candidate: (&Path, &[Vec<String>])) -> HarnessError {
    let cells = |groups: &[Vec<String>]| groups.concat();
    HarnessError::Baseline(format!(
        "nothing compared: the two builds have no cell in common: the candidate {} plans {}, the base {} plans {}; \
         pair builds that run the same workloads, sizes and strategies",
        candidate.0.display(),
        some_ids(&cells(candidate.1)),
        base.display(),
        some_ids(&cells(base_groups))
    ))
}

/// The cells of each group of the candidate that the base build planned too, in plan order.
fn planned_cells(base: &[Vec<String>], candidate: &[Vec<String>]) -> Vec<PairedCell> {
    let mut cells = Vec::new();
    for (group, (new, old)) in candidate.iter().zip(base).enumerate() {
        for id in new.iter().filter(|id| old.contains(id)) {
            cells.push(PairedCell { group, id: id.clone(), pairs: Vec::new(), done: false });
        }
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_27_10_builds_that_share_no_cell_are_named_with_a_few_of_each() {
        let ids = |names: &[&str]| vec![names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>()];
        let base = ids(&["spin/8/serial/w1/cauto", "spin/8/threads/w2/cauto", "spin/8/rayon/w2/cauto"]);
        let candidate = ids(&["spin/9/serial/w1/cauto"]);
        let err = nothing_in_common((Path::new("old/ablate"), &base), (Path::new("new/ablate"), &candidate));
        assert_eq!(err.exit_code(), crate::exit::BASELINE);
        let text = err.to_string();
        assert!(text.contains("no cell in common") && !text.contains("has no cells"), "{text}");
        assert!(text.contains("new/ablate plans spin/9/serial/w1/cauto"), "{text}");
        assert!(text.contains("old/ablate plans spin/8/serial/w1/cauto, spin/8/threads/w2/cauto and 1 more"), "{text}");
    }

    #[test]
    fn only_the_cells_both_builds_planned_are_paired() {
        let base = vec![vec!["a/1/serial".to_owned(), "a/1/rayon".to_owned()], vec!["b/1/serial".to_owned()]];
        let candidate = vec![vec!["a/1/serial".to_owned(), "a/1/crossbeam".to_owned()], vec!["b/1/serial".to_owned()]];
        let cells = planned_cells(&base, &candidate);
        let found: Vec<(usize, &str)> = cells.iter().map(|c| (c.group, c.id.as_str())).collect();
        assert_eq!(found, [(0, "a/1/serial"), (1, "b/1/serial")]);
    }
}
