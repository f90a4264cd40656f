//! Pinning workers to cores: worker `i` of every strategy — serial's one thread, `threads`, `rayon`, `crossbeam`
//! and each `process` worker — runs on the `i`-th CPU this process may use, wrapping when there are more workers
//! than CPUs.
//!
//! Unpinned, a worker that sleeps between executions (a rayon thread, a worker process blocked on its pipe) is
//! woken onto the CPU of the thread that woke it and shares it until the scheduler's balancer moves it: a short
//! job then runs on one core and the cell measures the scheduler, not the strategy. Pinned, it wakes on its own
//! core. Every strategy is pinned alike, so cells stay comparable; `--no-pin` turns it off, and the results file
//! records which it was. Under the portable platform pinning is off (see [`crate::platform`]), and a run records
//! that nothing was pinned.

use crate::platform;

/// The CPUs workers are placed on, or none when pinning is off.
#[derive(Clone, Debug, Default)]
pub struct Pinning {
    cpus: Vec<usize>,
}

impl Pinning {
    /// Workers placed on the CPUs this process may use, in order.
    pub fn allowed_cpus() -> Self {
        platform::allowed_cpus().map_or_else(Self::off, |cpus| Pinning { cpus })
    }

    /// No pinning: workers go where the scheduler puts them.
    pub fn off() -> Self {
        Pinning { cpus: Vec::new() }
    }

    pub fn is_on(&self) -> bool {
        !self.cpus.is_empty()
    }

    /// Pins the calling thread to worker `index`'s CPU; a refusal leaves it where it was.
    pub fn pin_thread(&self, index: usize) {
        if let Some(cpu) = self.cpu_of(index) {
            platform::pin_thread(cpu);
        }
    }

    /// Pins process `pid` (its main thread, and the threads it starts afterwards) to worker `index`'s CPU.
    pub fn pin_process(&self, pid: u32, index: usize) {
        if let Some(cpu) = self.cpu_of(index) {
            platform::pin_process(pid, cpu);
        }
    }

    /// Worker `index`'s CPU, wrapping; `None` when pinning is off.
    fn cpu_of(&self, index: usize) -> Option<usize> {
        (!self.cpus.is_empty()).then(|| self.cpus[index % self.cpus.len()])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn current_cpus() -> Vec<usize> {
        Pinning::allowed_cpus().cpus
    }

    #[test]
    fn a_pinned_thread_runs_on_its_workers_cpu_alone() {
        let pinning = Pinning::allowed_cpus();
        if platform::NAME == "portable" {
            assert!(!pinning.is_on(), "the portable platform cannot pin: pinning is off");
            return;
        }
        assert!(pinning.is_on(), "this process may use at least one CPU");
        let all = current_cpus();
        let inside = std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    pinning.pin_thread(1);
                    current_cpus()
                })
                .join()
                .unwrap()
        });
        assert_eq!(inside, vec![all[1 % all.len()]]);
        assert_eq!(current_cpus(), all, "other threads keep their CPUs");
    }

    #[test]
    fn off_pins_nothing() {
        let all = current_cpus();
        let inside = std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    Pinning::off().pin_thread(0);
                    current_cpus()
                })
                .join()
                .unwrap()
        });
        assert_eq!(inside, all);
    }
}
