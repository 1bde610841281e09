"""Redaction on its own: placeholders, the names file, and what must not be touched."""

from __future__ import annotations

import doctest
import importlib
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import analysis.redact as redact_module
from analysis.clean import read_names_file as read_names_file_from_clean
from analysis.errors import InvalidParameter, UnreadableInput
from analysis.redact import PLACEHOLDERS, Redactor, placeholders_for, read_names_file, redact


def test_every_placeholder_is_listed() -> None:
    for lang in ("da", "en"):
        assert set(placeholders_for(lang).values()) <= PLACEHOLDERS  # type: ignore[arg-type]
    assert {"[navn]", "[name]", "[e-mail]", "[telefon]", "[cpr]", "[url]"} <= PLACEHOLDERS


def test_unknown_language_is_refused() -> None:
    with pytest.raises(InvalidParameter, match="'de'"):
        placeholders_for("de")  # type: ignore[arg-type]


def test_counts_each_kind() -> None:
    result = redact(
        "a@b.dk, c@d.com, www.x.dk, 23 45 67 89, 010190-1234 og Hanne",
        names=["Hanne"],
    )
    assert dict(result.counts) == {"email": 2, "url": 1, "phone": 1, "cpr": 1, "name": 1}
    assert "@" not in result.text


def test_an_address_is_one_placeholder_not_a_url_inside_an_address() -> None:
    assert redact("hanne@www.hk.dk").text == "[e-mail]"


def test_longest_name_wins() -> None:
    assert (
        redact("Hanne Jensen og Hanne", names=["Hanne", "Hanne Jensen"]).text == "[navn] og [navn]"
    )


def test_names_with_regex_characters_are_literal() -> None:
    assert redact("Ole (Kbh.) og Ole K", names=["Ole (Kbh.)"]).text == "[navn] og Ole K"


def test_redactor_is_reusable() -> None:
    redactor = Redactor(names=["Kim"], lang="en")
    assert redactor.redact("Kim said").text == "[name] said"
    assert redactor.redact("Kims idea").text == "[name] idea"


def test_placeholders_survive_a_second_pass() -> None:
    once = redact("hanne@hk.dk og 23 45 67 89", names=["navn"]).text
    assert redact(once).text == once


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("Hanne Jensen\nLars\n", ["Hanne Jensen", "Lars"]),
        ("\ufeffHanne Jensen\r\n\r\n# kommentar\r\n  Lars  \r\n", ["Hanne Jensen", "Lars"]),
        ("Søren\nsøren\nSØREN\n", ["Søren"]),
        ("Hanne   Jensen\n", ["Hanne Jensen"]),
    ],
    ids=["plain", "bom-crlf-comments", "duplicates-any-case", "spaces"],
)
def test_reads_names_file(tmp_path: Path, content: str, expected: list[str]) -> None:
    file = tmp_path / "names.txt"
    file.write_text(content, encoding="utf-8")
    assert read_names_file(file) == expected


def test_reads_a_windows_1252_names_file(tmp_path: Path) -> None:
    file = tmp_path / "names.txt"
    file.write_bytes("Søren Ærø\n".encode("cp1252"))
    assert read_names_file(file) == ["Søren Ærø"]


def test_missing_names_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(UnreadableInput, match=r"nope\.txt"):
        read_names_file(tmp_path / "nope.txt")


def test_clean_module_exports_read_names_file() -> None:
    assert read_names_file_from_clean is read_names_file


def test_only_paragraphs_with_personal_data_change() -> None:
    paragraphs = [
        "Skriv til hanne@hk.dk.",
        "Intet personligt her, kun 2006 og 2007.",
        "Se www.hk.dk og ring 23 45 67 89.",
        "Slut.",
    ]
    result = redact("\n\n".join(paragraphs)).text.split("\n\n")
    assert result == [
        "Skriv til [e-mail].",
        "Intet personligt her, kun 2006 og 2007.",
        "Se [url] og ring [telefon].",
        "Slut.",
    ]


@pytest.mark.parametrize("module_name", ["analysis.redact", "analysis.clean"])
def test_docstring_examples_hold(module_name: str) -> None:
    module = importlib.import_module(module_name)
    failures, tried = doctest.testmod(module)
    assert tried >= 1 and failures == 0


# ------------------------------------------------- names as names, never ordinary words

from analysis.redact import NameReplacer  # noqa: E402
from analysis.transcript import replace_names  # noqa: E402


@pytest.mark.parametrize(
    ("speaker", "said", "expected"),
    [
        # Speaker labels: only the whole label, so the ordinary words stay.
        ("Bruger B", "Når HK bruger 100 millioner om året på IT", None),
        (
            "Bruger B",
            "det bruger jeg ikke til noget, sagde Bruger B.",
            "det bruger jeg ikke til noget, sagde Deltager A.",
        ),
        (
            "Kollega C",
            "En kollega fortalte det. Kollega C var enig.",
            "En kollega fortalte det. Deltager A var enig.",
        ),
        # Danish first names that are words: only as names.
        (
            "Bo Hansen",
            "Jeg bor i Aarhus, hvor vi bo godt. Enig med Bo.",
            "Jeg bor i Aarhus, hvor vi bo godt. Enig med Deltager A.",
        ),
        (
            "Per Lund",
            "Det koster 100 kr. per måned, sagde Per.",
            "Det koster 100 kr. per måned, sagde Deltager A.",
        ),
        ("Per Lund", "Per måned er det dyrt.", None),
        (
            "Mark Holt",
            "Vi gik ud på marken. Jeg er enig med Mark.",
            "Vi gik ud på marken. Jeg er enig med Deltager A.",
        ),
        ("Mark Holt", "Mark er et godt ord for en mark.", None),
        (
            "Bent Vinter",
            "Røret var bent, og om vinteren fryser det. Spørg Bent.",
            "Røret var bent, og om vinteren fryser det. Spørg Deltager A.",
        ),
        (
            "Bent Vinter",
            "Det var en kold vinter, sagde Vinter.",
            "Det var en kold vinter, sagde Deltager A.",
        ),
        (
            "Kim Dahl",
            "En kim spirer, og Kims idé var god, siger vi til Kim.",
            "En kim spirer, og Deltager As idé var god, siger vi til Deltager A.",
        ),
        ("Kim Dahl", "Kim er et ord og et navn.", None),
        (
            "Dan Berg",
            "Vi danser ikke, vi dan en kreds. Tak til Dan.",
            "Vi danser ikke, vi dan en kreds. Tak til Deltager A.",
        ),
        # A name that is no word is a name in any case.
        ("Jonas Berg", "enig med jonas og med Jonas Berg", "enig med Deltager A og med Deltager A"),
    ],
)
def test_only_names_are_replaced(speaker: str, said: str, expected: str | None) -> None:
    assert replace_names(said, {speaker: "Deltager A"}) == (said if expected is None else expected)


def test_replacing_names_changes_nothing_else() -> None:
    # Property: after replacement, putting the names back gives the text as it was.
    names = {"Bo Vinter": "Deltager A", "Bruger B": "Deltager B", "Per Mark": "Deltager C"}
    text = (
        "Bo Vinter sagde at HK bruger for lidt. Per måned koster det en kollega meget, "
        "mente Per, og Bruger B var enig med Bo. Vinteren er lang."
    )
    out, count = NameReplacer(names).replace(text)
    assert count == 4
    back = out
    for name, pseudonym in (("Bo Vinter", "Deltager A"), ("Bruger B", "Deltager B")):
        back = back.replace(pseudonym, name, 1)
    back = back.replace("Deltager C", "Per", 1).replace("Deltager A", "Bo", 1)
    assert back == text


def test_the_assignment_redactor_still_takes_a_capitalised_name_first_in_a_sentence() -> None:
    # Assignments are never quoted: there a leaked name is worse than a lost word.
    assert redact("Per sagde nej. Det koster 5 kr. per side.", names=["Per"]).text == (
        "[navn] sagde nej. Det koster 5 kr. per side."
    )


_PIECES = st.sampled_from(
    [
        "Kontakt",
        "lederne.dk",
        "LEDERNE.DK",
        "www.",
        "WwW.",
        "wWw.x",
        "https://a.b/c",
        "ftp://x",
        "://",
        "@",
        "a@b.dk",
        "navn.efternavn@firma.com",
        "+45 12 34 56 78",
        "+4512345678",
        "0045 1234 5678",
        "12 34 56 78",
        "1234 5678",
        "12345678",
        "010203-1234",
        "010203‐1234",
        "0102031234",
        "2006 2007",
        "+1 555 123 4567",
        "+",
        "3",
        "99",
        ".dk",
        ".com/x",
        "side",
        "(",
        ")",
        ".",
        ",",
    ]
)
_GAPS = st.sampled_from([" ", "\n", "\n\n", "", "-", "\n\n\n"])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(_PIECES, _GAPS), max_size=30))
def test_scanning_only_hinted_paragraphs_changes_what_a_whole_text_pass_changes(
    parts: list[tuple[str, str]],
) -> None:
    """Each pattern runs only on paragraphs where one of its hints matches: the result must
    be that of running it over the whole text."""
    text = "".join(piece + gap for piece, gap in parts)
    redactor = Redactor(names=("Kontakt",), lang="da")
    hinted = redactor.redact(text)
    near = redact_module._sub_near

    def whole(hints: object, pattern: re.Pattern[str], repl: object, text: str) -> str:
        return pattern.sub(repl, text)  # type: ignore[arg-type]

    redact_module._sub_near = whole  # type: ignore[assignment]
    try:
        everywhere = redactor.redact(text)
    finally:
        redact_module._sub_near = near
    assert hinted == everywhere
