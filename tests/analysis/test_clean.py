"""Each cleaning rule on small texts written here, then the rules together on the corpus."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.clean import (
    CleanOptions,
    clean_documents,
    clean_text,
    split_text_pages,
    vocabulary_of,
)
from analysis.clean import _is_garbage as is_garbage
from analysis.errors import InvalidParameter


def clean(text: str | list[str], **options: object) -> str:
    pages = [text] if isinstance(text, str) else text
    return clean_text(pages, options=CleanOptions(**options)).text  # type: ignore[arg-type]


# --- hyphenation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Vi har mange virksomhe-\nder i byen.", "Vi har mange virksomheder i byen."),
        ("Vi har mange virksomhe‐\nder i byen.", "Vi har mange virksomheder i byen."),
        ("Vi har mange virksomhe\u00ad\nder i byen.", "Vi har mange virksomheder i byen."),
        ("Kompetence-  \nudvikling er vigtig.", "Kompetenceudvikling er vigtig."),
        ("Kompetence-\n\nudvikling er vigtig.", "Kompetenceudvikling er vigtig."),
        ("Alle HK-\nmedlemmer er med.", "Alle HK-medlemmer er med."),
        ("Alle AMU‐\nkurser er med.", "Alle AMU-kurser er med."),
        ("Flere HK-medlemmer deltog.", "Flere HK-medlemmer deltog."),
        ("Tilbud om efter-\nog videreuddannelse.", "Tilbud om efter- og videreuddannelse."),
        ("Tilbud om efter- og videreuddannelse.", "Tilbud om efter- og videreuddannelse."),
        ("Både læse-\neller skrivekurser.", "Både læse- eller skrivekurser."),
        ("Et godt virksomhe-\nder. Næste sætning.", "Et godt virksomheder. Næste sætning."),
        ("Ordet e-\nlæring og e-læring igen.", "Ordet e-læring og e-læring igen."),
        ("Et par to-\ntre år.", "Et par totre år."),
        ("Ud\u00advik\u00adling midt i linjen.", "Udvikling midt i linjen."),
        ("Et langt ord over side-\n\f\nskift virker.", "Et langt ord over sideskift virker."),
    ],
    ids=[
        "ascii-hyphen",
        "u2010-hyphen",
        "soft-hyphen",
        "trailing-spaces",
        "across-blank-line",
        "capital-abbreviation-keeps-hyphen",
        "u2010-abbreviation-keeps-hyphen",
        "compound-mid-line-untouched",
        "og-enumeration-at-break",
        "og-enumeration-mid-line",
        "eller-enumeration-at-break",
        "punctuation-follows-word",
        "hyphen-kept-when-document-spells-it-so",
        "plain-join-otherwise",
        "inner-soft-hyphens-dropped",
        "across-page-break",
    ],
)
def test_joins_words_hyphenated_across_lines(raw: str, expected: str) -> None:
    pages = split_text_pages(raw)
    assert clean(pages) == expected


def test_hyphen_after_space_is_a_dash_not_a_break() -> None:
    assert clean("Det er svært -\nmen muligt.") == "Det er svært - men muligt."


# --- headers, footers, page numbers ----------------------------------------------------


TOPICS = [
    "kompetenceudvikling",
    "ledere",
    "medarbejdere",
    "kurser",
    "transfer",
    "motivation",
    "læring",
    "AMU",
    "vejledning",
    "netværk",
    "coaching",
    "opfølgning",
]


def _report_pages(n: int) -> list[str]:
    return [
        f"Lederes kompetencer til at motivere {n * 10 + i}\nNovember 2008\n\n"
        f"Afsnit {i} handler om {TOPICS[i - 1]}.\n"
        f"Her står mere om {TOPICS[-i]} og {TOPICS[i // 2]}.\n\n{i}\n"
        for i in range(1, n + 1)
    ]


@pytest.mark.parametrize("n_pages", [2, 5, 12], ids=["two-pages", "five-pages", "twelve-pages"])
def test_drops_running_headers_and_page_numbers(n_pages: int) -> None:
    text = clean(_report_pages(n_pages))
    assert "November" not in text
    assert "Lederes kompetencer" not in text
    assert all(f"Afsnit {i} handler" in text for i in range(1, n_pages + 1))
    assert not any(re.fullmatch(r"\d+", p) for p in text.split("\n\n"))


@pytest.mark.parametrize(
    "line",
    ["7", "- 7 -", "Side 7", "side 7 af 12", "7 / 12", "Page 7 of 12", "(7)"],
    ids=["bare", "dashes", "side", "side-af", "slash", "page-of", "parentheses"],
)
def test_drops_page_number_lines_anywhere(line: str) -> None:
    text = clean(f"Første afsnit om ledelse.\n\n{line}\n\nAndet afsnit om kurser.")
    assert text == "Første afsnit om ledelse.\n\nAndet afsnit om kurser."


@pytest.mark.parametrize(
    "line",
    [
        "1. Indledning ........................ 3",
        "Refleksion . . . . . . . . 12",
        "Bilag ____________ 20",
        "2.1 Metode……………… 5",
    ],
    ids=["dots", "spaced-dots", "underscores", "ellipses"],
)
def test_drops_table_of_contents_lines(line: str) -> None:
    result = clean_text([f"Indhold\n{line}\n\nTekst om kurser... og mere."])
    assert result.text == "Indhold\n\nTekst om kurser... og mere."
    assert result.counts["contents_line"] == 1


def test_keeps_a_repeated_line_in_the_middle_of_pages() -> None:
    pages = [
        f"Overskrift om {TOPICS[i]}\nFørste linje om {TOPICS[i + 1]}.\n"
        f"Anden linje om {TOPICS[i + 2]}.\nTredje linje om {TOPICS[i + 3]}.\n\nResultater\n\n"
        f"Fjerde linje om {TOPICS[i + 4]}.\nFemte linje om {TOPICS[i + 7]}.\nSjette linje om {TOPICS[i + 5]}.\n"
        f"Slut om {TOPICS[i + 6]}."
        for i in range(4)
    ]
    text = clean(pages)
    assert text.count("Resultater") == 4
    assert text.count("Femte linje") == 4


def test_keeps_a_single_page_document_whole() -> None:
    text = clean("Titel\n\nEn sætning om data.\n\nTitel")
    assert text.count("Titel") == 2


# --- characters ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("“Kompetenceløft DK”", '"Kompetenceløft DK"'),
        ("”Kompetenceløft DK”", '"Kompetenceløft DK"'),
        ("»citat«", '"citat"'),
        ("HK’ernes udfordringer", "HK'ernes udfordringer"),
        ("2004‐06 og 2004–06", "2004-06 og 2004–06"),
        ("forsvinder — nye", "forsvinder – nye"),
        ("data\u00a0og\u2009tal\tog  mere", "data og tal og mere"),
        ("a\u030abent", "åbent"),
        ("nul\u200bbredde", "nulbredde"),
        ("ﬁre ﬂasker", "fire flasker"),
        ("vent…", "vent..."),
    ],
    ids=[
        "curly-double",
        "danish-closing-quotes",
        "guillemets",
        "apostrophe",
        "u2010-in-number",
        "em-dash",
        "spaces",
        "nfc",
        "zero-width",
        "ligatures",
        "ellipsis",
    ],
)
def test_normalises_characters(raw: str, expected: str) -> None:
    assert clean(raw) == expected


# --- letter-spaced garbage -------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "D a ta c e n tre re t",
        "F ra  v id e n s k a b e ls e t il d a ta c e n tre re t",
        "B orgeren i centrum",
        "a t b live  d øm t på  ba g g ru n d",
    ],
    ids=["heavy", "heavy-with-double-spaces", "split-capital", "mixed"],
)
def test_detects_letter_spaced_lines(line: str) -> None:
    assert is_garbage(line)


@pytest.mark.parametrize(
    "line",
    [
        "Ny i data, datavalidering og data i dag",
        "Hvordan kan vi se på det i år?",
        "Afsnit 4 a og b i HK og IT",
        "I dag er vi på arbejde",
        "A lot of it is on me",
        '"er jeg da ikke god nok", "jeg kan da mit job m.v."',
        "Fordele: a) hurtig b) billig c) god",
        "(a) data (b) viden (c) læring",
    ],
    ids=[
        "danish-short-words",
        "question",
        "letters-as-labels",
        "capital-i",
        "english",
        "quote",
        "list-labels",
        "list-labels-in-parentheses",
    ],
)
def test_leaves_normal_lines_alone(line: str) -> None:
    assert not is_garbage(line)


@pytest.mark.parametrize(
    ("line", "vocabulary", "expected"),
    [
        ("D a ta c e n tre re t", set(), "Data centreret"),
        ("B orgeren i centrum", set(), "Borgeren i centrum"),
        ("S trategis k  inds igt om data", {"strategisk", "indsigt"}, "Strategisk indsigt om data"),
        ("og er ik k e b a n g e for mere", {"bange"}, "og er ikke bange for mere"),
        ("E n  d a ta c e n tre re t  ta n k e g a n g", set(), "En data centreret tankegang"),
    ],
    ids=["glue-heavy", "split-capital", "known-words", "vocabulary-splits-words", "double-spaces"],
)
def test_repairs_letter_spaced_lines(line: str, vocabulary: set[str], expected: str) -> None:
    result = clean_text([f"Indledning.\n\n{line}\n\nAfslutning."], vocabulary=vocabulary)
    assert result.text.split("\n\n")[1] == expected
    assert result.counts["garbage_repaired"] == 1


def test_vocabulary_function_is_called_only_for_garbage() -> None:
    calls: list[int] = []

    def vocabulary() -> set[str]:
        calls.append(1)
        return {"bange"}

    clean_text(["Helt almindelig tekst om kurser."], vocabulary=vocabulary)
    assert calls == []
    clean_text(["b a n g e o g a l"], vocabulary=vocabulary)
    assert calls == [1]


def test_drops_unrepairable_garbage_with_a_warning() -> None:
    result = clean_text(["God tekst.\n\nx og y og z og q\n\nMere god tekst."])
    assert result.text == "God tekst.\n\nMere god tekst."
    assert any("letter-spaced" in w and "line 3" in w for w in result.warnings)


# --- reflection sections ---------------------------------------------------------------

BODY = "Indledning\n\nOpgaven handler om kompetenceudvikling.\n\n"
PERSONAL = "Jeg var ked af samarbejdet med min leder.\n\nDet lærte mig meget om mig selv."


@pytest.mark.parametrize(
    "heading",
    [
        "Refleksion",
        "Refleksioner",
        "Personlig refleksion",
        "5. Refleksion",
        "5 Refleksion",
        "REFLEKSION",
        "Refleksion:",
        "Refleksion over læringsforløbet",
        "Reflection",
        "Reflections",
        "Personal reflection",
    ],
    ids=[
        "refleksion",
        "plural",
        "personlig",
        "numbered",
        "numbered-no-dot",
        "capitals",
        "colon",
        "with-topic",
        "english",
        "english-plural",
        "english-personal",
    ],
)
def test_removes_reflection_sections(heading: str) -> None:
    result = clean_text(
        [f"{BODY}{heading}\n\n{PERSONAL}\n\nLitteraturliste\n\nAndersen (2020)."],
        options=CleanOptions(keep_references=True),  # the list ends the section and stays
    )
    assert "ked af" not in result.text
    assert "mig selv" not in result.text
    assert heading not in result.text
    assert "kompetenceudvikling" in result.text
    assert "Litteraturliste" in result.text and "Andersen (2020)" in result.text
    assert result.counts["reflection_sections"] == 1
    assert any("reflection" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("text", "kept", "removed"),
    [
        (f"{BODY}Refleksion\n\n{PERSONAL}", [], ["ked af", "mig selv"]),
        (
            f"{BODY}5. Refleksion\n\n{PERSONAL}\n\n6. Konklusion\n\nData hjælper.",
            ["Data hjælper"],
            ["ked af"],
        ),
        (
            f"{BODY}5. Refleksion\n\n1. Første punkt\n\n{PERSONAL}\n\n6. Perspektiv\n\nNyt afsnit.",
            ["Nyt afsnit"],
            ["Første punkt", "ked af"],
        ),
        (
            f"{BODY}5.2 Refleksion\n\n{PERSONAL}\n\n5.3 Næste skridt\n\nPlanen.",
            ["Næste skridt", "Planen"],
            ["ked af"],
        ),
        (
            f"{BODY}Refleksion\n\n{PERSONAL}\n\nBibliography\n\nSmith.",
            ["Bibliography", "Smith"],
            ["ked af"],
        ),
        (f"{BODY}Refleksion\n\n{PERSONAL}\n\nBilag 1\n\nSkema.", ["Bilag 1", "Skema"], ["ked af"]),
        (
            f"{BODY}Refleksion\n\n{PERSONAL}\n\nAnbefalinger\n\nFølg op.",
            ["Anbefalinger", "Følg op"],
            ["ked af"],
        ),
    ],
    ids=[
        "to-the-end",
        "to-next-numbered-heading",
        "numbered-list-inside-does-not-end-it",
        "subsection-to-next-subsection",
        "to-bibliography",
        "to-appendix",
        "to-recommendations",
    ],
)
def test_reflection_section_ends_at_the_right_heading(
    text: str, kept: list[str], removed: list[str]
) -> None:
    result = clean(text, keep_references=True)
    assert all(k in result for k in kept)
    assert not any(r in result for r in removed)


def test_keep_reflection_keeps_the_section() -> None:
    text = clean(f"{BODY}Refleksion\n\n{PERSONAL}", keep_reflection=True)
    assert "Refleksion" in text and "ked af" in text


@pytest.mark.parametrize(
    "line",
    [
        "Lederne giver mulighed for fælles refleksion bl.a. rollespil.",
        "Leders refleksion: hvordan kan jeg",
        "refleksion",
        "Refleksion er vigtig for læring og for os alle sammen i hverdagen.",
    ],
    ids=["in-a-sentence", "label-with-text", "small-letter", "long-sentence"],
)
def test_a_mention_of_reflection_is_not_a_heading(line: str) -> None:
    assert "Mere tekst" in clean(f"Tekst.\n\n{line}\n\nMere tekst.")


# --- redaction -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected", "lang"),
    [
        ("Skriv til hanne.jensen@hk.dk i dag.", "Skriv til [e-mail] i dag.", "da"),
        ("Mail: a.b+c@sub.example.com.", "Mail: [email].", "en"),
        ("Ring på 23 45 67 89.", "Ring på [telefon].", "da"),
        ("Ring på +45 23 45 67 89 nu.", "Ring på [telefon] nu.", "da"),
        ("Ring 0045 12345678 nu.", "Ring [telefon] nu.", "da"),
        ("Ring 2345 6789 eller 23456789.", "Ring [telefon] eller [telefon].", "da"),
        ("Call +44 20 7946 0958 now.", "Call [phone] now.", "en"),
        ("CPR 010190-1234 her.", "CPR [cpr] her.", "da"),
        ("CPR 0101901234 her.", "CPR [cpr] her.", "da"),
        ("Se www.lederne.dk og https://hk.dk/a?b=1.", "Se [url] og [url].", "da"),
        ("Se (http://example.org/x).", "Se ([url]).", "da"),
        ("Bragt i Business.dk i går.", "Bragt i [url] i går.", "da"),
    ],
    ids=[
        "email",
        "email-en",
        "phone-pairs",
        "phone-plus45",
        "phone-0045",
        "phone-groups",
        "phone-international",
        "cpr-dash",
        "cpr-plain",
        "urls",
        "url-in-parentheses",
        "bare-domain",
    ],
)
def test_redacts_personal_data(raw: str, expected: str, lang: str) -> None:
    assert clean(raw, lang=lang) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "I perioden 2006 2007 steg tallet.",
        "Antal kursister 1000 1690 2070 2790",
        "Omkring 150.000 voksne og 700.000 andre.",
        "Datoen 991399-1234 er ingen dato.",
        "Kilde: bl.a. fx. osv. m.v.",
        "De er.De sagde det.",
    ],
    ids=["years", "table-row", "thousands", "invalid-cpr-date", "abbreviations", "sentence-joint"],
)
def test_leaves_numbers_that_are_not_personal_data(raw: str) -> None:
    assert clean(raw) == raw


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Hanne Jensen skrev opgaven.", "[navn] skrev opgaven."),
        ("Det var Hanne Jensens opgave.", "Det var [navn] opgave."),
        ("hanne jensen og HANNE JENSEN.", "[navn] og [navn]."),
        ("Kollega Lars' idé.", "Kollega [navn] idé."),
        ("Larsen er ikke Lars.", "Larsen er ikke [navn]."),
        ("Hanne\nJensen skrev.", "[navn] skrev."),
        ("Hanne Jen-\nsen skrev.", "[navn] skrev."),
    ],
    ids=[
        "full-name",
        "possessive",
        "case-insensitive",
        "possessive-apostrophe",
        "whole-words-only",
        "across-line-break",
        "across-hyphenation",
    ],
)
def test_redacts_listed_names(raw: str, expected: str) -> None:
    assert clean(raw, redact_names=["Hanne Jensen", "Lars"]) == expected


def test_a_paragraph_of_placeholders_only_is_dropped() -> None:
    text = clean("Se mere her:\n\nwww.hk.dk\n\nhanne@hk.dk, 23 45 67 89\n\nSlut.")
    assert text == "Se mere her:\n\nSlut."


def test_english_placeholders() -> None:
    text = clean(
        "Hanne wrote: hanne@hk.dk, 23 45 67 89, 010190-1234", lang="en", redact_names=["Hanne"]
    )
    assert text == "[name] wrote: [email], [phone], [cpr]"


def test_redaction_counts_are_warnings_without_content() -> None:
    result = clean_text(["Skriv til hanne@hk.dk eller ring 23 45 67 89."])
    assert result.counts["redacted_email"] == 1 and result.counts["redacted_phone"] == 1
    assert not any("hanne" in w or "12 34" in w for w in result.warnings)


# --- paragraphs ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "Første linje af\nafsnittet her.\n\nNyt afsnit.",
            ["Første linje af afsnittet her.", "Nyt afsnit."],
        ),
        ("Linjen fortsætter\n\nmed små bogstaver.", ["Linjen fortsætter med små bogstaver."]),
        (
            "Medlem af bestyrelsen for\n\nRådet for Sikkerhed.",
            ["Medlem af bestyrelsen for Rådet for Sikkerhed."],
        ),
        ("Slut.\n\nnæste afsnit med lille.", ["Slut.", "næste afsnit med lille."]),
        (
            "Punkter:\n• Første\n• Anden linje\nfortsat",
            ["Punkter:", "Første", "Anden linje fortsat"],
        ),
        (
            "n Hvordan kan data bruges?\nn Hvilke jobs?",
            ["Hvordan kan data bruges?", "Hvilke jobs?"],
        ),
        ("Tekst.\n\n□\n\n4 □\n\n•\n\nMere.", ["Tekst.", "Mere."]),
        ("  flere   mellemrum  her  ", ["flere mellemrum her"]),
    ],
    ids=[
        "lines-joined",
        "lowercase-continues-over-blank",
        "open-ending-continues",
        "sentence-end-breaks",
        "bullets",
        "wingdings-bullets",
        "symbol-only-paragraphs-dropped",
        "spaces-collapsed",
    ],
)
def test_rebuilds_paragraphs(raw: str, expected: list[str]) -> None:
    assert clean(raw).split("\n\n") == expected


def test_output_has_no_single_newlines_or_empty_paragraphs() -> None:
    text = clean(_report_pages(3))
    assert "\n\n\n" not in text
    assert all(p.strip() == p and p and "\n" not in p for p in text.split("\n\n"))


# --- options and input checks ----------------------------------------------------------


def test_rejects_unknown_language() -> None:
    with pytest.raises(InvalidParameter, match="'fr'"):
        CleanOptions(lang="fr")  # type: ignore[arg-type]


def test_rejects_one_string_as_names() -> None:
    with pytest.raises(InvalidParameter, match="redact_names"):
        CleanOptions(redact_names="Hanne Jensen")


def test_rejects_one_string_as_pages() -> None:
    with pytest.raises(InvalidParameter, match="pages"):
        clean_text("a whole text")


def test_empty_input_gives_empty_text() -> None:
    assert clean_text([]).text == ""
    assert clean_text(["", "  \n "]).text == ""


def test_split_text_pages_uses_form_feeds_first() -> None:
    assert split_text_pages("a\n\n\n\nb\fc") == ["a\n\n\n\nb", "c"]
    assert split_text_pages("a\n\n\nb\r\n\r\n\r\nc") == ["a", "b", "c"]


# --- the real corpus -------------------------------------------------------------------


@pytest.fixture(scope="module")
def cleaned_corpus(corpus_dir: Path) -> dict[str, tuple[str, str]]:
    files = sorted(corpus_dir.glob("*.txt"))
    raw = {f.name: f.read_text(encoding="utf-8") for f in files}
    vocabulary = vocabulary_of(raw.values())
    return {
        name: (text, clean_text(split_text_pages(text), vocabulary=vocabulary).text)
        for name, text in raw.items()
    }


def test_corpus_has_no_page_number_or_header_lines(
    cleaned_corpus: dict[str, tuple[str, str]],
) -> None:
    for _raw, text in cleaned_corpus.values():
        for paragraph in text.split("\n\n"):
            assert not re.fullmatch(r"[\d\s.\-–/]*", paragraph), paragraph
            assert "November 2008" not in paragraph


def test_corpus_hyphenated_breaks_are_joined(cleaned_corpus: dict[str, tuple[str, str]]) -> None:
    raw, text = cleaned_corpus["lederes-kompetencer-kortuddannede-2008.txt"]
    # The raw text breaks these words at a line end with U+2010.
    for first, second in [
        ("virksomhe", "der"),
        ("kompe", "tenceløft"),
        ("beskæfti", "gelsesmuligheder"),
    ]:
        assert re.search(rf"{first}‐\s*\n\s*{second}", raw)
        assert f"{first}{second}" in text
    words = text.split()
    dangling = [w for w in words if re.fullmatch(r"[^\W\d_]+-", w)]
    # What is left is an enumeration ("voksen- og efteruddannelser").
    for index, word in enumerate(words[:-1]):
        if word in dangling:
            assert words[index + 1] in {"og", "eller", "samt", "som", "til"}, word
    raw_hk, text_hk = cleaned_corpus["hk-seks-pejlemaerker-2017.txt"]
    assert "samfunds- \n\ndigitalisering" in raw_hk and "samfundsdigitalisering" in text_hk
    assert "it-strategi- og governance" in text_hk


def test_corpus_letter_spaced_lines_are_repaired_or_gone(
    cleaned_corpus: dict[str, tuple[str, str]],
) -> None:
    raw, text = cleaned_corpus["dagens-datavinkler-2023.txt"]
    assert "d a ta c e n tre re t" in raw
    assert "d a ta" not in text
    assert "Borgeren i centrum" in text
    assert "data centreret tankegang" in text.casefold()
    assert "c e n" not in text
    garbage = [p for p in text.split("\n\n") if is_garbage(p)]
    assert garbage == []


def test_corpus_has_no_email_or_url_left(cleaned_corpus: dict[str, tuple[str, str]]) -> None:
    for _raw, text in cleaned_corpus.values():
        assert not re.search(r"\S+@\S+\.\w+|https?://|www\.", text)
    assert "www.lederne.dk" in cleaned_corpus["lederes-kompetencer-kortuddannede-2008.txt"][0]


# --- many documents at once ------------------------------------------------------------


def test_clean_documents_repairs_with_words_from_other_documents() -> None:
    spaced = ["Indledning.\n\nE n d a ta c e n tre re t ta n k e g a n g\n\nAfslutning."]
    alone = clean_documents([spaced])[0].text
    together = clean_documents([spaced, ["En datacentreret tankegang er ny."]])[0].text
    assert "En datacentreret tankegang" in together
    assert "En datacentreret tankegang" not in alone


def test_clean_documents_matches_clean_text_without_garbage() -> None:
    pages = [_report_pages(3), ["Skriv til a@b.dk.\n\nRefleksion\n\nPersonligt."]]
    results = clean_documents(pages, options=CleanOptions(lang="en"))
    assert [r.text for r in results] == [
        clean_text(p, options=CleanOptions(lang="en")).text for p in pages
    ]


def test_clean_documents_reports_progress() -> None:
    calls: list[int] = []
    clean_documents([["a"], ["b"], ["c"]], progress=calls.append)
    assert calls == [1, 2, 3]


def test_clean_documents_rejects_a_string_as_pages() -> None:
    with pytest.raises(InvalidParameter, match="pages"):
        clean_documents(["one string"])


# --- properties ------------------------------------------------------------------------

_TEXT = st.text(
    alphabet=st.sampled_from(list("abcæøå ABC-\u00ad‐\n\f.,:;\"'“”0123456789@•□\u00a0\t")),
    max_size=400,
)


@settings(max_examples=150, deadline=None)
@given(pages=st.lists(_TEXT, max_size=4))
def test_any_input_gives_tidy_paragraphs(pages: list[str]) -> None:
    text = clean_text(pages).text
    if text:
        for paragraph in text.split("\n\n"):
            assert paragraph and paragraph == paragraph.strip()
            assert "\n" not in paragraph and "  " not in paragraph
            assert "\u00ad" not in paragraph and "\u00a0" not in paragraph


@settings(max_examples=100, deadline=None)
@given(
    user=st.from_regex(r"[a-z][a-z0-9.]{0,10}[a-z0-9]", fullmatch=True),
    domain=st.from_regex(r"[a-z]{2,10}\.(dk|com|org)", fullmatch=True),
    before=st.sampled_from(["Skriv til ", "(", "Mail: ", ""]),
    after=st.sampled_from([".", ")", " i dag.", ""]),
)
def test_every_email_address_is_redacted(user: str, domain: str, before: str, after: str) -> None:
    address = f"{user}@{domain}"
    text = clean(f"Kontakt {before}{address}{after}")
    assert address not in text and user not in text.split("[e-mail]")[0][-len(user) :]
    assert "[e-mail]" in text


def test_character_map_regex_replaces_exactly_what_translate_would() -> None:
    """The regex that replaces mapped characters matches every code point the map holds
    and no other (ranges such as the private-use area included)."""
    from analysis.clean.chars import _CHAR_MAP, _MAPPED, _mapped

    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    assert len(_MAPPED.findall(every)) == len(_CHAR_MAP)
    assert _MAPPED.sub(_mapped, every) == every.translate(_CHAR_MAP)


# The letter-spaced line scan as first written (patterns that start with a lookbehind): the
# faster scan must flag exactly the same lines.
_OLD_SHORT_TOKEN = re.compile(r"(?<!\S)[\"'(\[]*([^\W\d_]{1,2})[\"').,;:!?\]]*(?!\S)")
_OLD_CAPITAL_SPLIT = re.compile(r"(?<!\S)(?![AIÅØ] )[A-ZÆØÅ] +[a-zæøå]")


def _old_garbage_lines(lines: list[str]) -> list[int]:
    from bisect import bisect_right
    from collections import Counter

    from analysis.clean.spaced import _LETTER_TOKEN, _SHORT_FORMS, _is_fragment

    text = "\n".join(lines)
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    fragments: Counter[int] = Counter(
        bisect_right(starts, m.start()) - 1
        for m in _OLD_SHORT_TOKEN.finditer(text)
        if m.group(1) not in _SHORT_FORMS and _is_fragment(m.group(1).casefold(), m.group(0))
    )
    flagged = {bisect_right(starts, m.start()) - 1 for m in _OLD_CAPITAL_SPLIT.finditer(text)}
    for index, count in fragments.items():
        if count >= 2 and count >= 0.2 * len(_LETTER_TOKEN.findall(lines[index])):
            flagged.add(index)
    return sorted(flagged)


_SPACED_PIECES = st.sampled_from(
    [
        "D",
        "a",
        "ta",
        "c",
        "e",
        "n",
        "tre",
        "re",
        "t",
        "B",
        "orgeren",
        "I",
        "dag",
        "A",
        "Å",
        "ø",
        "og",
        "i",
        "EU",
        "a)",
        "(b",
        "c.",
        '"x',
        "y'",
        "[z]",
        "3",
        "x3",
        "_a",
        "é",
        "Ø",
        "Leder",
        "å",
        "ab",
        "Q",
        "Æ",
    ]
)
_SPACES = st.sampled_from([" ", "  ", "\n", "\t", " \n", "", "\u00a0", "\n\n", ".", "-"])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(_SPACED_PIECES, _SPACES), max_size=40))
def test_letter_spaced_scan_flags_what_the_lookbehind_scan_flagged(
    parts: list[tuple[str, str]],
) -> None:
    from analysis.clean.spaced import _garbage_lines

    lines = "".join(piece + gap for piece, gap in parts).split("\n")
    assert _garbage_lines(lines) == _old_garbage_lines(lines)


def test_letter_spaced_scan_on_the_sample_corpus_flags_what_it_flagged(corpus_dir: Path) -> None:
    from analysis.clean.chars import _normalise_chars
    from analysis.clean.spaced import _garbage_lines

    texts = [_normalise_chars(p.read_text(encoding="utf-8")) for p in corpus_dir.glob("*.txt")]
    texts.append("D a ta c e n tre re t\nB orgeren i centrum\nI dag og i morgen\n E n rejs e")
    for text in texts:
        lines = text.split("\n")
        assert _garbage_lines(lines) == _old_garbage_lines(lines)
    assert _garbage_lines(texts[-1].split("\n")) == [0, 1, 3]
    assert any(_garbage_lines(text.split("\n")) for text in texts[:-1])  # the corpus has some


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(["\n", "\n\n", "\n\n\n", "a", " ", "\r", "\f", "side 3"]), max_size=30)
)
def test_pages_split_where_three_or_more_line_breaks_are(parts: list[str]) -> None:
    from analysis.clean import split_text_pages

    text = "".join(parts)
    flat = text.replace("\r\n", "\n").replace("\r", "\n")
    expected = flat.split("\f") if "\f" in flat else re.split(r"\n{3,}", flat)
    assert split_text_pages(text) == expected
