"""Benchmark of the analysis pipeline (issues 2 and 13): speed, memory, spaCy ratio, map quality.

(a) The sample corpus (../shared/corpus, ~29k words) to all outputs, in a fresh process:
    target < 3 s. Reported with and without the process's imports.
(b) Generated corpora of 100k, 300k and 1M words (paragraphs of the sample corpus sampled
    with a fixed seed into documents of ~3,000 words, written as .txt files): time and
    words/s per stage, peak memory (ru_maxrss of the process); targets 1M words < 30 s and
    < 2 GB, about linear.
(c) In the same process, spaCy alone tokenising and lemmatising the same cleaned text with
    the same pipeline; the ratio whole run / spaCy alone (target <= 3).
(d) textnets side by side, if a throwaway venv with it exists (``--textnets-python``).
(e) Map quality (issue 13), on the sample corpus, every generated size and an English
    corpus (the licence texts in /usr/share/common-licenses): the share of the 40
    strongest terms that are not noun phrases (judged by the word-class data of
    spacy-lookups-data, :mod:`analysis.wordclass`), the share of links that touch the two
    biggest hubs (goal <= 25 %), micro clusters (< 4 terms; goal 0), label overlaps on the
    card picture measured from the rendered text extents (goal 0); time is also given as a
    ratio to bare spaCy tokenisation (``nlp.make_doc``) of the same text in the same run
    (goal <= 3), and peak memory (goal < 2 GB at 1M words).

Each measurement runs in its own subprocess so that memory and caches do not carry over.
Figures are printed and appended to bench/results/analysis.md.

Usage: python bench/analysis.py [--sizes 100000,300000,1000000] [--repeat 3]
       [--textnets-python PATH]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# This script is bench/analysis.py: run as a script, its folder comes first on sys.path and
# "import analysis" would find this file instead of the package.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(ROOT))

from bench._record import append_result  # noqa: E402

CORPUS = Path(os.environ.get("WORKSHOPBOT_CORPUS", ROOT.parent / "shared" / "corpus"))
STAGES = ("ingest", "terms", "network", "layout", "render", "export")


# --------------------------------------------------------------------------- child side

ENGLISH = Path("/usr/share/common-licenses")
ENGLISH_FILES = ("Apache-2.0", "GPL-3", "LGPL-3", "MPL-2.0", "GFDL-1.3", "Artistic", "CC0-1.0")


def _quality(result: Any) -> dict[str, Any]:
    """Issue 13's map-quality figures of one analysis result."""
    from analysis import render
    from analysis.wordclass import word_classes

    classes = word_classes(result.options.lang)
    top = result.terms[:40]

    def is_noun_phrase(label: str) -> bool:
        words = label.split()
        allowed_mods = ("ADJ", "NOUN") if result.options.lang == "en" else ("ADJ",)
        return classes.of(words[-1]) == "NOUN" and all(
            classes.of(w) in allowed_mods for w in words[:-1]
        )

    # A one-word term is judged by its written forms too: the label is a base form.
    not_np = [
        t.label
        for t in top
        if not (
            is_noun_phrase(t.label)
            or (t.n_words == 1 and any(is_noun_phrase(v) for v in t.variants[:1]))
        )
    ]
    graph = result.network.graph
    term_nodes = set(result.network.term_nodes())
    edges = [(a, b) for a, b in graph.edges if a in term_nodes and b in term_nodes]
    degree = sorted(term_nodes, key=lambda v: (-graph.degree(v), v))
    hubs = set(degree[:2])
    hub_share = sum(1 for a, b in edges if a in hubs or b in hubs) / max(len(edges), 1)
    micro = [c.name for c in result.network.clusters if c.size < 4]
    fig = render.render_figure(
        result.network, result.layout, size="card", caption=result.caption, lang=result.lang
    )
    return {
        "top40": [t.label for t in top],
        "not_np": not_np,
        "not_np_share": len(not_np) / max(len(top), 1),
        "hub_share": hub_share,
        "hubs": sorted(graph.nodes[h]["label"] for h in hubs),
        "micro": micro,
        "clusters": len(result.network.clusters),
        "card_labels": len(render.label_boxes(fig)),
        "overlaps": render.label_overlaps(fig),
    }


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the full map is drawn in a
    forked child: its CPU counts too)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _bare_tokenisation(nlp: Any, paragraphs: list[str]) -> float:
    """Seconds spaCy's tokenizer alone takes over the paragraphs (no pipeline component)."""
    t = time.perf_counter()
    for _ in nlp.tokenizer.pipe(paragraphs, batch_size=512):
        pass
    return time.perf_counter() - t


def _child_corpus(path: str, out: str, lang: str = "da") -> dict[str, Any]:
    """(a): one cold run of the sample corpus to all outputs."""
    t0 = time.perf_counter()
    from analysis.pipeline import AnalysisOptions, run_analysis, write_outputs

    t_import = time.perf_counter() - t0
    t1 = time.perf_counter()
    c = _cpu()
    result = run_analysis([Path(path)], options=AnalysisOptions(lang=lang))  # type: ignore[arg-type]
    written = write_outputs(result, out)
    t_run = time.perf_counter() - t1
    run_cpu = _cpu() - c
    from analysis.nlp import load_pipeline

    paragraphs = [p for d in result.documents for p in d.paragraphs]
    bare_s = _bare_tokenisation(load_pipeline(lang=lang), paragraphs)  # type: ignore[arg-type]
    return {
        "bare_s": bare_s,
        "quality": _quality(result),
        "import_s": t_import,
        "run_s": t_run,
        "run_cpu": run_cpu,
        "words": result.stats.words,
        "timings": {**result.timings, **written.timings},
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _child_scale(folder: str, out: str) -> dict[str, Any]:
    """(b) + (c): spaCy alone, then the whole run, on one generated corpus."""
    from analysis.ingest import ingest
    from analysis.nlp import components_to_disable, load_pipeline
    from analysis.pipeline import AnalysisOptions, run_analysis, write_outputs

    t = time.perf_counter()
    nlp = load_pipeline(lang="da")
    load_s = time.perf_counter() - t

    # The cleaned text the pipeline sees (ingest is not part of "spaCy alone").
    report = ingest([Path(folder)])
    paragraphs = [p for d in report.documents for p in d.paragraphs]
    disable = components_to_disable(nlp, sentences=False)
    t = time.perf_counter()
    c = _cpu()
    tokens = 0
    for doc in nlp.pipe(paragraphs, batch_size=512, disable=disable):
        tokens += len(doc)
    spacy_s = time.perf_counter() - t
    spacy_cpu = _cpu() - c
    lemmatizer = nlp.get_pipe("lemmatizer")
    cache = getattr(lemmatizer, "_cache", None)
    if isinstance(cache, dict):
        cache.clear()  # the run below starts as cold as spaCy alone did
    bare_s = _bare_tokenisation(nlp, paragraphs)
    del report, paragraphs

    t = time.perf_counter()
    c = _cpu()
    result = run_analysis([Path(folder)], options=AnalysisOptions())
    written = write_outputs(result, out)
    whole_s = time.perf_counter() - t
    whole_cpu = _cpu() - c
    # The same outputs again, all in this process (no forked child): what the fork saves.
    t = time.perf_counter()
    write_outputs(result, Path(out) / "serial", parallel=False)
    serial_write_s = time.perf_counter() - t
    t = time.perf_counter()
    write_outputs(result, Path(out) / "again", parallel=True)
    parallel_write_s = time.perf_counter() - t
    return {
        "quality": _quality(result),
        "bare_s": bare_s,
        "load_s": load_s,
        "spacy_s": spacy_s,
        "spacy_cpu": spacy_cpu,
        "whole_cpu": whole_cpu,
        "spacy_tokens": tokens,
        "whole_s": whole_s,
        "serial_write_s": serial_write_s,
        "parallel_write_s": parallel_write_s,
        "words": result.stats.words,
        "tokens": result.stats.tokens,
        "documents": result.stats.documents,
        "timings": {**result.timings, **written.timings},
        "terms": result.stats.nodes,
        "clusters": result.stats.clusters,
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _child_textnets(folder: str) -> dict[str, Any]:
    """(d): textnets on the same generated corpus (run with the textnets venv's python).

    textnets loads ``da_core_news_sm``, which cannot be installed here (it is not on PyPI),
    so it gets a blank Danish pipeline saved to disk: its tokenizer, no tagger. That makes
    its NLP step cheaper than it would be, never dearer.
    """
    import pandas as pd
    import spacy
    import textnets as tn

    model = Path(folder) / "da_blank"
    spacy.blank("da").to_disk(model)
    texts = {p.stem: p.read_text(encoding="utf-8") for p in sorted(Path(folder).glob("*.txt"))}
    t = time.perf_counter()
    corpus = tn.Corpus(pd.Series(texts), lang=str(model))
    net = tn.Textnet(corpus.tokenized(), min_docs=2)
    projected = net.project(node_type="term")
    build_s = time.perf_counter() - t
    t = time.perf_counter()
    plot = projected.plot(label_nodes=True)
    if hasattr(plot, "savefig"):
        plot.savefig(str(Path(folder) / "textnets.png"))
    draw_s = time.perf_counter() - t
    return {
        "build_s": build_s,
        "draw_s": draw_s,
        "whole_s": build_s + draw_s,
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


# --------------------------------------------------------------------------- parent side


def _run_child(
    mode: str, *args: str, python: str = sys.executable, timeout: float = 1800
) -> dict[str, Any]:
    cmd = [python, str(Path(__file__).resolve()), "--child", mode, *args]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"{mode} failed:\n{proc.stderr[-3000:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def _paragraphs_of_corpus() -> list[str]:
    """Cleaned paragraphs of the sample corpus (what the generated corpora are made of)."""
    from analysis.ingest import ingest

    report = ingest([CORPUS])
    return [p for d in report.documents for p in d.paragraphs if len(p.split()) >= 3]


def generate(folder: Path, words: int, *, seed: int = 1, doc_words: int = 3000) -> int:
    """Write ~``words`` words as documents of ~``doc_words`` words sampled from the corpus."""
    rng = random.Random(seed)
    paragraphs = _paragraphs_of_corpus()
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    n = 0
    while total < words:
        chosen: list[str] = []
        size = 0
        while size < doc_words and total + size < words:
            p = rng.choice(paragraphs)
            chosen.append(p)
            size += len(p.split())
        (folder / f"doc{n:04d}.txt").write_text("\n\n".join(chosen) + "\n", encoding="utf-8")
        total += size
        n += 1
    return n


def _fmt_rate(words: int, seconds: float) -> str:
    return f"{words / seconds / 1000:,.0f}k" if seconds > 0 else "∞"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,300000,1000000")
    parser.add_argument("--textnets-python", help="python of a venv with textnets installed")
    parser.add_argument("--textnets-words", type=int, default=65000)
    parser.add_argument("--textnets-timeout", type=float, default=900.0)
    parser.add_argument("--repeat", type=int, default=3, help="runs per size (median shown)")
    parser.add_argument("--no-record", action="store_true", help="do not append to the results")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, *rest = args.child
        handler = {"corpus": _child_corpus, "scale": _child_scale, "textnets": _child_textnets}
        print(json.dumps(handler[mode](*rest)))
        return 0

    lines: list[str] = []

    def say(text: str = "") -> None:
        print(text, flush=True)
        lines.append(text)

    say(
        f"## {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC · {platform.node()} · "
        f"{os.cpu_count()} cores · Python {platform.python_version()} · load average at start "
        + " / ".join(f"{v:.1f}" for v in os.getloadavg())
        + " (1 / 5 / 15 min)"
    )
    say()
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        # (a)
        a = _run_child("corpus", str(CORPUS), str(tmpdir / "a"))
        say("### (a) Sample corpus to all outputs (fresh process)")
        say(
            f"- {a['words']:,} words: **{a['run_s']:.2f} s** ({a['run_cpu']:.2f} s CPU) for "
            "run_analysis + write_outputs incl. loading the spaCy pipeline (target < 3 s), "
            f"{a['import_s']:.2f} s more for imports; "
            f"peak RSS {a['maxrss_mb']:.0f} MB"
        )
        say("- stages: " + " · ".join(f"{k} {v:.2f} s" for k, v in a["timings"].items()))
        say(
            f"- bare spaCy tokenisation of the same paragraphs: {a['bare_s']:.3f} s; "
            f"run / tokenisation = **{a['run_s'] / a['bare_s']:.1f}×** (small corpus: "
            "model load and rendering are fixed costs)"
        )
        say("- the 40 strongest terms: " + ", ".join(a["quality"]["top40"]))
        say()
        quality_rows: list[tuple[str, int, dict[str, Any]]] = [
            ("sample corpus (da)", a["words"], a["quality"])
        ]

        # (b) + (c)
        say("### (b) Generated corpora, (c) ratio to spaCy alone")
        say()
        say(
            f"Each size runs {args.repeat} times, each run in a fresh process (spaCy alone, then "
            "the whole run, side by side); the row shows the run with the median wall ratio, "
            "the range over all runs, and the fastest whole run over the fastest spaCy alone "
            "(the figure least moved by other work on the machine)."
        )
        say()
        say(
            "| words | docs | whole run s (CPU) | spaCy alone s (CPU) | ratio wall (CPU) | "
            f"ratio over {args.repeat} runs min–max | fastest whole / fastest spaCy | "
            "<= 3× (median; fastest) | "
            "write_outputs forked / in-process s | "
            "bare tokenisation s | **ratio to bare tokenisation** | "
            "ratio without ingest | peak RSS MB | "
            + " | ".join(f"{s} s (words/s)" for s in STAGES)
            + " |"
        )
        say("|" + "---|" * (13 + len(STAGES)))
        rows: list[dict[str, Any]] = []
        for size in [int(s) for s in args.sizes.split(",") if s]:
            folder = tmpdir / f"gen{size}"
            generate(folder, size)
            runs = [
                _run_child("scale", str(folder), str(tmpdir / f"out{size}-{k}"))
                for k in range(args.repeat)
            ]
            ratios = sorted(run["whole_s"] / run["spacy_s"] for run in runs)
            # Other work on the machine only ever adds time: the fastest of each is the
            # figure least disturbed by it.
            fastest = min(run["whole_s"] for run in runs) / min(run["spacy_s"] for run in runs)
            r = sorted(runs, key=lambda run: run["whole_s"] / run["spacy_s"])[len(runs) // 2]
            rows.append(r)
            quality_rows.append((f"generated {size:,}", r["words"], r["quality"]))
            ratio = r["whole_s"] / r["spacy_s"]
            ratio_cpu = r["whole_cpu"] / r["spacy_cpu"]
            mine = (r["whole_s"] - r["timings"].get("ingest", 0.0)) / r["spacy_s"]
            stage_cells = " | ".join(
                f"{r['timings'].get(s, 0.0):.2f} ({_fmt_rate(r['words'], r['timings'].get(s, 0.0))})"
                for s in STAGES
            )
            say(
                f"| {r['words']:,} | {r['documents']} | **{r['whole_s']:.2f}** "
                f"({r['whole_cpu']:.2f}) | {r['spacy_s']:.2f} ({r['spacy_cpu']:.2f}) | "
                f"**{ratio:.2f}** ({ratio_cpu:.2f}) | {ratios[0]:.2f}–{ratios[-1]:.2f} | "
                f"**{fastest:.2f}** | {'yes' if ratio <= 3 else '**no**'}; "
                f"{'yes' if fastest <= 3 else '**no**'} | "
                f"{r['parallel_write_s']:.2f} / {r['serial_write_s']:.2f} | {r['bare_s']:.2f} | "
                f"**{r['whole_s'] / r['bare_s']:.2f}** | {mine:.2f} | {r['maxrss_mb']:.0f} | "
                f"{stage_cells} |"
            )
        if len(rows) >= 2:
            first, last = rows[0], rows[-1]
            growth = (last["whole_s"] / first["whole_s"]) / (last["words"] / first["words"])
            say()
            say(
                f"Linearity: time grew {last['whole_s'] / first['whole_s']:.1f}× for "
                f"{last['words'] / first['words']:.1f}× the words (ratio {growth:.2f}; 1.00 is "
                "linear; fixed costs such as rendering make it < 1)."
            )
        say(
            "Whole run = run_analysis + write_outputs from .txt files (ingest and cleaning "
            "included, model load excluded: it is cached before). spaCy alone = nlp.pipe over "
            "the same cleaned paragraphs with the same pipeline (tokenizer + lookup lemmatizer). "
            "CPU includes the forked child that draws the full map. render and export overlap "
            "(the full map is drawn in the child while the parent draws the card and exports): "
            "render is the wall time until both pictures are written, exports included. "
            "write_outputs forked / in-process: the same outputs written again by that process, "
            "with the child and all in one process (the whole run forks only when a core is "
            "idle: load average <= cores - 1)."
        )
        say()

        # (e)
        english = tmpdir / "english"
        english.mkdir()
        for name in ENGLISH_FILES:
            if (ENGLISH / name).exists():
                (english / f"{name}.txt").write_bytes((ENGLISH / name).read_bytes())
        if any(english.iterdir()):
            e = _run_child("corpus", str(english), str(tmpdir / "e"), "en")
            quality_rows.append(("licence texts (en)", e["words"], e["quality"]))
            english_top = e["quality"]["top40"]
        else:
            english_top = []
        say("### (e) Map quality (issue 13)")
        say()
        say(
            "| corpus | words | top 40 not noun phrases (goal 0 %) | links touching the two "
            "biggest hubs (goal <= 25 %) | micro clusters < 4 terms (goal 0) | clusters | "
            "card labels | label overlaps on the card (goal 0) |"
        )
        say("|---|---|---|---|---|---|---|---|")
        for name, n_words, q in quality_rows:
            flagged = f" ({', '.join(q['not_np'])})" if q["not_np"] else ""
            say(
                f"| {name} | {n_words:,} | **{q['not_np_share']:.0%}**{flagged} | "
                f"**{q['hub_share']:.0%}** ({' · '.join(q['hubs'])}) | **{len(q['micro'])}** | "
                f"{q['clusters']} | {q['card_labels']} | **{q['overlaps']}** |"
            )
        if english_top:
            say()
            say("- English, the 40 strongest terms: " + ", ".join(english_top))
        say()

        # (d)
        say("### (d) textnets")
        if args.textnets_python and Path(args.textnets_python).exists():
            folder = tmpdir / "textnets"
            generate(folder, args.textnets_words, seed=2)
            ours = _run_child("scale", str(folder), str(tmpdir / "ours-textnets"))
            try:
                t = _run_child(
                    "textnets",
                    str(folder),
                    python=args.textnets_python,
                    timeout=args.textnets_timeout,
                )
                say(
                    f"- {ours['words']:,} words: textnets {t['whole_s']:.1f} s (build "
                    f"{t['build_s']:.1f} s, draw {t['draw_s']:.1f} s, peak RSS "
                    f"{t['maxrss_mb']:.0f} MB) vs ours {ours['whole_s']:.2f} s: "
                    f"**{t['whole_s'] / ours['whole_s']:.0f}× faster**"
                )
            except subprocess.TimeoutExpired:
                say(
                    f"- {ours['words']:,} words: textnets did not finish in "
                    f"{args.textnets_timeout:.0f} s; ours {ours['whole_s']:.2f} s: "
                    f"**more than {args.textnets_timeout / ours['whole_s']:.0f}× faster**"
                )
            except RuntimeError as exc:
                say(f"- textnets did not run: {str(exc).splitlines()[-1][:200]}")
        else:
            say("- skipped: give --textnets-python (a throwaway venv with textnets installed)")
        say()

    if not args.no_record:
        path = append_result("analysis", "\n".join(lines) + "\n\n")
        print(f"appended to {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
