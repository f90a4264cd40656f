//! The plain values the platform reads off the machine: a thread's time on and waiting for a CPU, and the bytes a
//! host's interfaces moved. The measuring modules re-export them.

use serde::{Deserialize, Serialize};

/// A worker's share of the machine over one execution.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkerCpu {
    /// CPU time the worker ran.
    pub ran_ns: u64,
    /// Time the worker was runnable but waited for a CPU.
    pub waited_ns: u64,
}

impl WorkerCpu {
    /// The change from `before` to `self`, never negative.
    pub fn since(self, before: WorkerCpu) -> WorkerCpu {
        WorkerCpu {
            ran_ns: self.ran_ns.saturating_sub(before.ran_ns),
            waited_ns: self.waited_ns.saturating_sub(before.waited_ns),
        }
    }
}

/// Bytes sent and received by a host's interfaces, loopback excluded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterfaceBytes {
    pub sent: u64,
    pub received: u64,
}
