//! Stage 5: emitters. Each returns files (path, contents); [`write_atomically`]
//! is the one place that writes them, replacing the output directory whole.

/// Text pieces (`&str`, `String`) joined into one string sized once: what
/// `format!` does for text made of strings, without the formatting machinery
/// and the doubling growth (emitters run it for every column of every view
/// in every dialect).
macro_rules! cat {
    ($($piece:expr),+ $(,)?) => {
        [$(::core::convert::AsRef::<str>::as_ref(&$piece)),+].concat()
    };
}

/// Appends `pieces` to `out` in order: [`cat!`] for a string being built.
fn push_all(out: &mut String, pieces: &[&str]) {
    for piece in pieces {
        out.push_str(piece);
    }
}

pub mod catalog;
pub mod lookml;
pub mod sql;

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::model::Dialect;
use crate::Valid;

/// A generated file, or a part of one, its path relative to the output directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub path: PathBuf,
    pub contents: String,
    pub part: Part,
}

/// Whether an [`OutputFile`] is a whole file or a part of one made in parts
/// (`deploy.sql`, `catalog.json`), so that no sink holds such a file whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Whole,
    /// The beginning of a file whose [`Part::Next`] parts follow in later batches.
    First,
    /// Goes on the end of the file as far as it was taken.
    Next,
}

impl OutputFile {
    pub fn new(path: impl Into<PathBuf>, contents: impl Into<String>) -> OutputFile {
        OutputFile { path: path.into(), contents: contents.into(), part: Part::Whole }
    }

    /// The part `part` of the file at `path`.
    pub fn part(path: impl Into<PathBuf>, contents: impl Into<String>, part: Part) -> OutputFile {
        OutputFile { path: path.into(), contents: contents.into(), part }
    }
}

/// Where generated files go, a batch at a time, each batch freed once taken:
/// the staging directory of `emit`, the comparison of `emit --check`, or a list
/// ([`files`]).
pub trait Sink {
    fn take(&mut self, files: Vec<OutputFile>) -> std::io::Result<()>;
}

/// Whole files in a list: the parts of a file are joined.
#[derive(Default)]
struct Collected {
    files: Vec<OutputFile>,
    /// Where each file made in parts is in `files`.
    streams: HashMap<PathBuf, usize>,
}

impl Sink for Collected {
    fn take(&mut self, files: Vec<OutputFile>) -> std::io::Result<()> {
        for file in files {
            match (file.part, self.streams.get(&file.path)) {
                (Part::Next, Some(&at)) => self.files[at].contents.push_str(&file.contents),
                (part, _) => {
                    if part != Part::Whole {
                        self.streams.insert(file.path.clone(), self.files.len());
                    }
                    self.files.push(OutputFile { part: Part::Whole, ..file });
                }
            }
        }
        Ok(())
    }
}

impl Sink for crate::atomic::Staging {
    fn take(&mut self, files: Vec<OutputFile>) -> std::io::Result<()> {
        let (next, new): (Vec<OutputFile>, Vec<OutputFile>) = files.into_iter().partition(|f| f.part == Part::Next);
        self.write(new.iter().map(|f| (f.path.as_path(), f.contents.as_str())))?;
        next.iter().try_for_each(|f| self.append(&f.path, &f.contents))
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

/// Which outputs [`generate`] makes.
#[derive(Debug, Clone, Copy)]
pub struct Outputs {
    pub sql: bool,
    pub lookml: bool,
    pub catalog: bool,
}

impl Outputs {
    pub const ALL: Outputs = Outputs { sql: true, lookml: true, catalog: true };
}

/// How many KPIs' views are built, written and added to the catalog at a time:
/// what `emit` holds is a batch's, not the project's.
const KPIS_PER_BATCH: usize = 512;

/// The generated files of a valid project into `sink`, a batch of KPIs at a
/// time in dependency order: each batch's versioned views, built once for
/// every dialect, make its SQL files, its part of each `deploy.sql`, its
/// catalog pages and its part of `catalog.json`; and its LookML views.
pub fn generate(valid: &Valid, dialects: &[Dialect], outputs: Outputs, sink: &mut dyn Sink) -> std::io::Result<()> {
    let order = valid.kpis_in_dependency_order();
    let mut scripts = outputs.sql.then(|| sql::Scripts::new(*valid, dialects));
    let mut catalog = outputs.catalog.then(|| catalog::Stream::new(*valid, &order));
    if let Some(scripts) = &scripts {
        sink.take(scripts.openings())?;
    }
    if let Some(catalog) = &catalog {
        sink.take(catalog.opening())?;
    }
    for kpis in order.chunks(KPIS_PER_BATCH) {
        let views = sql::Batch::build(valid, dialects, kpis);
        if let Some(scripts) = &mut scripts {
            sink.take(scripts.files(&views))?;
        }
        if outputs.lookml {
            sink.take(lookml::kpi_views(valid, kpis))?;
        }
        if let Some(catalog) = &mut catalog {
            sink.take(catalog.batch(views))?;
        }
    }
    if let Some(scripts) = scripts {
        scripts.endings().try_for_each(|files| sink.take(files))?;
    }
    if outputs.lookml {
        sink.take(lookml::project_files(valid))?;
    }
    if let Some(catalog) = catalog {
        sink.take(catalog.ending())?;
    }
    Ok(())
}

/// The generated files of a valid project (see [`generate`]), each whole.
pub fn files(valid: &Valid, dialects: &[Dialect], outputs: Outputs) -> Vec<OutputFile> {
    let mut collected = Collected::default();
    generate(valid, dialects, outputs, &mut collected).expect("collecting files never fails");
    collected.files
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
    /// The files taken in parts so far: each part is compared with what follows
    /// in the directory's file.
    streams: HashMap<PathBuf, Stream>,
}

/// A file of the output directory compared part by part; `None` once it differs.
struct Stream(Option<std::fs::File>);

impl Stream {
    /// Whether the file goes on with `text`, the stream's next part.
    fn continue_with(&mut self, text: &str) {
        let mut existing = vec![0; text.len()];
        let same = self.0.as_mut().is_some_and(|file| file.read_exact(&mut existing).is_ok());
        if !same || existing != text.as_bytes() {
            self.0 = None;
        }
    }

    /// Whether the file ended where the stream did.
    fn ended_together(self) -> bool {
        self.0.is_some_and(|mut file| file.read(&mut [0]).is_ok_and(|n| n == 0))
    }
}

impl Comparison {
    pub fn new(dir: &Path) -> Comparison {
        Comparison { dir: dir.to_path_buf(), expected: HashSet::new(), stale: Vec::new(), streams: HashMap::new() }
    }

    /// How many generated files were compared.
    pub fn files(&self) -> usize {
        self.expected.len()
    }

    /// The stale paths, sorted.
    pub fn stale(mut self) -> Vec<PathBuf> {
        for (path, stream) in std::mem::take(&mut self.streams) {
            if !stream.ended_together() {
                self.stale.push(path);
            }
        }
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
        let (parts, whole): (Vec<OutputFile>, Vec<OutputFile>) = files.into_iter().partition(|f| f.part != Part::Whole);
        let dir = &self.dir;
        let differs = crate::parallel::map_in_parallel(&whole, |f| {
            std::fs::read(dir.join(&f.path)).ok().as_deref() != Some(f.contents.as_bytes())
        });
        for (file, differs) in whole.into_iter().zip(differs) {
            if differs {
                self.stale.push(file.path.clone());
            }
            self.expected.insert(file.path);
        }
        for part in parts {
            if part.part == Part::First {
                let existing = std::fs::File::open(self.dir.join(&part.path)).ok();
                self.streams.insert(part.path.clone(), Stream(existing));
                self.expected.insert(part.path.clone());
            }
            // A part of a file whose beginning was never taken is a file of its own.
            let stream = self.streams.entry(part.path).or_insert(Stream(None));
            stream.continue_with(&part.contents);
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
