//! What the fault tests read from /proc: this process's descriptors, memory and children, and whether a
//! process still runs.

use std::time::Duration;

pub fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

pub fn current_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.trim_start_matches("VmRSS:").trim().trim_end_matches("kB").trim().parse().unwrap()
}

/// Fails if any process, zombie or not, still has this process as its parent.
pub fn assert_no_children() {
    let children = children_of(std::process::id());
    assert!(children.is_empty(), "child processes remain: {children:?}");
}

pub fn children_of(parent: u32) -> Vec<u32> {
    let mut children = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
        // The fields after the parenthesised command name: state, then the parent's pid.
        let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
        if after_name.split_whitespace().nth(1).and_then(|p| p.parse::<u32>().ok()) == Some(parent) {
            children.push(pid);
        }
    }
    children
}

/// Whether `pid` is a live process; a zombie waiting for its new parent (init) to reap it is not.
pub fn is_running(pid: u32) -> bool {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let state = stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().next());
    state.is_some_and(|s| s != "Z" && s != "X")
}

pub fn assert_gone(pids: &[u32], within: Duration) {
    let deadline = std::time::Instant::now() + within;
    for pid in pids {
        while is_running(*pid) {
            assert!(std::time::Instant::now() < deadline, "worker {pid} outlived its parent");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}
