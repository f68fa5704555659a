//! Any bytes as a `.kpi` file, through every stage: load (bytes, BOM,
//! encoding), check, render, and SQL for every dialect of a valid project.
#![no_main]

use kpic::source::{SourceFile, SourceMap};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let run = || {
        let mut sources = SourceMap::default();
        sources.add(SourceFile::from_bytes("fuzz.kpi", data.to_vec()));
        let checked = kpic::check(sources);
        let _ = kpic::diagnostics::render::human(&checked.diagnostics, &checked.sources, false);
        if let Some(valid) = checked.valid() {
            let _ = kpic::emit::sql::files(&valid, &valid.model.settings.dialects);
        }
    };
    // The stages run on a thread with the CLI's stack, as `kpic` runs them.
    let outcome = kpic::cli::on_large_stack(run).expect("thread starts");
    outcome.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
});
