"""The whole analysis in one call: files (or documents) in, a map and its files out.

:func:`run_analysis` runs ingest and cleaning, terms, network and layout; :func:`write_outputs`
renders and exports. Both are synchronous and CPU-bound: the bot calls them in a worker
thread (``asyncio.to_thread``). Progress is reported through a callback
``progress(stage, done, total)``, and each stage's time is kept in ``timings``.
"""

from __future__ import annotations

import logging
import os
import select
import signal
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from analysis import export, render
from analysis.documents import Document, IngestReport, SkippedFile
from analysis.errors import InvalidParameter, NoUsableDocuments
from analysis.language import LanguageReport, other_language_stop_words, split_languages
from analysis.layout import Layout, compute_layout
from analysis.network import WEIGHTS, TermNetwork, Weight, build_network
from analysis.nlp import LANGUAGES, Lang, load_pipeline
from analysis.terms import UNITS, Term, TermTable, Unit, extract_term_table

__all__ = [
    "OUTPUT_FILES",
    "STAGES",
    "AnalysisOptions",
    "AnalysisResult",
    "CorpusStats",
    "OutputFiles",
    "Progress",
    "run_analysis",
    "write_outputs",
]

log = logging.getLogger(__name__)

#: ``progress(stage, done, total)``: ``done`` of ``total`` steps of ``stage`` are finished.
Progress = Callable[[str, int, int], None]

#: Stage names, in the order they run.
STAGES = ("ingest", "language", "terms", "network", "layout", "render", "export")

#: The files :func:`write_outputs` writes, by role.
OUTPUT_FILES = {
    "png": "network.png",
    "card": "network-card.png",
    "svg": "network.svg",
    "gexf": "network.gexf",
    "graphml": "network.graphml",
    "csv": "terms.csv",
    "json": "network.json",
}


@dataclass(frozen=True)
class AnalysisOptions:
    """Everything that shapes a map (checked when created).

    Attributes:
        lang: Language of the map (``"da"`` or ``"en"``), forced: every text is read as
            it. ``None`` (the default): detected, see :mod:`analysis.language` (the map is
            in the language with the most words; other-language documents, paragraphs and
            quotations are left out of it and reported).
        model: A trained spaCy pipeline to use (name or path); ``None``: built-in lemmas.
        unit: Co-occurrence context: ``"document"``, ``"paragraph"`` or ``"sentence"``.
        max_terms: Terms on the map (the best ranked).
        weight: Edge weight: ``"count"``, ``"association"`` or ``"jaccard"``.
        seed: Seed for clustering and layout: the same seed gives the same map.
        variable: A metadata variable whose values become extra nodes.
        min_cooccurrence: Fewest shared units for an edge.
        edges_per_node: How many strongest links each term keeps (without ``threshold``).
        threshold: Lowest edge weight kept, instead of ``edges_per_node``.
        stop_terms: Terms never to show.
        synonyms: ``{variant: canonical}`` merged before counting.
        keep_reflection: Keep reflection sections (removed by default).
        keep_references: Keep reference sections: literature lists, references, source
            lists (removed by default).
        redact_names: Names to redact before anything is counted.
        meta: A CSV of per-file metadata (first column the file name).
        layout_iterations: ForceAtlas2 iterations.
    """

    lang: Lang | None = None
    model: str | None = None
    unit: Unit = "paragraph"
    max_terms: int = 150
    weight: Weight = "association"
    seed: int = 42
    variable: str | None = None
    min_cooccurrence: int = 2
    edges_per_node: float = 3.0
    threshold: float | None = None
    stop_terms: tuple[str, ...] = ()
    synonyms: Mapping[str, str] = field(default_factory=dict)
    keep_reflection: bool = False
    keep_references: bool = False
    redact_names: tuple[str, ...] = ()
    meta: Path | None = None
    layout_iterations: int = 300

    def __post_init__(self) -> None:
        if self.lang is not None and self.lang not in LANGUAGES:
            raise InvalidParameter(
                f"lang = {self.lang!r} is not supported; use one of {', '.join(LANGUAGES)}"
            )
        if self.unit not in UNITS:
            raise InvalidParameter(
                f"unit = {self.unit!r} is not valid; use one of {', '.join(UNITS)}"
            )
        if self.weight not in WEIGHTS:
            raise InvalidParameter(
                f"weight = {self.weight!r} is not valid; use one of {', '.join(WEIGHTS)}"
            )
        if isinstance(self.max_terms, bool) or not 1 <= self.max_terms <= 2000:
            raise InvalidParameter(
                f"max_terms = {self.max_terms} is invalid; it must be between 1 and 2000"
            )
        if self.seed < 0:
            raise InvalidParameter(f"seed = {self.seed} is invalid; it must be >= 0")
        if self.min_cooccurrence < 1:
            raise InvalidParameter(
                f"min_cooccurrence = {self.min_cooccurrence} is invalid; it must be >= 1"
            )
        if self.edges_per_node <= 0:
            raise InvalidParameter(
                f"edges_per_node = {self.edges_per_node} is invalid; it must be > 0"
            )
        if self.threshold is not None and self.threshold < 0:
            raise InvalidParameter(f"threshold = {self.threshold} is invalid; it must be >= 0")
        if self.layout_iterations < 1:
            raise InvalidParameter(
                f"layout_iterations = {self.layout_iterations} is invalid; it must be >= 1"
            )
        if isinstance(self.stop_terms, str) or isinstance(self.redact_names, str):
            raise InvalidParameter("stop_terms and redact_names must be sequences, not a string")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready options (names to redact are counted, never written out)."""
        data = asdict(self)
        data["meta"] = str(self.meta) if self.meta is not None else None
        data["synonyms"] = dict(self.synonyms)
        data["stop_terms"] = list(self.stop_terms)
        data["redact_names"] = len(self.redact_names)
        return data


@dataclass(frozen=True)
class CorpusStats:
    """Counts that describe the corpus and the map."""

    documents: int
    skipped: int
    words: int
    tokens: int
    units: int
    unit: Unit
    candidates: int
    terms: int
    nodes: int
    edges: int
    clusters: int
    modularity: float

    def caption(self, lang: str = "da") -> str:
        """What the map is made of and its statistics, for under the map (Danish or English).

        >>> stats = CorpusStats(3, 0, 25957, 30000, 1403, "paragraph", 900, 150, 142, 277, 10, 0.7)
        >>> stats.caption("en")
        'Nouns and noun phrases, linked when they occur in the same paragraph · 3 documents · 25\u202f957 words · 142 terms · 277 links · 10 clusters'
        """
        if lang == "da":
            names = {"document": "dokument", "paragraph": "afsnit", "sentence": "sætning"}
            made = "Navneord og navneordsfraser, forbundet når de står i samme {unit}"
            words = ("dokumenter", "ord", "termer", "forbindelser", "klynger")
        else:
            names = {"document": "document", "paragraph": "paragraph", "sentence": "sentence"}
            made = "Nouns and noun phrases, linked when they occur in the same {unit}"
            words = ("documents", "words", "terms", "links", "clusters")
        parts = [
            made.format(unit=names[self.unit]),
            f"{self.documents} {words[0]}",
            f"{self.words:,} {words[1]}".replace(",", "\u202f"),
            f"{self.nodes} {words[2]}",
            f"{self.edges} {words[3]}",
            f"{self.clusters} {words[4]}",
        ]
        return " · ".join(parts)


@dataclass(frozen=True)
class AnalysisResult:
    """What :func:`run_analysis` produced.

    Attributes:
        options: The options used.
        terms: Ranked terms (at most ``max_terms``).
        network: The term network with clusters.
        layout: Node positions and radii.
        stats: Corpus and map statistics.
        documents: The documents analysed (cleaned and redacted).
        skipped: Files that could not be used, and why.
        timings: Seconds per stage (``ingest``, ``language``, ``terms``, ``network``,
            ``layout``).
        table: The term × unit matrix behind the map.
        language: What language detection found and left out (``None`` for results made
            before detection existed).
    """

    options: AnalysisOptions
    terms: tuple[Term, ...]
    network: TermNetwork
    layout: Layout
    stats: CorpusStats
    documents: tuple[Document, ...]
    skipped: tuple[SkippedFile, ...]
    timings: dict[str, float]
    table: TermTable
    language: LanguageReport | None = None

    @property
    def caption(self) -> str:
        return self.stats.caption(self.lang)

    @property
    def lang(self) -> Lang:
        return self.options.lang or "da"

    def to_json(self, *, timings: Mapping[str, float] | None = None) -> dict[str, Any]:
        """The whole result as JSON-ready data (network.json); no document text."""
        return export.network_to_json(
            self.network,
            self.layout,
            terms=self.terms,
            parameters=self.options.to_dict(),
            statistics=asdict(self.stats),
            extra={
                "caption": self.caption,
                "timings": {k: round(v, 4) for k, v in {**self.timings, **(timings or {})}.items()},
                "documents": [
                    {"id": d.id, "metadata": dict(d.metadata), "warnings": list(d.warnings)}
                    for d in self.documents
                ],
                "skipped": [{"path": str(s.path), "reason": s.reason} for s in self.skipped],
                **({"language": self.language.to_dict()} if self.language is not None else {}),
            },
        )


@dataclass(frozen=True)
class OutputFiles:
    """The files :func:`write_outputs` wrote (by role, see ``OUTPUT_FILES``) and its timings."""

    paths: dict[str, Path]
    timings: dict[str, float]


class _Clock:
    def __init__(self, progress: Progress | None) -> None:
        self.timings: dict[str, float] = {}
        self.progress = progress

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        if self.progress is not None:
            self.progress(name, 0, 1)
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start
        if self.progress is not None:
            self.progress(name, 1, 1)

    def report(self, name: str) -> Callable[[int, int], None] | None:
        progress = self.progress
        if progress is None:
            return None

        def forward(done: int, total: int) -> None:
            progress(name, done, total)

        return forward


def _ingest(paths: Sequence[Path], options: AnalysisOptions, clock: _Clock) -> IngestReport:
    """Read and clean files with the ingest stage."""
    from analysis.clean import CleanOptions
    from analysis.ingest import ingest

    return ingest(
        list(paths),
        meta=options.meta,
        clean_options=CleanOptions(
            keep_reflection=options.keep_reflection,
            keep_references=options.keep_references,
            redact_names=tuple(options.redact_names),
            # Undetected yet: placeholders are Danish; no placeholder ever becomes a term.
            lang=options.lang or "da",
        ),
        progress=clock.report("ingest"),
    )


def run_analysis(
    source: Sequence[Path | str] | Sequence[Document] | IngestReport,
    *,
    options: AnalysisOptions | None = None,
    progress: Progress | None = None,
) -> AnalysisResult:
    """Build the term map of a corpus.

    Args:
        source: Files and folders to read, ready :class:`Document` objects, or an
            :class:`IngestReport`.
        options: What shapes the map; defaults to :class:`AnalysisOptions()`.
        progress: ``progress(stage, done, total)`` callback (see ``STAGES``).

    Returns:
        The result: terms, network, layout, statistics and timings.

    Raises:
        NoUsableDocuments: Nothing usable was found (or no term occurs twice).
        InvalidParameter: An option is invalid (e.g. an unknown variable or model).
        UnreadableInput: A path does not exist or a list file cannot be read.
    """
    options = options or AnalysisOptions()
    clock = _Clock(progress)
    with clock.stage("ingest"):
        if isinstance(source, IngestReport):
            report = source
        elif source and all(isinstance(s, Document) for s in source):
            report = IngestReport(documents=tuple(s for s in source if isinstance(s, Document)))
        elif all(isinstance(s, str | Path) for s in source):
            paths = [Path(s) for s in source if isinstance(s, str | Path)]
            if not paths:
                raise NoUsableDocuments("no input given; name at least one file or folder")
            report = _ingest(paths, options, clock)
        else:
            raise InvalidParameter("source must be paths, or Document objects, not a mixture")
    documents = tuple(d for d in report.documents if d.text.strip())
    if not documents:
        reasons = "; ".join(f"{s.path.name}: {s.reason}" for s in report.skipped[:5])
        raise NoUsableDocuments(
            "no usable documents"
            + (f" ({len(report.skipped)} skipped: {reasons})" if report.skipped else "")
            + "; give .txt, .md, .docx or .pdf files with text"
        )
    if options.variable is not None and not any(options.variable in d.metadata for d in documents):
        names = sorted({k for d in documents for k in d.metadata})
        raise InvalidParameter(
            f"variable = {options.variable!r} is not in the metadata; "
            + (f"available: {', '.join(names)}" if names else "give a --meta CSV file")
        )

    documents, options, language = _language_step(documents, options, clock)
    assert options.lang is not None  # the language step always settles it

    with clock.stage("terms"):
        nlp = load_pipeline(lang=options.lang, model=options.model)
        table = extract_term_table(
            documents,
            nlp=nlp,
            unit=options.unit,
            max_terms=options.max_terms,
            stop_terms=options.stop_terms,
            synonyms=options.synonyms,
            progress=clock.report("terms"),
        )
    if not table.terms:
        raise NoUsableDocuments(
            f"no term occurs twice in the {len(documents)} documents "
            f"({table.n_words} words); give more text"
        )
    with clock.stage("network"):
        network = build_network(
            table,
            weight=options.weight,
            min_cooccurrence=options.min_cooccurrence,
            threshold=options.threshold,
            edges_per_node=options.edges_per_node,
            seed=options.seed,
            variable=options.variable,
        )
    if network.graph.number_of_nodes() == 0:
        raise NoUsableDocuments(
            f"no two terms share {options.min_cooccurrence} {options.unit}s, so there is no "
            "map to draw; use a smaller unit (--unit paragraph or sentence) or add documents"
        )
    with clock.stage("layout"):
        layout = compute_layout(network, seed=options.seed, max_iter=options.layout_iterations)
    graph = network.graph
    stats = CorpusStats(
        documents=len(documents),
        skipped=len(report.skipped),
        words=table.n_words,
        tokens=table.n_tokens,
        units=table.n_units,
        unit=options.unit,
        candidates=table.n_candidates,
        terms=len(table.terms),
        nodes=len(network.term_nodes()),
        edges=graph.number_of_edges(),
        clusters=len(network.clusters),
        modularity=round(network.modularity, 4),
    )
    log.info(
        "analysed %d documents (%d skipped): %d terms, %d clusters",
        stats.documents,
        stats.skipped,
        stats.nodes,
        stats.clusters,
    )
    return AnalysisResult(
        options=options,
        terms=table.terms,
        network=network,
        layout=layout,
        stats=stats,
        documents=documents,
        skipped=tuple(report.skipped),
        timings=dict(clock.timings),
        table=table,
        language=language,
    )


def _language_step(
    documents: tuple[Document, ...], options: AnalysisOptions, clock: _Clock
) -> tuple[tuple[Document, ...], AnalysisOptions, LanguageReport]:
    """Detect the languages, keep the map language's text, and fix ``options.lang`` to it.

    When the language was detected, the other language's function words join
    ``options.stop_terms`` (so network.json's parameters list them).

    Raises:
        NoUsableDocuments: No document is in Danish or English.
    """
    with clock.stage("language"):
        split = split_languages(documents, lang=options.lang)
    report = split.report
    if not split.documents:
        raise NoUsableDocuments(
            f"no Danish or English text to map ({report.found_line()}); workshopbot analyses "
            "Danish and English: give --lang da or --lang en to read the documents as one of "
            "them anyway"
        )
    stop_terms = tuple(options.stop_terms)
    if not report.forced:
        # Function words of the other language left inside kept paragraphs (an English
        # title in a Danish sentence) never become terms of this map.
        added = other_language_stop_words(report.lang) - set(stop_terms)
        stop_terms += tuple(sorted(added))
    return split.documents, replace(options, lang=report.lang, stop_terms=stop_terms), report


def write_outputs(
    result: AnalysisResult,
    out_dir: Path | str,
    *,
    title: str | None = None,
    progress: Progress | None = None,
    parallel: bool | None = None,
) -> OutputFiles:
    """Render and export a result into ``out_dir`` (created if missing).

    Writes network.png, network-card.png (≤ 1024 px a side, < 1 MB), network.svg,
    network.gexf, network.graphml, terms.csv and network.json.

    With ``parallel`` the full map (PNG and SVG) is drawn in a forked child process while
    this process draws the card and writes the exports; the stages then overlap:
    ``timings["render"]`` is the wall time until both pictures are written, the exports
    included, and ``timings["export"]`` the time spent exporting. By default (``None``) the
    child is forked only when a core is idle (load average below the core count less one):
    on a busy machine the child only competes for the same cores and copies pages, which
    measured slower (bench/results/analysis.md). Without ``os.fork``, or when the child
    fails, everything is done in this process; the files are the same either way.

    Args:
        result: From :func:`run_analysis`.
        out_dir: The folder.
        title: A title drawn above the map.
        progress: ``progress(stage, done, total)`` for ``render`` and ``export``.
        parallel: Draw the full map in a child process beside the card (``None``: when a
            core is idle).

    Returns:
        The paths by role and the seconds spent rendering and exporting.

    Raises:
        UnreadableInput: ``out_dir`` cannot be created or written.
    """
    from analysis.errors import UnreadableInput

    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UnreadableInput(f"cannot create the output folder {out}: {exc.strerror}") from exc
    clock = _Clock(progress)
    paths = {role: out / name for role, name in OUTPUT_FILES.items()}
    common: dict[str, Any] = {"caption": result.caption, "title": title, "lang": result.lang}

    def full_map() -> None:
        figure = render.render_figure(result.network, result.layout, size="full", **common)
        png = render.start_png(figure, size="full")
        paths["svg"].write_bytes(render.save_figure(figure, "svg", size="full"))
        paths["png"].write_bytes(png())

    try:
        with clock.stage("render"):
            fork = _a_core_is_idle() if parallel is None else parallel
            full = _Forked(full_map, fork=fork)
            card = render.render_figure(result.network, result.layout, size="card", **common)
            card_png = render.start_png(card, size="card")
            with clock.stage("export"):
                export.write_gexf(result.network, result.layout, paths["gexf"])
                export.write_graphml(result.network, result.layout, paths["graphml"])
                export.write_terms_csv(result.terms, result.network, paths["csv"])
            paths["card"].write_bytes(card_png())
            full.wait()
        with clock.stage("export"):
            export.write_json(result.to_json(timings=clock.timings), paths["json"])
    except OSError as exc:
        raise UnreadableInput(f"cannot write into {out}: {exc.strerror}") from exc
    return OutputFiles(paths=paths, timings={k: clock.timings[k] for k in ("render", "export")})


def _a_core_is_idle() -> bool:
    """Whether a forked child would get a core of its own (1-minute load average)."""
    cores = os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]
    except OSError:  # not available here
        return False
    return cores >= 2 and load <= cores - 1


class _Forked:
    """``work()`` run in a forked child process, beside this one (Linux).

    The child inherits the result and matplotlib already imported, does the work (it writes
    files) and leaves with ``os._exit``, so none of the parent's clean-up runs twice. If
    forking is not possible, the child fails or it takes longer than ``timeout`` seconds,
    :meth:`wait` does the work in this process instead: the files are written either way,
    and a failure raises here with its real cause.
    """

    def __init__(self, work: Callable[[], None], *, fork: bool = True, timeout: float = 300.0):
        self._work = work
        self._timeout = timeout
        self._pid = 0
        self._pipe = -1
        if not (fork and sys.platform.startswith("linux") and hasattr(os, "fork")):
            return
        from matplotlib.figure import Figure

        read, write = os.pipe()
        # No other thread may be drawing a figure (inside matplotlib's lock) when the
        # process is copied, or the child would wait on that lock forever.
        with Figure._render_lock:  # type: ignore[attr-defined]
            pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child; checked by its files
            os.close(read)
            code = 1
            try:
                work()
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        self._pid, self._pipe = pid, read

    def wait(self) -> None:
        """Wait for the child (or do the work here when there is none or it failed)."""
        if not self._pid:
            self._work()
            return
        try:
            # The pipe's write end closes when the child exits: readable means done.
            done, _, _ = select.select([self._pipe], [], [], self._timeout)
            if not done:
                log.warning(
                    "the full map took over %.0f s in a child; drawing it here", self._timeout
                )
                os.kill(self._pid, signal.SIGKILL)
            _, status = os.waitpid(self._pid, 0)
        finally:
            os.close(self._pipe)
            self._pid = 0
        if not done or os.waitstatus_to_exitcode(status) != 0:
            if done:
                log.warning("the child drawing the full map failed; drawing it here")
            self._work()
