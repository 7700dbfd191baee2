"""Unrepeated text for the benchmarks: no passage occurs twice, so no cache flatters a figure.

spaCy's tokenizer caches the tokens of every distinct whitespace-separated string
it has seen, and a matcher that memoises its lookups does the same: a benchmark
that repeats a few hundred passages measures those caches, not the work a real
database of debates asks for. The documents here are drawn from a large
Zipf-distributed vocabulary (real debate words first, invented words after them,
so the vocabulary has the long tail that real Hansard has), with mentions of
members, suppliers, provisions and amendment references mixed in at about the rate
the tracker's own sample has them. Every document is checked to be new.

    from benchmarks.corpus import unrepeated_documents
    docs = unrepeated_documents(words=400_000, members=names)   # [(text, date, house)]
"""
from __future__ import annotations

import bisect
import itertools
import json
import random
import string
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUPPLIERS = ROOT / "nlp" / "data" / "suppliers.jsonl"
PROVISIONS = ROOT / "nlp" / "data" / "provisions.jsonl"

# The commonest words of debates on the Bill, most frequent first (the head of the Zipf curve).
DEBATE_WORDS = (
    "the of and to in that a is for it this on be we will have by are not as which with government minister "
    "noble lord bill clause amendment house members right hon friend member committee report stage contract "
    "contracting authority authorities supplier suppliers public sector value money national security risk "
    "schedule section provision debate question answer regulation small business local medium enterprise "
    "transparency notice tender award framework dynamic market competitive flexible procedure exclusion excluded "
    "excludable ground grounds list register data cloud telecoms drone drones battery batteries camera cameras "
    "equipment surveillance removal timeline estate department departments cabinet office unit procurement "
    "concern concerns evidence published publish six months within assurance assurances commit committed"
).split()
REFERENCE_FORMS = ("Amendment {n}", "amendment {n}", "new clause {n}", "New Clause {n}", "NC{n}", "Motion A{n}",
                   "Lords Amendment {n}", "Amendments {n} and {m}")


def vocabulary(size: int, rng: random.Random) -> list[str]:
    """``size`` distinct words: the debate words, then invented ones."""
    words = list(dict.fromkeys(DEBATE_WORDS))
    seen = set(words)
    while len(words) < size:
        word = "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 11)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


def _surface_forms(path: Path, key: str) -> list[str]:
    forms = []
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                forms.append(record["name"])
                forms.extend(record.get(key) or ())
    return forms


def unrepeated_documents(words: int, *, members: list[str] = (), vocabulary_size: int = 60_000,
                         mention_every: int = 40, seed: int = 13) -> list[tuple[str, str, str]]:
    """``(text, date, house)`` documents of 80 to 600 words, about ``words`` in all, none repeated.

    One mention (a member's name, a supplier, a provision or an amendment reference)
    comes about every ``mention_every`` words.
    """
    docs: list[tuple[str, str, str]] = []
    written = 0
    for doc in iter_unrepeated_documents(members=members, vocabulary_size=vocabulary_size, mention_every=mention_every, seed=seed):
        if written >= words:
            break
        docs.append(doc)
        written += len(doc[0].split())
    return docs


def iter_unrepeated_documents(*, members: list[str] = (), vocabulary_size: int = 60_000, mention_every: int = 40,
                              seed: int = 13, shortest: int = 80, longest: int = 600):
    """Endless ``(text, date, house)`` documents of ``shortest`` to ``longest`` words, none repeated,
    one at a time (a stream: nothing but the fingerprints seen is kept)."""
    rng = random.Random(seed)
    vocab = vocabulary(vocabulary_size, rng)
    cumulative = list(itertools.accumulate(1.0 / (rank ** 1.07) for rank in range(1, len(vocab) + 1)))
    total = cumulative[-1]
    entities = [*members, *_surface_forms(SUPPLIERS, "aliases"), *_surface_forms(PROVISIONS, "aliases")]
    seen: set[int] = set()
    while True:
        length = rng.randint(shortest, longest)
        out = []
        for i in range(length):
            if entities and rng.random() < 1.0 / mention_every:
                if rng.random() < 0.25:
                    form = rng.choice(REFERENCE_FORMS)
                    out.append(form.format(n=rng.randint(1, 120), m=rng.randint(1, 120)))
                else:
                    out.append(rng.choice(entities))
            word = vocab[bisect.bisect_left(cumulative, rng.random() * total)]
            out.append(word.capitalize() if i == 0 or out[-1].endswith(".") else word)
            if rng.random() < 0.07:
                out[-1] += rng.choice(".,;")
        text = " ".join(out) + "."
        fingerprint = hash(text)
        if fingerprint in seen:
            continue
        seen.add(fingerprint)
        date = f"2023-{rng.randint(1, 9):02d}-{rng.randint(1, 28):02d}"
        yield text, date, rng.choice(("Commons", "Lords"))
