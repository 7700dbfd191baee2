"""Throughput of the tagger, measured side by side in one run.

One corpus (the gold passages, ten to a document, repeated to ``--words``; it
has a mention every nine words or so, far denser than real debates, so it is a
pessimistic case for the tagger) goes through:

1. spaCy's tokenizer alone (``spacy.blank("en")``): the floor for any spaCy pipeline;
   and the same without the affix special cases, as the tagger's pipeline uses it
   (see :func:`nlp.pipeline.parliament_tokenizer`);
2. the full tagger with linking (scanner + linker, member gazetteer from the
   sample members padded with synthetic ones to ``--members``, as a real
   database of all MPs and peers would have), with its tokenizer and with the
   stock one; its components alone on docs already made; and, as a baseline,
   spaCy's EntityRuler with the same surface forms (no linking);
3. ``en_core_web_sm``'s NER (only its NER enabled), when that optional extra is installed.

Words are whitespace-separated words of the corpus. Each measurement streams the
corpus through ``nlp.pipe`` on one process (one core) and keeps the best of
``--repeat`` runs. Ratios are against the tokenizer.

    python benchmarks/nlp_throughput.py [--words 400000] [--members 1500] [--repeat 3]
"""
import argparse
import collections
import json
import random
import string
import sys
import time
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import spacy  # noqa: E402

from nlp import pipeline  # noqa: E402
from nlp.evaluate import GOLD, load_gold  # noqa: E402

SAMPLE = ROOT / "tracker" / "sample" / "members_search.json"


def drain(stream):
    """Run a lazy pipeline to the end, keeping nothing (the cost measured is the processing)."""
    collections.deque(stream, maxlen=0)


def synthetic_members(n, seed=7):
    """Invented members (negative ids) so the gazetteer has a realistic size."""
    rng = random.Random(seed)

    def word(a, b):
        return "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(a, b))).title()

    out = []
    for i in range(1, n + 1):
        if i % 2:
            out.append({"member_id": -i, "name_display_as": f"{rng.choice(['Lord', 'Baroness'])} {word(4, 9)} of {word(5, 10)}",
                        "house": "Lords", "gender": rng.choice("MF")})
        else:
            first, last = word(3, 8), word(4, 10)
            out.append({"member_id": -i, "name_display_as": f"{first} {last}", "name_list_as": f"{last}, {first}",
                        "house": "Commons", "constituency": f"{word(5, 10)} and {word(4, 8)}", "gender": rng.choice("MF")})
    return out


def corpus(target_words, per_document=10):
    """Documents of ``per_document`` consecutive gold passages (a speech or an amendment
    paper is longer than one passage), repeated until ``target_words``."""
    gold = load_gold(GOLD)
    items = []
    for i in range(0, len(gold), per_document):
        group = gold[i:i + per_document]
        items.append(("\n\n".join(g["text"] for g in group), group[0].get("date"), group[0].get("house")))
    out, words = [], 0
    while words < target_words:
        for item in items:
            out.append(item)
            words += len(item[0].split())
    return out, words


def best_of(repeat, fn):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=int, default=400_000)
    parser.add_argument("--members", type=int, default=1500, help="gazetteer size (sample members + synthetic)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    docs, words = corpus(args.words)
    texts = [t for t, _, _ in docs]
    members = pipeline.members_from_search_json(SAMPLE) if SAMPLE.exists() else []
    members += synthetic_members(max(0, args.members - len(members)))
    t = time.perf_counter()
    nlp = pipeline.build(members)
    build_seconds = time.perf_counter() - t
    blank = spacy.blank("en")
    blank_parliament = pipeline.parliament_tokenizer(spacy.blank("en"))
    nlp_stock = pipeline.build(members, tokenizer="spacy")
    results = {"words": words, "documents": len(docs), "members": len(members),
               "patterns": nlp.get_pipe("pbt_scanner").pattern_count, "build_seconds": round(build_seconds, 3)}

    def run_tokenizer():
        drain(blank.pipe(texts, batch_size=args.batch_size))

    def run_parliament_tokenizer():
        drain(blank_parliament.pipe(texts, batch_size=args.batch_size))

    def run_tagger_stock():
        stream = (pipeline.make_doc(nlp_stock, text, date=date, house=house, ents=False) for text, date, house in docs)
        drain(nlp_stock.pipe(stream, batch_size=args.batch_size))

    mentions = []

    def run_tagger(ents=False):
        n = 0
        stream = (pipeline.make_doc(nlp, text, date=date, house=house, ents=ents) for text, date, house in docs)
        for doc in nlp.pipe(stream, batch_size=args.batch_size):
            n += len(doc.user_data["mentions"])
        mentions.append(n)

    premade = []

    def run_components():  # the tagger's own cost: scanner and linker on docs already tokenized
        drain(nlp.pipe(premade, batch_size=args.batch_size))

    # Baseline: spaCy's EntityRuler with the same surface forms as phrase patterns (no linking).
    ruler_nlp = pipeline.parliament_tokenizer(spacy.blank("en"))  # the same tokenizer as the tagger
    ruler = ruler_nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    table = nlp.get_pipe("pbt_scanner").scanner.table
    ruler.add_patterns([{"label": entries[0].label, "pattern": k} for k, entries in table.items()])

    def run_ruler():
        drain(ruler_nlp.pipe(texts, batch_size=args.batch_size))

    run_tokenizer()  # warm the tokenizer caches
    run_parliament_tokenizer()
    rows = [("spaCy tokenizer alone (stock English)", best_of(args.repeat, run_tokenizer)),
            ("spaCy tokenizer alone (tagger's: no affix special cases)", best_of(args.repeat, run_parliament_tokenizer)),
            ("tagger with linking (as tracker tag runs it: no doc.ents)", best_of(args.repeat, run_tagger)),
            ("tagger with linking, mentions also as doc.ents", best_of(args.repeat, lambda: run_tagger(True))),
            ("tagger with linking, stock English tokenizer, no doc.ents", best_of(args.repeat, run_tagger_stock))]
    premade.extend(pipeline.make_doc(nlp, text, date=date, house=house, ents=False) for text, date, house in docs)
    rows.append(("  its components alone (docs pre-tokenized, no doc.ents)", best_of(1, run_components)))
    premade.clear()
    rows.append((f"EntityRuler, same {len(table):,} phrases, no linking (tagger's tokenizer)", best_of(1, run_ruler)))
    try:
        sm = spacy.load("en_core_web_sm", enable=["tok2vec", "ner"])
    except (OSError, ImportError):
        sm = None
    if sm is not None:
        sm_texts = texts[: max(1, len(texts) // 20)]  # a twentieth: it is slow
        sm_words = sum(len(t.split()) for t in sm_texts)

        def run_sm():
            drain(sm.pipe(sm_texts, batch_size=64))

        seconds = best_of(1, run_sm) * words / sm_words
        rows.append(("en_core_web_sm NER (extrapolated from 1/20)", seconds))
    results["mentions"] = mentions[-1]
    floor = rows[0][1]
    results["rows"] = [{"pipeline": name, "seconds": round(s, 3), "words_per_second": round(words / s),
                        "ratio_to_tokenizer": round(floor / s, 3)} for name, s in rows]
    if sm is None:
        results["note"] = "en_core_web_sm is not installed (optional: `python -m spacy download en_core_web_sm` where spaCy's model downloads are reachable); its row is left out"
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"corpus: {words:,} words in {len(docs):,} documents (gold passages, ten to a document, repeated), {results['mentions']:,} mentions")
    print(f"gazetteer: {len(members):,} members, {results['patterns']:,} surface forms; pipeline built in {build_seconds:.2f} s")
    print(f"{'pipeline':<70} {'words/s':>12} {'x stock tokenizer':>18}")
    for r in results["rows"]:
        print(f"{r['pipeline']:<70} {r['words_per_second']:>12,} {r['ratio_to_tokenizer']:>18.3f}")
    if "note" in results:
        print(results["note"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
