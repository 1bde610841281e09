"""`workshopbot analyze PATH... --out DIR`: the term map of a folder of assignments.

Writes network.png, network-card.png, network.svg, network.gexf, network.graphml, terms.csv
and network.json into DIR, shows a progress bar per stage on stderr when it is a terminal,
and ends with a short report. ``--store NAME`` also stores the map in the database.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from bot.cli import CommandError

__all__ = ["ProgressBars", "register", "run"]

log = logging.getLogger(__name__)

UNITS = ("document", "paragraph", "sentence")
WEIGHTS = ("count", "association", "jaccard")


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add the ``analyze`` command."""
    p = subparsers.add_parser(
        "analyze",
        help="build the term network map of a folder of assignments",
        description="Read .txt, .md, .docx and .pdf files (folders recursively), clean and "
        "redact them, and draw the network of their terms: network.png, network-card.png, "
        "network.svg, network.gexf, network.graphml, terms.csv and network.json in --out. "
        "The language (Danish or English) is detected per document and per paragraph: the map "
        "is in the language with the most words; documents, paragraphs and quotations in "
        "another language are left out of it and reported. --lang da or --lang en forces "
        "one language for every text.",
    )
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders")
    p.add_argument("--out", required=True, type=Path, metavar="DIR", help="output folder")
    p.add_argument(
        "--meta",
        type=Path,
        metavar="FILE",
        help="CSV of per-file variables (first column the file name)",
    )
    p.add_argument("--variable", metavar="NAME", help="draw a metadata variable's values as nodes")
    p.add_argument(
        "--unit",
        default="paragraph",
        metavar="{" + ",".join(UNITS) + "}",
        help="where terms co-occur (default: paragraph)",
    )
    p.add_argument(
        "--max-terms", type=int, default=150, metavar="N", help="terms on the map (default 150)"
    )
    p.add_argument(
        "--weight",
        default="association",
        metavar="{" + ",".join(WEIGHTS) + "}",
        help="edge weight (default: association)",
    )
    p.add_argument("--model", metavar="NAME", help="a trained spaCy pipeline to use")
    p.add_argument(
        "--lang",
        default=None,
        metavar="{da,en}",
        help="force the language: every text is read as Danish (da) or English (en); "
        "default: detected per document and paragraph",
    )
    p.add_argument("--seed", type=int, default=42, metavar="N", help="seed (default 42)")
    p.add_argument(
        "--keep-reflection",
        action="store_true",
        help="keep reflection sections (removed by default)",
    )
    p.add_argument(
        "--keep-references",
        action="store_true",
        help="keep literature lists, references and source lists (removed by default)",
    )
    p.add_argument("--redact-names", type=Path, metavar="FILE", help="names to redact, one a line")
    p.add_argument("--stop-terms", type=Path, metavar="FILE", help="terms to leave out, one a line")
    p.add_argument(
        "--synonyms",
        type=Path,
        metavar="FILE",
        help="lines 'variant = canonical' (or CSV variant,canonical)",
    )
    p.add_argument("--title", metavar="TEXT", help="a title above the map")
    p.add_argument("--store", metavar="NAME", help="also store the map in the database as NAME")
    p.add_argument(
        "--replace", action="store_true", help="with --store: replace a stored map of that name"
    )
    p.set_defaults(func=run)


class ProgressBars:
    """A ``progress(stage, done, total)`` callback drawing one tqdm bar per stage."""

    def __init__(self, stream: TextIO, *, enabled: bool) -> None:
        self.stream = stream
        self.enabled = enabled
        self.bars: dict[str, Any] = {}
        self.finished: set[str] = set()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled or stage in self.finished:
            return
        from tqdm import tqdm

        bar = self.bars.get(stage)
        if bar is None:
            import shutil

            # A terminal that reports no width (a bare pty) would get an empty bar.
            width = shutil.get_terminal_size((100, 20)).columns or 100
            bar = tqdm(
                ncols=max(60, min(width, 100)),
                total=total,
                desc=f"{stage:<8}",
                file=self.stream,
                mininterval=0.2,
                leave=True,
                bar_format="{desc} {percentage:3.0f}%|{bar:30}| {n_fmt}/{total_fmt} [{elapsed}]",
            )
            self.bars[stage] = bar
        if bar.total != total:
            bar.total = total
        bar.n = min(done, total)
        bar.refresh()
        if done >= total and total > 0 and (total > 1 or done == 1):
            bar.close()
            self.finished.add(stage)

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()


def _read_lists(args: argparse.Namespace) -> dict[str, Any]:
    from analysis.redact import read_names_file
    from analysis.terms import read_stop_terms, read_synonyms

    for flag, path in (
        ("--meta", args.meta),
        ("--redact-names", args.redact_names),
        ("--stop-terms", args.stop_terms),
        ("--synonyms", args.synonyms),
    ):
        if path is not None and not path.is_file():
            raise CommandError(f"{flag} {path}: no such file; give the path of an existing file")
    return {
        "stop_terms": tuple(read_stop_terms(args.stop_terms)) if args.stop_terms else (),
        "synonyms": read_synonyms(args.synonyms) if args.synonyms else {},
        "redact_names": tuple(read_names_file(args.redact_names)) if args.redact_names else (),
    }


def _store(name: str, paths: dict[str, Path], data: dict[str, Any], *, replace: bool) -> str:
    """Store the written files in the database; returns the map's token."""
    from storage.maps import save_map
    from storage.open import run_with_database

    png = paths["png"].read_bytes()
    card_png = paths["card"].read_bytes()
    svg = paths["svg"].read_text(encoding="utf-8")
    gexf = paths["gexf"].read_text(encoding="utf-8")
    terms_csv = paths["csv"].read_text(encoding="utf-8-sig")
    record = run_with_database(
        lambda db: save_map(
            db,
            name=name,
            png=png,
            card_png=card_png,
            svg=svg,
            gexf=gexf,
            terms_csv=terms_csv,
            data=data,
            replace=replace,
        )
    )
    return str(record.token)


def _check_store_name(name: str, *, replace: bool) -> None:
    """Fail before the analysis, not after it, when the map name is taken (or no database)."""
    from storage.db import Database
    from storage.errors import NotFound
    from storage.maps import get_map_by_name
    from storage.open import run_with_database

    async def check(db: Database) -> None:
        try:
            await get_map_by_name(db, name)
        except NotFound:
            return
        if not replace:
            raise CommandError(
                f"--store {name!r}: a map with that name exists already; choose another "
                "name or add --replace"
            )

    run_with_database(check)


def _seconds(value: float) -> str:
    return f"{value:.2f} s"


def run(args: argparse.Namespace) -> int:
    """Run the analysis and print the report (stdout); progress goes to stderr."""
    from analysis.pipeline import AnalysisOptions, run_analysis, write_outputs

    lists = _read_lists(args)
    options = AnalysisOptions(
        lang=args.lang,
        model=args.model,
        unit=args.unit,
        max_terms=args.max_terms,
        weight=args.weight,
        seed=args.seed,
        variable=args.variable,
        keep_reflection=args.keep_reflection,
        keep_references=args.keep_references,
        meta=args.meta,
        **lists,
    )
    for path in args.paths:
        if not path.exists():
            raise CommandError(f"{path}: no such file or folder; give files or folders to analyse")
    if args.store:
        _check_store_name(args.store, replace=args.replace)
    bars = ProgressBars(sys.stderr, enabled=sys.stderr.isatty())
    start = time.perf_counter()
    with contextlib.ExitStack() as stack:
        if bars.enabled:
            from tqdm.contrib.logging import logging_redirect_tqdm

            stack.enter_context(logging_redirect_tqdm())  # log lines above the bars
        stack.callback(bars.close)
        result = run_analysis(list(args.paths), options=options, progress=bars)
        written = write_outputs(result, args.out, title=args.title, progress=bars)
    total = time.perf_counter() - start

    stats = result.stats
    out = sys.stdout
    if result.language is not None:
        print(f"Languages: {result.language.found_line()}.", file=out)
        for line in result.language.decision_lines():
            print(line, file=out)
    print(
        f"Analysed {stats.documents} documents ({stats.skipped} skipped): "
        f"{stats.words:,} words in {stats.units:,} {stats.unit}s.",
        file=out,
    )
    for skipped in result.skipped:
        print(f"  skipped {skipped.path}: {skipped.reason}", file=out)
    print(
        f"Map: {stats.nodes} terms, {stats.edges} links, {stats.clusters} clusters "
        f"(modularity {stats.modularity:.2f}):",
        file=out,
    )
    for cluster in result.network.clusters:
        print(f"  {cluster.id + 1}. {cluster.name} ({cluster.size} terms)", file=out)
    if result.network.variable:
        print(
            f"  variable {result.network.variable}: "
            + ", ".join(
                str(result.network.graph.nodes[v]["label"]) for v in result.network.variable_nodes()
            ),
            file=out,
        )
    timings = {**result.timings, **written.timings}
    print(
        "Time: "
        + " · ".join(f"{stage} {_seconds(seconds)}" for stage, seconds in timings.items())
        + f" · total {_seconds(total)}",
        file=out,
    )
    print(
        f"Wrote {args.out}: " + ", ".join(p.name for p in written.paths.values()),
        file=out,
    )
    if args.store:
        token = _store(
            args.store,
            written.paths,
            result.to_json(timings=written.timings),
            replace=args.replace,
        )
        print(f"Stored as map {args.store!r} (token {token}).", file=out)
    return 0
