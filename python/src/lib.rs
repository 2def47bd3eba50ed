//! `rin._rin`: the native half of the `rin` Python package (PyO3, stable ABI).
//!
//! It exposes rin-runtime's [`rin_runtime::Extractor`] as `rin._rin.Extractor`, whose
//! `extract_json` returns one `rin extract` JSON line per text, written by the same serde code as
//! the CLI; the Python half (`rin/__init__.py`) turns them into dicts, finds ONNX Runtime in the
//! `onnxruntime` wheel and the plugins shipped in the package. The GIL is released while a model
//! loads and runs, so Python threads extract in parallel.

mod error;
mod extractor;

use pyo3::prelude::*;

/// The native module `rin._rin`.
#[pymodule]
fn _rin(module: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = module.py();
    module.add_class::<extractor::PyExtractor>()?;
    module.add("RinError", py.get_type::<error::RinError>())?;
    module.add("InputError", py.get_type::<error::InputError>())?;
    module.add(
        "DEFAULT_BATCH_SIZE",
        rin_runtime::pipeline::DEFAULT_BATCH_SIZE,
    )?;
    Ok(())
}
