//! `rin._rin.Extractor`: a loaded model, its plugins and ONNX Runtime session.

use std::path::PathBuf;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use rin_runtime::pipeline::DEFAULT_BATCH_SIZE;
use rin_runtime::session::{Device, OrtConfig};
use rin_runtime::stream::StreamOptions;
use rin_runtime::{Extractor, Model, PipelineConfig, Precision};

use crate::error::to_python;

/// A model ready to extract: texts in, `rin extract` JSON lines out.
///
/// Frozen (no `&mut self` methods), so Python threads share it without a lock of ours; the
/// ONNX Runtime session has its own mutex, and tokenizing and decoding run in parallel.
#[pyclass(name = "Extractor", module = "rin._rin", frozen)]
pub struct PyExtractor {
    extractor: Extractor,
    /// Texts run together, as `rin extract` groups its input: batches are formed within a chunk,
    /// so the same chunks give the CLI's batches and therefore its exact scores.
    chunk: usize,
}

#[pymethods]
impl PyExtractor {
    /// Opens the export folder `model_dir` (files checked against the manifest), loads ONNX
    /// Runtime from `ort_library` (`None`: `RIN_ORT_DYLIB`, `ORT_DYLIB_PATH`, the rin venv), the
    /// graph for `k` (`None`: the trained K) in `precision` (`None`: the folder's default) and
    /// the model's plugins from `plugin_dir` (`None`: `RIN_PLUGIN_DIR`, else next to the Python
    /// executable).
    // The arguments are the Python signature's, one keyword each.
    #[allow(clippy::too_many_arguments)]
    #[new]
    #[pyo3(signature = (model_dir, device = "cpu", k = None, threads = None, *, plugin_dir = None, ort_library = None, batch_size = DEFAULT_BATCH_SIZE, precision = None))]
    fn new(
        py: Python<'_>,
        model_dir: PathBuf,
        device: &str,
        k: Option<usize>,
        threads: Option<usize>,
        plugin_dir: Option<PathBuf>,
        ort_library: Option<PathBuf>,
        batch_size: usize,
        precision: Option<&str>,
    ) -> PyResult<Self> {
        let precision = precision
            .map(|name| {
                Precision::parse(name).ok_or_else(|| {
                    PyValueError::new_err(format!(
                        "precision must be \"fp32\", \"int8\" or \"fp16\", not {name:?}"
                    ))
                })
            })
            .transpose()?;
        let device = match device {
            "cpu" => Device::Cpu,
            "cuda" => Device::Cuda,
            "auto" => Device::Auto,
            other => {
                return Err(PyValueError::new_err(format!(
                    "device must be \"cpu\", \"cuda\" or \"auto\", not {other:?}"
                )))
            }
        };
        let config = PipelineConfig {
            k,
            precision,
            ort: OrtConfig {
                library: ort_library,
                device,
                threads,
                no_cpu_arena: false,
            },
            batch_size,
            plugin_dir,
            ..PipelineConfig::default()
        };
        let extractor = py
            .detach(|| Extractor::load(Model::open(&model_dir)?, &config))
            .map_err(|e| to_python(&e))?;
        Ok(PyExtractor {
            extractor,
            chunk: StreamOptions::chunk_for_batch_size(batch_size),
        })
    }

    /// One `rin extract` JSON line per text, in order. The first text that fails raises its
    /// error (`InputError` names it `text N`, counting from 1).
    fn extract_json(&self, py: Python<'_>, texts: Vec<String>) -> PyResult<Vec<String>> {
        py.detach(|| self.extract_lines(texts))
            .map_err(|e| to_python(&e))
    }

    /// The K being run.
    #[getter]
    fn k(&self) -> usize {
        self.extractor.predictor().k()
    }

    /// The precision of the graph being run (`fp32`, `int8` or `fp16`).
    #[getter]
    fn precision(&self) -> String {
        self.extractor.predictor().precision().to_string()
    }

    /// The relation threshold in use (the manifest's).
    #[getter]
    fn threshold(&self) -> f32 {
        self.extractor.predictor().threshold()
    }

    /// The plugin directory in use.
    #[getter]
    fn plugin_dir(&self) -> PathBuf {
        self.extractor.predictor().plugins().dir().to_owned()
    }

    /// The tokenizer plugin's name.
    #[getter]
    fn tokenizer(&self) -> String {
        self.extractor.tokenizer_name().to_owned()
    }
}

impl PyExtractor {
    fn extract_lines(&self, texts: Vec<String>) -> rin_runtime::Result<Vec<String>> {
        let mut lines = Vec::with_capacity(texts.len());
        let mut texts = texts.into_iter().enumerate().peekable();
        while texts.peek().is_some() {
            let prepared = texts
                .by_ref()
                .take(self.chunk)
                .map(|(i, text)| self.extractor.prepare(text, &format!("text {}", i + 1)))
                .collect::<rin_runtime::Result<Vec<_>>>()?;
            for extraction in self.extractor.run(prepared)? {
                let line = serde_json::to_string(&extraction)
                    .map_err(|e| rin_runtime::Error::Write(e.into()))?;
                lines.push(line);
            }
        }
        Ok(lines)
    }
}
