//! As the trainer: link libtorch so that CUDA is found at run time (docs/PLATFORM.md): pip's torch gives the
//! binary no rpath, and `--as-needed` would drop `libtorch_cuda.so`, silently turning CUDA off.

fn main() {
    if let Some(lib) = std::env::var_os("DEP_TCH_LIBTORCH_LIB") {
        println!("cargo:rustc-link-arg=-Wl,-rpath={}", lib.to_string_lossy());
    }
    println!("cargo:rustc-link-arg=-Wl,--no-as-needed");
    println!("cargo:rustc-link-arg=-ltorch");
    println!("cargo:rerun-if-changed=build.rs");
}
