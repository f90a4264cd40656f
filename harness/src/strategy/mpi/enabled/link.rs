//! Messages between rank 0 and the worker ranks: their tags, and receiving by polling with a growing pause. A
//! blocking MPI receive spins a core while it waits, which on a shared machine would slow the cells being
//! measured, including those of other strategies while the worker ranks sit idle.

use std::thread;
use std::time::{Duration, Instant};

use ::mpi::Tag;
use ::mpi::point_to_point::{Destination, MatchedReceiveVec, Message, Source, Status};
use ::mpi::request::StaticScope;
use ::mpi::topology::{Communicator, Rank, SimpleCommunicator};
use serde::{Deserialize, Serialize};

use crate::measure::network::InterfaceBytes;

/// The longest pause between polls while rank 0 waits for an answer.
pub(super) const PAUSE: Duration = Duration::from_micros(50);

/// Rank 0 → worker: a `ToWorker` message (load, run, shut down).
pub const TAG_JOB: Tag = 1;
/// Worker → rank 0: a `FromWorker` message (loaded, load failed, done).
pub const TAG_REPLY: Tag = 2;
/// Both ways: a request for a rank's [`RankStats`] (one byte: 1 to reset its peak memory first), and the answer.
pub const TAG_STATS: Tag = 3;
/// Rank 0 → worker: the session is over; finalize and exit. One byte, [`ABANDON`], when a rank was lost: MPI
/// cannot finalize without it, so every rank exits at once instead.
pub const TAG_FINISH: Tag = 4;
/// The body of a [`TAG_FINISH`] that ends the job without finalizing.
pub const ABANDON: u8 = 1;
/// Worker → rank 0, once as the world comes up: the worker's host name.
pub const TAG_HOST: Tag = 5;

/// What a worker rank reports about itself around an execution.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize)]
pub struct RankStats {
    pub cpu_ns: u64,
    pub peak_rss_bytes: u64,
    /// The rank's host's interface counters so far (loopback excluded); `None` where unreadable.
    pub network: Option<InterfaceBytes>,
}

/// A received message.
pub struct Envelope {
    pub bytes: Vec<u8>,
    pub source: Rank,
    pub tag: Tag,
}

/// Waiting without spinning: yield for the first moments, then sleep a quarter of the time waited so far, up to
/// `longest`.
pub struct Backoff {
    idle_since: Instant,
    longest: Duration,
}

const YIELD_FOR: Duration = Duration::from_micros(50);

impl Backoff {
    pub fn new(longest: Duration) -> Self {
        Backoff { idle_since: Instant::now(), longest }
    }

    pub fn reset(&mut self) {
        self.idle_since = Instant::now();
    }

    pub fn pause(&self) {
        let idle = self.idle_since.elapsed();
        if idle < YIELD_FOR { thread::yield_now() } else { thread::sleep((idle / 4).min(self.longest)) }
    }
}

/// A message that has arrived from `from` (any rank when `None`) with `tag` (any when `None`), if there is one.
pub fn try_receive(world: &SimpleCommunicator, from: Option<Rank>, tag: Option<Tag>) -> Option<Envelope> {
    let probed = match from {
        Some(rank) => probe(&world.process_at_rank(rank), tag),
        None => probe(&world.any_process(), tag),
    }?;
    let (bytes, status) = probed.matched_receive_vec::<u8>();
    Some(Envelope { bytes, source: status.source_rank(), tag: status.tag() })
}

fn probe(source: &impl Source, tag: Option<Tag>) -> Option<(Message, Status)> {
    match tag {
        Some(tag) => source.immediate_matched_probe_with_tag(tag),
        None => source.immediate_matched_probe(),
    }
}

/// The next message from `from` with `tag`, polled with pauses of at most `longest`.
pub fn receive(world: &SimpleCommunicator, from: Option<Rank>, tag: Option<Tag>, longest: Duration) -> Envelope {
    let backoff = Backoff::new(longest);
    loop {
        if let Some(envelope) = try_receive(world, from, tag) {
            return envelope;
        }
        backoff.pause();
    }
}

/// Sends `body` to every rank of `to` and waits, at most `limit`, until each has received it (a synchronous send:
/// exiting right after a plain one could leave the message unsent). A rank that does not take it in time is left.
pub fn deliver_within(
    world: &SimpleCommunicator,
    to: impl Iterator<Item = Rank>,
    body: &'static [u8],
    tag: Tag,
    limit: Duration,
) {
    let deadline = Instant::now() + limit;
    let mut pending: Vec<_> = to
        .map(|rank| world.process_at_rank(rank).immediate_synchronous_send_with_tag(StaticScope, body, tag))
        .collect();
    while !pending.is_empty() && Instant::now() < deadline {
        pending = pending.into_iter().filter_map(|request| request.test().err()).collect();
        thread::sleep(Duration::from_millis(1));
    }
    // An unfinished request may not be dropped; the process exits next, which ends it.
    pending.into_iter().for_each(std::mem::forget);
}

/// The next message from `from` with `tag`, or `None` once `deadline` has passed without one.
pub fn receive_until(
    world: &SimpleCommunicator,
    from: Option<Rank>,
    tag: Option<Tag>,
    longest: Duration,
    deadline: Instant,
) -> Option<Envelope> {
    let backoff = Backoff::new(longest);
    loop {
        if let Some(envelope) = try_receive(world, from, tag) {
            return Some(envelope);
        }
        if Instant::now() >= deadline {
            return None;
        }
        backoff.pause();
    }
}
