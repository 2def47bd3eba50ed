//! Subnormal floats flushed to zero on the CPU, as `torch.set_flush_denormal(True)` does.
//!
//! Most relation cells are negatives, and training drives their logits far below zero. The loss
//! takes `softplus(x) = log(1 + e^x)` of every cell; below about x = -25 the vectorised `log1p`
//! meets subnormal intermediates, which the CPU handles in microcode, dozens of times slower
//! than normal floats. Measured on this project's Xeon (one thread, 20 M cells, libtorch 2.13):
//! softplus took 90-110 ms for logits around -5 to -20, 260-475 ms around -25 to -40, and
//! 95-105 ms at any of them with subnormals flushed. A whole epoch of a trained model (one
//! fine-tuning epoch from `results/runs/webnlg-k3-s1/best`, one thread) took 203 and 225 s
//! before and 54 and 60 s after, with the same loss and dev F1 to the last printed digit
//! (trainer/README.md, "Speed"). Values below 1.2e-38 become zero, far below anything the loss,
//! the gradients or the decoding threshold can tell apart.
//!
//! The flags live in the thread's MXCSR register, and threads inherit the floating-point
//! environment of the thread that creates them (pthread_create(3)), so setting them at the top
//! of `main`, before libtorch starts its thread pool, covers every thread that computes.

/// Sets flush-to-zero and denormals-are-zero for the calling thread and the threads it starts
/// from now on. Does nothing on other architectures than x86-64.
#[allow(unsafe_code)]
pub fn flush_subnormals_to_zero() {
    #[cfg(target_arch = "x86_64")]
    {
        const FLUSH_TO_ZERO: u32 = 1 << 15;
        const DENORMALS_ARE_ZERO: u32 = 1 << 6;
        let mut csr: u32 = 0;
        // SAFETY: `stmxcsr` stores this thread's 32-bit SSE control register into `csr`, a
        // valid, aligned u32 on the stack; `ldmxcsr` loads it back with two mode bits set, which
        // change only how subnormal floats round: no memory is touched. Rust's documentation of
        // `_mm_setcsr` warns that the compiler assumes the default mode when it evaluates float
        // expressions at compile time, so a constant-folded subnormal result could differ from the
        // same expression computed at run time; the trainer's own float code (losses, F1, counts)
        // has no subnormal results to differ on. libtorch's `set_flush_denormal`, behind
        // `torch.set_flush_denormal`, sets the same two bits.
        unsafe {
            std::arch::asm!("stmxcsr [{}]", in(reg) &mut csr, options(nostack, preserves_flags));
            csr |= FLUSH_TO_ZERO | DENORMALS_ARE_ZERO;
            std::arch::asm!("ldmxcsr [{}]", in(reg) &csr, options(nostack, readonly, preserves_flags));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subnormal_results_become_zero_here_and_in_threads_started_after() {
        let tiny = std::hint::black_box(1e-30_f32);
        // Before: 1e-30 * 1e-10 = 1e-40 is a subnormal, not zero.
        let before = std::thread::spawn(move || tiny * std::hint::black_box(1e-10_f32))
            .join()
            .expect("thread");
        assert!(before > 0.0 && before < f32::MIN_POSITIVE);
        let flushed = std::thread::spawn(move || {
            flush_subnormals_to_zero();
            let here = tiny * std::hint::black_box(1e-10_f32);
            let child = std::thread::spawn(move || tiny * std::hint::black_box(1e-10_f32))
                .join()
                .expect("thread");
            (here, child)
        })
        .join()
        .expect("thread");
        assert_eq!(flushed, (0.0, 0.0));
    }
}
