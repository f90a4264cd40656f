//! What the rest of the machine did meanwhile: the CPU time every process took, from `/proc/stat` (through
//! [`crate::platform`]), so that a repetition can say how much of it was other processes' (and the hypervisor's
//! steal) rather than the run's own.
//!
//! `/proc/stat` counts in clock ticks (usually 10 ms), so one short repetition reads coarsely; verdicts sum a
//! cell's repetitions before judging. On machines without `/proc/stat` (and under the portable platform) nothing
//! is recorded.

/// CPU time spent busy by the whole machine so far, in nanoseconds: user, nice, system, irq, softirq and steal,
/// over every CPU (idle and iowait excluded; guest time is already inside user).
pub fn machine_busy_ns() -> Option<u64> {
    crate::platform::machine_busy_ns()
}

/// Other processes' CPU time over an interval: the machine's busy time less the run's own CPU time, never
/// negative. `None` when the machine's time could not be read at either end.
pub fn others_cpu_ns(machine_before: Option<u64>, machine_after: Option<u64>, own_cpu_ns: u64) -> Option<u64> {
    Some(machine_after?.saturating_sub(machine_before?).saturating_sub(own_cpu_ns))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn others_time_is_the_machines_less_the_runs_own() {
        assert_eq!(others_cpu_ns(Some(1_000), Some(5_000), 1_500), Some(2_500));
        assert_eq!(others_cpu_ns(Some(1_000), Some(2_000), 1_500), Some(0), "ticks are coarse: never negative");
        assert_eq!(others_cpu_ns(None, Some(2_000), 0), None);
    }

    #[test]
    fn this_machine_reports_busy_time_that_grows() {
        let before = machine_busy_ns();
        if crate::platform::NAME == "portable" {
            assert_eq!(before, None, "the portable platform reads no machine counters: absent, not guessed");
        }
        let mut x = 1u64;
        let started = std::time::Instant::now();
        while started.elapsed() < std::time::Duration::from_millis(50) {
            x = std::hint::black_box(x.wrapping_mul(5).wrapping_add(3));
        }
        if let (Some(before), Some(after)) = (before, machine_busy_ns()) {
            assert!(after > before, "{x}");
        }
    }
}
