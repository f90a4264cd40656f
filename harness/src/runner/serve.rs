//! The measuring side of a paired A/B run: a build of ablate started as `ablate ab-serve <suite>` plans the suite
//! as `run` would and then measures only what its driver asks — open a group, execute one cell once, close the
//! group, finish — so that the driver can run each cell under both builds back to back.
//!
//! A group's shared input is made by the workload, or decoded from the driver's cache when the driver offers
//! one (see [`group_input`](super::group_input)); the reply says which, and what the opening cost.
//!
//! Requests and replies are JSON, one per line, on stdin and stdout; a reply line starts with [`REPLY_PREFIX`], so
//! anything else a workload prints on stdout is skipped rather than mistaken for one. Progress goes nowhere: the
//! driver reports for both builds.

use std::io::{BufRead, Write};

use ablate_workloads::{Registry, WorkloadConfig};
use serde::{Deserialize, Serialize};

use super::GroupSession;
use super::group_input::{self, InputOffer, InputReport};
use crate::cancel::Cancel;
use crate::config::RunConfig;
use crate::error::HarnessError;
use crate::events::{Round, Silent};
use crate::measure::machine::Machine;
use crate::measure::rss;
use crate::plan::Group;
use crate::record::{CellRecord, RssScope, RunRecord};

/// The protocol's version: a driver refuses a build that speaks another.
pub const PROTOCOL: u32 = 1;

/// What starts every reply line.
pub const REPLY_PREFIX: &str = "ablate-ab ";

/// A request from the driver.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "do", rename_all = "lowercase")]
pub enum Request {
    /// Build group `group`'s workload, launch its cells (only those named in `cells`, and serial, the
    /// reference, when given) and warm them up; its shared input as `input` offers (absent from drivers that
    /// predate the input cache, and when the driver offers none).
    Open {
        group: usize,
        cells: Option<Vec<String>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        input: Option<InputOffer>,
    },
    /// Execute cell `cell` of the open group once, recording it as timed round `round`, try `attempt` of its pair
    /// (0 unless the driver runs a preempted pair again; absent from drivers that predate it).
    Execute {
        cell: usize,
        round: u32,
        #[serde(default)]
        attempt: u32,
    },
    /// Summarise and keep the open group's cells.
    Close,
    /// Send the whole record and exit.
    Finish,
}

/// A reply to the driver.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "reply", rename_all = "lowercase")]
pub enum Reply {
    /// Sent once at start: the protocol version, each group's cell ids as planned, and each group's workload
    /// configuration, which keys its cached input (absent from builds that predate the input cache).
    Hello {
        protocol: u32,
        groups: Vec<Vec<String>>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        inputs: Vec<WorkloadConfig>,
    },
    /// The group's cells, and how it was opened (absent from builds that predate the input cache).
    Opened {
        cells: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        input: Option<InputReport>,
    },
    /// The execution's wall time and CPU time (of the server's threads and worker processes; absent from
    /// builds that predate it), or why the cell failed.
    Executed {
        wall_ns: Option<u64>,
        #[serde(default)]
        cpu_ns: Option<u64>,
        failure: Option<String>,
    },
    Closed,
    Finished {
        record: Box<RunRecord>,
    },
    Error {
        message: String,
    },
}

/// Serves `config`'s suite, measured on `machine`, to a driver on stdin/stdout until it says `finish` or closes
/// stdin; `cancel` stops the executions under way.
pub fn serve(config: &RunConfig, registry: &Registry, machine: &Machine, cancel: &Cancel) -> Result<(), HarnessError> {
    let plan = crate::footprint::plan(config, registry)?;
    let rss_scope = if rss::reset_peak() { RssScope::PerRepetition } else { RssScope::ProcessLifetime };
    let groups = plan.groups.iter().map(|g| g.cells.iter().map(|c| c.id.clone()).collect()).collect();
    let inputs = plan.groups.iter().map(|g| g.config.clone()).collect();
    send(&Reply::Hello { protocol: PROTOCOL, groups, inputs })?;
    let mut open: Option<GroupSession> = None;
    let mut cells: Vec<CellRecord> = Vec::new();
    for line in std::io::stdin().lock().lines() {
        let line = line.map_err(|e| HarnessError::io("cannot read", "the A/B driver's requests", e))?;
        let reply = match serde_json::from_str::<Request>(&line) {
            Err(e) => Reply::Error { message: format!("bad request {line:?}: {e}") },
            Ok(Request::Open { group, cells: wanted, input }) => match plan.groups.get(group) {
                None => Reply::Error { message: format!("no group {group}; the plan has {}", plan.groups.len()) },
                Some(planned) => match open_group(&only(planned, wanted), input.as_ref(), (config, registry), cancel) {
                    Ok((session, report)) => {
                        let ids = session.cell_ids();
                        open = Some(session);
                        Reply::Opened { cells: ids, input: Some(report) }
                    }
                    Err(e) => Reply::Error { message: e.to_string() },
                },
            },
            Ok(Request::Execute { cell, round, attempt }) => match open.as_mut() {
                Some(session) if cell < session.cell_count() => {
                    session.execute(cell, (round, attempt), Round::Timed(round), &Silent);
                    match session.last_timing(cell) {
                        Ok(timing) => Reply::Executed {
                            wall_ns: timing.map(|t| t.wall_ns),
                            cpu_ns: timing.map(|t| t.cpu_ns),
                            failure: None,
                        },
                        Err(reason) => Reply::Executed { wall_ns: None, cpu_ns: None, failure: Some(reason) },
                    }
                }
                _ => Reply::Error { message: format!("no open group with a cell {cell}") },
            },
            Ok(Request::Close) => {
                cells.extend(open.take().map(GroupSession::close).unwrap_or_default());
                Reply::Closed
            }
            Ok(Request::Finish) => {
                let record =
                    RunRecord::new(config.clone(), machine.clone(), rss_scope, std::mem::take(&mut cells), false);
                return send(&Reply::Finished { record: Box::new(record) });
            }
        };
        send(&reply)?;
    }
    Ok(())
}

/// Opens `group`, its shared input as `offer` allows, and says where the input came from and what it cost.
fn open_group(
    group: &Group,
    offer: Option<&InputOffer>,
    (config, registry): (&RunConfig, &Registry),
    cancel: &Cancel,
) -> Result<(GroupSession, InputReport), HarnessError> {
    let mut prepared = None;
    let prepare = |workload: &WorkloadConfig| {
        let (made, prepare_ns) = group_input::timed(|| group_input::prepare(registry, workload, offer));
        let (job, source) = made?;
        prepared = Some((source, prepare_ns));
        Ok(job)
    };
    let (session, open_ns) = group_input::timed(|| GroupSession::open_with(group, config, prepare, cancel, &Silent));
    let session = session?;
    let (source, prepare_ns) = prepared.expect("an open session prepared its workload");
    Ok((session, InputReport { source, prepare_ns, open_ns }))
}

/// `group` with only the cells named in `wanted` (when given) and its serial reference, which comes first.
fn only(group: &Group, wanted: Option<Vec<String>>) -> Group {
    let mut group = group.clone();
    if let Some(wanted) = wanted {
        let mut index = 0;
        group.cells.retain(|cell| {
            index += 1;
            index == 1 || wanted.contains(&cell.id)
        });
    }
    group
}

fn send(reply: &Reply) -> Result<(), HarnessError> {
    let json = serde_json::to_string(reply).map_err(|e| HarnessError::Usage(format!("cannot encode a reply: {e}")))?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{REPLY_PREFIX}{json}")
        .and_then(|()| stdout.flush())
        .map_err(|e| HarnessError::io("cannot write to", "the A/B driver", e))
}
