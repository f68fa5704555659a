fn main() -> std::process::ExitCode {
    // Like every Unix tool, end quietly when the reader of stdout goes away (`kpic … | head`).
    #[cfg(unix)]
    // SAFETY: restoring the default action of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let runner =
        std::thread::Builder::new().name("kpic".into()).stack_size(kpic::cli::STACK_SIZE).spawn(kpic::cli::run);
    match runner.map(std::thread::JoinHandle::join) {
        Ok(Ok(code)) => code,
        // A panic was already printed by the panic hook.
        Ok(Err(_)) => std::process::ExitCode::from(kpic::cli::EXIT_FAILURE),
        Err(error) => {
            eprintln!("error: cannot start kpic: {error}");
            std::process::ExitCode::from(kpic::cli::EXIT_FAILURE)
        }
    }
}
