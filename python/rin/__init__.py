"""rin: joint entity and relation extraction (the Recurrent Interaction Network) from Python.

>>> import rin
>>> extractor = rin.Extractor("models/webnlg")
>>> extractor.extract("Alan Bean was born in Wheeler, Texas.")["triples"][0]["relation"]
'birthPlace'

``extract`` returns what ``rin extract`` prints, as plain dicts: ``text``, ``tokens``,
``entities``, ``triples`` (subject, relation, object, score) and ``sentences``, with character
offsets into the text. ONNX Runtime comes from the ``onnxruntime`` wheel, the tokenizer, tagger
and sentence segmenter plugins from this package. The model runs without the GIL, so Python
threads sharing one ``Extractor`` extract in parallel.

Also here: :mod:`rin.spacy_component` (``nlp.add_pipe("rin", config={"model": ...})``) and
:mod:`rin.ray_data` (``RinPredictor`` for ``ray.data.Dataset.map_batches``).
"""

from __future__ import annotations

import json
import os
from typing import Iterable, List, Optional, Union, overload

from rin._library import choose_ort_library, choose_plugin_dir
from rin._rin import DEFAULT_BATCH_SIZE, InputError, RinError
from rin._rin import Extractor as _NativeExtractor

__all__ = ["Extractor", "RinError", "InputError"]


class Extractor:
    """A loaded model: texts in, ``rin extract`` results out.

    ``model_dir`` is an export folder (``models/webnlg``); ``device`` is ``"cpu"``, ``"cuda"``
    or ``"auto"``; ``k`` the number of interaction layers (default: the trained K); ``threads``
    ONNX Runtime's intra-op threads (default: one per core); ``precision`` the graphs to run in a
    folder exported with several (``"fp32"``, ``"int8"`` or ``"fp16"``; default: the folder's,
    fp32 when it has it). ``plugin_dir`` and ``ort_library`` override where plugins and ONNX
    Runtime come from (see :mod:`rin._library`). Errors are
    :class:`RinError` (:class:`InputError` for one bad text) with the CLI's messages.
    """

    def __init__(
        self,
        model_dir: Union[str, os.PathLike],
        device: str = "cpu",
        k: Optional[int] = None,
        threads: Optional[int] = None,
        *,
        plugin_dir: Optional[Union[str, os.PathLike]] = None,
        ort_library: Optional[Union[str, os.PathLike]] = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        precision: Optional[str] = None,
    ) -> None:
        self._native = _NativeExtractor(
            os.fspath(model_dir),
            device,
            k,
            threads,
            plugin_dir=choose_plugin_dir(plugin_dir),
            ort_library=choose_ort_library(ort_library),
            batch_size=batch_size,
            precision=precision,
        )

    @overload
    def extract(self, texts: str) -> dict: ...

    @overload
    def extract(self, texts: Iterable[str]) -> List[dict]: ...

    def extract(self, texts):
        """The result for one text (a dict), or a list of results for an iterable of texts."""
        if isinstance(texts, str):
            return json.loads(self._native.extract_json([texts])[0])
        return [json.loads(line) for line in self.extract_json(texts)]

    def extract_json(self, texts: Iterable[str]) -> List[str]:
        """``rin extract``'s JSON lines for ``texts`` (no dicts built: cheap to pass along)."""
        if isinstance(texts, str):
            raise TypeError("extract_json takes a list of texts, not one str")
        return self._native.extract_json(list(texts))

    @property
    def k(self) -> int:
        """The K being run."""
        return self._native.k

    @property
    def precision(self) -> str:
        """The precision of the graph being run: ``"fp32"``, ``"int8"`` or ``"fp16"``."""
        return self._native.precision

    @property
    def threshold(self) -> float:
        """The relation threshold in use."""
        return self._native.threshold

    @property
    def plugin_dir(self) -> str:
        """The plugin directory in use."""
        return str(self._native.plugin_dir)
