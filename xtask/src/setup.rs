//! The cached Python venv that provides libtorch and ONNX Runtime, and the environment derived
//! from it.
//!
//! Both native libraries come from PyPI wheels because that is the one registry every user (and
//! CI) can reach; the venv lives outside the checkout so that a fresh clone reuses it and `git
//! clean` never costs a 4.7 GB download.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};

/// Packages of the main venv: libtorch for the trainer, ONNX Runtime (CPU) for the runtime, and
/// onnx for the exporter's checker tests. Versions are pinned by tch 0.26 and ort 2.0.0-rc.15.
/// The Python package (python/) adds maturin (its build), pytest (its tests), and spaCy and Ray
/// Data (its spaCy component and Ray predictor, tested against `rin extract`).
const PACKAGES: &[&str] = &[
    "torch==2.13.0",
    "onnxruntime==1.31.1",
    "onnx==1.23.2",
    "maturin==1.16.0",
    "pytest==9.2.0",
    "spacy==3.8.18",
    "ray[data]==2.60.0",
];
/// `onnxruntime-gpu` installs into the same `onnxruntime/` folder as the CPU wheel, so it needs a
/// venv of its own.
const GPU_PACKAGES: &[&str] = &["onnxruntime-gpu==1.31.1"];
const ORT_LIBRARY: &str = "libonnxruntime.so.1.31.1";
const STAMP: &str = ".rin-packages";

/// Options of `cargo xtask setup`.
#[derive(Args, Clone, Default)]
pub struct SetupArgs {
    /// Also install onnxruntime-gpu (in a separate venv): auto installs it when `nvidia-smi` sees a GPU.
    #[arg(long, value_enum, default_value_t = GpuChoice::Auto)]
    pub gpu: GpuChoice,
}

/// Whether to install the CUDA build of ONNX Runtime.
#[derive(Clone, Copy, Default, ValueEnum)]
pub enum GpuChoice {
    /// Install it when an NVIDIA GPU is visible.
    #[default]
    Auto,
    /// Always install it.
    Yes,
    /// Never install it.
    No,
}

/// Everything later builds and runs need, resolved from the venv.
pub struct Environment {
    cache: PathBuf,
    venv: PathBuf,
    torch_lib: PathBuf,
    ort_library: PathBuf,
    ort_cuda_library: Option<PathBuf>,
    cuda_library_dirs: Vec<PathBuf>,
}

impl Environment {
    /// The variables to set, in order.
    pub fn variables(&self) -> Vec<(String, String)> {
        let path = std::env::var("PATH").unwrap_or_default();
        let ld_path = std::env::var("LD_LIBRARY_PATH").unwrap_or_default();
        let mut library_dirs = vec![self.torch_lib.display().to_string()];
        library_dirs.extend(
            self.cuda_library_dirs
                .iter()
                .map(|d| d.display().to_string()),
        );
        if !ld_path.is_empty() {
            library_dirs.push(ld_path);
        }
        let mut vars = vec![
            ("RIN_CACHE_DIR".into(), self.cache.display().to_string()),
            ("VIRTUAL_ENV".into(), self.venv.display().to_string()),
            ("LIBTORCH_USE_PYTORCH".into(), "1".into()),
            (
                "PATH".into(),
                format!("{}:{path}", self.venv.join("bin").display()),
            ),
            ("LD_LIBRARY_PATH".into(), library_dirs.join(":")),
            (
                "RIN_ORT_DYLIB".into(),
                self.ort_library.display().to_string(),
            ),
            // PyO3's build script (rin-python) builds for this interpreter, whatever the shell's.
            (
                "PYO3_PYTHON".into(),
                self.venv_bin("python").display().to_string(),
            ),
        ];
        if let Some(cuda) = &self.ort_cuda_library {
            vars.push(("RIN_ORT_CUDA_DYLIB".into(), cuda.display().to_string()));
        }
        vars
    }

    /// The cache folder that holds the venv (and downloads such as the full GloVe file).
    pub fn cache(&self) -> &Path {
        &self.cache
    }

    /// A program of the venv (`python`, `maturin`, ...).
    pub fn venv_bin(&self, program: &str) -> PathBuf {
        self.venv.join("bin").join(program)
    }

    /// Shell `export` lines.
    pub fn exports(&self) -> String {
        self.variables()
            .into_iter()
            .map(|(key, value)| format!("export {key}='{value}'\n"))
            .collect()
    }

    /// A human summary for `cargo xtask setup`.
    pub fn describe(&self) -> String {
        let cuda = match &self.ort_cuda_library {
            Some(path) => path.display().to_string(),
            None => {
                "not installed (no NVIDIA GPU seen; `cargo xtask setup --gpu yes` forces it)".into()
            }
        };
        format!(
            "rin environment ready\n  venv:              {}\n  libtorch:          {}\n  onnxruntime (cpu): {}\n  onnxruntime (cuda): {cuda}\n\
             Every `cargo xtask` command applies it; for your own shell: eval \"$(cargo xtask env)\"",
            self.venv.display(),
            self.torch_lib.display(),
            self.ort_library.display(),
        )
    }
}

/// `cargo xtask setup`: like [`ensure`], with a summary.
pub fn run(args: &SetupArgs) -> Result<Environment> {
    ensure(args)
}

/// Creates the venvs if needed (idempotent: a second call only checks a stamp) and resolves paths.
pub fn ensure(args: &SetupArgs) -> Result<Environment> {
    let cache = cache_dir()?;
    std::fs::create_dir_all(&cache)
        .with_context(|| format!("cannot create the cache folder {}", cache.display()))?;
    let venv = cache.join("venv");
    ensure_venv(&venv, PACKAGES)?;
    let (torch_dir, ort_dir) = package_dirs(&venv)?;
    if torch_dir.as_os_str().is_empty() {
        bail!(
            "torch is not installed in {}: delete it and run `cargo xtask setup` again",
            venv.display()
        );
    }
    let torch_lib = torch_dir.join("lib");
    let ort_library = ort_dir.join("capi").join(ORT_LIBRARY);
    if !ort_library.is_file() {
        bail!("{} is missing: the onnxruntime wheel looks incomplete; delete {} and run `cargo xtask setup` again", ort_library.display(), venv.display());
    }

    let want_gpu = match args.gpu {
        GpuChoice::Yes => true,
        GpuChoice::No => false,
        GpuChoice::Auto => has_nvidia_gpu(),
    };
    let (ort_cuda_library, cuda_library_dirs) = if want_gpu {
        let gpu_venv = cache.join("venv-gpu");
        ensure_venv(&gpu_venv, GPU_PACKAGES)?;
        let (_, gpu_ort_dir) = package_dirs(&gpu_venv)?;
        // onnxruntime-gpu 1.31 needs CUDA 13 and cuDNN 9; torch 2.13's wheels ship both.
        let nvidia = torch_dir
            .parent()
            .map(|site| site.join("nvidia"))
            .unwrap_or_default();
        let dirs = [
            nvidia.join("cu13").join("lib"),
            nvidia.join("cudnn").join("lib"),
        ]
        .into_iter()
        .filter(|dir| dir.is_dir())
        .collect();
        (Some(gpu_ort_dir.join("capi").join(ORT_LIBRARY)), dirs)
    } else {
        (None, Vec::new())
    };

    Ok(Environment {
        cache,
        venv,
        torch_lib,
        ort_library,
        ort_cuda_library,
        cuda_library_dirs,
    })
}

fn cache_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("RIN_CACHE_DIR") {
        return Ok(PathBuf::from(dir));
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME") {
        return Ok(PathBuf::from(dir).join("rin"));
    }
    match std::env::var_os("HOME") {
        Some(home) => Ok(PathBuf::from(home).join(".cache").join("rin")),
        None => bail!("neither RIN_CACHE_DIR, XDG_CACHE_HOME nor HOME is set: set RIN_CACHE_DIR to a folder for the venv"),
    }
}

fn python() -> String {
    std::env::var("RIN_PYTHON").unwrap_or_else(|_| "python3".into())
}

fn ensure_venv(venv: &Path, packages: &[&str]) -> Result<()> {
    let stamp = venv.join(STAMP);
    let wanted = packages.join("\n");
    let python_bin = venv.join("bin").join("python");
    if python_bin.is_file() && std::fs::read_to_string(&stamp).is_ok_and(|s| s == wanted) {
        return Ok(());
    }

    if !python_bin.is_file() {
        let python = python();
        let version = Command::new(&python).arg("--version").output();
        if !version.is_ok_and(|out| out.status.success()) {
            bail!("`{python}` was not found: install Python 3.10 or newer (Debian/Ubuntu: `sudo apt install python3 python3-venv`), or point RIN_PYTHON at one");
        }
        eprintln!("creating the venv {} (once)", venv.display());
        let created = Command::new(&python)
            .args(["-m", "venv"])
            .arg(venv)
            .stdout(std::io::stderr())
            .status()?;
        if !created.success() {
            bail!("`{python} -m venv {}` failed: the venv module or ensurepip is missing (Debian/Ubuntu: `sudo apt install python3-venv`)", venv.display());
        }
    }
    let pip = Command::new(&python_bin)
        .args(["-m", "pip", "--version"])
        .output();
    if !pip.is_ok_and(|out| out.status.success()) {
        bail!("pip is missing in {} (Debian/Ubuntu: `sudo apt install python3-pip python3-venv`, then delete that folder and run again)", venv.display());
    }
    eprintln!(
        "installing {} into {} (torch is ~4.7 GB: a few minutes the first time)",
        packages.join(" "),
        venv.display()
    );
    let installed = Command::new(&python_bin)
        .args(["-m", "pip", "install", "--disable-pip-version-check"])
        .args(packages)
        // stdout stays clean for `cargo xtask env`.
        .stdout(std::io::stderr())
        .status()?;
    if !installed.success() {
        bail!(
            "pip could not install {}: see pip's message above (PyPI must be reachable)",
            packages.join(" ")
        );
    }
    // Written last, so an interrupted install is retried next time.
    std::fs::write(&stamp, wanted).with_context(|| format!("cannot write {}", stamp.display()))?;
    Ok(())
}

/// The package folders of torch and onnxruntime, found without importing them (importing torch
/// takes seconds; set-up must stay fast when nothing changes).
fn package_dirs(venv: &Path) -> Result<(PathBuf, PathBuf)> {
    const SCRIPT: &str = "import importlib.util as u, os\nfor m in ('torch', 'onnxruntime'):\n    s = u.find_spec(m)\n    print(os.path.dirname(s.origin) if s else '')";
    let python_bin = venv.join("bin").join("python");
    let output = Command::new(&python_bin)
        .args(["-c", SCRIPT])
        .output()
        .with_context(|| format!("cannot run {}", python_bin.display()))?;
    let text = String::from_utf8_lossy(&output.stdout);
    let mut lines = text.lines().map(str::trim);
    let torch = lines.next().unwrap_or_default();
    let ort = lines.next().unwrap_or_default();
    if !output.status.success() || ort.is_empty() {
        bail!(
            "onnxruntime is not installed in {}: delete it and run `cargo xtask setup` again",
            venv.display()
        );
    }
    // The GPU venv has no torch of its own; the caller ignores that half.
    Ok((PathBuf::from(torch), PathBuf::from(ort)))
}

fn has_nvidia_gpu() -> bool {
    Command::new("nvidia-smi")
        .arg("-L")
        .output()
        .is_ok_and(|out| out.status.success() && !out.stdout.is_empty())
}
