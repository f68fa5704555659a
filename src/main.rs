// mimalloc: kpic allocates many small strings and nodes on every core;
// glibc's malloc spent a fifth of `kpic check` growing and trimming its arenas.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    // Like every Unix tool, end quietly when the reader of stdout goes away (`kpic … | head`).
    #[cfg(unix)]
    // SAFETY: restoring the default action of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    match kpic::cli::on_large_stack(kpic::cli::run) {
        Ok(Ok(code)) => code,
        // A panic was already printed by the panic hook.
        Ok(Err(_)) => std::process::ExitCode::from(kpic::cli::EXIT_FAILURE),
        Err(error) => {
            eprintln!("error: cannot start kpic: {error}");
            std::process::ExitCode::from(kpic::cli::EXIT_FAILURE)
        }
    }
}
