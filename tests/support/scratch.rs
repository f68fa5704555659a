//! A scratch folder for one test, under the system's temporary folder.
#![allow(dead_code)] // each test binary uses part of it

use std::path::{Path, PathBuf};

/// A fresh, empty folder `kpic-<name>-<process id>`, removed when dropped,
/// unless the test is failing: then it is kept for a look at what it holds.
pub struct Scratch(PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Scratch {
        let scratch = Scratch::empty(name);
        std::fs::create_dir_all(&scratch.0).expect("a scratch folder");
        scratch
    }

    /// Where a folder (or link) that a test creates itself goes: nothing there yet.
    pub fn empty(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("kpic-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        Scratch(dir)
    }
}

impl std::ops::Deref for Scratch {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for Scratch {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}
