"""The tagger on raw text (no spaCy ``Doc``, as ``tracker tag`` runs it) finds exactly what the
spaCy pipeline finds, on the gold set and on generated text; the components still work in spaCy."""
import functools
import importlib.util
import random
from pathlib import Path

import pytest

from nlp import pipeline
from nlp.evaluate import GOLD, load_gold
from nlp.matcher import fold

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_MEMBERS = ROOT / "tracker" / "sample" / "members_search.json"


@functools.lru_cache(maxsize=None)
def members():
    return tuple(pipeline.members_from_search_json(SAMPLE_MEMBERS))


@functools.lru_cache(maxsize=None)
def nlp():
    return pipeline.build(members())


def corpus_module():
    """``benchmarks/corpus.py``, the benchmarks' unrepeated corpus (benchmarks/ is not an installed package)."""
    spec = importlib.util.spec_from_file_location("benchmark_corpus", ROOT / "benchmarks" / "corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def through_spacy(text, **context):
    """The mentions the spaCy pipeline leaves on a doc (with ``doc.ents`` made too)."""
    model = nlp()
    doc = model(pipeline.make_doc(model, text, **context))
    return doc.user_data["mentions"], doc


def assert_same_mentions(text, **context):
    raw = pipeline.tag(nlp(), text, **context)
    spacy_mentions, doc = through_spacy(text, **context)
    assert raw == spacy_mentions, text[:200]
    # the spaCy path's doc.ents cover the mentions that fit token bounds, labelled alike
    for ent in doc.ents:
        assert any(m["start"] >= ent.start_char and m["end"] <= ent.end_char and m["label"] == ent.label_ for m in raw)
    return raw


def test_gold_passages_give_the_same_mentions_on_raw_text_and_in_spacy():
    found = 0
    for g in load_gold(GOLD):
        found += len(assert_same_mentions(g["text"], date=g.get("date"), house=g.get("house"),
                                          amendments=g.get("amendments"), pingpong=g.get("pingpong")))
    assert found > 500  # the gold set's mentions, not an empty comparison


def test_unrepeated_corpus_gives_the_same_mentions_on_raw_text_and_in_spacy():
    names = [m["name_display_as"] for m in members() if m.get("name_display_as")]
    docs = corpus_module().unrepeated_documents(30_000, members=names, seed=5)
    found = sum(len(assert_same_mentions(text, date=date, house=house)) for text, date, house in docs)
    assert found > 300


def noisy_texts(n, seed):
    """Texts built from the tagger's own surface forms in awkward places: varied case, line breaks
    inside names, curly apostrophes and dashes, possessives, a sentence start, a letter whose lower
    case is two characters, references in lists."""
    model = nlp()
    forms = sorted(model.get_pipe("pbt_scanner").scanner.table)
    rng = random.Random(seed)
    fillers = ["the", "said", "and", "of", "on", "(Con):", "İstanbul", "—", "hon. Member for", "noble Lord,", "shadow",
               "Amendments 12, 13 and 14", "Motion A1", "new clause 3", "page 4, line 5 to 7", "Honor", "ZTE", "zte"]
    out = []
    for _ in range(n):
        words = []
        for _ in range(rng.randint(5, 60)):
            if rng.random() < 0.4:
                form = rng.choice(forms)
                form = rng.choice([form, form.title(), form.upper(), form.replace(" ", "\n", 1), form.replace("'", "\u2019")])
                words.append(form + rng.choice(["", "", "'s", "\u2019s", ".", ",", ":"]))
            else:
                words.append(rng.choice(fillers))
        out.append(" ".join(words))
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_generated_awkward_text_gives_the_same_mentions_on_raw_text_and_in_spacy(seed):
    found = 0
    for i, text in enumerate(noisy_texts(60, seed)):
        context = [{}, {"date": "2023-06-13", "house": "Commons"}, {"date": "2022-12-05", "house": "Lords"}][i % 3]
        found += len(assert_same_mentions(text, **context))
    assert found > 100


def test_the_components_keep_working_in_spacy():
    model = nlp()
    text = "Lord Alton of Liverpool asked about Hikvision\u2019s cameras and Amendment 47B today."
    doc = model(text)  # a plain string through the pipeline, as any spaCy user runs it
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("Lord Alton of Liverpool", "MEMBER"), ("Hikvision", "SUPPLIER"), ("Amendment 47B", "REFERENCE")]
    assert doc.user_data["mentions"] == pipeline.tag(model, text)
    docs = list(model.pipe([text, text.upper()]))
    assert docs[0].user_data["mentions"] == doc.user_data["mentions"]
    assert docs[1].user_data["mentions"] == pipeline.tag(model, text.upper())
    # the scanner and linker alone on a text: what the components store on a doc
    scanner, linker = model.get_pipe("pbt_scanner"), model.get_pipe("pbt_linker")
    assert linker.link(text, scanner.scan(text)) == doc.user_data["mentions"]
    assert len(fold(text)) == len(text)
