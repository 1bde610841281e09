"""Reading, validating and writing plan files (YAML).

Validation reports every problem at once, each with its location (``questions[3].text.en``)
and its line in the file, so a facilitator can fix a plan in one go::

    >>> issues = validate_plan_text("id: x\\nname: X\\nlanguages: [da]\\nphases: []\\n")
    >>> [str(i) for i in issues]
    ['line 1: questions: missing', 'line 4: phases: empty; a plan needs at least one phase']

The file format is described in ``docs/plans.md``.

Why one module of ~870 lines: the reader, the check of every field and the writer are one
file format; kept together, a new field is read, checked and written in one place, and
``dump_plan`` → ``load_plan`` round-trips by construction.
"""

from __future__ import annotations

import difflib
import logging
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from dialogs.errors import PlanError, PlanIssue
from dialogs.plans.model import (
    FIVE_POINT_SCALE,
    KINDS,
    SUPPORTED_LANGUAGES,
    Kind,
    LocalizedText,
    Phase,
    Plan,
    Question,
    format_time_box,
    parse_time_box,
)
from dialogs.plans.templates import template_problems

__all__ = [
    "OPTION_PRESETS",
    "PLAN_KEYS",
    "QUESTION_KEYS",
    "dump_plan",
    "load_plan",
    "plan_from_data",
    "plan_to_data",
    "validate_plan",
    "validate_plan_text",
]

log = logging.getLogger(__name__)

PLAN_KEYS = (
    "id",
    "name",
    "description",
    "languages",
    "organisation",
    "time_box",
    "phases",
    "questions",
)
_PLAN_REQUIRED = ("id", "name", "languages", "phases", "questions")
PHASE_KEYS = ("id", "title")
QUESTION_KEYS = (
    "id",
    "phase",
    "kind",
    "time_box",
    "anonymous_allowed",
    "text",
    "options",
    "follow_up",
)
_QUESTION_REQUIRED = ("id", "phase", "text")

#: Named option lists a scale or choice question may use instead of writing them out.
OPTION_PRESETS: dict[str, tuple[LocalizedText, ...]] = {"five-point": FIVE_POINT_SCALE}

MAX_ID_LENGTH = 40
#: Limits that keep a hostile or mistaken file from hanging the bot.
MAX_PLAN_CHARS = 200_000
MAX_NODES = 20_000
MAX_DEPTH = 20
MAX_OPTIONS = 10
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_PARENT = re.compile(r"^(.*?)(?:\.[^.\[\]]+|\[\d+\])$")

#: libyaml's safe loader when PyYAML has it (about ten times faster), else the pure one.
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# -- line numbers ------------------------------------------------------------------------


def _line_map(node: yaml.Node, path: str, lines: dict[str, int], dupes: list[PlanIssue]) -> None:
    """Record the 1-based line of every path in a composed YAML tree; note duplicate keys."""
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            key = str(key_node.value)
            child = f"{path}.{key}" if path else key
            line = key_node.start_mark.line + 1
            if key in seen:
                dupes.append(
                    PlanIssue(child, "appears twice in the same place; keep only one", line)
                )
                continue
            seen.add(key)
            lines[child] = line
            _line_map(value_node, child, lines, dupes)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _line_map(item, f"{path}[{index}]", lines, dupes)


def _size_problem(root: yaml.Node) -> str | None:
    """Refuse trees that are too big or too deep to walk, e.g. YAML alias bombs or cycles.

    Aliases are counted every time they are reached, as the validator would reach them.
    """
    stack: list[tuple[yaml.Node, int]] = [(root, 0)]
    seen = 0
    while stack:
        node, depth = stack.pop()
        seen += 1
        if seen > MAX_NODES:
            return (
                f"the plan is too large (over {MAX_NODES} values, counting repeated aliases); "
                "a plan is a page or two of questions"
            )
        if depth > MAX_DEPTH:
            return f"the plan is nested more than {MAX_DEPTH} levels deep"
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                stack.append((key_node, depth + 1))
                stack.append((value_node, depth + 1))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, depth + 1) for item in node.value)
    return None


def _parent(path: str) -> str:
    match = _PARENT.match(path)
    return match.group(1) if match else ""


# -- the checker -------------------------------------------------------------------------


def _what(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value; put text in quotes)"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, Mapping):
        return "a mapping (key: value lines)"
    if isinstance(value, Sequence):
        return "a list"
    return type(value).__name__


def _suggest(word: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


class _Checker:
    """Collects issues while the plan's values are read."""

    def __init__(self, lines: Mapping[str, int] | None = None) -> None:
        self.lines = dict(lines or {})
        self.issues: list[PlanIssue] = []

    def add(self, path: str, message: str) -> None:
        self.issues.append(PlanIssue(path, message, self.line(path)))

    def line(self, path: str) -> int | None:
        if not self.lines:
            return None
        current = path
        while current:
            if current in self.lines:
                return self.lines[current]
            current = _parent(current)
        return self.lines.get("")

    # -- shapes --

    def mapping(
        self,
        path: str,
        value: object,
        *,
        allowed: Sequence[str],
        required: Sequence[str],
        what: str,
    ) -> dict[str, Any] | None:
        if not isinstance(value, Mapping):
            self.add(path, f"must be {what} (key: value lines); found {_what(value)}")
            return None
        result: dict[str, Any] = {}
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            if not isinstance(key, str):
                self.add(
                    child, f"the key {key!r} is not a name; allowed keys: {', '.join(allowed)}"
                )
            elif key not in allowed:
                self.add(
                    child,
                    f"unknown key{_suggest(key, allowed)}; allowed keys: {', '.join(allowed)}",
                )
            else:
                result[key] = item
        for key in required:
            if key not in value:
                self.add(f"{path}.{key}" if path else key, "missing")
        return result

    def ident(self, path: str, value: object) -> str | None:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.add(path, f"must be a short name such as q1; found {_what(value)}")
            return None
        if not _ID.match(value) or len(value) > MAX_ID_LENGTH:
            hint = re.sub(r"[^a-z0-9_-]+", "-", value.strip().lower()).strip("-_")[:MAX_ID_LENGTH]
            fix = f' (e.g. "{hint}")' if hint and _ID.match(hint) else ""
            self.add(
                path,
                f"{value!r} is not a valid id; use at most {MAX_ID_LENGTH} lower-case letters, "
                f"digits, - and _, starting with a letter or digit{fix}",
            )
            return None
        return value

    def text(self, path: str, value: object) -> str | None:
        if not isinstance(value, str):
            self.add(path, f"must be text; found {_what(value)}")
            return None
        if not value.strip():
            self.add(path, "empty; write the text or remove the entry")
            return None
        for problem in template_problems(value):
            self.add(path, problem)
        return value

    def localized(
        self,
        path: str,
        value: object,
        langs: tuple[str, ...] | None,
        *,
        allow_plain: bool = False,
    ) -> LocalizedText | None:
        ok = True
        if isinstance(value, str):
            if langs is None:
                return None if self.text(path, value) is None else LocalizedText()
            if allow_plain or len(langs) == 1:
                text = self.text(path, value)
                return None if text is None else LocalizedText.of(text, langs)
            example = ", ".join(f"{lang}: …" for lang in langs)
            self.add(
                path,
                f"a single text, but the plan declares languages {', '.join(langs)}; "
                f"give one text per language ({example})",
            )
            return None
        if not isinstance(value, Mapping):
            self.add(path, f"must be a text per language; found {_what(value)}")
            return None
        data: dict[str, str] = {}
        for key, item in value.items():
            child = f"{path}.{key}"
            if langs is not None and key not in langs:
                self.add(
                    child,
                    f"{key!r} is not one of the plan's languages ({', '.join(langs)}); "
                    "add it to languages or remove this text",
                )
                ok = False
                continue
            text = self.text(child, item)
            if text is None:
                ok = False
            else:
                data[str(key)] = text
        for lang in langs or ():
            if lang not in value:
                self.add(
                    f"{path}.{lang}",
                    f"missing (the plan declares languages {', '.join(langs or ())})",
                )
                ok = False
        return LocalizedText(data) if ok else None

    def localized_list(
        self, path: str, value: object, langs: tuple[str, ...] | None, *, what: str
    ) -> tuple[LocalizedText, ...] | None:
        """Read ``{da: [..], en: [..]}``, a list of per-language items, or (one language) a list."""
        if isinstance(value, list):
            items: list[LocalizedText] = []
            ok = True
            for index, item in enumerate(value):
                text = self.localized(f"{path}[{index}]", item, langs)
                ok = ok and text is not None
                if text is not None:
                    items.append(text)
            return tuple(items) if ok else None
        if not isinstance(value, Mapping):
            self.add(
                path,
                f"must be the {what} per language (da: [...], en: [...]); found {_what(value)}",
            )
            return None
        lists: dict[str, list[str]] = {}
        ok = True
        for key, item in value.items():
            child = f"{path}.{key}"
            if langs is not None and key not in langs:
                self.add(
                    child,
                    f"{key!r} is not one of the plan's languages ({', '.join(langs)}); "
                    "add it to languages or remove these",
                )
                ok = False
                continue
            if not isinstance(item, list):
                self.add(child, f"must be a list of {what}; found {_what(item)}")
                ok = False
                continue
            texts = [self.text(f"{child}[{i}]", t) for i, t in enumerate(item)]
            if any(t is None for t in texts):
                ok = False
                continue
            lists[str(key)] = [t for t in texts if t is not None]
        for lang in langs or ():
            if lang not in value:
                self.add(
                    f"{path}.{lang}",
                    f"missing (the plan declares languages {', '.join(langs or ())})",
                )
                ok = False
        if not ok:
            return None
        counts = {lang: len(texts) for lang, texts in lists.items()}
        if len(set(counts.values())) > 1:
            reference = next(iter(counts))
            for lang, count in counts.items():
                if count != counts[reference]:
                    self.add(
                        f"{path}.{lang}",
                        f"has {count} {what} but {reference} has {counts[reference]}; "
                        "every language needs the same number, in the same order",
                    )
            return None
        size = next(iter(counts.values()), 0)
        return tuple(
            LocalizedText((lang, texts[i]) for lang, texts in lists.items()) for i in range(size)
        )

    def time_box(self, path: str, value: object) -> int | None:
        try:
            return parse_time_box(value)
        except ValueError as exc:
            self.add(path, str(exc))
            return None


# -- plan, phases, questions -------------------------------------------------------------


def _languages(check: _Checker, value: object) -> tuple[str, ...] | None:
    supported = ", ".join(SUPPORTED_LANGUAGES)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        check.add("languages", f"must be a list such as [da, en]; found {_what(value)}")
        return None
    if not value:
        check.add("languages", f"empty; declare at least one of {supported}")
        return None
    langs: list[str] = []
    ok = True
    for index, lang in enumerate(value):
        path = f"languages[{index}]"
        if lang not in SUPPORTED_LANGUAGES:
            check.add(path, f"{lang!r} is not a supported language; use {supported}")
            ok = False
        elif lang in langs:
            check.add(path, f"{lang!r} is listed twice")
            ok = False
        else:
            langs.append(lang)
    if not ok:
        # Keep checking texts against the languages that are valid, so one typo in the
        # list does not hide every missing translation.
        return tuple(langs) or None
    return tuple(langs)


def _phases(check: _Checker, value: object, langs: tuple[str, ...] | None) -> list[Phase] | None:
    if not isinstance(value, list):
        check.add("phases", f"must be a list of phases (- id: …, title: …); found {_what(value)}")
        return None
    if not value:
        check.add("phases", "empty; a plan needs at least one phase")
        return None
    phases: list[Phase] = []
    first_seen: dict[str, int] = {}
    ok = True
    for index, item in enumerate(value):
        path = f"phases[{index}]"
        data = check.mapping(path, item, allowed=PHASE_KEYS, required=PHASE_KEYS, what="a phase")
        if data is None:
            ok = False
            continue
        pid = check.ident(f"{path}.id", data["id"]) if "id" in data else None
        title = check.localized(f"{path}.title", data["title"], langs) if "title" in data else None
        if pid is not None:
            if pid in first_seen:
                check.add(f"{path}.id", f"{pid!r} is used twice (also phases[{first_seen[pid]}])")
                ok = False
            else:
                first_seen[pid] = index
        if pid is None or title is None:
            ok = False
            continue
        phases.append(Phase(id=pid, title=title))
    return phases if ok else None


def _options(
    check: _Checker, path: str, value: object, kind: str, langs: tuple[str, ...] | None
) -> tuple[LocalizedText, ...] | None:
    if isinstance(value, str):
        preset = OPTION_PRESETS.get(value)
        if preset is None:
            check.add(
                path,
                f"{value!r} is not a named option list{_suggest(value, list(OPTION_PRESETS))}; "
                f"use {', '.join(OPTION_PRESETS)} or give the options per language",
            )
            return None
        keep = langs or SUPPORTED_LANGUAGES
        return tuple(LocalizedText((k, v) for k, v in o.items() if k in keep) for o in preset)
    options = check.localized_list(path, value, langs, what="options")
    if options is None:
        return None
    if len(options) < 2:
        check.add(path, f"a {kind} question needs at least 2 options; found {len(options)}")
        return None
    if len(options) > MAX_OPTIONS:
        check.add(path, f"{len(options)} options; at most {MAX_OPTIONS} fit on a card")
        return None
    ok = True
    for lang in langs or ():
        labels = [o[lang] for o in options]
        for label in sorted({x for x in labels if labels.count(x) > 1}):
            check.add(f"{path}.{lang}", f"the option {label!r} appears twice")
            ok = False
    return options if ok else None


def _question(
    check: _Checker,
    path: str,
    item: object,
    langs: tuple[str, ...] | None,
    phase_ids: list[str] | None,
) -> Question | None:
    data = check.mapping(
        path, item, allowed=QUESTION_KEYS, required=_QUESTION_REQUIRED, what="a question"
    )
    if data is None:
        return None
    ok = True
    qid = check.ident(f"{path}.id", data["id"]) if "id" in data else None
    phase: str | None = None
    if "phase" in data:
        raw_phase = data["phase"]
        if not isinstance(raw_phase, str | int) or isinstance(raw_phase, bool):
            check.add(f"{path}.phase", f"must be the id of a phase; found {_what(raw_phase)}")
        elif phase_ids is not None and str(raw_phase) not in phase_ids:
            check.add(
                f"{path}.phase",
                f'"{raw_phase}" is not a phase{_suggest(str(raw_phase), phase_ids)}; '
                f"phases are {', '.join(phase_ids)}",
            )
        else:
            phase = str(raw_phase)
    text = check.localized(f"{path}.text", data["text"], langs) if "text" in data else None

    kind: Kind = "text"
    raw_kind = data.get("kind", "text")
    if raw_kind not in KINDS:
        hint = _suggest(str(raw_kind), KINDS)
        check.add(f"{path}.kind", f"{raw_kind!r} is not a kind{hint}; use text, scale or choice")
        ok = False
    else:
        kind = raw_kind

    options: tuple[LocalizedText, ...] | None = ()
    if ok and kind in ("scale", "choice"):
        if data.get("options") is None:
            check.add(
                f"{path}.options",
                f"missing; a {kind} question needs its options "
                "(per language, or options: five-point for the five-point scale)",
            )
            options = None
        else:
            options = _options(check, f"{path}.options", data["options"], kind, langs)
    elif ok and data.get("options") not in (None, [], {}):
        check.add(
            f"{path}.options",
            "a text question takes no options; remove them or set kind: scale or kind: choice",
        )
        options = None

    time_box: int | None = None
    if data.get("time_box") is not None:
        time_box = check.time_box(f"{path}.time_box", data["time_box"])
        ok = ok and time_box is not None

    anonymous = data.get("anonymous_allowed", True)
    if not isinstance(anonymous, bool):
        check.add(f"{path}.anonymous_allowed", f"must be true or false; found {_what(anonymous)}")
        ok = False

    follow_up: tuple[LocalizedText, ...] | None = ()
    if data.get("follow_up") not in (None, [], {}):
        follow_up = check.localized_list(
            f"{path}.follow_up", data["follow_up"], langs, what="follow-up prompts"
        )

    if not ok or qid is None or phase is None or text is None:
        return None
    if options is None or follow_up is None:
        return None
    return Question(
        id=qid,
        phase=phase,
        text=text,
        kind=kind,
        options=options,
        time_box=time_box,
        anonymous_allowed=bool(anonymous),
        follow_up=follow_up,
    )


def _questions(
    check: _Checker,
    value: object,
    langs: tuple[str, ...] | None,
    phase_ids: list[str] | None,
) -> list[Question] | None:
    if not isinstance(value, list):
        check.add("questions", f"must be a list of questions (- id: …); found {_what(value)}")
        return None
    if not value:
        check.add("questions", "empty; a plan needs at least one question")
        return None
    questions: list[Question] = []
    first_seen: dict[str, int] = {}
    ok = True
    for index, item in enumerate(value):
        path = f"questions[{index}]"
        if isinstance(item, Mapping) and "id" in item:
            raw_id = str(item["id"])
            if raw_id in first_seen:
                check.add(
                    f"{path}.id",
                    f'"{raw_id}" is used twice (also questions[{first_seen[raw_id]}]); '
                    "question ids must be unique",
                )
                ok = False
            else:
                first_seen[raw_id] = index
        question = _question(check, path, item, langs, phase_ids)
        if question is None:
            ok = False
        else:
            questions.append(question)
    return questions if ok else None


def _parse(data: object, check: _Checker) -> Plan | None:
    top = check.mapping("", data, allowed=PLAN_KEYS, required=_PLAN_REQUIRED, what="a plan")
    if top is None:
        return None
    pid = check.ident("id", top["id"]) if "id" in top else None
    langs = _languages(check, top["languages"]) if "languages" in top else None
    name = check.localized("name", top["name"], langs, allow_plain=True) if "name" in top else None
    description: LocalizedText | None = LocalizedText()
    if top.get("description") is not None:
        description = check.localized("description", top["description"], langs, allow_plain=True)
    organisation: str | None = None
    if top.get("organisation") is not None:
        raw_org = top["organisation"]
        if not isinstance(raw_org, str) or not raw_org.strip():
            check.add("organisation", f"must be the organisation's name; found {_what(raw_org)}")
        elif "{" in raw_org or "}" in raw_org:
            check.add("organisation", "the organisation's name cannot contain braces")
        else:
            organisation = raw_org
    time_box: int | None = None
    if top.get("time_box") is not None:
        time_box = check.time_box("time_box", top["time_box"])
    phases = _phases(check, top["phases"], langs) if "phases" in top else None
    phase_ids = [p.id for p in phases] if phases is not None else None
    if phase_ids is None and isinstance(top.get("phases"), list):
        # Still check question phases against the phase ids that could be read.
        phase_ids = [
            str(p["id"]) for p in top["phases"] if isinstance(p, Mapping) and "id" in p
        ] or None
    questions = (
        _questions(check, top["questions"], langs, phase_ids) if "questions" in top else None
    )
    if check.issues:
        return None
    assert pid is not None and langs is not None and name is not None  # no issues: all read
    assert phases is not None and questions is not None and description is not None
    return Plan(
        id=pid,
        name=name,
        languages=langs,
        phases=tuple(phases),
        questions=tuple(questions),
        description=description,
        organisation=organisation,
        time_box=time_box,
    )


# -- public API --------------------------------------------------------------------------


def _read_yaml(text: str) -> tuple[object, dict[str, int], list[PlanIssue]]:
    """Parse YAML text; return the data, the line map and any YAML-level issues."""
    lines: dict[str, int] = {}
    issues: list[PlanIssue] = []
    if len(text) > MAX_PLAN_CHARS:
        issues.append(
            PlanIssue("", f"the plan is {len(text)} characters; at most {MAX_PLAN_CHARS} fit")
        )
        return None, lines, issues
    try:
        node = yaml.compose(text, Loader=_LOADER)
        too_big = None if node is None else _size_problem(node)
        if too_big is not None:
            issues.append(PlanIssue("", too_big))
            return None, lines, issues
        data = yaml.load(text, Loader=_LOADER)  # a safe loader: plain data only
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = " ".join(p for p in (exc.context, exc.problem) if p)
        hint = ""
        if "flow" in problem:
            hint = (
                '; inside [ ] or { } put each text in quotes ("Hvorfor?"), or write the list '
                "with one - item per line"
            )
        elif "mapping values are not allowed" in problem:
            hint = '; a text that contains ": " must be in quotes'
        issues.append(PlanIssue("", f"not valid YAML: {problem}{hint}", line))
        return None, lines, issues
    except yaml.YAMLError as exc:
        issues.append(PlanIssue("", f"not valid YAML: {exc}"))
        return None, lines, issues
    if node is None:
        issues.append(PlanIssue("", "the plan is empty"))
        return None, lines, issues
    _line_map(node, "", lines, issues)
    return data, lines, issues


def _check_text(text: str) -> tuple[Plan | None, list[PlanIssue]]:
    data, lines, issues = _read_yaml(text)
    if issues and data is None:
        return None, issues
    check = _Checker(lines)
    check.issues.extend(issues)
    plan = _parse(data, check)
    ordered = sorted(check.issues, key=lambda i: (i.line is None, i.line or 0))
    return (plan if not check.issues else None), ordered


def validate_plan_text(text: str) -> list[PlanIssue]:
    """Check a plan file's text and return every problem (empty when the plan is valid).

    Args:
        text: The YAML text of a plan.

    Returns:
        The issues in file order, each with its location and line.
    """
    return _check_text(text)[1]


def plan_from_data(data: object, *, source: str | None = None) -> Plan:
    """Build a plan from already-parsed YAML data (a dict), validating it.

    Raises:
        PlanError: The data is not a valid plan; lists every issue.
    """
    check = _Checker()
    plan = _parse(data, check)
    if plan is None:
        raise PlanError(check.issues, source=source)
    return plan


def validate_plan(plan: Plan) -> list[PlanIssue]:
    """Check a plan built in code (e.g. after an edit); return every problem."""
    check = _Checker()
    _parse(plan_to_data(plan), check)
    return check.issues


def _looks_like_path(source: str) -> bool:
    if "\n" in source:
        return False
    return source.endswith((".yaml", ".yml")) or os.path.isfile(source)


def load_plan(source: str | os.PathLike[str]) -> Plan:
    """Read and validate a plan from YAML text or from a file.

    Args:
        source: The YAML text, or a path (a :class:`~pathlib.Path`, or a one-line string
            that ends in .yaml/.yml or names an existing file).

    Returns:
        The plan.

    Raises:
        PlanError: The plan has problems (all of them are listed, with locations), or the
            file cannot be read.
    """
    origin: str | None = None
    if isinstance(source, os.PathLike) or _looks_like_path(source):
        path = Path(source)
        origin = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise PlanError(
                [PlanIssue("", f"cannot read {path}: {exc.strerror or exc}")], source=origin
            ) from None
        except UnicodeDecodeError:
            raise PlanError(
                [PlanIssue("", f"{path} is not UTF-8 text; save it as UTF-8")], source=origin
            ) from None
    else:
        text = source
    plan, issues = _check_text(text)
    if plan is None:
        raise PlanError(issues, source=origin)
    log.debug("loaded plan %s (%d questions)", plan.id, len(plan.questions))
    return plan


# -- writing -----------------------------------------------------------------------------


class _Flow(list[Any]):
    """A list written in flow style: ``[da, en]``."""


class _Dumper(yaml.SafeDumper):
    """Indents list items under their key, as people write YAML by hand."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_flow(dumper: yaml.SafeDumper, value: _Flow) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(_Flow, _represent_flow)


def _texts(text: Mapping[str, str]) -> dict[str, str]:
    return dict(text.items())


def _lists(items: Sequence[Mapping[str, str]], languages: Sequence[str]) -> dict[str, list[str]]:
    langs = list(languages) + sorted({k for i in items for k in i} - set(languages))
    return {lang: [i[lang] for i in items if lang in i] for lang in langs}


def _time(seconds: object) -> object:
    if isinstance(seconds, int) and not isinstance(seconds, bool) and seconds > 0:
        return format_time_box(seconds)
    return seconds


def plan_to_data(plan: Plan) -> dict[str, Any]:
    """The plan as plain YAML-ready data, keys in the file format's order."""
    data: dict[str, Any] = {"id": plan.id, "name": _texts(plan.name)}
    if plan.description:
        data["description"] = _texts(plan.description)
    data["languages"] = _Flow(plan.languages)
    if plan.organisation is not None:
        data["organisation"] = plan.organisation
    if plan.time_box is not None:
        data["time_box"] = _time(plan.time_box)
    data["phases"] = [{"id": p.id, "title": _texts(p.title)} for p in plan.phases]
    questions: list[dict[str, Any]] = []
    for q in plan.questions:
        item: dict[str, Any] = {"id": q.id, "phase": q.phase, "kind": q.kind}
        if q.time_box is not None:
            item["time_box"] = _time(q.time_box)
        item["anonymous_allowed"] = q.anonymous_allowed
        item["text"] = _texts(q.text)
        if q.options:
            item["options"] = _lists(q.options, plan.languages)
        if q.follow_up:
            item["follow_up"] = _lists(q.follow_up, plan.languages)
        questions.append(item)
    data["questions"] = questions
    return data


_HEADER = "# A workshopbot question plan. The format is described in docs/plans.md.\n"


def dump_plan(plan: Plan, *, header: bool = True) -> str:
    """Write a plan as YAML text; ``load_plan(dump_plan(p)) == p``.

    Args:
        plan: The plan.
        header: Start with a comment that points to the format's description.

    Returns:
        The YAML text (UTF-8, Danish letters written as they are).
    """
    body = yaml.dump(
        plan_to_data(plan),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=4096,  # one text per line: folded lines confuse people editing a plan
        indent=2,
    )
    return (_HEADER if header else "") + body
