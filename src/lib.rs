#![doc = include_str!("../docs/architecture.md")]

pub mod atomic;
pub mod cli;
pub mod diagnostics;
pub mod diff;
pub mod emit;
pub mod graph;
pub mod lock;
pub mod lsp;
pub mod model;
mod parallel;
#[cfg(feature = "engine")]
pub mod preview;
pub mod project;
pub mod resolve;
pub mod source;
pub mod syntax;
pub mod validate;

use std::sync::Arc;

use diagnostics::Diagnostic;
use graph::Graph;
use model::Model;
use source::SourceMap;

/// A project after every checking stage: the model, its graph, and every finding.
pub struct Checked {
    pub sources: SourceMap,
    pub model: Model,
    pub graph: Graph,
    pub diagnostics: Vec<Diagnostic>,
    /// The project's kpic.lock, when it has a readable one.
    pub lock: Option<Arc<lock::Lock>>,
    /// Every KPI's fingerprint (none while KPIs read each other in a cycle).
    pub prints: Fingerprints,
}

/// Fingerprints by KPI.
pub type Fingerprints = std::collections::BTreeMap<model::KpiId, lock::Fingerprint>;

/// A project that has no errors. Only [`Checked::valid`] makes one, so
/// emitters never run on a broken model.
#[derive(Clone, Copy)]
pub struct Valid<'a> {
    pub model: &'a Model,
    pub graph: &'a Graph,
    pub lock: Option<&'a lock::Lock>,
    /// Every KPI's fingerprint.
    pub prints: &'a Fingerprints,
}

impl Valid<'_> {
    /// Every KPI, upstream first (a valid project has no cycle; ties by name).
    pub fn kpis_in_dependency_order(&self) -> Vec<model::KpiId> {
        self.graph.kpis_in_dependency_order().unwrap_or_else(|| self.model.kpi_ids().collect())
    }
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    pub fn valid(&self) -> Option<Valid<'_>> {
        self.valid_except(|_| false)
    }

    /// Like [`Checked::valid`], excusing the errors `excused` accepts
    /// (`kpic lock` settles the lock file's own errors by rewriting it).
    pub fn valid_except(&self, excused: impl Fn(&Diagnostic) -> bool) -> Option<Valid<'_>> {
        let blocked = self.diagnostics.iter().any(|d| d.is_error() && !excused(d));
        (!blocked).then_some(Valid {
            model: &self.model,
            graph: &self.graph,
            lock: self.lock.as_deref(),
            prints: &self.prints,
        })
    }
}

/// Runs parse → resolve → graph → validate over files already read, without
/// a lock file (versions unchecked).
pub fn check(sources: SourceMap) -> Checked {
    let Ok(checked) = check_with_lock(sources, || Ok::<_, std::convert::Infallible>(LockFile::Unchecked), None);
    checked
}

/// The lock file a check compares versions with.
enum LockFile {
    /// Versions are not checked (a project checked from memory).
    Unchecked,
    /// The project has no lock file.
    Missing,
    Read(ReadLock),
}

/// A lock file as read: parsed, and as a source file that findings point into.
#[derive(Clone)]
struct ReadLock {
    parsed: Result<Arc<lock::Lock>, lock::LockError>,
    /// Without its text when it parsed: a lock is larger than the project's
    /// definitions, and findings rarely point into one that parses, so its
    /// text is read again when one does ([`show_lock_text`]).
    file: source::SourceFile,
}

impl ReadLock {
    fn new(path: std::path::PathBuf, text: String) -> ReadLock {
        let parsed = lock::Lock::parse(&text).map(Arc::new);
        let text = if parsed.is_ok() { String::new() } else { text };
        ReadLock { parsed, file: source::SourceFile::new(path, text) }
    }
}

/// Reads the text of the lock file `file` (held without it, see [`ReadLock`])
/// again when a finding points into it, so that the finding can show it.
fn show_lock_text(sources: &mut SourceMap, file: source::FileId, diagnostics: &[Diagnostic]) {
    let shown = diagnostics.iter().flat_map(|d| &d.labels).any(|label| label.span.file == file);
    let lock = sources.get(file);
    if shown && lock.text.is_empty() {
        // Unreadable now: the finding is shown without its text.
        if let Ok(text) = std::fs::read_to_string(&lock.path) {
            sources.replace(file, source::SourceFile::new(lock.path.clone(), text));
        }
    }
}

/// The parse trees of an editor's files between checks: a file whose id and
/// text are those of the last check is not parsed again; nor is kpic.lock
/// while its size and modification time are those of the last check.
#[derive(Default)]
pub struct ParseCache {
    files: std::collections::HashMap<source::FileId, Parsed>,
    lock: Option<(source::Stamp, ReadLock)>,
}

/// One file's text, parse tree and syntax findings.
struct Parsed {
    text: String,
    ast: Arc<syntax::ast::File>,
    found: Vec<Diagnostic>,
}

impl ParseCache {
    /// The parse of `file` at `id`, from the cache when its text is unchanged.
    fn parse(
        &self,
        id: source::FileId,
        file: &source::SourceFile,
    ) -> Option<(Arc<syntax::ast::File>, Vec<Diagnostic>)> {
        let cached = self.files.get(&id).filter(|cached| cached.text == file.text)?;
        Some((Arc::clone(&cached.ast), cached.found.clone()))
    }
}

/// Like [`check`], comparing versions with the lock file that `read_lock`
/// reads (on its own thread, while names are bound), and parsing only the
/// files that `cache`, when given, does not hold (it then holds every file of
/// `sources`). Fails only when `read_lock` does.
fn check_with_lock<E: Send>(
    mut sources: SourceMap,
    read_lock: impl FnOnce() -> Result<LockFile, E> + Send,
    cache: Option<&mut ParseCache>,
) -> Result<Checked, E> {
    let mut diagnostics = Vec::new();
    // The lock is read and parsed while names are bound and the graph is
    // built, which take one core (parsing takes them all): neither reads what
    // the other makes.
    let (model, graph, prints, lock_read) = std::thread::scope(|scope| {
        let asts = parse_all(&sources, cache, &mut diagnostics);
        let lock_read = parallel::beside(scope, read_lock);
        let model = resolve::resolve(&sources, &asts, &mut diagnostics);
        forget_unparsed_references(&sources, &asts, &mut diagnostics);
        parallel::drop_beside(asts);
        let graph = Graph::build(&model);
        // Fingerprints need only the model and the graph: they are made
        // while the rules run, and each fills the cores the other leaves idle.
        let prints = std::thread::scope(|inner| {
            let prints = parallel::beside(inner, || {
                graph.kpis_in_dependency_order().map(|order| lock::fingerprints(&model, &order))
            });
            validate::validate(&model, &graph, &mut diagnostics);
            prints.join()
        });
        (model, graph, prints, lock_read.join())
    });
    let mut parsed_lock = None;
    let mut lock_file = None;
    let state = match lock_read? {
        LockFile::Unchecked => lock::LockState::Unchecked,
        LockFile::Missing => lock::LockState::Missing,
        LockFile::Read(ReadLock { parsed, file }) => {
            let parsed = parsed_lock.insert(parsed);
            let at = parsed.as_ref().err().map_or(0, |e| e.at);
            let file = *lock_file.insert(sources.add(file));
            let span = source::Span::new(file, at, at);
            let lock = parsed.as_deref().map_err(|e| e.message.clone());
            lock::LockState::Present(lock::LockInput { lock, span })
        }
    };
    lock::check(&model, &graph, prints.as_ref(), state, &mut diagnostics);
    if let Some(file) = lock_file {
        show_lock_text(&mut sources, file, &diagnostics);
    }
    diagnostics::sort(&mut diagnostics);
    diagnostics::merge_groups(&mut diagnostics);
    let lock = parsed_lock.and_then(Result::ok);
    let prints = prints.unwrap_or_default();
    Ok(Checked { sources, model, graph, diagnostics, lock, prints })
}

/// Every file's parse tree, with its encoding and syntax findings; parsed on
/// every core (files are independent), from `cache` when it holds the same text.
fn parse_all(
    sources: &SourceMap,
    cache: Option<&mut ParseCache>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Arc<syntax::ast::File>> {
    for (id, file) in sources.files() {
        if let Some(at) = file.invalid_utf8_at {
            let span = source::Span::new(id, at as usize, at as usize + '\u{fffd}'.len_utf8());
            diagnostics.push(
                Diagnostic::new(diagnostics::Code::InvalidEncoding, span, "this file is not UTF-8 from here on")
                    .label("not UTF-8")
                    .help("save the file as UTF-8"),
            );
        }
    }
    let files: Vec<_> = sources.files().collect();
    let cached = cache.as_deref();
    let parsed = parallel::map_in_parallel(&files, |(id, file)| {
        cached.and_then(|cache| cache.parse(*id, file)).unwrap_or_else(|| {
            let mut found = Vec::new();
            (Arc::new(syntax::parse_file(*id, &file.text, &mut found)), found)
        })
    });
    let mut asts = Vec::with_capacity(parsed.len());
    let mut kept = std::collections::HashMap::new();
    for ((id, file), (ast, found)) in files.iter().zip(parsed) {
        diagnostics.extend(found.iter().cloned());
        if cache.is_some() {
            kept.insert(*id, Parsed { text: file.text.clone(), ast: Arc::clone(&ast), found });
        }
        asts.push(ast);
    }
    if let Some(cache) = cache {
        cache.files = kept;
    }
    asts
}

/// One mistake, one error: a name that is unknown only because its
/// declaration did not parse is not reported again where it is used.
fn forget_unparsed_references(sources: &SourceMap, asts: &[Arc<syntax::ast::File>], diagnostics: &mut Vec<Diagnostic>) {
    use diagnostics::Code;
    let unparsed: std::collections::HashSet<&str> = asts.iter().flat_map(|f| &f.unparsed).map(String::as_str).collect();
    if unparsed.is_empty() {
        return;
    }
    diagnostics.retain(|d| {
        let names_a_declaration =
            matches!(d.code, Code::UnknownKpi | Code::UnknownSource | Code::UnknownTeam | Code::WrongArguments);
        let span = d.span();
        let text = sources.get(span.file).text.get(span.start as usize..span.end as usize).unwrap_or("");
        !(names_a_declaration && unparsed.contains(text))
    });
}

/// Reads the project under `root` and checks it, with its `kpic.lock`.
pub fn check_dir(root: &std::path::Path) -> Result<Checked, project::LoadError> {
    check_files(project::load(root)?, root)
}

/// Checks the files of the project at `root` (as an editor holds them),
/// with the `kpic.lock` found there.
pub fn check_files(sources: SourceMap, root: &std::path::Path) -> Result<Checked, project::LoadError> {
    check_files_cached(sources, root, None)
}

/// Like [`check_files`], parsing only the files whose text changed since the
/// check that filled `cache` (an editor's re-check after a keystroke).
pub fn check_files_cached(
    sources: SourceMap,
    root: &std::path::Path,
    cache: Option<&mut ParseCache>,
) -> Result<Checked, project::LoadError> {
    let lock_path = root.join(lock::FILE_NAME);
    let shown = lock_path.strip_prefix(".").unwrap_or(&lock_path).to_path_buf();
    // An editor's re-check keeps the lock it read while the file is unchanged.
    let mut cache = cache;
    let previous = cache.as_mut().and_then(|cache| cache.lock.take());
    let remember = cache.is_some();
    let mut kept = None;
    let read_lock = || {
        let stamp = source::Stamp::of(&lock_path).filter(|_| remember);
        if let Some((at, read)) = previous.filter(|(at, _)| Some(*at) == stamp) {
            kept = Some((at, read.clone()));
            return Ok(LockFile::Read(read));
        }
        match std::fs::read_to_string(&lock_path) {
            Ok(text) => {
                let read = ReadLock::new(shown, text);
                kept = stamp.map(|stamp| (stamp, read.clone()));
                Ok(LockFile::Read(read))
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(LockFile::Missing),
            Err(error) => Err(project::LoadError::Io(lock_path.clone(), error)),
        }
    };
    let checked = check_with_lock(sources, read_lock, cache.as_deref_mut());
    if let Some(cache) = cache {
        cache.lock = kept;
    }
    checked
}
