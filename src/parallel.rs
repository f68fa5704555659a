//! Work spread over the machine's cores, results in input order, so that
//! output stays deterministic.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

/// Below this many items [`map_in_parallel`] stays on the calling thread.
const PARALLEL_FROM: usize = 64;

/// How many blocks [`map_in_parallel`] cuts its items into per core: enough
/// that a core done early takes over work (files and KPIs differ in size).
const BLOCKS_PER_CORE: usize = 16;

/// The machine's cores, asked once: the standard library reads the process's
/// cgroup files every time.
fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// `f` over `items`, results in order, on every core (the calling thread
/// among them; the others with kpic's large stack, as emitters recurse over
/// expressions). Each thread takes the next block of items when done with one
/// and writes its results in their place, so they are never held twice.
pub fn map_in_parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = cores();
    if threads < 2 || items.len() < PARALLEL_FROM {
        return items.iter().map(&f).collect();
    }
    let block = items.len().div_ceil(threads * BLOCKS_PER_CORE);
    let mut results: Vec<Option<R>> = std::iter::repeat_with(|| None).take(items.len()).collect();
    let blocks: Vec<Block<T, R>> = items.chunks(block).zip(results.chunks_mut(block)).map(Mutex::new).collect();
    map_each_on_every_core(&blocks, |block| {
        let mut block = block.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (items, slots) = &mut *block;
        for (item, slot) in items.iter().zip(slots.iter_mut()) {
            *slot = Some(f(item));
        }
    });
    drop(blocks);
    results.into_iter().map(|result| result.expect("every block ran")).collect()
}

/// A block of items and the places of their results, for one thread at a time.
type Block<'a, T, R> = Mutex<(&'a [T], &'a mut [Option<R>])>;

/// `f` over `items`, results in order, on every core, each thread taking the
/// next item when it is done with one: for few items of very different sizes
/// (validation rules, folders to delete).
pub fn map_each_on_every_core<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = on_threads(cores().min(items.len()), || {
        let mut done = Vec::new();
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(index) else { return done };
            done.push((index, f(item)));
        }
    })
    .into_iter()
    .flatten()
    .collect();
    done.sort_unstable_by_key(|&(index, _)| index);
    done.into_iter().map(|(_, result)| result).collect()
}

/// What `work` returns on each of `threads` threads, the calling one among
/// them; a thread that cannot start leaves its share to the others.
fn on_threads<R: Send>(threads: usize, work: impl Fn() -> R + Sync) -> Vec<R> {
    let work = &work;
    std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads)
            .filter_map(|_| {
                std::thread::Builder::new().stack_size(crate::cli::STACK_SIZE).spawn_scoped(scope, work).ok()
            })
            .collect();
        let mut results = vec![work()];
        for helper in helpers {
            results.push(helper.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
        }
        results
    })
}

/// Whether what [`drop_beside`] is given is left to the end of the process
/// instead of freed (see [`leave_drops_to_exit`]).
static LEAVE_DROPS_TO_EXIT: AtomicBool = AtomicBool::new(false);

/// From now on, [`drop_beside`] frees nothing: for a run that ends once it has
/// printed its findings (`kpic check`), where the operating system takes the
/// memory back at exit and freeing only costs a core.
pub fn leave_drops_to_exit() {
    LEAVE_DROPS_TO_EXIT.store(true, Ordering::Relaxed);
}

/// Frees `value` on a thread of its own (with kpic's large stack: freeing a
/// long chain of operators recurses), off the caller's path (a project's
/// parse trees); here if no thread can start.
pub fn drop_beside<T: Send + 'static>(value: T) {
    if LEAVE_DROPS_TO_EXIT.load(Ordering::Relaxed) {
        std::mem::forget(value);
        return;
    }
    let _ = std::thread::Builder::new().stack_size(crate::cli::STACK_SIZE).spawn(move || drop(value));
}

type Slot<F> = std::sync::Arc<std::sync::Mutex<Option<F>>>;

/// Work started on another thread (with kpic's large stack) beside what the
/// calling thread does; [`Beside::join`] runs it there if no thread could start.
pub struct Beside<'scope, T, F> {
    thread: Option<std::thread::ScopedJoinHandle<'scope, Option<T>>>,
    work: Slot<F>,
}

/// Starts `f` on its own thread within `scope`.
pub fn beside<'scope, T: Send + 'scope, F: FnOnce() -> T + Send + 'scope>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    f: F,
) -> Beside<'scope, T, F> {
    let work: Slot<F> = std::sync::Arc::new(std::sync::Mutex::new(Some(f)));
    let taken = std::sync::Arc::clone(&work);
    let thread = std::thread::Builder::new()
        .stack_size(crate::cli::STACK_SIZE)
        .spawn_scoped(scope, move || take(&taken).map(|f| f()))
        .ok();
    Beside { thread, work }
}

impl<T, F: FnOnce() -> T> Beside<'_, T, F> {
    /// What `f` returned, once it has run.
    pub fn join(self) -> T {
        if let Some(thread) = self.thread {
            match thread.join() {
                Ok(Some(done)) => return done,
                Ok(None) => {}
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        take(&self.work).expect("the work runs once, here or on its thread")()
    }
}

fn take<F>(work: &Slot<F>) -> Option<F> {
    work.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take()
}

#[cfg(test)]
mod tests {
    #[test]
    fn results_come_in_input_order() {
        // More items than one block per core, not a multiple of the block size.
        let items: Vec<u64> = (0..10_007).collect();
        let squares = super::map_in_parallel(&items, |n| n * n);
        assert_eq!(squares, items.iter().map(|n| n * n).collect::<Vec<_>>());
    }
}
