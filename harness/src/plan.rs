//! The plan: the cells of a run (workload × size × strategy × workers × chunk), grouped by workload and size.
//!
//! Every group starts with its serial cell, which gives the reference digest and the time speedups are taken
//! against; then one cell per parallel strategy, worker count and chunk setting.

use ablate_workloads::{Registry, WorkloadConfig};
use serde::{Deserialize, Serialize};

use crate::config::{ProfileKind, RunConfig};
use crate::decision::Decision;
use crate::error::HarnessError;
use crate::strategy::{Chunk, StrategyKind, Transport};

/// The naive default `--strategies naive` adds, at the most workers measured: worker processes, one task per
/// dispatch, the shared input copied — a first attempt with a process pool, which `auto` is measured against.
pub const NAIVE: (StrategyKind, Chunk, Transport) = (StrategyKind::Process, Chunk::Fixed(1), Transport::Copy);

/// Whether a cell of this strategy, chunk and transport is configured as [`NAIVE`] is.
pub fn is_naive(strategy: StrategyKind, chunk: Chunk, transport: Option<Transport>) -> bool {
    (strategy, chunk, transport) == (NAIVE.0, NAIVE.1, Some(NAIVE.2))
}

/// One measured configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cell {
    /// `workload/size/strategy/wN/cCHUNK[/TRANSPORT]`, unique within a run.
    pub id: String,
    pub workload: String,
    pub size: u64,
    pub strategy: StrategyKind,
    pub workers: usize,
    pub chunk: Chunk,
    /// How the shared input reaches workers, for strategies that cross processes.
    pub transport: Option<Transport>,
    /// An `auto` cell: its strategy, workers and chunk are chosen by a pilot when its group runs.
    #[serde(default)]
    pub auto: bool,
}

impl Cell {
    fn new(
        workload: &str,
        size: u64,
        strategy: StrategyKind,
        workers: usize,
        chunk: Chunk,
        transport: Option<Transport>,
    ) -> Self {
        let mut id = format!("{workload}/{size}/{strategy}/w{workers}/c{chunk}");
        if let Some(transport) = transport {
            id.push_str(&format!("/{transport}"));
        }
        Cell { id, workload: workload.to_owned(), size, strategy, workers, chunk, transport, auto: false }
    }

    /// The `auto` cell of a group, until its pilot decides: `workload/size/auto`.
    fn auto(workload: &str, size: u64) -> Self {
        let serial = Cell::new(workload, size, StrategyKind::Serial, 1, Chunk::Auto, None);
        Cell { id: format!("{workload}/{size}/auto"), auto: true, ..serial }
    }

    /// This `auto` cell with the strategy, workers, chunk and transport its decision chose.
    pub fn decided(&self, decision: &Decision) -> Self {
        Cell {
            strategy: decision.strategy,
            workers: decision.workers,
            chunk: decision.chunk,
            transport: decision.transport,
            ..self.clone()
        }
    }
}

/// The cells of one workload at one size; they share one built job.
#[derive(Clone, Debug)]
pub struct Group {
    pub config: WorkloadConfig,
    /// The serial reference first, then the parallel cells.
    pub cells: Vec<Cell>,
}

#[derive(Clone, Debug)]
pub struct Plan {
    pub groups: Vec<Group>,
}

impl Plan {
    /// Resolves sizes against the registry and lays out the cells; fails on unknown workloads or zero workers.
    pub fn new(config: &RunConfig, registry: &Registry) -> Result<Plan, HarnessError> {
        if let Some(bad) = config.workers.iter().find(|&&w| w == 0) {
            return Err(HarnessError::Usage(format!("invalid worker count {bad}; expected a whole number ≥ 1")));
        }
        let mut groups = Vec::new();
        for choice in &config.workloads {
            let description = registry.describe(&choice.name)?;
            let sizes = match (choice.sizes.is_empty(), config.profile.kind) {
                (false, _) => choice.sizes.clone(),
                (true, ProfileKind::Quick) => vec![description.quick_size],
                (true, ProfileKind::Default) => vec![description.default_size],
            };
            for size in sizes {
                let workload = WorkloadConfig {
                    name: choice.name.clone(),
                    size,
                    seed: config.seed,
                    params: choice.params.clone(),
                };
                groups.push(Group { cells: cells_for(&choice.name, size, config), config: workload });
            }
        }
        Ok(Plan { groups })
    }

    pub fn cell_count(&self) -> usize {
        self.groups.iter().map(|g| g.cells.len()).sum()
    }
}

fn cells_for(workload: &str, size: u64, config: &RunConfig) -> Vec<Cell> {
    let mut cells = vec![Cell::new(workload, size, StrategyKind::Serial, 1, Chunk::Auto, None)];
    for &strategy in config.strategies.iter().filter(|s| **s != StrategyKind::Serial) {
        let transports: Vec<Option<Transport>> = if strategy.crosses_processes() {
            config.transports.iter().copied().map(Some).collect()
        } else {
            vec![None]
        };
        for &workers in &config.workers {
            for &chunk in &config.chunks {
                for &transport in &transports {
                    let cell = Cell::new(workload, size, strategy, workers, chunk, transport);
                    if !cells.contains(&cell) {
                        cells.push(cell);
                    }
                }
            }
        }
    }
    if config.naive {
        let most = config.workers.iter().copied().max().unwrap_or(1);
        let (strategy, chunk, transport) = NAIVE;
        let naive = Cell::new(workload, size, strategy, most, chunk, Some(transport));
        if !cells.contains(&naive) {
            cells.push(naive);
        }
    }
    if config.auto {
        cells.push(Cell::auto(workload, size));
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::WorkloadChoice;
    use ablate_workloads::Params;

    fn config(strategies: Vec<StrategyKind>, workers: Vec<usize>) -> RunConfig {
        RunConfig {
            workloads: vec![WorkloadChoice { name: "spin".into(), sizes: vec![], params: Params::new() }],
            strategies,
            workers,
            chunks: vec![Chunk::Auto, Chunk::Fixed(4)],
            transports: vec![Transport::Shm, Transport::Copy],
            ..RunConfig::for_tests()
        }
    }

    #[test]
    fn serial_leads_every_group_and_the_axes_multiply() {
        let plan = Plan::new(&config(StrategyKind::ALL.to_vec(), vec![1, 2]), &Registry::builtin()).unwrap();
        assert_eq!(plan.groups.len(), 1);
        let cells = &plan.groups[0].cells;
        assert_eq!(cells[0].strategy, StrategyKind::Serial);
        assert_eq!(cells.len(), 1 + 4 * 2 * 2 + 2 * 2 * 2, "threads, rayon, crossbeam and mpi; process per transport");
        assert_eq!(
            plan.groups[0].config.size,
            ablate_workloads::Registry::builtin().describe("spin").unwrap().quick_size
        );
        assert!(cells.iter().any(|c| c.id == "spin/100/rayon/w2/c4"), "{cells:?}");
        assert!(cells.iter().any(|c| c.id == "spin/100/process/w1/cauto/copy"), "{cells:?}");
    }

    #[test]
    fn auto_and_naive_add_one_cell_each_per_group() {
        let mut with_both = config(vec![StrategyKind::Rayon], vec![1, 4]);
        (with_both.auto, with_both.naive) = (true, true);
        let cells = &Plan::new(&with_both, &Registry::builtin()).unwrap().groups[0].cells;
        let ids: Vec<&str> = cells.iter().map(|c| c.id.as_str()).collect();
        assert!(ids.contains(&"spin/100/process/w4/c1/copy"), "naive at the most workers: {ids:?}");
        assert_eq!(ids.last(), Some(&"spin/100/auto"));
        assert!(cells.last().unwrap().auto && cells.iter().filter(|c| c.auto).count() == 1);
    }

    #[test]
    fn serial_runs_even_when_not_asked_for_and_zero_workers_is_refused() {
        let plan = Plan::new(&config(vec![StrategyKind::Rayon], vec![2]), &Registry::builtin()).unwrap();
        assert_eq!(plan.groups[0].cells[0].strategy, StrategyKind::Serial);
        let err = Plan::new(&config(vec![StrategyKind::Rayon], vec![0]), &Registry::builtin()).unwrap_err();
        assert!(err.to_string().contains("worker count 0"), "{err}");
    }
}
