"""The spaCy component against `rin extract`: spans and triples at the CLI's character offsets."""

from __future__ import annotations

import pytest

spacy = pytest.importorskip("spacy")

from conftest import MODELS  # noqa: E402


@pytest.fixture(scope="module")
def nlp():
    nlp = spacy.blank("en")
    # Found through the package's `spacy_factories` entry point: no import of rin.spacy_component.
    nlp.add_pipe("rin", config={"model": str(MODELS["webnlg"])})
    return nlp


def covers(span, mention) -> bool:
    """The span is the mention, or (spaCy's tokens being coarser) the spaCy tokens around it."""
    exact = span.doc.char_span(mention["start"], mention["end"])
    if exact is not None:
        return (span.start_char, span.end_char) == (mention["start"], mention["end"])
    return span.start_char <= mention["start"] and mention["end"] <= span.end_char


def test_spans_and_triples_are_rin_extract_offsets(nlp, cli_results):
    texts, expected = cli_results["webnlg"]
    docs = list(nlp.pipe(texts, batch_size=16))
    aligned = mentions = 0
    for doc, result in zip(docs, expected):
        entities = doc.spans["rin"]
        assert len(entities) == len(result["entities"])
        for span, mention in zip(entities, result["entities"]):
            assert covers(span, mention), (doc.text, span, mention)
            assert span.label_ == "ENTITY"
        assert len(doc._.rin_triples) == len(result["triples"])
        for triple, want in zip(doc._.rin_triples, result["triples"]):
            assert triple.relation == want["relation"]
            assert triple.score == want["score"]
            for span, mention in ((triple.subject, want["subject"]), (triple.object, want["object"])):
                assert covers(span, mention), (doc.text, span, mention)
                mentions += 1
                aligned += (span.start_char, span.end_char) == (mention["start"], mention["end"])
    assert mentions > 0
    # These sentences come tokenized (tokens joined by spaces), so spaCy splits wherever rin does
    # and every span is exactly the CLI's mention; `covers` allows more only for raw text.
    assert aligned == mentions, (aligned, mentions)


def test_one_doc_equals_the_batched_pipe(nlp, cli_results):
    texts, _ = cli_results["webnlg"]
    piped = list(nlp.pipe(texts[:20], batch_size=7))
    for text, doc in zip(texts[:20], piped):
        single = nlp(text)
        assert [(s.start, s.end) for s in single.spans["rin"]] == [
            (s.start, s.end) for s in doc.spans["rin"]
        ]
        assert [(t.subject.start, t.relation, t.object.end, t.score) for t in single._.rin_triples] == [
            (t.subject.start, t.relation, t.object.end, t.score) for t in doc._.rin_triples
        ]


def test_a_component_without_model_is_refused():
    nlp = spacy.blank("en")
    with pytest.raises(ValueError, match="needs a model"):
        nlp.add_pipe("rin")
