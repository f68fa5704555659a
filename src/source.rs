//! Source files and byte-offset spans. Stages carry spans; only diagnostic
//! rendering reads the text back.

use std::path::{Path, PathBuf};

/// Index of a file in a [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct FileId(pub u32);

/// A byte range `[start, end)` in one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    /// Whether `other` lies within this span.
    pub fn contains(self, other: Span) -> bool {
        other.file == self.file && other.start >= self.start && other.end <= self.end
    }

    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span { file, start: start as u32, end: end as u32 }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span { file: self.file, start: self.start.min(other.start), end: self.end.max(other.end) }
    }

    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

/// Where the run of characters matching `part` that ends `text` starts
/// (a byte offset on a character boundary: 0 when all of `text` matches,
/// `text.len()` when its last character does not).
pub fn run_start(text: &str, part: impl Fn(char) -> bool) -> usize {
    text.char_indices().rev().find(|&(_, c)| !part(c)).map_or(0, |(i, c)| i + c.len_utf8())
}

/// Whether text from a `.kpi` file may not hold `c`: control characters
/// other than tab and newline (a carriage return ends a SQL comment, a NUL
/// cuts a line in psql).
pub fn is_forbidden_char(c: char) -> bool {
    c.is_control() && c != '\t' && c != '\n'
}

/// One `.kpi` file: its path relative to the project root and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
    /// Where the file stops being UTF-8, when it does: the text holds
    /// U+FFFD from there on and the checker reports the spot.
    pub invalid_utf8_at: Option<u32>,
    /// The path relative to the project root, when the file was loaded from a project folder.
    pub in_project: Option<PathBuf>,
    line_starts: Vec<u32>,
}

impl SourceFile {
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> SourceFile {
        let text = text.into();
        let line_starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i as u32 + 1)).collect();
        SourceFile { path: path.into(), text, invalid_utf8_at: None, in_project: None, line_starts }
    }

    /// A file read from disk: a leading byte-order mark dropped, bytes that
    /// are not UTF-8 replaced (and remembered, to be reported).
    pub fn from_bytes(path: impl Into<PathBuf>, bytes: Vec<u8>) -> SourceFile {
        let bytes = match bytes.strip_prefix("\u{feff}".as_bytes()) {
            Some(rest) => rest.to_vec(),
            None => bytes,
        };
        match String::from_utf8(bytes) {
            Ok(text) => SourceFile::new(path, text),
            Err(error) => {
                let at = error.utf8_error().valid_up_to() as u32;
                let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
                SourceFile { invalid_utf8_at: Some(at), ..SourceFile::new(path, text) }
            }
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: u32) -> (usize, usize) {
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let line_start = self.line_starts[line] as usize;
        let end = (offset as usize).min(self.text.len());
        let column = self.text.get(line_start..end).map_or(0, |s| s.chars().count());
        (line + 1, column + 1)
    }

    /// Byte offset of a 1-based line and column (in characters), clamped to the text.
    pub fn offset_of(&self, line: usize, column: usize) -> usize {
        let Some(&line_start) = self.line_starts.get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        let rest = &self.text[line_start as usize..];
        let in_line = rest
            .char_indices()
            .take_while(|(_, c)| *c != '\n')
            .nth(column.saturating_sub(1))
            .map_or_else(|| rest.find('\n').unwrap_or(rest.len()), |(i, _)| i);
        line_start as usize + in_line
    }

    /// The path as shown to users, with forward slashes on every platform.
    pub fn display_path(&self) -> String {
        slashed(&self.path)
    }
}

/// `path` with forward slashes on every platform.
fn slashed(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// Every file of a project, addressed by [`FileId`].
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        FileId(self.files.len() as u32 - 1)
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// Puts `file` in the place of the file at `id`.
    pub fn replace(&mut self, id: FileId, file: SourceFile) {
        self.files[id.0 as usize] = file;
    }

    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files.iter().enumerate().map(|(i, f)| (FileId(i as u32), f))
    }

    /// The text a span covers.
    pub fn snippet(&self, span: Span) -> &str {
        let text = &self.get(span.file).text;
        text.get(span.start as usize..span.end as usize).unwrap_or("")
    }

    pub fn path(&self, id: FileId) -> &Path {
        &self.get(id).path
    }

    /// The text a span covers, with its file and line: a declaration as written.
    pub fn written(&self, span: Span) -> Written {
        let file = self.get(span.file);
        let line = file.line_col(span.start).0 as u32;
        let path = slashed(file.in_project.as_deref().unwrap_or(&file.path));
        Written { file: path, line, span, text: self.snippet(span).to_string() }
    }
}

/// A declaration as its author wrote it (the catalog shows it).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Written {
    /// The file's path relative to the project root, with forward slashes.
    pub file: String,
    /// 1-based line of the declaration's first character.
    pub line: u32,
    /// Where the text was read.
    #[serde(skip)]
    pub span: Span,
    pub text: String,
}

impl Written {
    /// The text of `span`, when it lies within this declaration.
    pub fn excerpt(&self, span: Span) -> Option<&str> {
        if !self.span.contains(span) {
            return None;
        }
        self.text.get((span.start - self.span.start) as usize..(span.end - self.span.start) as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_from_one() {
        let file = SourceFile::new("a.kpi", "ab\nçd\n");
        assert_eq!(file.line_col(0), (1, 1));
        assert_eq!(file.line_col(3), (2, 1));
        assert_eq!(file.line_col(5), (2, 2));
        assert_eq!(file.offset_of(2, 2), 5);
        assert_eq!(file.offset_of(9, 1), 7);
    }
}

/// What identifies a file's contents without reading them: its size, its
/// modification and change times, its device and inode. An editor's re-check
/// does not read again a file whose stamp is unchanged.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    len: u64,
    modified: std::time::SystemTime,
    identity: (u64, u64, i64, i64),
}

/// How long a file must have been left alone before its stamp is trusted: a
/// file written twice within one tick of the file system's clock, at the
/// same size, would keep its stamp (git's "racily clean" files).
const SETTLED: std::time::Duration = std::time::Duration::from_secs(2);

impl Stamp {
    /// The stamp of `path`; none while the file was changed too recently to
    /// tell (by its change time too: `cp -p` and `tar` set an old modification time).
    pub fn of(path: &Path) -> Option<Stamp> {
        let metadata = std::fs::metadata(path).ok()?;
        let modified = metadata.modified().ok()?;
        let changed = last_change(&metadata).max(modified);
        let age = std::time::SystemTime::now().duration_since(changed).ok()?;
        (age >= SETTLED).then(|| Stamp { len: metadata.len(), modified, identity: identity(&metadata) })
    }
}

#[cfg(unix)]
fn identity(metadata: &std::fs::Metadata) -> (u64, u64, i64, i64) {
    use std::os::unix::fs::MetadataExt;
    (metadata.dev(), metadata.ino(), metadata.ctime(), metadata.ctime_nsec())
}

/// When the file's inode last changed (its contents, or its times set by hand).
#[cfg(unix)]
fn last_change(metadata: &std::fs::Metadata) -> std::time::SystemTime {
    use std::os::unix::fs::MetadataExt;
    let since_epoch =
        std::time::Duration::new(metadata.ctime().max(0) as u64, metadata.ctime_nsec().clamp(0, 999_999_999) as u32);
    std::time::UNIX_EPOCH + since_epoch
}

#[cfg(not(unix))]
fn last_change(_: &std::fs::Metadata) -> std::time::SystemTime {
    std::time::UNIX_EPOCH
}

#[cfg(not(unix))]
fn identity(_: &std::fs::Metadata) -> (u64, u64, i64, i64) {
    (0, 0, 0, 0)
}
