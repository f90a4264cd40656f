//! `ablate list`: the workloads, strategies and transports this binary knows.

use ablate_workloads::{AssumedFootprint, Description, Registry, WorkloadConfig};

use super::print_stdout;
use crate::exit;
use crate::strategy::StrategyKind;
use crate::terminal::say;

pub(super) fn list(registry: &Registry) -> anyhow::Result<u8> {
    let mut out = String::from("workloads:\n");
    let (own, on_request): (Vec<_>, Vec<_>) = registry.descriptions().partition(|d| !registry.is_on_request(d.name));
    own.iter().for_each(|d| out.push_str(&workload(d)));
    if !on_request.is_empty() {
        out.push_str("built-in workloads, on request (`-w builtins`, or by name):\n");
        on_request.iter().for_each(|d| out.push_str(&workload(d)));
    }
    out.push_str("strategies:\n");
    for s in StrategyKind::ALL {
        let unavailable = if s.available().is_err() { " (not available in this run)" } else { "" };
        out.push_str(&format!("  {:<12} {}{unavailable}\n", s.name(), s.summary()));
    }
    out.push_str(
        "  auto         chosen per workload by a pilot run: one cell, whichever strategy, workers and chunk\n",
    );
    out.push_str("               it picks (--strategies auto, or all,auto)\n");
    out.push_str("  naive        what many parallel helpers default to: processes at the most workers, one task per\n");
    out.push_str("               dispatch, the shared input copied into each (--strategies naive)\n");
    out.push_str("transports (process strategy, --transport):\n");
    out.push_str("  copy         the shared input inside every dispatch, as a naive pickling pool does\n");
    out.push_str("  shm          written once to a memory file each worker maps read-only (default)\n");
    out.push_str("  regen        rebuilt by each worker from the seed\n");
    print_stdout(&out)?;
    for doubt in registry.descriptions().filter_map(|d| assumed_footprint(registry, d)) {
        say(format_args!("warning: {doubt}"));
    }
    Ok(exit::SUCCESS)
}

/// The doubt about `d`'s assumed footprint at its quick size with default parameters (see
/// [`Registry::assumed_footprint`]); `None` too when the workload cannot be built so.
fn assumed_footprint(registry: &Registry, d: &Description) -> Option<AssumedFootprint> {
    registry.assumed_footprint(&WorkloadConfig::new(d.name, d.quick_size, 0)).ok().flatten()
}

/// One workload: name, kind and summary, its sizes, and each parameter with its default and valid values.
fn workload(d: &Description) -> String {
    let mut text = format!(
        "  {:<12} {:<7} {}\n  {:<12} size: {} (default {}, quick {})\n",
        d.name, d.kind, d.summary, "", d.size_unit, d.default_size, d.quick_size
    );
    for p in d.params.iter().map(|p| p.listing()) {
        text.push_str(&format!("  {:<12}   -p {}.{}={}  {} ({})\n", "", d.name, p.name, p.default, p.help, p.values));
    }
    text
}
