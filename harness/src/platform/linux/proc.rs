//! What Linux says under `/proc`: the machine's busy time (`/proc/stat`), memory (`meminfo`, a process's
//! `status`), free single pages (`buddyinfo`), the scheduler's counters (`schedstat`), the CPU (`cpuinfo`) and
//! the kernel's release; and resetting a process's peak RSS (`clear_refs`).

use std::collections::BTreeSet;
use std::fs;

use crate::platform::WorkerCpu;

/// CPU time spent busy by the whole machine so far, in nanoseconds: user, nice, system, irq, softirq and steal,
/// over every CPU (idle and iowait excluded; guest time is already inside user). `/proc/stat` counts in clock
/// ticks (usually 10 ms).
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

/// A `Name:   1234 kB` field of a /proc file (`field` with its colon), in KiB.
fn kib_field(text: &str, field: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with(field))?;
    line[field.len()..].trim().trim_end_matches("kB").trim().parse().ok()
}

/// A KiB field of `/proc/meminfo`, in bytes.
fn meminfo_bytes(field: &str) -> Option<u64> {
    Some(kib_field(&fs::read_to_string("/proc/meminfo").ok()?, field)?.saturating_mul(1024))
}

/// A KiB field of process `pid`'s `status` (`self` for this one), in bytes.
fn status_bytes(pid: &str, field: &str) -> Option<u64> {
    Some(kib_field(&fs::read_to_string(format!("/proc/{pid}/status")).ok()?, field)?.saturating_mul(1024))
}

pub fn available_memory_bytes() -> Option<u64> {
    meminfo_bytes("MemAvailable:")
}

pub fn total_memory_bytes() -> Option<u64> {
    meminfo_bytes("MemTotal:")
}

pub fn address_space_used_bytes() -> Option<u64> {
    status_bytes("self", "VmSize:")
}

/// Writing `5` to `clear_refs` resets the kernel's high-water mark (`VmHWM`).
pub fn reset_peak_rss() -> bool {
    fs::write("/proc/self/clear_refs", "5").is_ok()
}

pub fn peak_rss_bytes() -> Option<u64> {
    status_bytes("self", "VmHWM:")
}

pub fn reset_process_peak_rss(pid: u32) -> bool {
    fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok()
}

pub fn process_peak_rss_bytes(pid: u32) -> Option<u64> {
    status_bytes(&pid.to_string(), "VmHWM:")
}

/// Bytes of free memory in blocks of a single page (order 0), over every zone.
pub fn single_free_page_bytes() -> Option<u64> {
    let buddyinfo = fs::read_to_string("/proc/buddyinfo").ok()?;
    // SAFETY: sysconf reads a constant of the system and has no preconditions.
    let page_bytes = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    single_page_bytes(&buddyinfo, u64::try_from(page_bytes).ok()?)
}

/// The order-0 counts of `buddyinfo` (`Node 0, zone   Normal  74139  32476 …`, one line per zone) in bytes.
fn single_page_bytes(buddyinfo: &str, page_bytes: u64) -> Option<u64> {
    let mut total = None;
    for line in buddyinfo.lines().filter(|line| !line.trim().is_empty()) {
        let (_, zone) = line.split_once("zone")?;
        let order_zero: u64 = zone.split_whitespace().nth(1)?.parse().ok()?;
        total = Some(total.unwrap_or(0) + order_zero * page_bytes);
    }
    total
}

pub fn this_thread_schedstat() -> Option<WorkerCpu> {
    schedstat("/proc/thread-self/schedstat")
}

pub fn thread_schedstat(tid: i32) -> Option<WorkerCpu> {
    schedstat(&format!("/proc/self/task/{tid}/schedstat"))
}

pub fn process_schedstat(pid: u32) -> Option<WorkerCpu> {
    schedstat(&format!("/proc/{pid}/schedstat"))
}

pub fn this_thread_id() -> i32 {
    // SAFETY: gettid has no preconditions and cannot fail.
    unsafe { libc::gettid() }
}

fn schedstat(path: &str) -> Option<WorkerCpu> {
    parse_schedstat(&fs::read_to_string(path).ok()?)
}

/// `ran waited timeslices`, as the kernel writes it.
fn parse_schedstat(text: &str) -> Option<WorkerCpu> {
    let mut fields = text.split_whitespace().map(|f| f.parse::<u64>().ok());
    Some(WorkerCpu { ran_ns: fields.next()??, waited_ns: fields.next()?? })
}

pub fn cpu_model() -> Option<String> {
    cpu_field(&fs::read_to_string("/proc/cpuinfo").ok()?, "model name")
}

pub fn physical_cores() -> Option<usize> {
    physical_cores_of(&fs::read_to_string("/proc/cpuinfo").ok()?)
}

pub fn kernel_release() -> Option<String> {
    fs::read_to_string("/proc/sys/kernel/osrelease").ok().map(|s| s.trim().to_owned())
}

fn cpu_field(cpuinfo: &str, name: &str) -> Option<String> {
    cpuinfo.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        (key.trim() == name).then(|| value.trim().to_owned())
    })
}

/// Distinct (physical id, core id) pairs; `None` where /proc/cpuinfo does not list them.
fn physical_cores_of(cpuinfo: &str) -> Option<usize> {
    let mut cores = BTreeSet::new();
    for block in cpuinfo.split("\n\n") {
        let package = cpu_field(block, "physical id");
        let core = cpu_field(block, "core id");
        if let (Some(p), Some(c)) = (package, core) {
            cores.insert((p, c));
        }
    }
    (!cores.is_empty()).then_some(cores.len())
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
    fn proc_fields_parse_and_this_machine_has_memory_available() {
        assert_eq!(kib_field("MemTotal: 10 kB\nMemAvailable:    2048 kB\n", "MemAvailable:"), Some(2048));
        assert_eq!(kib_field("VmSize:\t  77 kB", "VmSize:"), Some(77));
        assert_eq!(kib_field("nothing", "VmSize:"), None);
        assert!(available_memory_bytes().expect("Linux says") > 0);
    }

    #[test]
    fn single_pages_are_summed_over_every_zone() {
        let buddyinfo = "Node 0, zone      DMA      0      0      1      1\n\
                         Node 0, zone    DMA32   1407   1418    917    469\n\
                         Node 0, zone   Normal  61106  32047  15203  12770\n";
        assert_eq!(single_page_bytes(buddyinfo, 4096), Some((1407 + 61106) * 4096));
    }

    #[test]
    fn text_of_another_shape_gives_no_figure() {
        assert_eq!(single_page_bytes("", 4096), None);
        assert_eq!(single_page_bytes("Node 0, zone Normal many", 4096), None);
        assert_eq!(single_page_bytes("no zones here", 4096), None);
    }

    #[test]
    fn the_kernels_schedstat_line_reads_as_ran_then_waited() {
        assert_eq!(parse_schedstat("93269 127018 2\n"), Some(WorkerCpu { ran_ns: 93_269, waited_ns: 127_018 }));
        assert_eq!(parse_schedstat("93269\n"), None);
        assert_eq!(parse_schedstat("x 1 2"), None);
    }

    #[test]
    fn physical_cores_count_distinct_core_ids() {
        let info = "processor: 0\nphysical id: 0\ncore id: 0\n\nprocessor: 1\nphysical id: 0\ncore id: 0\n\n\
                    processor: 2\nphysical id: 0\ncore id: 1\n";
        assert_eq!(physical_cores_of(info), Some(2));
        assert_eq!(physical_cores_of("processor: 0\n"), None);
    }
}
