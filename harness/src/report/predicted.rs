//! The predictions as text: a table of every strategy's predicted efficiency at each worker count, with its
//! interval, beside what was measured where the results file has it, then where each strategy stops paying.
//! Every line says it is a prediction.

use std::fmt::Write;

use crate::predict::profile::MachineProfile;
use crate::predict::{Predicted, Stops};
use crate::units::duration_ns;

pub fn render(predicted: &[Predicted], profile: &MachineProfile, floor: f64) -> String {
    let mut out = format!("predicted for {}: predictions, not measurements\n", machine(profile));
    let _ = writeln!(
        out,
        "{:<12} {:>10} {:<24} {:>7}  {:>10}  {:>22}  {:>8}  what limits it",
        "workload", "size", "strategy", "workers", "time", "predicted efficiency", "measured"
    );
    for p in predicted {
        for prediction in &p.predictions {
            let measured = p
                .measured
                .iter()
                .find(|(w, _)| *w == prediction.workers)
                .map_or_else(|| "-".to_owned(), |(_, e)| format!("{e:.2}"));
            let interval = format!("{:.2} [{:.2}, {:.2}]", prediction.efficiency, prediction.low, prediction.high);
            let time = p.speed.map_or_else(|| "-".to_owned(), |speed| duration_ns(prediction.time_ns * speed));
            let _ = writeln!(
                out,
                "{:<12} {:>10} {:<24} {:>7}  {time:>10}  {interval:>22}  {measured:>8}  {}",
                p.workload,
                p.size,
                p.strategy,
                prediction.workers,
                prediction.loss.describe(prediction.workers)
            );
        }
    }
    let fitted: Vec<&Predicted> = predicted.iter().filter(|p| p.usl.is_some()).collect();
    if !fitted.is_empty() {
        let _ =
            writeln!(out, "\nthe Universal Scalability Law fitted to what was measured (three or more worker counts):");
    }
    for p in fitted {
        let Some(usl) = &p.usl else { continue };
        let peak = usl.peak.map_or_else(|| "no peak".to_owned(), |n| format!("peak at {n:.0} workers"));
        let _ = writeln!(
            out,
            "  {} {}: σ {:.3} [{:.3}, {:.3}], κ {:.5} [{:.5}, {:.5}], {peak}",
            p.workload,
            p.strategy,
            usl.sigma,
            usl.sigma_interval.0,
            usl.sigma_interval.1,
            usl.kappa,
            usl.kappa_interval.0,
            usl.kappa_interval.1
        );
    }
    let _ = writeln!(out, "\nwhere each strategy stops paying (efficiency floor {floor}), as predicted:");
    for p in predicted {
        let _ = writeln!(out, "  {} {}: {}", p.workload, p.strategy, stops_text(&p.stops, floor));
    }
    out
}

/// `<fingerprint> (<cpu>, 16 logical / 8 physical cores; <how the profile was made>)`.
pub(super) fn machine(profile: &MachineProfile) -> String {
    let physical = profile.physical_cores.map_or_else(|| "? physical".to_owned(), |p| format!("{p} physical"));
    format!(
        "{} ({}, {} logical / {physical} cores; {})",
        profile.fingerprint, profile.cpu_model, profile.logical_cores, profile.source
    )
}

/// Where a strategy stops paying, in one line with its reason.
pub(super) fn stops_text(stops: &Stops, floor: f64) -> String {
    let paying = |last: &Option<usize>| last.map_or_else(|| "at no count asked".to_owned(), |n| format!("up to {n}"));
    match stops {
        Stops::Never { up_to } => format!("keeps ≥ {floor} up to {up_to}, the most asked"),
        Stops::At { last_paying, first_short, reason } => {
            format!("pays {}; predicted below the floor at {first_short} ({reason})", paying(last_paying))
        }
        Stops::Inconclusive { last_paying, workers, reason } => {
            format!(
                "pays {}; inconclusive at {workers}: the interval straddles the floor ({reason})",
                paying(last_paying)
            )
        }
    }
}
