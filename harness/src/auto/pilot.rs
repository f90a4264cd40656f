//! The pilot: a few tasks run and timed serially, spread evenly over the task list, plus the payload sizes the
//! job reports; what `auto` decides from.

use std::time::{Duration, Instant};

use crate::decision::Pilot;
use ablate_workloads::runtime::{Job, JobError};

/// The most tasks a pilot times.
const MOST_TASKS: usize = 16;
/// A pilot stops once it has spent this long (after at least three tasks).
const BUDGET: Duration = Duration::from_millis(100);

/// Times up to 16 tasks of `job`, evenly spaced (so a cost that changes along the list shows), within a budget.
pub fn pilot(job: &dyn Job) -> Result<Pilot, JobError> {
    let tasks = job.task_count();
    let step = tasks.div_ceil(MOST_TASKS).max(1);
    // One untimed task first: a workload may set up lazily (output buffers, caches) on its first task.
    if tasks > 0 {
        std::hint::black_box(job.run_task(0));
    }
    let started = Instant::now();
    let mut times = Vec::new();
    let mut input_bytes = 0u64;
    for index in (0..tasks).step_by(step) {
        if times.len() >= 3 && started.elapsed() > BUDGET {
            break;
        }
        let task_started = Instant::now();
        std::hint::black_box(job.run_task(index));
        times.push(task_started.elapsed().as_nanos() as f64);
        input_bytes += job.codec().task_bytes(index)?;
    }
    let sampled = times.len().max(1);
    let mean = times.iter().sum::<f64>() / sampled as f64;
    let variance = times.iter().map(|t| (t - mean).powi(2)).sum::<f64>() / sampled as f64;
    Ok(Pilot {
        tasks,
        sampled: times.len(),
        mean_task_ns: mean,
        task_cv: if mean > 0.0 { variance.sqrt() / mean } else { 0.0 },
        task_bytes: input_bytes as f64 / sampled as f64,
        shared_bytes: job.codec().shared_bytes()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ablate_workloads::{Params, Registry, WorkloadConfig};

    fn prepare(name: &str, size: u64, params: Params) -> std::sync::Arc<dyn Job> {
        Registry::builtin().prepare(WorkloadConfig { name: name.into(), size, seed: 3, params }).unwrap()
    }

    #[test]
    fn skewed_costs_show_as_spread_and_the_sample_stays_within_bounds() {
        let skewed = pilot(prepare("skewed", 100, Params::new()).as_ref()).unwrap();
        let even = pilot(prepare("spin", 100, Params::new().with("iters", 20_000)).as_ref()).unwrap();
        assert_eq!((skewed.tasks, even.tasks), (100, 100));
        assert!(skewed.task_cv > 0.5, "Pareto task costs, heaviest first: cv {}", skewed.task_cv);
        assert!(even.sampled >= 3 && even.sampled <= 16);
    }

    #[test]
    fn the_shared_input_size_is_the_jobs() {
        let job = prepare("payload", 1 << 20, Params::new());
        assert_eq!(pilot(job.as_ref()).unwrap().shared_bytes, job.codec().shared_bytes().unwrap());
    }
}
