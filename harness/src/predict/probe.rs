//! `ablate probe`: measures the machine a prediction is for, in well under 30 s on 16 cores — its cores, SMT
//! siblings, last-level cache and NUMA nodes (sysfs), streaming and random-access bandwidth at 1..N threads, the
//! yield of two SMT siblings, a thread's wake-up, a process spawn and a pipe round trip — into a
//! [`MachineProfile`]. What sysfs does not say, or a kernel cannot measure here, is left absent.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use super::profile::{MachineProfile, PROFILE_VERSION, ThreadsGbps, ThreadsSpeed};
use crate::measure::machine::Machine;
use crate::platform;
use crate::strategy::Pinning;

/// How long each bandwidth and yield measurement runs.
const SPELL: Duration = Duration::from_millis(250);

/// Probes this machine.
pub fn probe(machine: &Machine) -> MachineProfile {
    let logical = machine.logical_cores.max(1);
    let cache = platform::last_level_cache_bytes();
    // Each thread streams over arrays four times the last-level cache (at least 16 MiB each), so it reads memory.
    let per_thread = (cache.unwrap_or(32 << 20) * 4 / 24).max(16 << 20) as usize / 8;
    let counts = thread_counts(logical);
    let stream_gbps = counts.iter().map(|&t| ThreadsGbps { threads: t, gbps: stream(t, per_thread) }).collect();
    let random_gbps = counts.iter().map(|&t| ThreadsGbps { threads: t, gbps: random(t, per_thread * 3) }).collect();
    MachineProfile {
        profile_version: PROFILE_VERSION,
        fingerprint: machine.fingerprint.clone(),
        cpu_model: machine.cpu_model.clone(),
        logical_cores: logical,
        physical_cores: Some(machine.physical_cores),
        numa_nodes: platform::numa_nodes(),
        last_level_cache_bytes: cache,
        stream_gbps,
        random_gbps,
        smt_yield: platform::smt_sibling(0).map(smt_yield),
        cpu_kernel_ns: Some(spin_ns_per_iteration(&Pinning::allowed_cpus(), 0)),
        core_speed: counts.iter().map(|&t| ThreadsSpeed { threads: t, relative: core_speed(t) }).collect(),
        thread_wake_ns: Some(thread_wake_ns()),
        process_spawn_ns: process_spawn_ns(),
        pipe_round_trip_ns: pipe_round_trip_ns(),
        source: format!("probed by ablate {} on {}", env!("CARGO_PKG_VERSION"), today()),
    }
}

/// 1, 2, 4, … up to `logical`, and `logical` itself.
fn thread_counts(logical: usize) -> Vec<usize> {
    let mut counts: Vec<usize> =
        std::iter::successors(Some(1usize), |c| Some(c * 2)).take_while(|&c| c < logical).collect();
    counts.push(logical);
    counts
}

/// Runs `work(thread, start)` on `threads` pinned threads; each prepares its data, waits at `start` for the
/// others, then measures its own rate for about [`SPELL`]. Returns the sum of their rates.
fn together(threads: usize, work: impl Fn(usize, &Barrier) -> f64 + Sync) -> f64 {
    let pinning = Pinning::allowed_cpus();
    let start = Arc::new(Barrier::new(threads));
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (start, pinning, work) = (Arc::clone(&start), &pinning, &work);
                scope.spawn(move || {
                    pinning.pin_thread(t);
                    work(t, &start)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0.0)).sum()
    })
}

/// Triad (`a = b + s·c`) over `len` doubles per thread, on `threads` threads: GB/s by STREAM counting (24 bytes an
/// element).
fn stream(threads: usize, len: usize) -> f64 {
    together(threads, |_, start| {
        let (mut a, b, c) = (vec![0.0f64; len], vec![1.0f64; len], vec![2.0f64; len]);
        start.wait();
        let (began, mut passes) = (Instant::now(), 0u64);
        while began.elapsed() < SPELL {
            for ((a, b), c) in a.iter_mut().zip(&b).zip(&c) {
                *a = b + 3.0 * c;
            }
            std::hint::black_box(&mut a);
            passes += 1;
        }
        passes as f64 * len as f64 * 24.0 / began.elapsed().as_secs_f64() / 1e9
    })
}

/// Dependent random 8-byte reads over `len` words per thread: GB/s of words read.
fn random(threads: usize, len: usize) -> f64 {
    together(threads, |t, start| {
        // A single cycle through every word (Sattolo's shuffle), so each read depends on the last.
        let mut next: Vec<usize> = (0..len).collect();
        let mut state = 0x9e37_79b9_7f4a_7c15u64 ^ t as u64;
        for i in (1..len).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            next.swap(i, (state % i as u64) as usize);
        }
        start.wait();
        let (began, mut at, mut count) = (Instant::now(), 0usize, 0u64);
        while began.elapsed() < SPELL {
            for _ in 0..4096 {
                at = next[at];
            }
            count += 4096;
        }
        std::hint::black_box(at);
        count as f64 * 8.0 / began.elapsed().as_secs_f64() / 1e9
    })
}

/// A dependent integer chain's time per iteration on CPU `index` of the allowed ones, ns, on a thread of its own
/// (pinning the caller would narrow the CPUs every later measurement may use).
fn spin_ns_per_iteration(pinning: &Pinning, index: usize) -> f64 {
    std::thread::scope(|scope| scope.spawn(|| spin_here(pinning, index)).join().unwrap_or(f64::NAN))
}

/// [`spin_ns_per_iteration`] on the calling thread, pinned.
fn spin_here(pinning: &Pinning, index: usize) -> f64 {
    pinning.pin_thread(index);
    let (mut x, mut iterations) = (1u64, 0u64);
    let began = Instant::now();
    while began.elapsed() < SPELL {
        for _ in 0..10_000 {
            x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407));
        }
        iterations += 10_000;
    }
    began.elapsed().as_nanos() as f64 / iterations as f64
}

/// The CPU-bound kernel's speed per thread with `threads` busy at once, relative to one alone.
fn core_speed(threads: usize) -> f64 {
    let pinning = Pinning::allowed_cpus();
    let alone = spin_ns_per_iteration(&pinning, 0);
    let rates = together(threads, |t, start| {
        start.wait();
        1.0 / spin_here(&pinning, t)
    });
    rates / threads as f64 * alone
}

/// Two siblings busy together over one alone: their combined throughput relative to one thread's.
fn smt_yield(sibling: usize) -> f64 {
    let pinning = Pinning::allowed_cpus();
    let alone = spin_ns_per_iteration(&pinning, 0);
    let pair = std::thread::scope(|scope| {
        let other = scope.spawn(|| spin_ns_per_iteration(&pinning, sibling));
        let mine = spin_ns_per_iteration(&pinning, 0);
        (mine + other.join().unwrap_or(mine)) / 2.0
    });
    2.0 * alone / pair
}

/// A parked thread woken and heard back from, the median of 200, ns.
fn thread_wake_ns() -> f64 {
    let (to_worker, from_driver) = std::sync::mpsc::channel::<()>();
    let (to_driver, from_worker) = std::sync::mpsc::channel::<()>();
    let worker = std::thread::spawn(move || {
        while from_driver.recv().is_ok() {
            if to_driver.send(()).is_err() {
                break;
            }
        }
    });
    let mut times: Vec<f64> = (0..200)
        .map(|_| {
            std::thread::sleep(Duration::from_micros(200));
            let began = Instant::now();
            let _ = to_worker.send(());
            let _ = from_worker.recv();
            began.elapsed().as_nanos() as f64
        })
        .collect();
    drop(to_worker);
    let _ = worker.join();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

/// `true` spawned and waited for, the median of 20, ns.
fn process_spawn_ns() -> Option<f64> {
    let mut times = Vec::new();
    for _ in 0..20 {
        let began = Instant::now();
        Command::new("true").status().ok()?;
        times.push(began.elapsed().as_nanos() as f64);
    }
    times.sort_by(f64::total_cmp);
    Some(times[times.len() / 2])
}

/// One byte to `cat` and back over pipes, the median of 500, ns.
fn pipe_round_trip_ns() -> Option<f64> {
    let mut cat = Command::new("cat").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().ok()?;
    let (mut input, mut output) = (cat.stdin.take()?, cat.stdout.take()?);
    let mut times = Vec::new();
    let mut byte = [0u8; 1];
    for _ in 0..500 {
        let began = Instant::now();
        input.write_all(b"x").ok()?;
        output.read_exact(&mut byte).ok()?;
        times.push(began.elapsed().as_nanos() as f64);
    }
    drop(input);
    let _ = cat.wait();
    times.sort_by(f64::total_cmp);
    Some(times[times.len() / 2])
}

fn today() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_counts_are_powers_of_two_then_every_core() {
        assert_eq!(thread_counts(1), vec![1]);
        assert_eq!(thread_counts(2), vec![1, 2]);
        assert_eq!(thread_counts(12), vec![1, 2, 4, 8, 12]);
        assert_eq!(thread_counts(16), vec![1, 2, 4, 8, 16]);
    }
}
