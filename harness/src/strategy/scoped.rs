//! The worker threads of the in-process strategies that start threads per execution (`serial`'s one, `threads`,
//! `crossbeam`): scoped, each pinned to its core. When the system refuses a thread (a process or memory limit),
//! the workers already started are told to stop and are joined, and the execution fails with the reason instead
//! of the process aborting.

use super::Pinning;
use super::task::SharedExecution;

/// Runs `work(worker)` on `workers` scoped threads, worker `i` pinned as `pinning` says, each with a stack of
/// `stack_bytes` (`None`: Rust's default for new threads, `RUST_MIN_STACK` included); returns what each returned,
/// in worker order, or why a thread could not be started.
pub(crate) fn on_workers<T: Send>(
    dispatch: &SharedExecution<'_>,
    workers: usize,
    pinning: &Pinning,
    stack_bytes: Option<usize>,
    work: impl Fn(usize) -> T + Sync,
) -> Result<Vec<T>, String> {
    std::thread::scope(|scope| {
        let mut handles = Vec::with_capacity(workers);
        for worker in 0..workers {
            let work = &work;
            let builder = std::thread::Builder::new();
            let builder = match stack_bytes {
                Some(bytes) => builder.stack_size(bytes),
                None => builder,
            };
            let started = builder.spawn_scoped(scope, move || {
                pinning.pin_thread(worker);
                dispatch.as_worker(worker, || work(worker))
            });
            match started {
                Ok(handle) => handles.push(handle),
                Err(e) => {
                    dispatch.stop();
                    return Err(format!("the system refused worker thread {} of {workers}: {e}", worker + 1));
                }
            }
        }
        Ok(handles.into_iter().map(|h| h.join().expect("task panics are caught inside the worker")).collect())
    })
}
