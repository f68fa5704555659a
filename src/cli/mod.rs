//! The `kpic` command line: one file per subcommand in `commands/`.

mod commands;
mod memory;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit codes: 0 success, 1 the project has errors, 2 usage or I/O failure.
pub const EXIT_OK: u8 = 0;
pub const EXIT_ERRORS: u8 = 1;
pub const EXIT_FAILURE: u8 = 2;

/// The stack of the thread that runs kpic: its stages recurse over
/// expressions, and a machine-made filter of 100,000 `or` terms must not
/// overflow it. Reserved address space; only what is used is committed.
pub const STACK_SIZE: usize = 1 << 30;

/// Runs `f` on a thread with [`STACK_SIZE`], as `kpic` runs its stages: the
/// thread's result (`Err` when it panicked), or why it could not start.
pub fn on_large_stack<T: Send>(f: impl FnOnce() -> T + Send) -> std::io::Result<std::thread::Result<T>> {
    std::thread::scope(|scope| {
        let runner = std::thread::Builder::new().name("kpic".into()).stack_size(STACK_SIZE).spawn_scoped(scope, f)?;
        Ok(runner.join())
    })
}

/// kpic: KPI definitions as code — check them, emit warehouse SQL, LookML and a catalog.
#[derive(Debug, Parser)]
#[command(name = "kpic", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check every .kpi file of a project and report all problems
    Check(commands::check::Args),
    /// Show what a change does to the KPIs, against a git revision or a directory
    Diff(commands::diff::Args),
    /// Write warehouse SQL views for every dialect (atomically), or check they are up to date
    Emit(commands::emit::Args),
    /// Create a new project to start from, with a lock, a README and a CI workflow
    Init(commands::init::Args),
    /// Rewrite .kpi files in the canonical layout (or check that they are)
    Fmt(commands::fmt::Args),
    /// Record every KPI's version and computation fingerprint in kpic.lock
    Lock(commands::lock::Args),
    /// Serve the Language Server Protocol over stdio, for editors
    Lsp(commands::lsp::Args),
    /// Explain a diagnostic code: what it means, an example, the fix
    Explain(commands::explain::Args),
    /// Print the SQL view that computes one KPI
    Sql(commands::sql::Args),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell)
    Completions(commands::completions::Args),
    /// Print the dependency graph of sources and KPIs
    Graph(commands::graph::Args),
    /// Show KPI values on sample data, computed by the DuckDB views in an embedded DuckDB
    Preview(commands::preview::Args),
}

/// The project argument shared by subcommands.
#[derive(Debug, clap::Args)]
pub struct ProjectArg {
    /// The project: its folder, a folder inside it, or some of its .kpi files
    /// [default: the project around the current folder]
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
}

impl ProjectArg {
    /// The project found as `project::find` finds it, checked (see [`check_project`]).
    pub fn check(&self) -> Result<(PathBuf, crate::Checked), u8> {
        check_project(&self.paths)
    }
}

/// Parses the arguments, runs the subcommand, and returns its exit code.
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            let code = if error.use_stderr() { EXIT_FAILURE } else { EXIT_OK };
            return ExitCode::from(code);
        }
    };
    // The editor's server runs for hours and hands freed memory back; every other command ends in seconds.
    if !matches!(cli.command, Command::Lsp(_)) {
        memory::keep_freed_memory();
    }
    let code = match cli.command {
        Command::Check(args) => commands::check::run(args),
        Command::Diff(args) => commands::diff::run(args),
        Command::Emit(args) => commands::emit::run(args),
        Command::Explain(args) => commands::explain::run(args),
        Command::Sql(args) => commands::sql::run(args),
        Command::Fmt(args) => commands::fmt::run(args),
        Command::Init(args) => commands::init::run(args),
        Command::Lock(args) => commands::lock::run(args),
        Command::Lsp(args) => commands::lsp::run(args),
        Command::Graph(args) => commands::graph::run(args),
        Command::Completions(args) => commands::completions::run(args),
        Command::Preview(args) => commands::preview::run(args),
    };
    ExitCode::from(code)
}

/// Finds the project that `paths` name and checks it: its root and the
/// result, or, when it cannot be found or read, the exit code after saying why.
pub fn check_project(paths: &[PathBuf]) -> Result<(PathBuf, crate::Checked), u8> {
    let root = crate::project::find(paths).map_err(fail)?;
    let checked = crate::check_dir(&root).map_err(fail)?;
    Ok((root, checked))
}

/// `checked` when it has no errors; otherwise prints them and returns exit code 1.
pub fn without_errors(checked: crate::Checked) -> Result<crate::Checked, u8> {
    if checked.has_errors() {
        eprint!("{}", crate::diagnostics::render::human(&checked.diagnostics, &checked.sources, false));
        return Err(EXIT_ERRORS);
    }
    Ok(checked)
}

/// Leaves `value` to the end of the process instead of freeing it: the
/// operating system takes back a whole project's memory at once, faster than
/// dropping its model, texts and outputs piece by piece.
pub fn leave_to_exit<T>(value: T) {
    std::mem::forget(value);
}

/// Prints an I/O or usage failure and returns exit code 2.
pub fn fail(message: impl std::fmt::Display) -> u8 {
    eprintln!("error: {message}");
    EXIT_FAILURE
}

/// Whether stdout is a terminal (colour) or not (plain).
pub fn stdout_is_terminal() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}
