//! Schedules replayed on task costs: how long a strategy's workers take over tasks of known cost, plain numbers
//! in and out. Worker `w` runs at `speeds[w]` (1.0: a core of its own; less where it shares a core with an SMT
//! sibling), and each chunk costs `per_chunk_ns` on top of its tasks (the strategy's own dispatch work).

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::Duration;

use crate::strategy::{block_ranges, chunk_ranges, next_chunk_size};

/// How a strategy hands out tasks.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Split {
    /// Contiguous blocks, one per worker, fixed before any runs (`threads` with the default chunk).
    Blocks,
    /// Fixed chunks dealt round-robin before any runs (`threads --chunk N`).
    RoundRobin(usize),
    /// Fixed chunks taken from a shared queue by whichever worker is free (`rayon`, `crossbeam`, `process`).
    Queue(usize),
    /// Adaptive chunks aimed at `target`, each worker sizing its next from its last (`crossbeam`, `process`,
    /// `mpi` with `--chunk auto`).
    Adaptive { target: Duration },
}

/// The time until the last worker finishes, in ns, for tasks of `costs` (ns each, in task order).
pub fn makespan(costs: &[f64], split: Split, speeds: &[f64], per_chunk_ns: f64) -> f64 {
    schedule(costs, split, speeds, per_chunk_ns).0
}

/// The chunks `split` cuts `costs` into at `workers` workers of equal speed.
pub fn chunk_count(costs: &[f64], split: Split, workers: usize) -> usize {
    schedule(costs, split, &vec![1.0; workers.max(1)], 0.0).1
}

/// The makespan, and the chunks handed out.
fn schedule(costs: &[f64], split: Split, speeds: &[f64], per_chunk_ns: f64) -> (f64, usize) {
    let workers = speeds.len().max(1);
    let speed = |w: usize| speeds.get(w).copied().unwrap_or(1.0).max(1e-9);
    let sum = |range: std::ops::Range<usize>| costs[range].iter().sum::<f64>();
    match split {
        Split::Blocks => {
            let blocks: Vec<_> = block_ranges(costs.len(), workers).into_iter().enumerate().collect();
            let busy =
                blocks.iter().filter(|(_, b)| !b.is_empty()).map(|(w, b)| (sum(b.clone()) + per_chunk_ns) / speed(*w));
            let chunks = blocks.iter().filter(|(_, b)| !b.is_empty()).count();
            (busy.fold(0.0, f64::max), chunks)
        }
        Split::RoundRobin(chunk) => {
            let mut busy = vec![0.0; workers];
            let ranges = chunk_ranges(costs.len(), chunk);
            for (i, range) in ranges.iter().enumerate() {
                busy[i % workers] += (sum(range.clone()) + per_chunk_ns) / speed(i % workers);
            }
            (busy.into_iter().fold(0.0, f64::max), ranges.len())
        }
        Split::Queue(chunk) => {
            let ranges = chunk_ranges(costs.len(), chunk);
            let count = ranges.len();
            (greedy(ranges.into_iter().map(|r| sum(r) + per_chunk_ns), speeds), count)
        }
        Split::Adaptive { target } => adaptive(costs, speeds, per_chunk_ns, target),
    }
}

/// Each chunk, in queue order, to the worker free first.
fn greedy(chunks: impl Iterator<Item = f64>, speeds: &[f64]) -> f64 {
    let mut free: BinaryHeap<Reverse<(Ordered, usize)>> =
        (0..speeds.len().max(1)).map(|w| Reverse((Ordered(0.0), w))).collect();
    let mut end: f64 = 0.0;
    for cost in chunks {
        let Reverse((Ordered(at), w)) = free.pop().expect("a worker");
        let done = at + cost / speeds.get(w).copied().unwrap_or(1.0).max(1e-9);
        end = end.max(done);
        free.push(Reverse((Ordered(done), w)));
    }
    end
}

/// Workers claiming adaptive chunks from a shared cursor, each sizing its next chunk from how long its last took
/// (as `crossbeam` and `process` do), the worker free first claiming next; the makespan and the chunks.
fn adaptive(costs: &[f64], speeds: &[f64], per_chunk_ns: f64, target: Duration) -> (f64, usize) {
    let workers = speeds.len().max(1);
    let mut free: BinaryHeap<Reverse<(Ordered, usize)>> = (0..workers).map(|w| Reverse((Ordered(0.0), w))).collect();
    let mut sizes = vec![1usize; workers];
    let (mut cursor, mut end, mut chunks) = (0usize, 0.0f64, 0usize);
    while cursor < costs.len() {
        let Reverse((Ordered(at), w)) = free.pop().expect("a worker");
        let take = sizes[w].min(costs.len() - cursor).max(1);
        let work: f64 = costs[cursor..cursor + take].iter().sum();
        cursor += take;
        chunks += 1;
        let took = (work + per_chunk_ns) / speeds.get(w).copied().unwrap_or(1.0).max(1e-9);
        let done = at + took;
        end = end.max(done);
        let remaining = costs.len() - cursor;
        sizes[w] = next_chunk_size(take, Duration::from_nanos(took as u64), target, remaining, workers);
        free.push(Reverse((Ordered(done), w)));
    }
    (end, chunks)
}

/// An f64 that orders totally, for the heap.
#[derive(Clone, Copy, PartialEq)]
struct Ordered(f64);

impl Eq for Ordered {}

impl PartialOrd for Ordered {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ordered {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TARGET: Duration = Duration::from_micros(200);

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * b.abs().max(1.0)
    }

    #[test]
    fn even_tasks_split_evenly_under_every_schedule() {
        let costs = vec![10.0; 64];
        let cores = vec![1.0; 4];
        assert!(close(makespan(&costs, Split::Blocks, &cores, 0.0), 160.0));
        assert!(close(makespan(&costs, Split::RoundRobin(4), &cores, 0.0), 160.0));
        assert!(close(makespan(&costs, Split::Queue(1), &cores, 0.0), 160.0));
        assert!(close(makespan(&costs, Split::Queue(1), &cores, 1.0), 176.0), "16 chunks of 1 ns each per worker");
    }

    #[test]
    fn one_heavy_task_bounds_every_schedule() {
        let mut costs = vec![1.0; 99];
        costs.insert(0, 1000.0);
        let cores = vec![1.0; 4];
        assert!(close(makespan(&costs, Split::Queue(1), &cores, 0.0), 1000.0));
        assert!(close(makespan(&costs, Split::Blocks, &cores, 0.0), 1024.0), "the heavy task's block: 1000 + 24");
    }

    /// A sorted heavy tail: the last block holds most of the work under a static split; a queue evens it out.
    #[test]
    fn a_sorted_heavy_tail_costs_a_static_split_its_last_block() {
        let costs: Vec<f64> = (0..100).map(|i| if i >= 75 { 100.0 } else { 1.0 }).collect();
        let cores = vec![1.0; 4];
        let total: f64 = costs.iter().sum();
        assert!(close(makespan(&costs, Split::Blocks, &cores, 0.0), 2500.0));
        let queued = makespan(&costs, Split::Queue(1), &cores, 0.0);
        assert!(queued < total / 4.0 + 100.0 && queued >= total / 4.0, "{queued}");
    }

    #[test]
    fn a_slower_worker_holds_its_static_block_and_sheds_queued_work() {
        let costs = vec![10.0; 40];
        let speeds = [1.0, 0.5];
        assert!(close(makespan(&costs, Split::Blocks, &speeds, 0.0), 400.0), "200 ns of work at half speed");
        let queued = makespan(&costs, Split::Queue(1), &speeds, 0.0);
        assert!((queued - 400.0 * 2.0 / 3.0).abs() <= 20.0, "the work splits 2:1: {queued}");
    }

    #[test]
    fn chunks_are_counted_as_each_split_cuts_them() {
        let costs = vec![10.0; 100];
        assert_eq!(chunk_count(&costs, Split::Blocks, 4), 4);
        assert_eq!(chunk_count(&costs, Split::RoundRobin(7), 4), 15);
        assert_eq!(chunk_count(&costs, Split::Queue(1), 4), 100);
        let adaptive = chunk_count(&costs, Split::Adaptive { target: TARGET }, 4);
        assert!((4..100).contains(&adaptive), "{adaptive}");
    }

    #[test]
    fn adaptive_chunks_cover_every_task_and_even_out_the_tail() {
        let costs = vec![1_000.0; 10_000];
        let cores = vec![1.0; 8];
        let span = makespan(&costs, Split::Adaptive { target: TARGET }, &cores, 0.0);
        let ideal = 10_000.0 * 1_000.0 / 8.0;
        assert!(span >= ideal && span <= ideal * 1.05, "{span} against {ideal}");
        let serial = makespan(&costs, Split::Adaptive { target: TARGET }, &[1.0], 0.0);
        assert!(close(serial, 1e7), "one worker runs every task: {serial}");
    }
}
