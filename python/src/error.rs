//! rin-runtime's errors as Python exceptions, with the message `rin` prints after `error: `.

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::PyErr;

create_exception!(
    _rin,
    RinError,
    PyException,
    "An error from rin: a model, plugin or ONNX Runtime that cannot be loaded or run."
);
create_exception!(
    _rin,
    InputError,
    RinError,
    "An error about one input text (too long with long=\"refuse\", a plugin failing on it)."
);

/// The exception for `error`: [`InputError`] for errors about one input (those `rin extract
/// --keep-going` skips), else [`RinError`]. The message is the error and its sources joined by
/// `: `, which is what the CLI prints (`{:#}` of the same chain).
pub fn to_python(error: &rin_runtime::Error) -> PyErr {
    let message = rin_runtime::error::error_chain(error);
    if error.is_input_error() {
        InputError::new_err(message)
    } else {
        RinError::new_err(message)
    }
}
