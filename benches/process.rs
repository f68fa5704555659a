//! What a user waits for: the `kpic` binary run as a whole process —
//! `kpic check` (with the project's `kpic.lock`), `kpic emit` (every
//! dialect, LookML and the catalog), `emit --check`, and `emit` of one
//! dialect — over the synthetic projects of `benches/synth/`: median wall
//! and CPU time of 5 runs (`KPIC_BENCH_RUNS`) and the peak RSS. Sizes from `KPIC_BENCH_SIZES` (default `10000,20000,100000`); the output
//! goes to `KPIC_BENCH_OUT` (default: `target/bench-process`, set it to a
//! tmpfs folder to leave the disk out; `KPIC_BENCH_KEEP=1` keeps the projects
//! there, to profile). Run:
//!
//! ```sh
//! cargo bench --bench process
//! ```

mod synth;

use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One run of a command: wall time, CPU time (user + system) and peak RSS.
#[derive(Clone, Copy)]
struct Usage {
    wall: Duration,
    cpu: Duration,
    peak_rss_kib: i64,
}

// `wait4` reaps the child, with its resource usage, which `Child::wait` does not give.
#[expect(clippy::zombie_processes)]
fn run_once(args: &[&str]) -> Usage {
    let started = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_kpic")).args(args).stdout(Stdio::null()).spawn().expect("kpic starts");
    let mut status = 0;
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: waiting for our own child with valid pointers; wait4 fills `usage`.
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, usage.as_mut_ptr()) };
    let wall = started.elapsed();
    assert_eq!(pid, child.id() as i32, "wait4 waits for kpic");
    let status = std::process::ExitStatus::from_raw(status);
    assert!(status.success(), "kpic {args:?} failed: {status}");
    // SAFETY: wait4 succeeded, so it wrote `usage`.
    let usage = unsafe { usage.assume_init() };
    let seconds = |t: libc::timeval| Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64);
    Usage { wall, cpu: seconds(usage.ru_utime) + seconds(usage.ru_stime), peak_rss_kib: usage.ru_maxrss }
}

/// The medians of wall and CPU time over `runs` runs, and the largest peak RSS.
fn measure(runs: usize, args: &[&str]) -> Usage {
    let runs: Vec<Usage> = (0..runs.max(1)).map(|_| run_once(args)).collect();
    let median = |mut times: Vec<Duration>| {
        times.sort();
        times[times.len() / 2]
    };
    Usage {
        wall: median(runs.iter().map(|u| u.wall).collect()),
        cpu: median(runs.iter().map(|u| u.cpu).collect()),
        peak_rss_kib: runs.iter().map(|u| u.peak_rss_kib).max().unwrap_or(0),
    }
}

fn megabytes_in(dir: &Path) -> (usize, f64) {
    let mut files = 0;
    let mut bytes = 0u64;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("output folder").flatten() {
            let meta = entry.metadata().expect("metadata");
            if meta.is_dir() {
                stack.push(entry.path());
            } else {
                files += 1;
                bytes += meta.len();
            }
        }
    }
    (files, bytes as f64 / 1e6)
}

fn main() {
    let sizes: Vec<usize> = std::env::var("KPIC_BENCH_SIZES")
        .unwrap_or_else(|_| "10000,20000,100000".into())
        .split(',')
        .map(|n| n.trim().parse().expect("KPIC_BENCH_SIZES: numbers separated by commas"))
        .collect();
    let runs = std::env::var("KPIC_BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(5);
    let root = std::env::var_os("KPIC_BENCH_OUT")
        .map(Into::into)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-process"));
    println!("| KPIs | command | wall | CPU | peak RSS | output |");
    println!("|-----:|---------|-----:|----:|---------:|--------|");
    for n in sizes {
        let dir = root.join(n.to_string());
        let _ = std::fs::remove_dir_all(&dir);
        let project = dir.join("project");
        for (_, file) in synth::project(n).files() {
            let path = project.join(&file.path);
            std::fs::create_dir_all(path.parent().expect("a file in a folder")).expect("bench directory");
            std::fs::write(&path, &file.text).expect("bench file");
        }
        let project = project.to_str().expect("a UTF-8 path");
        run_once(&["lock", project]);
        let out = dir.join("out");
        let out = out.to_str().expect("a UTF-8 path");
        let row = |command: &str, usage: Usage, output: &str| {
            println!(
                "| {n} | `{command}` | {:.0} ms | {:.0} ms | {:.0} MB | {output} |",
                usage.wall.as_secs_f64() * 1e3,
                usage.cpu.as_secs_f64() * 1e3,
                usage.peak_rss_kib as f64 / 1024.0
            );
        };
        row("kpic check", measure(runs, &["check", "--format", "concise", project]), "");
        let emit = measure(runs, &["emit", project, "--out", out]);
        let (files, megabytes) = megabytes_in(Path::new(out));
        row("kpic emit", emit, &format!("{files} files, {megabytes:.0} MB"));
        row("kpic emit --check", measure(runs, &["emit", "--check", project, "--out", out]), "");
        // One warehouse, as most projects have: its SQL, LookML and the catalog.
        let _ = std::fs::remove_dir_all(out);
        let emit = measure(runs, &["emit", "--dialect", "postgres", project, "--out", out]);
        let (files, megabytes) = megabytes_in(Path::new(out));
        row("kpic emit --dialect postgres", emit, &format!("{files} files, {megabytes:.0} MB"));
        if std::env::var_os("KPIC_BENCH_KEEP").is_none() {
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
}
