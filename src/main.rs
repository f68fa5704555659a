fn main() -> std::process::ExitCode {
    kpic::cli::run()
}
