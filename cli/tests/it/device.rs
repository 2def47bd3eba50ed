//! ONNX Runtime's library and the execution provider: clear errors when something is missing,
//! and `--device auto` falling back to the CPU with a warning.

use crate::util::*;

/// `rin extract` on the fixture with no CUDA build of ONNX Runtime to be found: no
/// `RIN_ORT_CUDA_DYLIB`, and a cache folder without a `venv-gpu`.
fn without_cuda(dir: &std::path::Path) -> std::process::Command {
    let mut cmd = rin(dir);
    cmd.env_remove("RIN_ORT_CUDA_DYLIB")
        .env("RIN_CACHE_DIR", dir.join("empty-cache"))
        .arg("extract")
        .arg("-m")
        .arg(model(Fixture::Pos));
    cmd
}

#[test]
fn device_cuda_without_the_cuda_build_fails_naming_the_missing_library() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        without_cuda(dir.path()).args(["--device", "cuda", "x"]),
        b"",
    );
    assert_fails_with(
        &out,
        &[
            "--device cuda is not available",
            "RIN_ORT_CUDA_DYLIB is not set",
            "onnxruntime-gpu",
        ],
    );

    // The CPU build given explicitly: its folder lacks the CUDA provider library.
    let out = run(
        without_cuda(dir.path())
            .args(["--device", "cuda", "--ort-dylib"])
            .arg(ort_dylib())
            .arg("x"),
        b"",
    );
    assert_fails_with(
        &out,
        &[
            "--device cuda is not available",
            "libonnxruntime_providers_cuda.so is missing",
        ],
    );
}

#[test]
fn device_auto_falls_back_to_the_cpu_with_a_one_line_warning() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        without_cuda(dir.path()).args(["--device", "auto", "The cat sat ."]),
        b"",
    );
    assert_eq!(json_lines(&out).len(), 1);
    let err = stderr(&out);
    let warnings: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("using the CPU because"))
        .collect();
    assert_eq!(warnings.len(), 1, "{err}");
    assert!(warnings[0].contains("RIN_ORT_CUDA_DYLIB"), "{err}");
}

#[test]
fn a_missing_onnx_runtime_library_lists_what_was_tried() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        rin(dir.path())
            .env("RIN_ORT_DYLIB", "/nonexistent/libonnxruntime.so.1.31.1")
            .env_remove("ORT_DYLIB_PATH")
            .env("RIN_CACHE_DIR", dir.path().join("empty-cache"))
            .arg("extract")
            .arg("-m")
            .arg(model(Fixture::Pos))
            .arg("x"),
        b"",
    );
    assert_fails_with(
        &out,
        &[
            "cannot find the ONNX Runtime library",
            "RIN_ORT_DYLIB=/nonexistent/libonnxruntime.so.1.31.1",
            "empty-cache/venv",
            "cargo xtask setup",
        ],
    );

    let out = run(
        rin(dir.path())
            .arg("extract")
            .arg("-m")
            .arg(model(Fixture::Pos))
            .args(["--ort-dylib", "/no/such/lib.so", "x"]),
        b"",
    );
    assert_fails_with(
        &out,
        &[
            "cannot find the ONNX Runtime library",
            "--ort-dylib=/no/such/lib.so",
        ],
    );
}

/// On a machine with a GPU and the CUDA build of ONNX Runtime (`RIN_ORT_CUDA_DYLIB`): CUDA gives
/// the CPU's results.
#[cfg(feature = "cuda")]
#[test]
fn cuda_gives_the_cpu_results() {
    let dir = tempfile::tempdir().unwrap();
    let cuda =
        std::env::var_os("RIN_ORT_CUDA_DYLIB").expect("the cuda feature needs RIN_ORT_CUDA_DYLIB");
    let input = dir.path().join("in.txt");
    let texts: Vec<String> = webnlg_sentences(40).iter().map(|t| t.join(" ")).collect();
    std::fs::write(&input, texts.join("\n")).unwrap();
    let extract = |device: &str| {
        let mut cmd = rin(dir.path());
        cmd.env("RIN_ORT_CUDA_DYLIB", &cuda)
            .args([
                "extract",
                "-v",
                "--tokenizer",
                "whitespace",
                "--device",
                device,
                "--input",
            ])
            .arg(&input)
            .arg("-m")
            .arg(model(Fixture::Pos));
        run(&mut cmd, b"")
    };
    let (cpu, gpu) = (extract("cpu"), extract("cuda"));
    assert!(
        stderr(&gpu).contains("CUDAExecutionProvider"),
        "{}",
        stderr(&gpu)
    );
    let (cpu, gpu) = (json_lines(&cpu), json_lines(&gpu));
    assert_eq!(cpu.len(), gpu.len());
    for (c, g) in cpu.iter().zip(&gpu) {
        assert_eq!(c["entities"], g["entities"]);
        let key = |l: &serde_json::Value| -> Vec<String> {
            l["triples"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| {
                    format!(
                        "{} {} {}",
                        t["subject"]["tokens"], t["relation"], t["object"]["tokens"]
                    )
                })
                .collect()
        };
        assert_eq!(key(c), key(g));
    }
}

#[test]
fn the_process_keeps_the_onnx_runtime_library_it_loaded_first() {
    let library = rin_runtime::session::OrtLibrary {
        path: ort_dylib(),
        origin: "test".into(),
    };
    let runtime = rin_runtime::session::runtime(&library).unwrap();
    assert_eq!(runtime.library().path, ort_dylib());
    // The process keeps the library it loaded first.
    let other = rin_runtime::session::OrtLibrary {
        path: "/elsewhere/libonnxruntime.so.1.31.1".into(),
        origin: "test".into(),
    };
    let err = rin_runtime::session::runtime(&other)
        .unwrap_err()
        .to_string();
    assert!(err.contains("already loaded"), "{err}");
}
