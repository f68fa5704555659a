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
