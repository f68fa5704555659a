//! How the allocator treats freed memory, per kind of run.

/// mimalloc's `mi_option_purge_delay` (`mimalloc.h` of v3),
/// which libmimalloc-sys does not name.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Keeps the memory a run frees for its next allocations instead of handing
/// it back to the system a second later, for runs that end in seconds: handed
/// back, every page is zeroed again by the kernel when the run reuses it, and
/// `emit` of 10,000 KPIs spent a third of its system time doing so.
pub fn keep_freed_memory() {
    // SAFETY: sets an option of the allocator, which it reads at each purge.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, -1) }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_option_is_mimallocs_purge_delay() {
        // Another major version may number its options otherwise.
        // SAFETY: reads the allocator's version.
        let major = unsafe { libmimalloc_sys::mi_version() } / 10_000;
        assert_eq!(major, 3, "mimalloc {major}.x: check `PURGE_DELAY` against its mimalloc.h");
        // SAFETY: reads an option.
        assert_eq!(unsafe { libmimalloc_sys::mi_option_get(super::PURGE_DELAY) }, 1000, "v3's default (options.c)");
    }
}
