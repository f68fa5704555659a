//! A LookML writer: blocks and parameters, indented two spaces a level.

use super::text::lkml_string;

#[derive(Default)]
pub struct Lkml {
    out: String,
    depth: usize,
}

impl Lkml {
    /// `# text` at the current level; `text` is kpic's own, never a `.kpi` file's.
    pub fn comment(&mut self, text: &str) -> &mut Self {
        self.line(&["# ", text])
    }

    /// `kind: name {`.
    pub fn open(&mut self, kind: &str, name: &str) -> &mut Self {
        self.line(&[kind, ": ", name, " {"]);
        self.depth += 1;
        self
    }

    pub fn close(&mut self) -> &mut Self {
        self.depth -= 1;
        self.line(&["}"])
    }

    /// `key: value`, the value written as it is (a keyword, a number, a list of names).
    pub fn param(&mut self, key: &str, value: &str) -> &mut Self {
        self.line(&[key, ": ", value])
    }

    /// `key: "text"`, quoted and inert.
    pub fn string(&mut self, key: &str, text: &str) -> &mut Self {
        self.line(&[key, ": ", &lkml_string(text)])
    }

    /// `key: sql ;;` (SQL or HTML that kpic generated).
    pub fn sql(&mut self, key: &str, sql: &str) -> &mut Self {
        self.line(&[key, ": ", sql, " ;;"])
    }

    pub fn blank(&mut self) -> &mut Self {
        self.out.push('\n');
        self
    }

    /// A line of `pieces` at the current level, written straight into the output.
    fn line(&mut self, pieces: &[&str]) -> &mut Self {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
        crate::emit::push_all(&mut self.out, pieces);
        self.out.push('\n');
        self
    }

    pub fn finish(self) -> String {
        self.out
    }
}
