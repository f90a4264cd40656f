//! `ablate bisect`: the commit between a good and a bad revision that made cells slower, found on ablate's paired
//! A/B verdicts rather than on single measurements.
//!
//! GOOD and BAD are built first and BAD runs against GOOD in paired rounds ([`crate::ab`]); the cells
//! that regressed are the ones followed. The commits in between are BAD's first-parent history down to GOOD (a
//! merge stands for the branch it merged). Each step checks the commit nearest the middle of the range in doubt
//! out into one scratch worktree, builds it into the bisection's one target directory, and runs it against GOOD
//! on the followed cells only; what that makes the commit is [`step::classify`]'s rule, and a skipped commit
//! gives way to its neighbour ([`search`]). No step starts once `max_time` is spent, and each step's rounds get
//! at most `step_time`. The worktree and every process started are gone when the bisection ends, however it ends.
//! Only commits are built: uncommitted changes in the repository are not bisected, and a warning says so (the
//! bisection still runs, since the commits it measures are what was asked for).

mod cargo;
mod git;
pub mod report;
pub mod search;
pub mod step;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub use cargo::default_bin;
pub use git::Commit;

use crate::ab::{self, AbPlan, InputCache};
use crate::cancel::Cancel;
use crate::error::HarnessError;
use crate::stats::looks::Looks;
use crate::store::thresholds::ThresholdSet;
use crate::terminal::say;
use crate::verdict::compare::{CellComparison, Change};
use crate::verdict::paired::compare_paired;
use cargo::{Builder, Built};
use git::{Repository, Worktree};
use search::{Found, Outcome, Search};
use step::{Step, classify};

/// What a bisection is asked to do.
pub struct Settings {
    /// The directory it runs in, inside the repository of the project measured.
    pub dir: PathBuf,
    pub good: String,
    pub bad: String,
    pub package: String,
    pub bin: String,
    /// The suite's flags, as an `ablate ab-serve` of the binary under test accepts them.
    pub suite: Vec<String>,
    pub thresholds: ThresholdSet,
    pub max_time: Duration,
    pub step_time: Duration,
    /// The target directory every build shares, or `None` for one inside the bisection's temporary directory.
    pub target_dir: Option<PathBuf>,
    /// Seeds each step's order of cells and builds (the step's number is added).
    pub seed: u64,
    /// Whether group inputs are kept between rounds and steps (see [`InputCache`]).
    pub input_cache: bool,
    /// Stops the bisection (Ctrl-C, SIGTERM, SIGHUP): the build or A/B run under way ends, and it concludes
    /// `Interrupted`.
    pub cancel: Cancel,
}

/// How a bisection ended.
#[derive(Clone, Debug)]
pub enum Conclusion {
    /// The first bad commit.
    FirstBad(Commit),
    /// The first bad commit is one of these, oldest first, and why it could not be told which.
    OneOf { commits: Vec<Commit>, why: String },
    /// BAD regressed in no cell against GOOD: nothing to bisect. `undecided` counts the cells whose verdict was
    /// inconclusive, which might hide a regression.
    NoRegression { undecided: usize },
    /// A stop signal (Ctrl-C, SIGTERM, SIGHUP) stopped it.
    Interrupted,
}

/// Everything a bisection found.
#[derive(Clone, Debug)]
pub struct Bisection {
    pub good: Commit,
    pub bad: Commit,
    /// BAD against GOOD first, then each commit tested, in order.
    pub steps: Vec<Step>,
    pub conclusion: Conclusion,
}

/// Runs the bisection `settings` describe; each step is passed to `on_step` as soon as it is done.
pub fn bisect(settings: &Settings, on_step: &mut dyn FnMut(&Step)) -> Result<Bisection, HarnessError> {
    let started = Instant::now();
    let repository = Repository::discover(&settings.dir)?;
    let good = repository.resolve(&settings.good, "--good")?;
    let bad = repository.resolve(&settings.bad, "--bad")?;
    let path = repository.first_parent_path(&good, &bad)?;
    if let Some(changed @ 1..) = repository.uncommitted_changes() {
        say(format_args!(
            "bisect: warning: {changed} tracked files have uncommitted changes, which are not bisected (only \
             commits are built); commit them to include them"
        ));
    }
    let scratch = tempfile::Builder::new()
        .prefix("ablate-bisect-")
        .tempdir()
        .map_err(|e| HarnessError::io("cannot create", "a temporary directory", e))?;
    say(format_args!(
        "bisect: GOOD {} .. BAD {}, {} on BAD's first-parent path; working in {}",
        good.short(),
        bad.short(),
        match path.len() {
            1 => "1 commit".to_owned(),
            n => format!("{n} commits"),
        },
        scratch.path().display()
    ));
    let worktree = Worktree::add(&repository, &scratch.path().join("worktree"), &good)?;
    let builder = Builder {
        project: worktree.project_dir(),
        target_dir: settings.target_dir.clone().unwrap_or_else(|| scratch.path().join("target")),
        package: settings.package.clone(),
        bin: settings.bin.clone(),
        scratch: scratch.path().to_owned(),
        cancel: settings.cancel.clone(),
    };
    let inputs = if settings.input_cache { InputCache::default() } else { InputCache::off() };
    let mut run = Run {
        settings,
        started,
        worktree: &worktree,
        builder: &builder,
        steps: Vec::new(),
        on_step,
        ab_runs: 0,
        inputs,
    };
    let conclusion = run.conclude(&good, &bad, &path)?;
    let steps = run.steps;
    Ok(Bisection { good, bad, steps, conclusion })
}

/// A bisection under way.
struct Run<'a> {
    settings: &'a Settings,
    started: Instant,
    worktree: &'a Worktree,
    builder: &'a Builder,
    steps: Vec<Step>,
    on_step: &'a mut dyn FnMut(&Step),
    /// A/B runs so far: numbers each one's directory and seed.
    ab_runs: u64,
    /// GOOD's group inputs, kept from one step to the next, and the inputs of the step under way.
    inputs: InputCache,
}

impl Run<'_> {
    /// Builds both ends, finds the cells BAD regressed in, and bisects the path on them.
    fn conclude(&mut self, good: &Commit, bad: &Commit, path: &[Commit]) -> Result<Conclusion, HarnessError> {
        let Some(good_binary) = self.build_end(good, "--good")? else { return Ok(Conclusion::Interrupted) };
        let Some(bad_binary) = self.build_end(bad, "--bad")? else { return Ok(Conclusion::Interrupted) };
        say(format_args!("bisect: BAD {} against GOOD {}, every cell", bad.short(), good.short()));
        let compared = match self.paired(&good_binary, &bad_binary, None) {
            _ if self.settings.cancel.is_cancelled() => return Ok(Conclusion::Interrupted),
            compared => compared?,
        };
        let followed: Vec<String> =
            compared.iter().filter(|c| c.change == Change::Regressed).map(|c| c.id.clone()).collect();
        let undecided = compared.iter().filter(|c| c.change == Change::Inconclusive).count();
        let outcome = if followed.is_empty() { Outcome::Good } else { Outcome::Bad };
        self.record(Step { label: "BAD".to_owned(), commit: bad.clone(), outcome, cells: compared, note: None });
        if followed.is_empty() {
            return Ok(Conclusion::NoRegression { undecided });
        }
        let mut search = Search::new(path.len());
        let mut out_of_time = false;
        while let Some(at) = search.next() {
            if self.settings.max_time <= self.started.elapsed() {
                out_of_time = true;
                break;
            }
            let step = self.step(&path[at], &good_binary, &followed)?;
            if self.settings.cancel.is_cancelled() {
                return Ok(Conclusion::Interrupted);
            }
            search.mark(at, step.outcome);
            self.record(step);
        }
        Ok(match search.found() {
            Found::Exactly(at) => Conclusion::FirstBad(path[at].clone()),
            Found::OneOf(range) => {
                let why = match out_of_time {
                    true => {
                        format!("--max-time {:?} was spent before it narrowed to one commit", self.settings.max_time)
                    }
                    false => "the commits before the last one were skipped".to_owned(),
                };
                Conclusion::OneOf { commits: range.into_iter().map(|at| path[at].clone()).collect(), why }
            }
        })
    }

    fn record(&mut self, step: Step) {
        (self.on_step)(&step);
        self.steps.push(step);
    }

    /// Builds GOOD or BAD (`flag`): its binary, an error when it does not build, `None` when interrupted.
    fn build_end(&self, commit: &Commit, flag: &str) -> Result<Option<PathBuf>, HarnessError> {
        match self.build(commit)? {
            _ if self.settings.cancel.is_cancelled() => Ok(None),
            Built::Binary(binary) => Ok(Some(binary)),
            Built::Failed(why) => Err(HarnessError::Bisect(format!(
                "{flag} {} ({}) does not build, so it cannot be measured: {why}",
                commit.short(),
                commit.subject
            ))),
        }
    }

    fn build(&self, commit: &Commit) -> Result<Built, HarnessError> {
        say(format_args!("bisect: building {} ({})", commit.short(), commit.subject));
        self.worktree.checkout(commit)?;
        self.builder.build(commit)
    }

    /// One commit between GOOD and BAD: built, then run against GOOD on the `followed` cells.
    fn step(&mut self, commit: &Commit, good_binary: &Path, followed: &[String]) -> Result<Step, HarnessError> {
        let mut step = Step {
            label: format!("step {}", self.steps.len()),
            commit: commit.clone(),
            outcome: Outcome::Skip,
            cells: Vec::new(),
            note: None,
        };
        let binary = match self.build(commit)? {
            _ if self.settings.cancel.is_cancelled() => return Ok(step),
            Built::Binary(binary) => binary,
            Built::Failed(why) => {
                step.note = Some(format!("does not build: {why}"));
                return Ok(step);
            }
        };
        let compared = match self.paired(good_binary, &binary, Some(followed.to_vec())) {
            Ok(compared) => compared,
            Err(HarnessError::Ab(why)) => {
                step.note = Some(format!("cannot be measured: {why}"));
                return Ok(step);
            }
            Err(e) => return Err(e),
        };
        (step.outcome, step.note) = classify(&compared, followed);
        step.cells = compared.into_iter().filter(|c| followed.contains(&c.id)).collect();
        Ok(step)
    }

    /// Paired A/B rounds of `candidate` against `good` on `cells` (every cell when `None`), within the step's
    /// budget and what is left of the whole: each cell's comparison.
    fn paired(
        &mut self,
        good: &Path,
        candidate: &Path,
        cells: Option<Vec<String>>,
    ) -> Result<Vec<CellComparison>, HarnessError> {
        self.ab_runs += 1;
        let dir = self.builder.scratch.join(format!("ab-{}", self.ab_runs));
        std::fs::create_dir_all(&dir).map_err(|e| HarnessError::io("cannot create", &dir, e))?;
        let left = self.settings.max_time.saturating_sub(self.started.elapsed());
        let budget = self.settings.step_time.min(left).max(MIN_STEP_TIME);
        let what = cells.as_ref().map_or_else(|| "every cell".to_owned(), |c| format!("{} cells", c.len()));
        say(format_args!("bisect: paired rounds on {what}, at most {budget:?}"));
        let family = cells.as_ref().map_or(0, Vec::len);
        let looks =
            (family > 0).then(|| stretched_looks(self.settings.thresholds.for_cell("", "").alpha.value, family));
        let seed = self.settings.seed.wrapping_add(self.ab_runs);
        let plan = AbPlan { looks, max_time: budget, seed, cells, inputs: self.inputs.clone() };
        let outcome = ab::measure(
            good,
            candidate,
            &self.settings.suite,
            &plan,
            &self.settings.thresholds,
            &dir,
            &self.settings.cancel,
        )?;
        Ok(compare_paired(&outcome.candidate, &outcome.base, &self.settings.thresholds).0)
    }
}

/// The looks of a step on `family` followed cells: the sequential plan's ([`Looks::sequential`]), each
/// [`LOOKS_STRETCH`] times later. A step's rounds are cheap beside its build, and a commit as fast as GOOD must be
/// told apart on a busy machine: more pairs narrow the interval that calls it good. The step's budget still
/// bounds them; a step cut short is judged on the pairs it has.
fn stretched_looks(alpha: f64, family: usize) -> Looks {
    Looks { rounds: Looks::sequential(alpha, family).rounds.iter().map(|r| r * LOOKS_STRETCH).collect() }
}

/// How many times later than a gate's a step's looks come.
const LOOKS_STRETCH: u32 = 3;

/// The least time a step's paired rounds are given, even when the whole budget is nearly spent.
const MIN_STEP_TIME: Duration = Duration::from_secs(1);
