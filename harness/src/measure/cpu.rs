//! CPU time of this process and of its waited-for children, user plus system.

use std::time::Duration;

use crate::platform;

/// CPU time consumed so far by every thread of this process plus its reaped children.
pub fn process_cpu_time() -> Duration {
    platform::own_cpu_time() + platform::children_cpu_time()
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
