//! Any text as `kpic.lock`: reading it never panics, and a lock that reads
//! back writes the same lock again.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(lock) = kpic::lock::Lock::parse(text) {
        let again = kpic::lock::Lock::parse(&lock.to_text()).expect("a written lock reads back");
        assert_eq!(again, lock);
    }
});
