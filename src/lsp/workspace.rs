//! The project as the editor holds it: the files on disk, with the text of
//! open documents in place of theirs, checked as `kpic check` checks it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::source::{FileId, SourceFile, SourceMap};
use crate::Checked;

pub struct Workspace {
    /// The project's root, absolute.
    pub root: PathBuf,
    /// Open documents by absolute path: their text wins over the disk's.
    open: BTreeMap<PathBuf, String>,
    /// The last check, with the absolute path of each of its files.
    pub checked: Option<Checked>,
    /// The last check's parse trees: a re-check parses only what changed.
    parsed: crate::ParseCache,
    /// The files as last read: a re-check reads only those changed on disk.
    read: crate::project::ReadCache,
}

impl Workspace {
    pub fn new(root: PathBuf) -> Workspace {
        Workspace { root, open: BTreeMap::new(), checked: None, parsed: Default::default(), read: Default::default() }
    }

    pub fn open(&mut self, path: PathBuf, text: String) {
        self.open.insert(path, text);
    }

    pub fn close(&mut self, path: &Path) {
        self.open.remove(path);
    }

    /// Checks the project again; an unreadable project keeps the last check
    /// and says why it could not be read.
    pub fn check(&mut self) -> Result<(), String> {
        let loaded = crate::project::load_cached(&self.root, &mut self.read).map_err(|error| error.to_string())?;
        let mut sources = SourceMap::default();
        let mut seen = Vec::new();
        for (_, file) in loaded.files() {
            let text = self.open.get(&file.path).cloned();
            seen.push(file.path.clone());
            sources.add(match text {
                Some(text) => with_project_path(SourceFile::new(file.path.clone(), text), &self.root),
                None => file.clone(),
            });
        }
        // A new document not saved yet.
        for (path, text) in &self.open {
            if !seen.contains(path) && path.starts_with(&self.root) && path.extension().is_some_and(|e| e == "kpi") {
                sources.add(with_project_path(SourceFile::new(path.clone(), text.clone()), &self.root));
            }
        }
        let checked = crate::check_files_cached(sources, &self.root, Some(&mut self.parsed))
            .map_err(|error| error.to_string())?;
        // The last check is freed off the path of the diagnostics.
        if let Some(last) = self.checked.replace(checked) {
            crate::parallel::drop_beside(last);
        }
        Ok(())
    }

    /// The file of the last check at `path`.
    pub fn file(&self, path: &Path) -> Option<(&Checked, FileId)> {
        let checked = self.checked.as_ref()?;
        let id = checked.sources.files().find(|(_, f)| f.path == path).map(|(id, _)| id)?;
        Some((checked, id))
    }

    /// The text of `path`: the open document's, else the last check's.
    pub fn text(&self, path: &Path) -> Option<String> {
        self.open.get(path).cloned().or_else(|| self.file(path).map(|(c, id)| c.sources.get(id).text.clone()))
    }
}

fn with_project_path(mut file: SourceFile, root: &Path) -> SourceFile {
    file.in_project = file.path.strip_prefix(root).ok().map(Path::to_path_buf);
    file
}
