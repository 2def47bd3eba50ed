"""rin as a spaCy pipeline component.

>>> import spacy
>>> nlp = spacy.blank("en")
>>> nlp.add_pipe("rin", config={"model": "models/webnlg"})   # doctest: +SKIP
>>> doc = nlp("Alan Bean was born in Wheeler, Texas.")        # doctest: +SKIP
>>> doc.spans["rin"], doc._.rin_triples                       # doctest: +SKIP

rin reads the raw text with its own tokenizer (the one the model was trained with) and reports
character offsets; they are mapped onto spaCy's tokens with ``Doc.char_span``. Where spaCy's
tokens are coarser than rin's (a mention ending inside a spaCy token), the span grows to the
spaCy tokens that cover the mention (``alignment_mode="expand"``).
"""

from __future__ import annotations

from typing import Iterable, Iterator, List, NamedTuple, Optional

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import minibatch

from rin import Extractor

# Entities carry no type in RIN's data sets (WebNLG, NYT): every span gets this label.
ENTITY_LABEL = "ENTITY"


class RinTriple(NamedTuple):
    """A triple on a spaCy Doc: two spans, the relation's name and the model's probability."""

    subject: Span
    relation: str
    object: Span
    score: float


class RinComponent:
    """Fills ``doc.spans[spans_key]`` with the entities and ``doc._.rin_triples`` with triples."""

    def __init__(self, extractor: Extractor, spans_key: str, batch_size: int) -> None:
        self.extractor = extractor
        self.spans_key = spans_key
        self.batch_size = batch_size
        if not Doc.has_extension("rin_triples"):
            Doc.set_extension("rin_triples", default=None)

    def __call__(self, doc: Doc) -> Doc:
        self._annotate(doc, self.extractor.extract(doc.text))
        return doc

    def pipe(self, stream: Iterable[Doc], batch_size: Optional[int] = None) -> Iterator[Doc]:
        """``nlp.pipe``'s path: one rin call per batch of docs (the model batches them)."""
        for docs in minibatch(stream, size=batch_size or self.batch_size):
            results = self.extractor.extract([doc.text for doc in docs])
            for doc, result in zip(docs, results):
                self._annotate(doc, result)
                yield doc

    def _annotate(self, doc: Doc, result: dict) -> None:
        def span(mention: dict) -> Optional[Span]:
            return doc.char_span(
                mention["start"], mention["end"], label=ENTITY_LABEL, alignment_mode="expand"
            )

        entities: List[Span] = []
        for mention in result["entities"]:
            entity = span(mention)
            if entity is not None:
                entities.append(entity)
        triples: List[RinTriple] = []
        for triple in result["triples"]:
            subject, object_ = span(triple["subject"]), span(triple["object"])
            if subject is not None and object_ is not None:
                triples.append(RinTriple(subject, triple["relation"], object_, triple["score"]))
        doc.spans[self.spans_key] = entities
        doc._.rin_triples = triples


@Language.factory(
    "rin",
    default_config={
        "model": None,
        "device": "cpu",
        "k": None,
        "threads": None,
        "spans_key": "rin",
        "batch_size": 128,
    },
)
def make_rin_component(
    nlp: Language,
    name: str,
    model: Optional[str],
    device: str,
    k: Optional[int],
    threads: Optional[int],
    spans_key: str,
    batch_size: int,
) -> RinComponent:
    """The ``rin`` factory: ``model`` is a rin export folder (``models/webnlg``)."""
    if not model:
        raise ValueError('the rin component needs a model: config={"model": "path/to/export"}')
    extractor = Extractor(model, device=device, k=k, threads=threads)
    return RinComponent(extractor, spans_key, batch_size)
