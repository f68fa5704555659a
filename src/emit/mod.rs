//! Stage 5: emitters. Each returns files (path, contents); [`write_atomically`]
//! is the one place that writes them, replacing the output directory whole.

pub mod catalog;
pub mod lookml;
pub mod sql;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::model::Dialect;
use crate::Valid;

/// A generated file, its path relative to the output directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub path: PathBuf,
    pub contents: String,
}

impl OutputFile {
    pub fn new(path: impl Into<PathBuf>, contents: impl Into<String>) -> OutputFile {
        OutputFile { path: path.into(), contents: contents.into() }
    }
}

/// Where generated files go, a batch at a time, each batch freed once taken:
/// the staging directory of `emit`, the comparison of `emit --check`, or a list.
pub trait Sink {
    fn take(&mut self, files: Vec<OutputFile>) -> std::io::Result<()>;
}

impl Sink for Vec<OutputFile> {
    fn take(&mut self, files: Vec<OutputFile>) -> std::io::Result<()> {
        self.extend(files);
        Ok(())
    }
}

impl Sink for crate::atomic::Staging {
    fn take(&mut self, files: Vec<OutputFile>) -> std::io::Result<()> {
        self.write(files.iter().map(|f| (f.path.as_path(), f.contents.as_str())))
    }
}

/// Runs `generate` while another thread hands each batch it makes on to
/// `sink` (the staging directory, a comparison): making the next batch
/// overlaps writing the last one. At most one finished batch waits.
pub fn pipelined<S: Sink + Send>(
    sink: &mut S,
    generate: impl FnOnce(&mut dyn Sink) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let pipelined = std::thread::scope(|scope| {
        let (sender, batches) = std::sync::mpsc::sync_channel::<Vec<OutputFile>>(1);
        let writer = &mut *sink;
        let writer = std::thread::Builder::new()
            .spawn_scoped(scope, move || batches.into_iter().try_for_each(|batch| writer.take(batch)));
        let Ok(writer) = writer else { return Err(generate) };
        let made = generate(&mut Queue(sender));
        // The queue is dropped: the writer ends once it has taken every batch.
        let taken = writer.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        Ok(taken.and(made))
    });
    // No thread to be had: each batch goes to the sink as it is made.
    pipelined.unwrap_or_else(|generate| generate(sink))
}

/// The sending end of [`pipelined`]'s batches.
struct Queue(std::sync::mpsc::SyncSender<Vec<OutputFile>>);

impl Sink for Queue {
    fn take(&mut self, files: Vec<OutputFile>) -> std::io::Result<()> {
        // The writer stopped at an error, which `pipelined` reports.
        self.0.send(files).map_err(|_| std::io::Error::other("the output could not be written"))
    }
}

/// Every generated file of a valid project into `sink`: per dialect its SQL
/// files, then LookML, then the catalog (whose SQL is the views already built
/// for the SQL files).
pub fn generate(valid: &Valid, dialects: &[Dialect], sink: &mut dyn Sink) -> std::io::Result<()> {
    let mut views = Vec::with_capacity(dialects.len());
    for &dialect in dialects {
        let built = sql::DialectViews::build(valid, dialect);
        sink.take(sql::files_of(valid, std::slice::from_ref(&built)))?;
        views.push(built);
    }
    sink.take(lookml::files(valid))?;
    catalog::generate(valid, views, sink)
}

/// Every generated file of a valid project (see [`generate`]).
pub fn files(valid: &Valid, dialects: &[Dialect]) -> Vec<OutputFile> {
    let mut files = Vec::new();
    generate(valid, dialects, &mut files).expect("collecting files never fails");
    files
}

/// Replaces `dir` with exactly `files`, atomically (see [`crate::atomic::replace_dir`]).
pub fn write_atomically(dir: &Path, files: &[OutputFile]) -> Result<(), crate::atomic::WriteError> {
    crate::atomic::replace_dir(dir, files.iter().map(|f| (f.path.as_path(), f.contents.as_str())))
}

/// What differs between the generated files and an output directory:
/// changed, missing, and files in the directory that would be removed.
pub struct Comparison {
    dir: PathBuf,
    expected: HashSet<PathBuf>,
    stale: Vec<PathBuf>,
}

impl Comparison {
    pub fn new(dir: &Path) -> Comparison {
        Comparison { dir: dir.to_path_buf(), expected: HashSet::new(), stale: Vec::new() }
    }

    /// How many generated files were compared.
    pub fn files(&self) -> usize {
        self.expected.len()
    }

    /// The stale paths, sorted.
    pub fn stale(mut self) -> Vec<PathBuf> {
        let mut existing = Vec::new();
        list(&self.dir, Path::new(""), &mut existing);
        let marker = Path::new(crate::atomic::MARKER);
        self.stale.extend(existing.into_iter().filter(|p| p != marker && !self.expected.contains(p)));
        self.stale.sort();
        self.stale
    }
}

impl Sink for Comparison {
    fn take(&mut self, files: Vec<OutputFile>) -> std::io::Result<()> {
        let dir = &self.dir;
        let differs = crate::parallel::map_in_parallel(&files, |f| {
            std::fs::read(dir.join(&f.path)).ok().as_deref() != Some(f.contents.as_bytes())
        });
        for (file, differs) in files.into_iter().zip(differs) {
            if differs {
                self.stale.push(file.path.clone());
            }
            self.expected.insert(file.path);
        }
        Ok(())
    }
}

/// Paths whose contents differ between `files` and what `dir` holds:
/// changed, missing, and files in `dir` that would be removed. Sorted.
pub fn stale_files(dir: &Path, files: &[OutputFile]) -> Vec<PathBuf> {
    let mut comparison = Comparison::new(dir);
    comparison.take(files.to_vec()).expect("comparing never fails");
    comparison.stale()
}

fn list(root: &Path, relative: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(root.join(relative)) else {
        return;
    };
    for entry in entries.flatten() {
        let path = relative.join(entry.file_name());
        match entry.file_type() {
            Ok(t) if t.is_dir() => list(root, &path, out),
            Ok(_) => out.push(path),
            Err(_) => {}
        }
    }
}
