//! A/B mode: two builds of ablate measured in one session, each cell under both builds back to back, so that a
//! change is judged against its base under the same machine state rather than against another moment's numbers.
//!
//! Both builds are started once as servers (`ablate ab-serve`, see [`crate::runner::serve`]) over the same suite.
//! Group by group (one workload's data resident at a time), both open the group and warm it up; then every round
//! runs each still-undecided cell once under each build, the two executions of a pair back to back in a random
//! order, and the cells in a freshly shuffled order. At each planned look ([`Looks`]) a cell whose paired verdict
//! is decided (regressed, improved or unchanged) stops; the rest go on until the last look or until the group's
//! share of `--max-time` is spent. The records keep every sample's round, so the pairs — and every verdict — can
//! be recomputed from the two files.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use ablate_workloads::rng::Rng;

use crate::cancel;
use crate::error::HarnessError;
use crate::record::{Pairing, RunRecord};
use crate::runner::serve::{PROTOCOL, REPLY_PREFIX, Reply, Request};
use crate::verdict::compare::Change;
use crate::verdict::paired::{Looks, judge_pairs};
use crate::verdict::thresholds::ThresholdSet;

/// How an A/B run proceeds.
pub struct AbPlan {
    /// The looks, or `None` for the sequential plan fitted to the number of cells (see [`Looks::sequential`]).
    pub looks: Option<Looks>,
    /// The time budget of the whole run, shared out over the groups.
    pub max_time: Duration,
    /// Seeds the order of cells and of the builds within each pair.
    pub seed: u64,
}

/// The two builds' records, paired.
pub struct AbOutcome {
    pub base: RunRecord,
    pub candidate: RunRecord,
}

/// Measures `suite` under `base` and `candidate` in paired rounds as `plan` says; `thresholds` decide when a cell
/// is decided. Each build's stderr is kept in `dir`.
pub fn measure(
    base: &Path,
    candidate: &Path,
    suite: &[String],
    plan: &AbPlan,
    thresholds: &ThresholdSet,
    dir: &Path,
) -> Result<AbOutcome, HarnessError> {
    let started = Instant::now();
    let mut builds = [Build::start(base, "base", suite, dir)?, Build::start(candidate, "candidate", suite, dir)?];
    let groups = matched_groups(&builds[0].groups, &builds[1].groups);
    let family = groups.iter().map(|g| g.len()).sum::<usize>();
    let default_alpha = thresholds.for_cell("", "").alpha.value;
    let looks = plan.looks.clone().unwrap_or_else(|| Looks::sequential(default_alpha, family));
    let plan = &AbPlan { looks: Some(looks.clone()), max_time: plan.max_time, seed: plan.seed };
    let mut rng = Rng::new(plan.seed);
    for (index, cells) in groups.iter().enumerate() {
        if cancel::requested() {
            break;
        }
        let remaining = plan.max_time.saturating_sub(started.elapsed());
        let budget = remaining / (groups.len() - index) as u32;
        measure_group(&mut builds, index, cells, plan, thresholds, family, budget, &mut rng)?;
    }
    let [mut base_build, mut candidate_build] = builds;
    let pairing =
        |partner: &Path| Pairing { partner: partner.display().to_string(), looks: looks.rounds.clone(), family };
    let mut base_record = base_build.finish()?;
    let mut candidate_record = candidate_build.finish()?;
    base_record.pairing = Some(pairing(candidate));
    candidate_record.pairing = Some(pairing(base));
    for record in [&mut base_record, &mut candidate_record] {
        let rounds = record.cells.iter().map(|c| c.samples.len()).max().unwrap_or(0);
        record.config.profile.reps = rounds as u32;
    }
    base_record.cancelled |= cancel::requested();
    candidate_record.cancelled |= cancel::requested();
    Ok(AbOutcome { base: base_record, candidate: candidate_record })
}

/// One cell both builds measure: its id, its index in each build's group, its paired wall times.
struct PairedCell {
    id: String,
    indices: [usize; 2],
    walls: Vec<[f64; 2]>,
    done: bool,
}

#[allow(clippy::too_many_arguments)]
fn measure_group(
    builds: &mut [Build; 2],
    group: usize,
    ids: &[String],
    plan: &AbPlan,
    thresholds: &ThresholdSet,
    family: usize,
    budget: Duration,
    rng: &mut Rng,
) -> Result<(), HarnessError> {
    let started = Instant::now();
    let looks = plan.looks.as_ref().expect("measure fixes the looks");
    let mut opened = Vec::new();
    for build in builds.iter_mut() {
        match build.ask(&Request::Open { group })? {
            Reply::Opened { cells } => opened.push(cells),
            other => return Err(build.unexpected(other)),
        }
    }
    let mut cells: Vec<PairedCell> = ids
        .iter()
        .filter_map(|id| {
            let base = opened[0].iter().position(|c| c == id)?;
            let candidate = opened[1].iter().position(|c| c == id)?;
            Some(PairedCell { id: id.clone(), indices: [base, candidate], walls: Vec::new(), done: false })
        })
        .collect();
    let mut round = 0;
    while round < looks.last() && cells.iter().any(|c| !c.done) && !cancel::requested() {
        if round > 0 && started.elapsed() > budget {
            break;
        }
        let undecided: Vec<usize> = (0..cells.len()).filter(|&i| !cells[i].done).collect();
        let order = crate::runner::round_order(undecided.len(), false, rng);
        for cell in order.into_iter().map(|i| undecided[i]) {
            let base_first = rng.below(2) == 0;
            let mut walls = [0.0; 2];
            for side in if base_first { [0, 1] } else { [1, 0] } {
                let request = Request::Execute { cell: cells[cell].indices[side], round };
                match builds[side].ask(&request)? {
                    Reply::Executed { wall_ns: Some(wall), failure: None } => walls[side] = wall as f64,
                    Reply::Executed { .. } => cells[cell].done = true,
                    other => return Err(builds[side].unexpected(other)),
                }
            }
            if !cells[cell].done {
                cells[cell].walls.push(walls);
            }
        }
        round += 1;
        if looks.is_look(round) {
            decide(&mut cells, thresholds, looks.rounds.len(), family);
        }
    }
    let undecided = cells.iter().filter(|c| !c.done).count();
    let workload = ids.first().and_then(|id| id.split('/').next()).unwrap_or("?");
    eprintln!(
        "ablate: A/B {workload}: {round} rounds in {:.1}s, {undecided} of {} cells undecided",
        started.elapsed().as_secs_f64(),
        cells.len()
    );
    for build in builds.iter_mut() {
        match build.ask(&Request::Close)? {
            Reply::Closed => {}
            other => return Err(build.unexpected(other)),
        }
    }
    Ok(())
}

/// Marks the cells whose paired verdict is decided as done.
fn decide(cells: &mut [PairedCell], thresholds: &ThresholdSet, looks: usize, family: usize) {
    for cell in cells.iter_mut().filter(|c| !c.done) {
        let ratios: Vec<f64> = cell.walls.iter().map(|[base, new]| (new.max(1.0) / base.max(1.0)).ln()).collect();
        let mut parts = cell.id.split('/');
        let (workload, strategy) = (parts.next().unwrap_or(""), parts.nth(1).unwrap_or(""));
        let t = thresholds.for_cell(workload, strategy);
        if let Some(verdict) = judge_pairs(&cell.id, &ratios, (1.0, 1.0), t, looks, family) {
            cell.done = verdict.change != Change::Inconclusive;
        }
    }
}

/// For each group of the candidate, the ids of its cells the base build planned too.
fn matched_groups(base: &[Vec<String>], candidate: &[Vec<String>]) -> Vec<Vec<String>> {
    candidate.iter().zip(base).map(|(new, old)| new.iter().filter(|id| old.contains(id)).cloned().collect()).collect()
}

/// One build, started as an A/B server.
struct Build {
    label: &'static str,
    binary: String,
    child: Child,
    /// Taken when the build is dropped, which ends a healthy server.
    requests: Option<ChildStdin>,
    stderr: PathBuf,
    replies: BufReader<ChildStdout>,
    groups: Vec<Vec<String>>,
}

impl Build {
    fn start(binary: &Path, label: &'static str, suite: &[String], dir: &Path) -> Result<Self, HarnessError> {
        let stderr = dir.join(format!("{label}.stderr"));
        let log = File::create(&stderr).map_err(|e| HarnessError::io("cannot create", &stderr, e))?;
        let mut child = Command::new(binary)
            .arg("ab-serve")
            .args(suite)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .map_err(|e| HarnessError::io("cannot start the A/B build", binary, e))?;
        let requests = child.stdin.take();
        let replies = BufReader::new(child.stdout.take().expect("stdout is piped"));
        let binary = binary.display().to_string();
        let mut build = Build { label, binary, child, requests, stderr, replies, groups: Vec::new() };
        match build.read()? {
            Reply::Hello { protocol: PROTOCOL, groups } => build.groups = groups,
            Reply::Hello { protocol, .. } => {
                return Err(HarnessError::Ab(format!(
                    "the {label} build {} speaks A/B protocol {protocol}, this one {PROTOCOL}; build both from \
                     commits of the same protocol",
                    build.binary
                )));
            }
            other => return Err(build.unexpected(other)),
        }
        Ok(build)
    }

    fn ask(&mut self, request: &Request) -> Result<Reply, HarnessError> {
        let line = serde_json::to_string(request).expect("requests encode");
        let Some(requests) = self.requests.as_mut() else { return Err(self.died()) };
        if writeln!(requests, "{line}").and_then(|()| requests.flush()).is_err() {
            return Err(self.died());
        }
        self.read()
    }

    fn read(&mut self) -> Result<Reply, HarnessError> {
        let mut line = String::new();
        loop {
            line.clear();
            match self.replies.read_line(&mut line) {
                Ok(0) | Err(_) => return Err(self.died()),
                Ok(_) => {
                    if let Some(json) = line.trim_end().strip_prefix(REPLY_PREFIX) {
                        return serde_json::from_str(json).map_err(|e| {
                            HarnessError::Ab(format!("the {} build {} sent a bad reply: {e}", self.label, self.binary))
                        });
                    }
                }
            }
        }
    }

    fn finish(&mut self) -> Result<RunRecord, HarnessError> {
        match self.ask(&Request::Finish)? {
            Reply::Finished { record } => Ok(*record),
            other => Err(self.unexpected(other)),
        }
    }

    fn unexpected(&mut self, reply: Reply) -> HarnessError {
        match reply {
            Reply::Error { message } => {
                HarnessError::Ab(format!("the {} build {}: {message}", self.label, self.binary))
            }
            other => {
                HarnessError::Ab(format!("the {} build {} replied out of turn: {other:?}", self.label, self.binary))
            }
        }
    }

    /// The error for a build that stopped answering: its exit status and the last lines of its stderr.
    fn died(&mut self) -> HarnessError {
        let _ = self.child.kill();
        let status = self.child.wait().map(|s| s.to_string()).unwrap_or_else(|e| e.to_string());
        let stderr = std::fs::read_to_string(&self.stderr).unwrap_or_default();
        let tail: Vec<&str> = stderr.lines().rev().take(3).collect::<Vec<_>>().into_iter().rev().collect();
        HarnessError::Ab(format!(
            "the {} build {} stopped ({status}){}",
            self.label,
            self.binary,
            if tail.is_empty() { String::new() } else { format!(": {}", tail.join(" / ")) }
        ))
    }
}

impl Drop for Build {
    /// A build never outlives the run: closing its stdin ends a healthy server; one still running a second
    /// later is killed.
    fn drop(&mut self) {
        drop(self.requests.take());
        let deadline = Instant::now() + Duration::from_secs(1);
        while matches!(self.child.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::thresholds::Overrides;

    /// A cell of `rounds` pairs: base times around 10 ms, candidate times `ratio` × base, both with
    /// deterministic, tie-free noise of amplitude `noise`.
    fn paired(id: &str, ratio: f64, noise: f64, rounds: usize) -> PairedCell {
        let wobble = |i: usize, phase: f64| 1.0 + noise * ((i as f64 * 0.618_034 + phase).fract() * 2.0 - 1.0);
        let walls = (0..rounds).map(|i| [10e6 * wobble(i, 0.0), 10e6 * ratio * wobble(i, 0.5)]).collect();
        PairedCell { id: id.to_owned(), indices: [0, 0], walls, done: false }
    }

    fn thresholds() -> ThresholdSet {
        ThresholdSet::load(None, Overrides::default()).unwrap()
    }

    #[test]
    fn at_each_look_decided_cells_stop_and_undecided_ones_go_on() {
        let family = 3;
        let looks = Looks::sequential(0.01, family);
        let (first, count) = (looks.rounds[0] as usize, looks.rounds.len());
        let mut cells = [
            paired("quiet/1/serial/w1/cauto", 1.0, 0.01, first),
            paired("slow/1/serial/w1/cauto", 1.3, 0.01, first),
            paired("noisy/1/serial/w1/cauto", 1.0, 0.4, first),
        ];
        decide(&mut cells, &thresholds(), count, family);
        assert!(cells[0].done, "equal quiet builds are unchanged at the first look");
        assert!(cells[1].done, "every pair 1.3x slower: regressed at the first look");
        assert!(!cells[2].done, "40 % noise: undecided, goes on");

        let mut early = [paired("quiet/1/serial/w1/cauto", 1.0, 0.01, 8)];
        decide(&mut early, &thresholds(), count, family);
        assert!(!early[0].done, "8 pairs cannot reach 0.01 / (5 looks × 3 cells), so cannot see any slowdown yet");

        let mut last = [paired("noisy/1/serial/w1/cauto", 1.0, 0.4, looks.last() as usize)];
        decide(&mut last, &thresholds(), count, family);
        assert!(!last[0].done, "still undecided at the last look: the gate calls it inconclusive");
    }

    #[test]
    fn groups_keep_only_the_cells_both_builds_planned() {
        let base = vec![vec!["a/1/serial".to_owned(), "a/1/rayon".to_owned()]];
        let candidate = vec![vec!["a/1/serial".to_owned(), "a/1/crossbeam".to_owned()]];
        assert_eq!(matched_groups(&base, &candidate), vec![vec!["a/1/serial".to_owned()]]);
    }
}
