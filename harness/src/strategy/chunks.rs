//! Partitions of task indices: fixed-size chunks for dynamic dispatch, the size of the next adaptive chunk, and
//! balanced blocks for static partitioning.

use std::ops::Range;
use std::time::Duration;

/// `0..tasks` cut into consecutive ranges of `chunk` tasks (the last may be shorter).
pub fn chunk_ranges(tasks: usize, chunk: usize) -> Vec<Range<usize>> {
    let chunk = chunk.max(1);
    (0..tasks).step_by(chunk).map(|start| start..(start + chunk).min(tasks)).collect()
}

/// `0..tasks` cut into `workers` contiguous blocks whose lengths differ by at most one (some may be empty).
pub fn block_ranges(tasks: usize, workers: usize) -> Vec<Range<usize>> {
    let workers = workers.max(1);
    (0..workers).map(|w| (w * tasks / workers)..((w + 1) * tasks / workers)).collect()
}

/// The next adaptive chunk: the last one scaled toward `target` (at most halved or doubled per step), but no more
/// than an even share of half the `remaining` tasks, and at least one.
pub fn next_chunk_size(size: usize, took: Duration, target: Duration, remaining: usize, workers: usize) -> usize {
    let scaled = if took.is_zero() {
        size * 2
    } else {
        (size as f64 * target.as_secs_f64() / took.as_secs_f64()).round() as usize
    };
    let smoothed = scaled.clamp((size / 2).max(1), size * 2);
    smoothed.min(remaining / (2 * workers.max(1))).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn covers_each_task_once(ranges: &[Range<usize>], tasks: usize) -> bool {
        let mut seen = vec![0u32; tasks];
        for range in ranges {
            for i in range.clone() {
                seen[i] += 1;
            }
        }
        seen.iter().all(|&n| n == 1)
    }

    proptest! {
        #[test]
        fn chunks_cover_every_task_exactly_once_in_order(tasks in 0usize..2000, chunk in 1usize..300) {
            let ranges = chunk_ranges(tasks, chunk);
            prop_assert!(covers_each_task_once(&ranges, tasks));
            prop_assert!(ranges.windows(2).all(|w| w[0].end == w[1].start));
            prop_assert!(ranges.iter().all(|r| !r.is_empty() && r.len() <= chunk));
        }

        #[test]
        fn blocks_cover_every_task_exactly_once_and_balance(tasks in 0usize..2000, workers in 1usize..64) {
            let ranges = block_ranges(tasks, workers);
            prop_assert_eq!(ranges.len(), workers);
            prop_assert!(covers_each_task_once(&ranges, tasks));
            let longest = ranges.iter().map(|r| r.len()).max().unwrap();
            let shortest = ranges.iter().map(|r| r.len()).min().unwrap();
            prop_assert!(longest - shortest <= 1);
        }
    }

    #[test]
    fn zero_chunk_is_treated_as_one() {
        assert_eq!(chunk_ranges(3, 0), vec![0..1, 1..2, 2..3]);
    }

    const TARGET: Duration = Duration::from_micros(200);

    #[test]
    fn chunks_grow_toward_the_target_for_tiny_tasks_and_shrink_for_long_ones() {
        assert_eq!(next_chunk_size(8, Duration::from_micros(10), TARGET, 100_000, 2), 16, "at most doubled");
        assert_eq!(next_chunk_size(8, Duration::from_micros(100), TARGET, 100_000, 2), 16);
        assert_eq!(next_chunk_size(8, Duration::from_micros(200), TARGET, 100_000, 2), 8, "on target");
        assert_eq!(next_chunk_size(8, Duration::from_millis(5), TARGET, 100_000, 2), 4, "at most halved");
        assert_eq!(next_chunk_size(1, Duration::from_millis(5), TARGET, 100_000, 2), 1, "never below one");
    }

    #[test]
    fn the_tail_is_handed_out_in_small_shares() {
        assert_eq!(next_chunk_size(64, Duration::from_micros(10), TARGET, 40, 2), 10, "half of 40 over 2 workers");
        assert_eq!(next_chunk_size(64, Duration::from_micros(10), TARGET, 1, 4), 1);
        assert_eq!(next_chunk_size(4, Duration::ZERO, TARGET, 1000, 2), 8, "an instant chunk doubles");
    }
}
