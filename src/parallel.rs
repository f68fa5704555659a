//! Work spread over the machine's cores, results in input order, so that
//! output stays deterministic.

/// Below this many items [`map_in_parallel`] stays on the calling thread.
const PARALLEL_FROM: usize = 64;

/// `f` over `items`, results in order, on as many threads as the machine has
/// cores, each with kpic's large stack (emitters recurse over expressions).
pub fn map_in_parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || items.len() < PARALLEL_FROM {
        return items.iter().map(&f).collect();
    }
    let f = &f;
    std::thread::scope(|scope| {
        let parts: Vec<_> = items
            .chunks(items.len().div_ceil(threads))
            .map(|part| {
                let thread = std::thread::Builder::new().stack_size(crate::cli::STACK_SIZE);
                (part, thread.spawn_scoped(scope, move || part.iter().map(f).collect::<Vec<R>>()).ok())
            })
            .collect();
        parts
            .into_iter()
            .flat_map(|(part, thread)| match thread {
                Some(thread) => thread.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                // No thread to be had: this part runs here.
                None => part.iter().map(f).collect(),
            })
            .collect()
    })
}

/// `f` over `items` on every core, each thread taking the next item when it is
/// done with one: for few items of very different sizes (folders to delete).
pub fn each_on_every_core<T: Sync>(items: &[T], f: impl Fn(&T) + Sync) {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(items.len());
    let next = std::sync::atomic::AtomicUsize::new(0);
    let work = || {
        while let Some(item) = items.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed)) {
            f(item);
        }
    };
    std::thread::scope(|scope| {
        for _ in 1..threads {
            // A thread that cannot start leaves its share to the others.
            let _ = std::thread::Builder::new().spawn_scoped(scope, work);
        }
        work();
    });
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
