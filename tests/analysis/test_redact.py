"""Redaction on its own: placeholders, the names file, and what must not be touched."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

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
