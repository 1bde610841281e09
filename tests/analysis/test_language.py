"""Language detection: Danish, English, the mixed texts in between, and the rest (issue 18).

Real material throughout: the Danish sample corpus, the English licence texts Debian ships,
a Danish thesis written as a .docx with an English abstract and English quotations, and
short answers of the kind participants type (tests/analysis/language_material.py).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.lang.da.stop_words import STOP_WORDS as DANISH_STOP_WORDS
from spacy.lang.en.stop_words import STOP_WORDS as ENGLISH_STOP_WORDS

from analysis.documents import Document
from analysis.errors import NoUsableDocuments
from analysis.ingest import ingest
from analysis.language import (
    CLEAR_WORDS,
    UnsupportedLanguage,
    answer_language,
    detect_language,
    speech_language,
    split_languages,
)
from analysis.pipeline import AnalysisOptions, run_analysis
from analysis.terms import Term
from tests.analysis.language_material import (
    AMBIGUOUS_ANSWERS,
    DANISH_ANSWERS,
    ENGLISH_ANSWERS,
    GERMAN_LONG,
    NORWEGIAN_LONG,
    NORWEGIAN_SHORT,
    OTHER_SENTENCES,
    SWEDISH_LONG,
    THESIS_ABSTRACT,
    THESIS_BLOCK_QUOTES,
    THESIS_DANISH,
    english_words_only,
    write_thesis_docx,
)

LICENCES = ("Apache-2.0", "GPL-3", "LGPL-3", "MPL-2.0", "GFDL-1.3", "Artistic", "CC0-1.0")
COMMON_LICENSES = Path("/usr/share/common-licenses")

#: The one English paragraph of the Danish sample corpus.
MOTTO = "The best way to predict your future is to create it."
MIN_WORDS = 6

#: English function words on a Danish map: spaCy's English stop list, less the words that
#: are Danish too (a Danish "i" or "at" on a Danish map is not an English word).
ENGLISH_FUNCTION_WORDS = frozenset(ENGLISH_STOP_WORDS) - frozenset(DANISH_STOP_WORDS)


def _term_words(terms: Iterable[Term]) -> set[str]:
    """Every word of the terms as written and every lemma behind them."""
    return {w for t in terms for w in (*t.label.lower().split(), *t.key)}


@pytest.fixture(scope="module")
def licence_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seven licence texts as .txt files (the way a user would collect them)."""
    missing = [n for n in LICENCES if not (COMMON_LICENSES / n).is_file()]
    if missing:
        pytest.skip(f"{COMMON_LICENSES} lacks {', '.join(missing)} (Debian's base-files)")
    folder = tmp_path_factory.mktemp("licences")
    for name in LICENCES:
        shutil.copy(COMMON_LICENSES / name, folder / f"{name}.txt")
    return folder


# --------------------------------------------------------------------------- short texts


def test_short_danish_answers_are_danish_never_norwegian_or_refused() -> None:
    wrong = [a for a in DANISH_ANSWERS if detect_language(a).lang != "da"]
    assert wrong == []
    flipped = [a for a in DANISH_ANSWERS if answer_language(a, workshop="da") != "da"]
    assert flipped == []


def test_english_answers_in_a_danish_workshop_are_analysed_as_english() -> None:
    # Recall on answers that carry English function words, and precision on Danish ones
    # (above): no Danish answer is taken for English.
    missed = [a for a in ENGLISH_ANSWERS if answer_language(a, workshop="da") != "en"]
    assert missed == []
    assert all(detect_language(a).lang == "en" for a in ENGLISH_ANSWERS)


def test_danish_answers_in_an_english_workshop_are_analysed_as_danish() -> None:
    # Answers with at least two Danish function words: all of them must be recognised.
    from analysis.language import _screen

    telling = [a for a in DANISH_ANSWERS if _screen(a).da >= 2]
    assert len(telling) >= 15
    assert [a for a in telling if answer_language(a, workshop="en") != "da"] == []
    assert [a for a in ENGLISH_ANSWERS if answer_language(a, workshop="en") != "en"] == []


@pytest.mark.parametrize("answer", AMBIGUOUS_ANSWERS)
def test_answers_that_do_not_tell_stay_in_the_workshop_language(answer: str) -> None:
    assert answer_language(answer, workshop="da") == "da"
    assert answer_language(answer, workshop="en") == "en"


@pytest.mark.parametrize("text", NORWEGIAN_SHORT)
def test_short_norwegian_is_read_as_danish_the_closest(text: str) -> None:
    found = detect_language(text)
    assert found.lang == "da"
    assert found.words < CLEAR_WORDS


@pytest.mark.parametrize(
    ("text", "codes", "name"),
    [
        (NORWEGIAN_LONG, {"nb", "nn"}, "Norwegian"),
        (SWEDISH_LONG, {"sv"}, "Swedish"),
        (GERMAN_LONG, {"de"}, "German"),
    ],
    ids=["norwegian", "swedish", "german"],
)
def test_long_texts_in_other_languages_are_named_not_read_as_danish(
    text: str, codes: set[str], name: str
) -> None:
    found = detect_language(text)
    assert found.lang is None
    assert found.code in codes
    assert name in found.name
    with pytest.raises(UnsupportedLanguage, match=name) as info:
        speech_language(text.split(". "))
    assert "--lang" in str(info.value)


@pytest.mark.parametrize(("code", "text"), sorted(OTHER_SENTENCES.items()), ids=str)
def test_a_stray_english_looking_word_does_not_make_a_text_english(code: str, text: str) -> None:
    found = detect_language(text)
    assert (found.lang, found.code) == (None, code)


def test_speech_too_short_to_tell_gets_the_default_and_says_so() -> None:
    for said in (["Super."], ["", "  "], ["Mmm", "Okay okay"]):
        found = speech_language(said)
        assert found.lang == "da"
        assert "too few" in found.note
    # A few words, but German function words back the verdict: refused all the same.
    with pytest.raises(UnsupportedLanguage, match="German"):
        speech_language(["Guten Morgen, wir sind bereit.", "Das ist nicht gut."])
    assert speech_language(list(DANISH_ANSWERS)).lang == "da"
    assert speech_language(list(ENGLISH_ANSWERS)).lang == "en"


# --------------------------------------------------------------------------- corpora


def test_the_danish_sample_corpus_stays_danish_and_whole(corpus_dir: Path) -> None:
    documents = ingest([corpus_dir]).documents
    split = split_languages(documents)
    report = split.report
    assert report.lang == "da" and not report.forced
    assert all(d.code == "da" and d.kept for d in report.documents)
    # Precision: almost nothing of a Danish corpus is taken for another language (the
    # corpus holds one English motto, "The best way to predict your future is to create it").
    words = sum(d.words for d in report.documents)
    left = sum(w for _, w in report.other_paragraphs().values()) + sum(
        w for _, w in report.other_passages().values()
    )
    assert left / words < 0.005
    assert "en" in report.other_paragraphs()
    kept = " ".join(d.text for d in split.documents)
    assert MOTTO not in kept


def test_the_licence_corpus_is_detected_english_and_its_strongest_terms_are_not_function_words(
    licence_dir: Path,
) -> None:
    result = run_analysis([licence_dir], options=AnalysisOptions(layout_iterations=20))
    assert result.lang == "en"
    assert result.language is not None
    assert result.language.found_line() == "7 documents: 7 English"
    strongest = result.terms[:40]
    assert len(strongest) == 40
    # On an English map every English stop word counts, "for" and "under" included.
    assert _term_words(strongest) & frozenset(ENGLISH_STOP_WORDS) == set()


def test_a_danish_thesis_with_an_english_abstract_and_quotations(tmp_path: Path) -> None:
    path = write_thesis_docx(tmp_path / "speciale.docx")
    result = run_analysis([path], options=AnalysisOptions(layout_iterations=20))
    report = result.language
    assert report is not None and result.lang == "da"
    paragraphs = report.other_paragraphs()
    # The abstract's two paragraphs and the two block quotations; the quotation inside a
    # Danish sentence is cut out of it.
    assert paragraphs["en"][0] == 4
    assert report.other_passages()["en"][0] >= 1
    assert "4 English paragraphs" in report.found_line()
    words = _term_words(result.terms)
    assert words, "the thesis has a map"
    assert words & ENGLISH_FUNCTION_WORDS == set()
    assert words & english_words_only() == set()
    text = "\n".join(d.text for d in result.documents)
    assert THESIS_ABSTRACT[0][:40] not in text
    assert "the degree to which" not in text
    assert "Definitionen er nyttig" in text  # the Danish rest of that paragraph stays

    # The same thesis forced to Danish reads the English as Danish: the check has teeth.
    forced = run_analysis(
        [path], options=AnalysisOptions(lang="da", layout_iterations=20, max_terms=400)
    )
    assert forced.language is not None and forced.language.forced
    assert _term_words(forced.terms) & english_words_only()


def test_a_mixed_corpus_maps_the_majority_and_reports_the_rest(
    corpus_dir: Path, tmp_path: Path
) -> None:
    english = tmp_path / "english-report.txt"
    english.write_text("\n\n".join([*THESIS_ABSTRACT, *ENGLISH_ANSWERS]), encoding="utf-8")
    result = run_analysis([corpus_dir, english], options=AnalysisOptions(layout_iterations=20))
    report = result.language
    assert report is not None
    assert result.lang == "da"
    assert report.found_line().startswith("4 documents: 3 Danish, 1 English")
    assert [d.id for d in report.left_out()] == ["english-report.txt"]
    assert "english-report.txt" not in {d.id for d in result.documents}
    assert result.stats.documents == 3
    lines = "\n".join(report.decision_lines())
    assert "left out english-report.txt" in lines and "its own map" in lines
    assert result.to_json()["language"]["documents"][-1]["on_map"] is False

    forced = run_analysis(
        [corpus_dir, english], options=AnalysisOptions(lang="da", layout_iterations=20)
    )
    assert forced.stats.documents == 4
    assert forced.language is not None and forced.language.left_out() == ()
    assert "read as Danish too" in "\n".join(forced.language.decision_lines())


def test_a_corpus_in_neither_language_is_refused_naming_it(tmp_path: Path) -> None:
    (tmp_path / "bericht.txt").write_text(
        "\n\n".join([GERMAN_LONG, GERMAN_LONG.replace("Kursen", "Seminaren")]), encoding="utf-8"
    )
    with pytest.raises(NoUsableDocuments, match=r"1 German.*--lang da"):
        run_analysis([tmp_path])
    forced = run_analysis(
        [tmp_path], options=AnalysisOptions(lang="da", layout_iterations=20, min_cooccurrence=1)
    )
    assert forced.stats.documents == 1


def test_a_tiny_document_is_undetermined_not_foreign() -> None:
    split = split_languages([Document(id="a", text="Et ord."), Document(id="b", text="Hej")])
    assert [d.kept for d in split.report.documents] == [True, True]
    assert split.report.lang == "da"


def test_forcing_a_language_keeps_every_text() -> None:
    docs = [
        Document(id="da", text="Vi skal dele viden på tværs af afdelingerne i hele huset."),
        Document(id="en", text=THESIS_ABSTRACT[0]),
    ]
    split = split_languages(docs, lang="en")
    assert split.documents == tuple(docs)
    assert split.report.lang == "en" and split.report.forced
    assert [d.code for d in split.report.documents] == ["da", "en"]
    detected = split_languages(docs)
    assert [d.id for d in detected.documents] == ["en"]  # more English words: English map


def test_split_changes_only_the_text_it_must(corpus_dir: Path) -> None:
    documents = ingest([corpus_dir]).documents
    split = split_languages(documents)
    for before, after in zip(documents, split.documents, strict=True):
        assert after.id == before.id and after.metadata == before.metadata
        cut = [p for p in after.paragraphs if p not in before.paragraphs]
        assert all("…" in p for p in cut)  # only passages are cut out of paragraphs
    danish = Document(id="da", text="\n\n".join(THESIS_DANISH), metadata={"kind": "speciale"})
    assert split_languages([danish]).documents[0] is danish


def test_an_english_quotation_over_two_sentences_is_cut_out_whole() -> None:
    paragraph = (
        "Hun skriver: “When nobody asks what you learned, you soon stop. That is the quiet "
        "way in which most training is wasted.” Det er en pointe, som organisationen bør "
        "tage alvorligt, fordi den handler om lederens rolle."
    )
    other = "Lederen skal spørge ind til kurset, og kollegerne skal have tid til at prøve det."
    split = split_languages([Document(id="a", text=f"{paragraph}\n\n{other}")])
    text = split.documents[0].text
    assert "nobody" not in text and "training" not in text and "“" not in text
    assert "Hun skriver:" in text and "Det er en pointe" in text and other in text
    assert split.report.other_passages()["en"][0] >= 1


def test_english_paragraphs_scattered_in_danish_documents_precision_and_recall(
    corpus_dir: Path, licence_dir: Path
) -> None:
    """Licence paragraphs put at random places in the real Danish documents (seeded): the
    English ones are found (recall), no Danish one is taken out (precision)."""
    import random

    rng = random.Random(3)
    english = [p for d in ingest([licence_dir]).documents for p in d.paragraphs]
    english = [p for p in english if len(p.split()) >= 6]
    danish_docs = ingest([corpus_dir]).documents
    inserted: set[str] = set()
    mixed: list[Document] = []
    for doc in danish_docs:
        paragraphs = doc.paragraphs
        for _ in range(len(paragraphs) // 10):
            paragraph = rng.choice(english)
            inserted.add(paragraph)
            paragraphs.insert(rng.randrange(len(paragraphs)), paragraph)
        mixed.append(Document(id=doc.id, text="\n\n".join(paragraphs)))
    split = split_languages(mixed)
    assert split.report.lang == "da"
    kept = {p for d in split.documents for p in d.paragraphs}
    recall = sum(p not in kept for p in inserted) / len(inserted)
    assert len(inserted) >= 50 and recall >= 0.9
    danish = {p for d in danish_docs for p in d.paragraphs if len(p.split()) >= MIN_WORDS}
    lost = {p for p in danish if p not in kept} - {MOTTO}
    assert lost == set()


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    order=st.permutations(
        [("da", p) for p in THESIS_DANISH]
        + [("en", p) for p in (*THESIS_ABSTRACT, *THESIS_BLOCK_QUOTES, *ENGLISH_ANSWERS[:6])]
    ),
    cut=st.integers(min_value=0, max_value=8),
)
def test_whatever_the_order_danish_stays_and_english_goes(
    order: list[tuple[str, str]], cut: int
) -> None:
    # Drop a few English paragraphs so the mix varies; Danish keeps the majority of words.
    rows = [r for i, r in enumerate(order) if r[0] == "da" or i % 9 != cut]
    doc = Document(id="mix", text="\n\n".join(p for _, p in rows))
    split = split_languages([doc])
    assert split.report.lang == "da"
    kept = set(split.documents[0].paragraphs)
    for lang, paragraph in rows:
        if lang == "da":
            assert paragraph in kept
        elif len(paragraph.split()) >= MIN_WORDS:
            assert paragraph not in kept


def test_english_titles_inside_danish_sentences_leave_no_function_word_on_the_map() -> None:
    # The sentences are Danish, so they stay; the English title's "the" and "of" are on no
    # map. Two defences keep them out: the term candidates' word classes (another language's
    # function words are no noun phrase) and, when the language was detected, the other
    # language's function words as stop terms.
    title = "The Art of Changing the Brain"
    paragraphs = [
        f"Zull beskriver i bogen {title}, at læring kræver tid og gentagelse for lederen.",
        f"Med {title} som udgangspunkt kan lederen tale med medarbejderen om læring og tid.",
        f"Flere medarbejdere nævner {title}, når de fortæller om læring i hverdagen.",
        f"Lederen har læst {title} og bruger bogen, når medarbejderen kommer tilbage.",
    ]
    docs = [Document(id="notat.txt", text="\n\n".join(paragraphs))]
    options = AnalysisOptions(layout_iterations=20, min_cooccurrence=1, max_terms=400)
    detected = run_analysis(docs, options=options)
    assert detected.lang == "da"
    assert detected.language is not None and detected.language.other_paragraphs() == {}
    assert _term_words(detected.terms) & {"the", "of"} == set()
    assert "the" in detected.options.stop_terms  # and network.json says so
    forced = run_analysis(docs, options=replace(options, lang="da"))
    assert _term_words(forced.terms) & {"the", "of"} == set()
