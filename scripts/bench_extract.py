"""Extraction speed on one process, against the spaCy tokenizer's own rate in the same run.

    python scripts/bench_extract.py [-n 10000] [--repeat 1]

Measures abstracts/second for: the spaCy tokenizer alone (``nlp.make_doc``), the tokenizer plus our
sentence boundaries (``sentence_spans``), and the full extractor (matching, abbreviations, negation, relations, outcomes,
candidates), over the bundled corpus and over the deterministic synthetic corpus of
``scripts/synth_corpus.py``. Prints a table and the ratios; writes nothing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kg.nlp.extract import Extractor  # noqa: E402
from kg.nlp.lexicon import load_lexicon  # noqa: E402
from kg.nlp.pipeline import sentence_spans  # noqa: E402
from kg.sources.corpus import bundled_documents, load_documents  # noqa: E402


def rate(fn, items) -> float:
    start = time.perf_counter()
    for it in items:
        fn(it)
    return len(items) / (time.perf_counter() - start)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=10000, help="synthetic abstracts")
    args = ap.parse_args(argv)
    import synth_corpus  # scripts/ is on sys.path when run as a script

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "synth.jsonl"
        synth_corpus.main(["-n", str(args.n), "-o", str(path)])
        synth = load_documents(path)
    bundled = bundled_documents()
    ex = Extractor(load_lexicon())
    nlp = ex.nlp
    for d in bundled[:20]:  # warm the vocabulary and caches
        ex.extract(d)
    print(f"{'corpus':10s} {'docs':>6s} {'chars/doc':>9s} {'tokenizer/s':>12s} {'+sentences/s':>15s} "
          f"{'extractor/s':>12s} {'extractor/tokenizer':>20s}")
    for name, docs in (("bundled", bundled), ("synthetic", synth)):
        texts = [d.text for d in docs]
        tok = rate(nlp.make_doc, texts)
        sent = rate(sentence_spans, texts)
        full = rate(ex.extract, docs)
        chars = sum(map(len, texts)) / len(texts)
        print(f"{name:10s} {len(docs):6d} {chars:9.0f} {tok:12.0f} {sent:15.0f} {full:12.0f} {full / tok:20.2f}")


if __name__ == "__main__":
    main()
