//! A worker rank: waits for rank 0's messages, rebuilds the workload a `Load` names, runs the tasks it is sent,
//! and answers without ever blocking in a send, until rank 0 ends the session. A message it cannot understand
//! aborts the whole MPI job with a message: MPI's own way to fail, which no rank can hang on.

use std::collections::VecDeque;
use std::process::ExitCode;
use std::time::Duration;

use ::mpi::point_to_point::Destination;
use ::mpi::topology::{Communicator, SimpleCommunicator};
use ablate_workloads::Registry;
use ablate_workloads::runtime::RemoteJob;

use super::link::{self, Backoff, Envelope, RankStats, TAG_FINISH, TAG_JOB, TAG_REPLY, TAG_STATS};
use crate::measure::{cpu, network, rss};
use crate::strategy::process::wire::{FromWorker, ToWorker, check_version};
use crate::strategy::process::{load_job, run_task};

/// The longest pause between polls while a workload is loaded (a chunk may be on its way) and while idle.
const BUSY_PAUSE: Duration = Duration::from_micros(100);
const IDLE_PAUSE: Duration = Duration::from_millis(2);

pub fn serve(world: &SimpleCommunicator, registry: &Registry) -> ExitCode {
    crate::strategy::install_quiet_panic_hook();
    let mut inbox = VecDeque::new();
    let mut job: Option<Box<dyn RemoteJob>> = None;
    loop {
        let pause = if job.is_some() { BUSY_PAUSE } else { IDLE_PAUSE };
        let envelope = inbox.pop_front().unwrap_or_else(|| link::receive(world, Some(0), None, pause));
        let (tag, reply) = match envelope.tag {
            TAG_FINISH if envelope.bytes == [link::ABANDON] => std::process::exit(crate::exit::ERROR.into()),
            TAG_FINISH => return ExitCode::SUCCESS,
            TAG_STATS => (TAG_STATS, stats(&envelope.bytes)),
            TAG_JOB => match answer(world, registry, &mut job, &envelope) {
                Some(reply) => (TAG_REPLY, encode(world, &reply)),
                None => continue,
            },
            other => abort(world, &format!("a message with unknown tag {other} arrived from rank 0")),
        };
        reply_without_blocking(world, tag, &reply, &mut inbox);
    }
}

/// Acts on one `ToWorker` message; `None` when it wants no answer (a shutdown, which unloads the workload).
fn answer(
    world: &SimpleCommunicator,
    registry: &Registry,
    job: &mut Option<Box<dyn RemoteJob>>,
    envelope: &Envelope,
) -> Option<FromWorker> {
    let message: ToWorker<'_> = postcard::from_bytes(&envelope.bytes)
        .unwrap_or_else(|e| abort(world, &format!("a message from rank 0 does not decode: {e}")));
    Some(match message {
        ToWorker::Shutdown => {
            *job = None;
            return None;
        }
        ToWorker::Load { version, config, shared, .. } => {
            match check_version(version).and_then(|()| load_job(registry, config, &shared)) {
                Ok(loaded) => {
                    *job = Some(loaded);
                    FromWorker::Loaded
                }
                Err(message) => FromWorker::LoadFailed { message },
            }
        }
        ToWorker::Run { shared, tasks } => {
            let Some(job) = job.as_deref() else { abort(world, "tasks arrived before any workload was loaded") };
            FromWorker::Done { results: tasks.iter().map(|task| run_task(job, task, shared.map(|b| &**b))).collect() }
        }
    })
}

/// This rank's CPU time, peak memory and host's network counters; a request byte of 1 resets the peak first.
fn stats(request: &[u8]) -> Vec<u8> {
    if request == [1] {
        rss::reset_peak();
    }
    let stats = RankStats {
        cpu_ns: cpu::process_cpu_time().as_nanos() as u64,
        peak_rss_bytes: rss::peak_rss_bytes(),
        network: network::host_bytes(),
    };
    postcard::to_allocvec(&stats).expect("integers encode")
}

fn encode(world: &SimpleCommunicator, reply: &FromWorker) -> Vec<u8> {
    postcard::to_allocvec(reply).unwrap_or_else(|e| abort(world, &format!("cannot encode a reply: {e}")))
}

/// Sends `bytes` to rank 0 while still receiving what rank 0 sends meanwhile (into `inbox`): a large reply and a
/// large chunk crossing each other can then never wait on each other.
fn reply_without_blocking(world: &SimpleCommunicator, tag: ::mpi::Tag, bytes: &[u8], inbox: &mut VecDeque<Envelope>) {
    let root = world.process_at_rank(0);
    ::mpi::request::scope(|scope| {
        let mut request = root.immediate_send_with_tag(scope, bytes, tag);
        let mut backoff = Backoff::new(BUSY_PAUSE);
        loop {
            match request.test() {
                Ok(_) => return,
                Err(pending) => request = pending,
            }
            match link::try_receive(world, Some(0), None) {
                Some(envelope) => {
                    inbox.push_back(envelope);
                    backoff.reset();
                }
                None => backoff.pause(),
            }
        }
    });
}

fn abort(world: &SimpleCommunicator, why: &str) -> ! {
    eprintln!("ablate rank {}: {why}; aborting the MPI job", world.rank());
    world.abort(crate::exit::ERROR.into())
}
