//! What every column and term on the report pages means, said once: a column's header carries its meaning as a
//! tooltip (`<abbr title>`), and a key beside each table lists the same words where they can be read without a
//! mouse. The parts of a cell id (`spin/200/threads/w2/cauto`) are explained the same way.

use std::fmt::Write;

use super::escape::escape;

/// A term and what it means.
pub type Term = (&'static str, &'static str);

/// The columns of the per-workload cell tables, in the results table's order (its `workload` and `size` are the
/// tables' headings).
pub const CELL_COLUMNS: [Term; 14] = [
    (
        "strategy",
        "how the tasks were run: serial (one thread, the reference every speedup is against), threads (a static \
         block of tasks per scoped thread), rayon (work stealing), crossbeam (workers pulling chunks from a shared \
         queue), process/copy, process/shm, process/regen (worker processes that get the shared input copied with \
         every task, mapped once from shared memory, or rebuilt from its seed), mpi (ranks); auto→X is what auto \
         chose",
    ),
    ("workers", "threads, processes or ranks working at once"),
    (
        "chunk",
        "tasks handed to a worker per dispatch; adaptive: each dispatch sized from how long the worker's last one \
         took",
    ),
    ("median", "median wall time of one execution of every task, over the timed repetitions"),
    (
        "spread",
        "how much the repetitions' wall times vary: their median absolute deviation as a share of the median (±1% \
         is a steady cell, ±15% a noisy one)",
    ),
    ("speedup", "serial's median ÷ this cell's, at the same size; ? marks a figure in doubt (see the notes)"),
    ("efficiency", "speedup ÷ workers: 1 is perfect scaling; below the floor the workers do not pay for themselves"),
    (
        "load-proof",
        "efficiency as on a machine with nothing else running, from each worker's CPU time and its time waiting for \
         a CPU; another process's load cannot inflate it (- where those counters were not recorded)",
    ),
    ("util", "utilisation: the workers' time inside tasks ÷ (wall time × workers), the median over repetitions"),
    (
        "in/task",
        "bytes into a worker per task: the real frames where a process boundary was crossed, else the serialized \
         task",
    ),
    ("out/task", "bytes out of a worker per task, counted as in/task is"),
    (
        "peak RSS",
        "the measuring process's peak resident memory (per repetition where the kernel can reset the peak, else \
         over the process's life); worker processes' peaks are in the results file",
    ),
    ("GB/s", "memory bandwidth in 10⁹ bytes per second, STREAM counting (triad moves 24 bytes per element)"),
    ("status", "ok, FAILED: why, or not measured: why; worker faults met and handled follow in brackets"),
];

/// The columns of the findings table; `best at N workers` stands for each worker count's column.
pub const FINDINGS_COLUMNS: [Term; 4] = [
    ("workload", "the workload measured, with its size below"),
    ("best at N workers", "the fastest strategy at that worker count, with its speedup over serial"),
    ("scaling", "up to how many workers the best strategy keeps its efficiency at or above the floor"),
    ("why", "what the cells show about why: load imbalance, start cost, payload bytes, memory bandwidth, task size"),
];

/// The columns of the comparison of `auto` with the fixed strategies.
pub const AUTO_COLUMNS: [Term; 7] = [
    ("workload", "the workload and size auto ran on"),
    ("auto chose", "the strategy, workers and chunk auto's pilot chose, and the median wall time it ran at"),
    ("best fixed", "the fastest configuration measured without auto, and its median wall time"),
    ("auto÷best", "auto's median ÷ the best fixed one's: 1 means auto found the best; ? marks a drift explained below"),
    ("95% interval", "the interval of auto÷best, resampled from both cells' repetitions"),
    ("naive", "the median of process/copy with one task per dispatch at the most workers, a first attempt"),
    ("naive÷auto", "how many times faster auto ran than the naive configuration"),
];

/// The parts of a cell id, `workload/size/strategy/wN/cCHUNK[/transport]`.
pub const ID_PARTS: [Term; 6] = [
    ("workload", "the workload's name (spin, triad, …)"),
    ("size", "its size knob, in the workload's unit (tasks, elements, bytes)"),
    ("strategy", "serial, threads, rayon, crossbeam, process or mpi; workload/size/auto is auto's cell"),
    ("wN", "N workers (w2: two threads, processes or ranks)"),
    (
        "cCHUNK",
        "the chunk asked for: cauto is the strategy's own default (the whole block per worker for serial and \
         threads, adaptive for crossbeam, process and mpi, one task for rayon); c16 is 16 tasks per dispatch",
    ),
    ("transport", "process only: copy, shm or regen, how the shared input reaches the workers"),
];

/// The words of the verdict block.
pub const VERDICT_TERMS: [Term; 7] = [
    ("ratio", "candidate's median wall time ÷ the baseline's: above 1 is slower"),
    ("interval", "the ratio's confidence interval"),
    ("p (adj.)", "the rank test's p-value, adjusted for the number of cells compared"),
    (
        "sees ≥",
        "the smallest slowdown this cell's noise lets the comparison detect; a cell that cannot see the threshold \
         is inconclusive, never unchanged",
    ),
    ("measure", "what the scaling check judged: efficiency, or the share of serial's throughput kept"),
    ("floor", "the least efficiency (or share of throughput) a parallel cell must keep, 0.7 unless configured"),
    ("inconclusive", "not judged: too noisy to call, or the machine could not give the cell its cores"),
];

/// The columns of the history page's table of changed cells.
pub const HISTORY_COLUMNS: [Term; 6] = [
    ("cell", "the cell id whose series changed"),
    ("metric", "which series: wall time, efficiency or bandwidth"),
    ("machine", "the machine fingerprint the runs were measured on"),
    ("change points", "how many times the series stepped"),
    ("newest change", "the commit where the latest step begins, its ratio after ÷ before with its interval"),
    ("worst step", "the largest step in the bad direction"),
];

/// What `name` means among `terms`; a header named for a worker count (`best at 2 workers`) takes the
/// `best at N workers` entry.
pub fn meaning(terms: &[Term], name: &str) -> Option<&'static str> {
    let general = if name.starts_with("best at ") { "best at N workers" } else { name };
    terms.iter().find(|(term, _)| *term == general).map(|(_, meaning)| *meaning)
}

/// A table header cell for `name`, its meaning from `terms` as a tooltip.
pub fn header(terms: &[Term], name: &str) -> String {
    match meaning(terms, name) {
        Some(meaning) => format!("<th><abbr title=\"{}\">{}</abbr></th>", escape(meaning), escape(name)),
        None => format!("<th>{}</th>", escape(name)),
    }
}

/// A visible key of `terms`, introduced by `lead`.
pub fn key(lead: &str, terms: &[Term]) -> String {
    let mut out = format!("<details class=\"key\" open><summary>{}</summary><dl>", escape(lead));
    for (term, meaning) in terms {
        let _ = write!(out, "<dt>{}</dt><dd>{}</dd>", escape(term), escape(meaning));
    }
    out.push_str("</dl></details>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_worker_count_column_takes_the_general_entry() {
        assert_eq!(meaning(&FINDINGS_COLUMNS, "best at 2 workers"), meaning(&FINDINGS_COLUMNS, "best at N workers"));
        assert!(header(&CELL_COLUMNS, "spread").contains("<abbr title=\"how much the repetitions"));
        assert_eq!(header(&CELL_COLUMNS, "nothing"), "<th>nothing</th>");
    }
}
