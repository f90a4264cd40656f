//! CPU time of this process and of its waited-for children, user plus system.

use std::time::Duration;

/// CPU time consumed so far by every thread of this process plus its reaped children.
pub fn process_cpu_time() -> Duration {
    own_cpu_time() + children_cpu_time()
}

fn own_cpu_time() -> Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec and the clock id is a constant Linux supports.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return Duration::ZERO;
    }
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

fn children_cpu_time() -> Duration {
    // SAFETY: an all-zero rusage is a valid value, and getrusage only writes into it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is a valid, writable rusage.
    if unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) } != 0 {
        return Duration::ZERO;
    }
    let micros = |tv: libc::timeval| Duration::from_micros(tv.tv_sec as u64 * 1_000_000 + tv.tv_usec as u64);
    micros(usage.ru_utime) + micros(usage.ru_stime)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_time_grows_while_spinning() {
        let before = process_cpu_time();
        let mut x = 1u64;
        let started = std::time::Instant::now();
        while started.elapsed() < Duration::from_millis(30) {
            x = std::hint::black_box(x.wrapping_mul(3).wrapping_add(1));
        }
        assert!(process_cpu_time() > before, "{x}");
    }
}
