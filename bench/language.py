"""Benchmark of language detection (issue 18): its share of ``analyze``, and the libraries.

(a) The 100k-word benchmark corpus of bench/analysis.py (paragraphs of the Danish sample
    corpus sampled with a fixed seed into ~3,000-word documents, written as .txt files):
    ``run_analysis`` + ``write_outputs`` in a fresh process, as bench/analysis.py times it
    (the spaCy pipeline loaded before), and the "language" stage's share of it. The target:
    detection costs < 5 % of analyze's time. Reported three ways: the stage as it ran in
    that process (its first model call loads lingua's trigram models), the same work warm
    (``split_languages`` again on the same documents, best of 5), and lingua's load alone.
(b) The two libraries the issue names, on material written for the tests
    (tests/analysis/language_material.py) and the real corpora: lingua-language-detector
    (what analysis/language.py uses, low-accuracy mode, 14 languages) and py3langid (when
    installed; it is not a dependency): load time, share of short Danish answers read as
    Danish, share of short English answers read as English, and paragraphs per second.
(c) What analysis/language.py makes of it (screen + lingua): the same shares, and the
    Danish sample corpus's words left out as "not Danish" (precision on real Danish).

Figures are printed and appended to bench/results/language.md.

Usage: python bench/language.py [--words 100000] [--no-record]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(ROOT))

from bench._record import append_result  # noqa: E402

CORPUS = Path(os.environ.get("WORKSHOPBOT_CORPUS", ROOT.parent / "shared" / "corpus"))
LICENCES = ("Apache-2.0", "GPL-3", "LGPL-3", "MPL-2.0", "GFDL-1.3", "Artistic", "CC0-1.0")


# --------------------------------------------------------------------------- child side


def _child_share(folder: str, out: str) -> dict[str, Any]:
    """(a): analyze on the generated corpus, then the language step warm."""
    import timeit

    from analysis.ingest import ingest
    from analysis.language import split_languages
    from analysis.nlp import load_pipeline
    from analysis.pipeline import AnalysisOptions, run_analysis, write_outputs

    load_pipeline(lang="da")  # as bench/analysis.py: the spaCy model is loaded before
    t = time.perf_counter()
    result = run_analysis([Path(folder)], options=AnalysisOptions())
    written = write_outputs(result, out)
    whole = time.perf_counter() - t
    documents = ingest([Path(folder)]).documents
    warm = min(timeit.repeat(lambda: split_languages(documents), number=1, repeat=5))
    assert result.language is not None
    return {
        "whole_s": whole,
        "language_s": result.timings["language"],
        "warm_s": warm,
        "words": result.stats.words,
        "documents": result.stats.documents,
        "found": result.language.found_line(),
        "timings": {**result.timings, **written.timings},
    }


def _child_load() -> dict[str, Any]:
    """lingua's model load alone, in a fresh process: the first call of the core detector
    (da, en, nb, nn, sv) and of the wide one (all 14 languages), after the imports."""
    import lingua  # noqa: F401

    from analysis.language import _model_scores

    t = time.perf_counter()
    _model_scores("Vi skal dele viden på tværs af afdelingerne.", wide=False)
    core = time.perf_counter() - t
    t = time.perf_counter()
    _model_scores("Vi skal dele viden på tværs af afdelingerne.", wide=True)
    return {"load_s": core, "wide_s": time.perf_counter() - t}


def _child_py3langid() -> dict[str, Any]:
    t = time.perf_counter()
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.classify("Vi skal dele viden på tværs af afdelingerne.")
    return {"load_s": time.perf_counter() - t}  # import included: py3langid is small


# --------------------------------------------------------------------------- parent side


def _run_child(mode: str, *args: str) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", mode, *args]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "WORKSHOPBOT_CORPUS": str(CORPUS)}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=1800)
    if proc.returncode != 0:
        raise RuntimeError(f"{mode} failed:\n{proc.stderr[-3000:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def _share(hits: int, total: int) -> str:
    return f"{hits}/{total} ({hits / total:.0%})"


def _libraries(say: Any) -> None:
    """(b) and (c)."""
    from analysis.ingest import ingest
    from analysis.language import (
        _model_scores,
        answer_language,
        detect_language,
        split_languages,
    )
    from tests.analysis.language_material import DANISH_ANSWERS, ENGLISH_ANSWERS

    danish_paragraphs = [p for d in ingest([CORPUS]).documents for p in d.paragraphs]
    english_paragraphs: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name in LICENCES:
            source = Path("/usr/share/common-licenses") / name
            if source.is_file():
                (folder / f"{name}.txt").write_bytes(source.read_bytes())
        if any(folder.iterdir()):
            english_paragraphs = [p for d in ingest([folder]).documents for p in d.paragraphs]

    def lingua(text: str) -> str:
        scores = _model_scores(text)
        return scores[0][0] if scores else ""

    classifiers: list[tuple[str, Any, float]] = [
        (
            "lingua-language-detector (low accuracy, 14 languages)",
            lingua,
            sum(_run_child("load").values()),
        )
    ]
    try:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        classifiers.append(
            (
                "py3langid (all 97 languages)",
                lambda t: ident.classify(t)[0],
                _run_child("py3langid")["load_s"],
            )
        )
    except ImportError:
        say("- py3langid is not installed: (b) covers lingua only")
    say(
        "| library | load s (fresh process) | short Danish answers → da | short English answers → en | Danish corpus paragraphs → da | licence paragraphs → en | paragraphs/s |"
    )
    say("|---|---|---|---|---|---|---|")
    for name, classify, load_s in classifiers:
        da = sum(classify(a) == "da" for a in DANISH_ANSWERS)
        en = sum(classify(a) == "en" for a in ENGLISH_ANSWERS)
        t = time.perf_counter()
        dap = sum(classify(p) == "da" for p in danish_paragraphs)
        enp = sum(classify(p) == "en" for p in english_paragraphs)
        rate = (len(danish_paragraphs) + len(english_paragraphs)) / (time.perf_counter() - t)
        say(
            f"| {name} | {load_s:.2f} | {_share(da, len(DANISH_ANSWERS))} | "
            f"{_share(en, len(ENGLISH_ANSWERS))} | {_share(dap, len(danish_paragraphs))} | "
            f"{_share(enp, max(1, len(english_paragraphs)))} | {rate:,.0f} |"
        )
    # (c)
    da = sum(detect_language(a).lang == "da" for a in DANISH_ANSWERS)
    en = sum(detect_language(a).lang == "en" for a in ENGLISH_ANSWERS)
    da_ws = sum(answer_language(a, workshop="da") == "da" for a in DANISH_ANSWERS)
    en_ws = sum(answer_language(a, workshop="da") == "en" for a in ENGLISH_ANSWERS)
    report = split_languages(ingest([CORPUS]).documents).report
    words = sum(d.words for d in report.documents)
    left = sum(w for _, w in report.other_paragraphs().values()) + sum(
        w for _, w in report.other_passages().values()
    )
    say(
        f"| analysis/language.py (screen + lingua) | – | {_share(da, len(DANISH_ANSWERS))} | "
        f"{_share(en, len(ENGLISH_ANSWERS))} | – | – | – |"
    )
    say()
    say(
        f"- In a Danish workshop (answer_language): Danish answers kept Danish "
        f"{_share(da_ws, len(DANISH_ANSWERS))}, English answers analysed as English "
        f"{_share(en_ws, len(ENGLISH_ANSWERS))}."
    )
    say(
        f"- The Danish sample corpus ({words:,} words): {report.found_line()}; "
        f"{left} words ({left / words:.2%}) left out of the Danish map as English."
    )
    if english_paragraphs:
        import random

        from analysis.documents import Document

        rng = random.Random(3)
        english = [p for p in english_paragraphs if len(p.split()) >= 6]
        danish_docs = ingest([CORPUS]).documents
        inserted: set[str] = set()
        mixed = []
        for doc in danish_docs:
            paragraphs = doc.paragraphs
            for _ in range(len(paragraphs) // 10):
                paragraph = rng.choice(english)
                inserted.add(paragraph)
                paragraphs.insert(rng.randrange(len(paragraphs)), paragraph)
            mixed.append(Document(id=doc.id, text="\n\n".join(paragraphs)))
        kept = {p for d in split_languages(mixed).documents for p in d.paragraphs}
        found = sum(p not in kept for p in inserted)
        danish = {p for d in danish_docs for p in d.paragraphs if len(p.split()) >= 6}
        lost = sum(p not in kept for p in danish)
        say(
            f"- Licence paragraphs (≥ 6 words) put at random places in the Danish documents "
            f"(seed 3): English found and left out {_share(found, len(inserted))} (recall); "
            f"Danish paragraphs (≥ 6 words) taken out {lost} of {len(danish)} (the one "
            "English motto of the corpus among them)."
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=100_000)
    parser.add_argument("--no-record", action="store_true", help="do not append to the results")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, *rest = args.child
        handler = {"share": _child_share, "load": _child_load, "py3langid": _child_py3langid}
        print(json.dumps(handler[mode](*rest)))
        return 0

    from bench.analysis import generate

    lines: list[str] = []

    def say(text: str = "") -> None:
        print(text, flush=True)
        lines.append(text)

    say(
        f"## {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC · {platform.node()} · "
        f"{os.cpu_count()} cores · Python {platform.python_version()} · load average "
        f"{os.getloadavg()[0]:.1f}"
    )
    say()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "corpus"
        generate(folder, args.words)
        r = _run_child("share", str(folder), str(Path(tmp) / "out"))
    loads = _run_child("load")
    say(f"### (a) Detection's share of analyze ({r['words']:,} words, {r['documents']} documents)")
    say(f"- found: {r['found']}")
    say(
        f"- analyze (run_analysis + write_outputs, spaCy loaded before): **{r['whole_s']:.2f} s**; "
        "stages: " + " · ".join(f"{k} {v:.2f} s" for k, v in r["timings"].items())
    )
    say(
        f"- language stage as it ran (first model call included): {r['language_s'] * 1000:.0f} ms "
        f"= **{r['language_s'] / r['whole_s']:.1%}** of analyze (target < 5 %)"
    )
    say(
        f"- the same detection warm (best of 5): {r['warm_s'] * 1000:.0f} ms = "
        f"**{r['warm_s'] / r['whole_s']:.1%}**; lingua's model load alone (fresh process, "
        f"first call): {loads['load_s'] * 1000:.0f} ms for da/en/nb/nn/sv (what a Danish or "
        f"English corpus needs), {loads['wide_s'] * 1000:.0f} ms more for the other 9 "
        "languages (loaded only when a text shows one)"
    )
    say()
    say("### (b) The libraries, (c) analysis/language.py")
    say()
    _libraries(say)
    say()
    if not args.no_record:
        path = append_result("language", "\n".join(lines) + "\n\n")
        print(f"appended to {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
