//! What the rest of the machine did meanwhile: the CPU time every process took, from `/proc/stat`, so that a
//! repetition can say how much of it was other processes' (and the hypervisor's steal) rather than the run's own.
//!
//! `/proc/stat` counts in clock ticks (usually 10 ms), so one short repetition reads coarsely; verdicts sum a
//! cell's repetitions before judging. On machines without `/proc/stat` nothing is recorded.

use std::fs;

/// CPU time spent busy by the whole machine so far, in nanoseconds: user, nice, system, irq, softirq and steal,
/// over every CPU (idle and iowait excluded; guest time is already inside user).
pub fn machine_busy_ns() -> Option<u64> {
    busy_ns_of(&fs::read_to_string("/proc/stat").ok()?, ticks_per_second()?)
}

/// The busy time of the aggregate `cpu` line of a `/proc/stat` text, at `ticks` per second.
fn busy_ns_of(stat: &str, ticks: u64) -> Option<u64> {
    let line = stat.lines().find(|l| l.starts_with("cpu "))?;
    let fields: Vec<u64> = line.split_whitespace().skip(1).map(|f| f.parse().ok()).collect::<Option<_>>()?;
    // user nice system idle iowait irq softirq steal ...
    let busy: u64 = [0, 1, 2, 5, 6, 7].iter().filter_map(|&i| fields.get(i)).sum();
    Some(busy.saturating_mul(1_000_000_000 / ticks.max(1)))
}

fn ticks_per_second() -> Option<u64> {
    // SAFETY: sysconf has no preconditions.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    (ticks > 0).then_some(ticks as u64)
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
    fn the_aggregate_line_counts_busy_ticks_and_steal_but_not_idle_or_iowait() {
        let stat = "cpu  100 20 30 5000 40 5 6 7 0 0\ncpu0 50 10 15 2500 20 2 3 3 0 0\nintr 1\n";
        assert_eq!(busy_ns_of(stat, 100), Some((100 + 20 + 30 + 5 + 6 + 7) * 10_000_000));
        assert_eq!(busy_ns_of("intr 1\n", 100), None);
    }

    #[test]
    fn others_time_is_the_machines_less_the_runs_own() {
        assert_eq!(others_cpu_ns(Some(1_000), Some(5_000), 1_500), Some(2_500));
        assert_eq!(others_cpu_ns(Some(1_000), Some(2_000), 1_500), Some(0), "ticks are coarse: never negative");
        assert_eq!(others_cpu_ns(None, Some(2_000), 0), None);
    }

    #[test]
    fn this_machine_reports_busy_time_that_grows() {
        let before = machine_busy_ns();
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
