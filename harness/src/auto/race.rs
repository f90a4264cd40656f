//! The race: `auto`'s finalists run for real, by successive halving, until one is faster with confidence or the
//! budget is spent.
//!
//! Each rung runs every surviving candidate the rung's number of times, interleaved (a round-robin whose order is
//! shuffled each pass, so a drifting machine hits every candidate alike), then keeps the faster half by median
//! time (Jamieson & Talwalkar, "Non-stochastic best arm identification and hyperparameter optimization", 2016).
//! The rung's repetitions double each time. Once two are left, the leader wins when a one-sided Mann–Whitney test
//! says it is faster than the other at [`CONFIDENT_ALPHA`]; when the budget runs out first, the lower median wins
//! and the decision says it was not separated with confidence. The budget is counted in serial executions: at the
//! pilot's estimate until the race has timed serial itself (in its first rung), at serial's measured median from
//! then on — a pilot of a few warm tasks can miss what a whole execution costs (allocating 1 MiB per task, it
//! estimated 11 ms where serial took 121 ms), and a budget ten times too small decides on noise.

use crate::decision::{Entrant, Race};
use ablate_workloads::rng::Rng;

use crate::stats::inference::mann_whitney;
use crate::stats::median;
use crate::units::duration_ns;

/// Repetitions of each candidate in the first rung.
const FIRST_RUNG_REPS: usize = 3;
/// How sure the race must be that its winner is faster than the runner-up.
pub const CONFIDENT_ALPHA: f64 = 0.05;
/// How much faster the winner must be, with that confidence: a smaller difference is not worth telling apart
/// (it would not change which way a user should run the work).
pub const PRACTICAL_MARGIN: f64 = 0.02;

impl Race {
    /// Every entrant in one phrase each, the winner first: `crossbeam ×2: 3.10 ms over 9 runs (won)`, `serial ×1:
    /// 5.02 ms over 3 runs (out after rung 1)`.
    pub fn standings(&self) -> Vec<String> {
        let mut order: Vec<usize> = (0..self.entrants.len()).collect();
        order.sort_by_key(|&i| (i != self.winner, self.entrants[i].dropped_after.map_or(0, |r| usize::MAX - r)));
        order
            .into_iter()
            .map(|i| {
                let entrant = &self.entrants[i];
                let median = median(&entrant.times_ns).map_or_else(|| "failed".to_owned(), duration_ns);
                let fate = match (i == self.winner, entrant.dropped_after) {
                    (true, _) => "won".to_owned(),
                    (false, Some(rung)) => format!("out after rung {}", rung + 1),
                    (false, None) => "runner-up".to_owned(),
                };
                format!("{}: {median} over {} runs ({fate})", entrant.label, entrant.times_ns.len())
            })
            .collect()
    }
}

/// How long a race may run, in executions of serial.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    /// How many serial executions' worth of time the race may spend.
    pub serial_executions: f64,
    /// The pilot's estimate of one serial execution, used until serial has been timed.
    pub serial_estimate_ns: f64,
    /// Which candidate is serial, if any is.
    pub serial: Option<usize>,
}

impl Budget {
    /// The budget in nanoseconds, at serial's measured median once it has one.
    fn ns(&self, entrants: &[Entrant]) -> f64 {
        let measured = self.serial.and_then(|i| median(&entrants[i].times_ns));
        self.serial_executions * measured.unwrap_or(self.serial_estimate_ns)
    }
}

/// Races `labels` (at least one) within `budget` of measured execution time; `execute(i)` runs candidate `i`
/// once and returns its wall time, or `None` when it failed (a failed candidate is out). The first rung always
/// completes, whatever the budget, so every candidate is seen.
pub fn race(labels: &[String], budget: Budget, seed: u64, mut execute: impl FnMut(usize) -> Option<f64>) -> Race {
    let mut rng = Rng::new(seed);
    let mut entrants: Vec<Entrant> = labels
        .iter()
        .map(|label| Entrant {
            label: label.clone(),
            times_ns: Vec::new(),
            dropped_after: None,
            minor_page_faults: Vec::new(),
        })
        .collect();
    let mut alive: Vec<usize> = (0..labels.len()).collect();
    let mut spent = 0.0;
    let mut rung = 0;
    let mut reps = FIRST_RUNG_REPS;
    let why = loop {
        for _ in 0..reps {
            if rung > 0 && spent >= budget.ns(&entrants) {
                break;
            }
            shuffle(&mut alive, &mut rng);
            for &i in &alive.clone() {
                match execute(i) {
                    Some(wall) => {
                        spent += wall;
                        entrants[i].times_ns.push(wall);
                    }
                    None => {
                        entrants[i].dropped_after = Some(rung);
                        alive.retain(|&a| a != i);
                    }
                }
            }
        }
        alive.sort_by(|&a, &b| middle(&entrants[a]).total_cmp(&middle(&entrants[b])));
        if alive.len() <= 1 {
            break "the only candidate that ran".to_owned();
        }
        if alive.len() == 2 {
            if let Some(why) = separated(&entrants[alive[0]], &entrants[alive[1]]) {
                break why;
            }
        } else {
            for &dropped in &alive[alive.len().div_ceil(2)..] {
                entrants[dropped].dropped_after = Some(rung);
            }
            alive.truncate(alive.len().div_ceil(2).max(2));
        }
        let budget_ns = budget.ns(&entrants);
        if spent >= budget_ns {
            let (leader, next) = (&entrants[alive[0]], &entrants[alive[1]]);
            break format!(
                "the race's budget ({}) ran out before {} and {} were separated with confidence; the lower median \
                 ({} against {}) wins",
                duration_ns(budget_ns),
                leader.label,
                next.label,
                duration_ns(middle(leader)),
                duration_ns(middle(next))
            );
        }
        rung += 1;
        reps *= 2;
    };
    let winner = alive.first().copied().unwrap_or(0);
    Race { entrants, winner, why, spent_ns: spent }
}

/// Why `leader` beats `next` by more than [`PRACTICAL_MARGIN`] with confidence, or `None` while it does not.
fn separated(leader: &Entrant, next: &Entrant) -> Option<String> {
    let with_margin: Vec<f64> = leader.times_ns.iter().map(|t| t * (1.0 + PRACTICAL_MARGIN)).collect();
    let p = mann_whitney(&with_margin, &next.times_ns)?.sides.less;
    (p < CONFIDENT_ALPHA).then(|| {
        format!(
            "{} ({} median of {}) is faster than {} ({} median of {}) by more than {:.0} %: one-sided rank test \
             p = {p:.2e}",
            leader.label,
            duration_ns(middle(leader)),
            leader.times_ns.len(),
            next.label,
            duration_ns(middle(next)),
            next.times_ns.len(),
            PRACTICAL_MARGIN * 100.0
        )
    })
}

fn middle(entrant: &Entrant) -> f64 {
    median(&entrant.times_ns).unwrap_or(f64::INFINITY)
}

fn shuffle(order: &mut [usize], rng: &mut Rng) {
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i as u64 + 1) as usize);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A budget of `ns` whatever the candidates measure.
    fn fixed(ns: f64) -> Budget {
        Budget { serial_executions: 1.0, serial_estimate_ns: ns, serial: None }
    }

    fn labels(names: &[&str]) -> Vec<String> {
        names.iter().map(|&n| n.to_owned()).collect()
    }

    /// Candidate `i` takes `base[i]` ms give or take 1 %, from a seeded generator.
    fn timed(base: &[f64]) -> impl FnMut(usize) -> Option<f64> {
        let mut noise = Rng::new(99);
        move |i| Some(base[i] * 1e6 * (1.0 + 0.01 * (noise.below(1000) as f64 / 1000.0 - 0.5)))
    }

    #[test]
    fn standings_list_the_winner_first_then_the_runner_up_then_the_early_exits() {
        let race = race(
            &labels(&["serial ×1", "crossbeam ×2", "threads ×2", "rayon ×2"]),
            fixed(1e12),
            1,
            timed(&[10.0, 5.0, 6.0, 9.0]),
        );
        let standings = race.standings();
        assert_eq!(standings.len(), 4);
        assert!(standings[0].starts_with("crossbeam ×2: 5.0") && standings[0].ends_with("(won)"), "{standings:?}");
        assert!(standings[1].starts_with("threads ×2") && standings[1].ends_with("(runner-up)"), "{standings:?}");
        assert!(standings[2..].iter().all(|s| s.ends_with("(out after rung 1)")), "{standings:?}");
    }

    #[test]
    fn a_clear_winner_is_found_and_the_slow_half_dropped_after_the_first_rung() {
        let race = race(
            &labels(&["serial ×1", "threads ×2", "crossbeam ×2", "rayon ×2"]),
            fixed(1e9),
            1,
            timed(&[10.0, 5.2, 5.0, 7.0]),
        );
        assert_eq!(race.entrants[race.winner].label, "crossbeam ×2");
        assert_eq!(race.entrants[0].dropped_after, Some(0), "serial, the slowest, out after the first rung");
        assert_eq!(race.entrants[3].dropped_after, Some(0));
        assert!(race.why.contains("faster than threads ×2"), "{}", race.why);
        assert!(race.entrants[2].times_ns.len() > FIRST_RUNG_REPS, "the finalists ran a second rung");
    }

    #[test]
    fn a_tie_runs_until_the_budget_and_says_it_was_not_separated() {
        let race = race(&labels(&["serial ×1", "threads ×2"]), fixed(200e6), 2, timed(&[5.0, 5.0]));
        assert!(race.why.contains("budget") && race.why.contains("ran out"), "{}", race.why);
        assert!(
            race.spent_ns >= 200e6 && race.spent_ns < 200e6 + 12.0 * 5.1e6,
            "stops at the budget: {}",
            race.spent_ns
        );
    }

    /// The pilot guessed serial at 1 ms; serial, timed in the first rung, takes 10 ms: a tie of two 5 ms
    /// candidates runs on for the 20 serial executions' worth it was given at serial's measured time (200 ms), not
    /// at the guess (20 ms, already spent in the first rung).
    #[test]
    fn the_budget_follows_serials_measured_time_once_the_first_rung_has_timed_it() {
        let budget = Budget { serial_executions: 20.0, serial_estimate_ns: 1e6, serial: Some(0) };
        let race = race(&labels(&["serial ×1", "threads ×2", "crossbeam ×2"]), budget, 5, timed(&[10.0, 5.0, 5.0]));
        assert!(race.why.contains("ran out") && race.why.contains("(20"), "{}", race.why);
        assert!(race.spent_ns >= 199e6, "ran to serial's measured budget: {}", race.spent_ns);
        let guessed = Budget { serial: None, ..budget };
        let short =
            super::race(&labels(&["serial ×1", "threads ×2", "crossbeam ×2"]), guessed, 5, timed(&[10.0, 5.0, 5.0]));
        assert!(short.spent_ns < 100e6, "at the pilot's guess it stops after the first rung: {}", short.spent_ns);
    }

    #[test]
    fn the_first_rung_completes_even_when_the_budget_is_already_spent() {
        let race = race(&labels(&["a", "b", "c"]), fixed(0.0), 3, timed(&[3.0, 1.0, 2.0]));
        assert!(race.entrants.iter().all(|e| e.times_ns.len() == FIRST_RUNG_REPS), "{race:?}");
        assert_eq!(race.entrants[race.winner].label, "b", "the lower median wins when the budget is out");
        assert!(race.why.contains("ran out"), "{}", race.why);
    }

    #[test]
    fn a_failing_candidate_is_out_and_the_rest_race_on() {
        let mut inner = timed(&[4.0, 1.0, 2.0]);
        let race =
            race(&labels(&["serial", "broken", "threads"]), fixed(1e9), 4, |i| if i == 1 { None } else { inner(i) });
        assert_eq!(race.entrants[1].dropped_after, Some(0));
        assert_eq!(race.entrants[race.winner].label, "threads");
    }
}
