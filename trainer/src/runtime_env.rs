//! Process-level settings of libgomp and glibc that make training about twice as fast on a small
//! shared CPU, applied by re-executing the binary once with them in the environment (both
//! libraries read them at start-up, before `main`).
//!
//! - `OMP_WAIT_POLICY=PASSIVE`: libgomp's default lets idle OpenMP threads spin; when the cores
//!   are shared (other processes, or the autograd engine's own thread between kernels) spinning
//!   threads steal the CPU from the ones doing work. Measured on the 2-core machine: an epoch took
//!   several times longer with spinning threads under load.
//! - `MALLOC_MMAP_MAX_=0` and `MALLOC_TRIM_THRESHOLD_` large: training allocates and frees tensors
//!   of tens of MB every step; by default glibc serves them with fresh `mmap`s, so every step pays
//!   page faults and kernel page zeroing (about 25% of the time in `perf`). Keeping them in the heap
//!   reuses the memory.
//!
//! A variable that is already set is left alone; `RIN_NO_REEXEC=1` turns the whole thing off.

use std::ffi::OsString;

const DEFAULTS: [(&str, &str); 3] = [
    ("OMP_WAIT_POLICY", "PASSIVE"),
    ("MALLOC_MMAP_MAX_", "0"),
    ("MALLOC_TRIM_THRESHOLD_", "68719476736"),
];
const MARKER: &str = "RIN_NO_REEXEC";

/// Re-executes the current binary with [`DEFAULTS`] added to the environment, unless they are all
/// set already or this process is itself the re-executed one. On failure, carries on as is.
pub fn reexec_with_defaults() {
    if std::env::var_os(MARKER).is_some() {
        return;
    }
    let missing: Vec<(&str, &str)> = DEFAULTS
        .iter()
        .copied()
        .filter(|(k, _)| std::env::var_os(k).is_none())
        .collect();
    if missing.is_empty() {
        return;
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let Ok(exe) = std::env::current_exe() else {
            return;
        };
        let args: Vec<OsString> = std::env::args_os().skip(1).collect();
        // `exec` only returns if it failed; then we simply run without the settings.
        let _error = std::process::Command::new(exe)
            .args(args)
            .envs(missing)
            .env(MARKER, "1")
            .exec();
    }
}
