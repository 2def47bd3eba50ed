"""rin on Ray Data: a callable class for ``Dataset.map_batches``.

>>> import ray
>>> from rin.ray_data import RinPredictor
>>> ds = ray.data.from_items([{"text": t} for t in texts])             # doctest: +SKIP
>>> ds = ds.map_batches(RinPredictor, fn_constructor_kwargs={"model_dir": "models/webnlg"},
...                     concurrency=2, num_cpus=1, batch_size=256)    # doctest: +SKIP

Ray starts one actor per worker and constructs ``RinPredictor`` once in each, so every worker
loads the model once and keeps it; the same code runs on a laptop (``ray.init(num_cpus=2)``) and
on a cluster of many machines (``ray.init(address="auto")``, ``concurrency`` = workers). Each
worker needs the ``rin`` package and the model folder (a shared file system, or a path that
exists on every machine).
"""

from __future__ import annotations

from typing import Any, Dict, Optional

import numpy as np

from rin import Extractor


class RinPredictor:
    """Adds a ``rin`` column to each batch: ``rin extract``'s JSON line for the text column.

    JSON text rather than nested columns: a batch without any triple would otherwise have a
    column type (list of nothing) that does not match the next batch's, and JSON lines are
    what ``rin extract`` writes, so the output can go straight to files.
    """

    def __init__(
        self,
        model_dir: str,
        text_column: str = "text",
        threads: Optional[int] = 1,
        **options: Any,
    ) -> None:
        # One ONNX Runtime thread per worker by default: Ray runs one worker per CPU it was given.
        self.extractor = Extractor(model_dir, threads=threads, **options)
        self.text_column = text_column

    def __call__(self, batch: Dict[str, np.ndarray]) -> Dict[str, np.ndarray]:
        texts = [str(text) for text in batch[self.text_column]]
        lines = self.extractor.extract_json(texts)
        return {**batch, "rin": np.array(lines, dtype=object)}
