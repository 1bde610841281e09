"""Save or compare what the analysis makes of a corpus, to prove a speed change kept it.

    python bench/outputs_snapshot.py save DIR      # before a change
    python bench/outputs_snapshot.py check DIR     # after: exit 1 and name what differs

Corpora: the sample corpus (``WORKSHOPBOT_CORPUS``) and generated 100k/300k-word corpora
(:func:`bench.analysis.generate`). Per corpus it keeps terms.csv (terms, counts, scores,
clusters), the cluster assignment, the cleaned paragraphs, the term × unit matrix, the
statistics and the language report — all must be byte-identical after a change.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(ROOT))

from bench.analysis import generate  # noqa: E402

CORPUS = Path(os.environ.get("WORKSHOPBOT_CORPUS", ROOT.parent / "shared" / "corpus"))


def _corpora() -> dict[str, Path]:
    corpora = {"sample": CORPUS}
    for words in (100_000, 300_000):
        folder = Path(f"/tmp/snapshot_gen{words // 1000}k")
        if not folder.exists():
            generate(folder, words)
        corpora[f"gen{words // 1000}k"] = folder
    return corpora


def _outputs(folder: Path) -> dict[str, str]:
    from analysis import export
    from analysis.pipeline import AnalysisOptions, run_analysis

    result = run_analysis([folder], options=AnalysisOptions())
    matrix = result.table.matrix
    clusters = [f"{c.id}\t{c.name}\t{' | '.join(c.nodes)}" for c in result.network.clusters]
    paragraphs = [f"{d.id}\t{i}\t{p}" for d in result.documents for i, p in enumerate(d.paragraphs)]
    return {
        "terms.csv": export.terms_csv(result.terms, result.network),
        "clusters.txt": "\n".join(clusters),
        "paragraphs.txt": "\n".join(paragraphs),
        "matrix.txt": hashlib.sha256(
            matrix.indptr.tobytes() + matrix.indices.tobytes() + matrix.data.tobytes()
        ).hexdigest()
        + f" {matrix.shape}",
        "stats.txt": repr(result.stats) + "\n" + repr(result.language),
        "table.txt": f"{result.table.n_tokens} {result.table.n_words} "
        f"{result.table.n_candidates} {list(result.table.unit_documents)}",
    }


def main() -> int:
    mode, target = sys.argv[1], Path(sys.argv[2])
    differ = []
    for name, folder in _corpora().items():
        for file, text in _outputs(folder).items():
            path = target / name / file
            if mode == "save":
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
            elif path.read_text(encoding="utf-8") != text:
                differ.append(f"{name}/{file}")
                path.with_suffix(".new").write_text(text, encoding="utf-8")
    if differ:
        print("DIFFERENT:", ", ".join(differ))
        return 1
    print("saved" if mode == "save" else "identical")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
