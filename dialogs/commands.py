"""The bot's commands: one table, read by the parser, the help card and the app manifest.

Every command is a frozen :class:`CommandSpec`. :data:`COMMANDS` lists them; the manifest
builder reads it for the command menus (``menu=True`` entries, per scope), the help card
reads it for the lines it shows a caller, and :func:`parse_command` looks phrases up in a
table built from it. Parsing never depends on the order of ``if`` branches: every English
name and Danish alias is a key, and the longest phrase that starts the text wins.

A command that takes no argument only matches when the text is exactly the command
(ignoring case, extra spaces and trailing punctuation), so an answer such as "Næste gang
bør vi ..." is never mistaken for ``next``.

>>> parse_command("Næste").name
'next'
>>> parse_command("tilføj facilitator @Anna").name, parse_command("tilføj facilitator @Anna").argument
('facilitator add', '@Anna')
>>> parse_command("næste gang bør vi spørge lederen") is None
True
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

__all__ = [
    "COMMANDS",
    "Argument",
    "CommandSpec",
    "Language",
    "ParsedCommand",
    "Scope",
    "command",
    "commands_for",
    "parse_command",
]

Scope = Literal["personal", "team", "groupChat"]
Language = Literal["da", "en"]
Argument = Literal["none", "optional", "required"]

GROUP: frozenset[Scope] = frozenset({"team", "groupChat"})
ALL: frozenset[Scope] = frozenset({"personal", "team", "groupChat"})
PERSONAL: frozenset[Scope] = frozenset({"personal"})


@dataclass(frozen=True)
class CommandSpec:
    """One command the bot understands.

    Attributes:
        name: The canonical English name, also the phrase users may type ("catch up").
        description: One line per language (``"da"``, ``"en"``), at most 128 characters
            (the manifest's limit for command descriptions).
        facilitator_only: Whether only a workshop's facilitators may use it.
        scopes: Where it makes sense: ``"personal"`` (1:1 chat), ``"team"`` (channels),
            ``"groupChat"`` (group and meeting chats).
        aliases: Other phrases that mean the same, mostly Danish ("næste").
        argument: Whether text may or must follow the phrase.
        usage: What follows the phrase, shown on the help card (``"<spørgsmål>"``); per language.
        menu: Whether the app manifest lists it in the command menu (at most 10 per scope).
        max_argument_words: The longest argument, in words, that still makes the text this
            command (None: no limit). Keeps "Kort sagt synes jeg, at ..." an answer rather
            than the ``map`` command.
    """

    name: str
    description: Mapping[str, str]
    facilitator_only: bool
    scopes: frozenset[Scope]
    aliases: tuple[str, ...] = ()
    argument: Argument = "none"
    usage: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    menu: bool = False
    max_argument_words: int | None = None

    def __post_init__(self) -> None:
        for lang in ("da", "en"):
            text = self.description.get(lang)
            if not text:
                raise ValueError(f"command {self.name!r} has no {lang!r} description; add one")
            if len(text) > 128:
                raise ValueError(
                    f"command {self.name!r} {lang} description is {len(text)} characters; "
                    "the manifest allows at most 128"
                )
        if not self.scopes:
            raise ValueError(f"command {self.name!r} has no scopes; give at least one")

    @property
    def phrases(self) -> tuple[str, ...]:
        """The name and every alias, normalised."""
        return tuple(_normalise(p) for p in (self.name, *self.aliases))

    def title(self, language: str) -> str:
        """The phrase to show users of ``language`` (the first Danish alias for ``"da"``)."""
        if language == "da" and self.aliases:
            return self.aliases[0]
        return self.name


@dataclass(frozen=True)
class ParsedCommand:
    """A recognised command.

    Attributes:
        spec: The command.
        argument: The text after the phrase, stripped, original case ("" when none).
        phrase: The phrase that matched, normalised (``"spring over"``).
    """

    spec: CommandSpec
    argument: str
    phrase: str

    @property
    def name(self) -> str:
        """The canonical command name."""
        return self.spec.name


def _d(da: str, en: str) -> Mapping[str, str]:
    return MappingProxyType({"da": da, "en": en})


#: Every command, in the order the help card lists them.
COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "start",
        _d(
            "Start en workshop her (du bliver facilitator)",
            "Start a workshop here (you become facilitator)",
        ),
        facilitator_only=False,
        scopes=GROUP,
        aliases=("start workshop",),
        menu=True,
    ),
    CommandSpec(
        "next",
        _d("Gå til næste spørgsmål", "Go to the next question"),
        facilitator_only=True,
        scopes=GROUP,
        aliases=("næste", "videre"),
        menu=True,
    ),
    CommandSpec(
        "back",
        _d("Gå tilbage til forrige spørgsmål", "Go back to the previous question"),
        facilitator_only=True,
        scopes=GROUP,
        aliases=("tilbage", "forrige"),
    ),
    CommandSpec(
        "skip",
        _d("Spring det aktuelle spørgsmål over", "Skip the current question"),
        facilitator_only=True,
        scopes=GROUP,
        aliases=("spring over",),
    ),
    CommandSpec(
        "park",
        _d("Parkér det aktuelle spørgsmål til senere", "Park the current question for later"),
        facilitator_only=True,
        scopes=GROUP,
        aliases=("parkér", "parker"),
    ),
    CommandSpec(
        "return",
        _d("Vend tilbage til et parkeret spørgsmål", "Return to a parked question"),
        facilitator_only=True,
        scopes=GROUP,
        aliases=("vend tilbage", "genoptag spørgsmål"),
        argument="optional",
        usage=_d("[spørgsmål-id]", "[question id]"),
        max_argument_words=1,
    ),
    CommandSpec(
        "reorder",
        _d("Ændr rækkefølgen af de resterende spørgsmål", "Reorder the remaining questions"),
        facilitator_only=True,
        scopes=GROUP,
        aliases=("omorden", "ny rækkefølge"),
        argument="required",
        usage=_d("<id> <id> …", "<id> <id> …"),
    ),
    CommandSpec(
        "add",
        _d(
            "Tilføj et spørgsmål lige nu (kommer som det næste)",
            "Add a question now (it comes next)",
        ),
        facilitator_only=True,
        scopes=GROUP,
        aliases=("tilføj", "tilføj spørgsmål", "add question"),
        argument="required",
        usage=_d("<spørgsmålets tekst>", "<question text>"),
    ),
    CommandSpec(
        "pause",
        _d("Sæt workshoppen på pause", "Pause the workshop"),
        facilitator_only=True,
        scopes=GROUP,
        aliases=("hold pause",),
    ),
    CommandSpec(
        "resume",
        _d("Fortsæt efter en pause", "Resume after a pause"),
        facilitator_only=True,
        scopes=GROUP,
        aliases=("fortsæt", "genoptag"),
    ),
    CommandSpec(
        "status",
        _d(
            "Vis hvor workshoppen er, og hvor mange der har svaret",
            "Show where the workshop is and how many answered",
        ),
        facilitator_only=True,
        scopes=ALL,
        aliases=("hvor er vi",),
        menu=True,
    ),
    CommandSpec(
        "end",
        _d("Afslut workshoppen og luk spørgsmålene", "End the workshop and close the questions"),
        facilitator_only=True,
        scopes=GROUP,
        aliases=("afslut", "slut", "stop"),
        menu=True,
    ),
    CommandSpec(
        "summary",
        _d("Vis opsummeringen af workshoppen", "Post the workshop's summary"),
        facilitator_only=True,
        scopes=ALL,
        aliases=("opsummering", "resumé"),
        argument="optional",
        usage=_d("[workshop-id]", "[workshop id]"),
        menu=True,
        max_argument_words=1,
    ),
    CommandSpec(
        "catch up",
        _d("Få det aktuelle spørgsmål privat", "Get the current question privately"),
        facilitator_only=False,
        scopes=ALL,
        aliases=("indhent", "catchup"),
        menu=True,
    ),
    CommandSpec(
        "private",
        _d(
            "Svar privat på det aktuelle spørgsmål i din 1:1-chat",
            "Answer the current question privately in your 1:1 chat",
        ),
        facilitator_only=False,
        scopes=ALL,
        aliases=("privat", "svar privat", "answer privately"),
        menu=True,
    ),
    CommandSpec(
        "withdraw",
        _d(
            "Træk dine svar i den aktuelle workshop tilbage",
            "Withdraw your answers in the current workshop",
        ),
        facilitator_only=False,
        scopes=ALL,
        aliases=("træk tilbage", "slet mine svar", "withdraw my answers"),
        menu=True,
    ),
    CommandSpec(
        "forget me",
        _d(
            "Slet alle dine svar og din identitet i alle workshops",
            "Delete all your answers and your identity in every workshop",
        ),
        facilitator_only=False,
        scopes=ALL,
        aliases=("glem mig",),
    ),
    CommandSpec(
        "map",
        _d("Vis et gemt netværkskort", "Show a stored network map"),
        facilitator_only=False,
        scopes=ALL,
        aliases=("kort", "vis kort"),
        argument="optional",
        usage=_d("<navn>", "<name>"),
        menu=True,
        max_argument_words=5,
    ),
    CommandSpec(
        "facilitator add",
        _d("Gør en person til facilitator", "Make someone a facilitator"),
        facilitator_only=True,
        scopes=GROUP,
        aliases=("tilføj facilitator", "add facilitator", "facilitator tilføj"),
        argument="required",
        usage=_d("@navn", "@name"),
        max_argument_words=8,
    ),
    CommandSpec(
        "plans",
        _d("Vis de spørgeplaner, der findes", "List the question plans"),
        facilitator_only=False,
        scopes=ALL,
        aliases=("planer", "plan list", "plan liste"),
    ),
    CommandSpec(
        "plan show",
        _d("Vis en spørgeplans spørgsmål", "Show a question plan's questions"),
        facilitator_only=False,
        scopes=ALL,
        aliases=("plan vis",),
        argument="required",
        usage=_d("<plan>", "<plan>"),
        max_argument_words=1,
    ),
    CommandSpec(
        "plan copy",
        _d(
            "Kopiér en plan til en ny plan, du kan ændre",
            "Copy a plan to a new plan you can change",
        ),
        facilitator_only=True,
        scopes=ALL,
        aliases=("plan kopiér", "plan kopier"),
        argument="required",
        usage=_d("<plan> <ny-id>", "<plan> <new-id>"),
        max_argument_words=2,
    ),
    CommandSpec(
        "plan move",
        _d("Flyt et spørgsmål i en plan (ny version)", "Move a question in a plan (new version)"),
        facilitator_only=True,
        scopes=ALL,
        aliases=("plan flyt",),
        argument="required",
        usage=_d("<plan> <spørgsmål> <plads>", "<plan> <question> <position>"),
        max_argument_words=3,
    ),
    CommandSpec(
        "plan reword",
        _d(
            "Omformulér et spørgsmål i en plan (ny version)",
            "Reword a question in a plan (new version)",
        ),
        facilitator_only=True,
        scopes=ALL,
        aliases=("plan omformuler", "plan omformulér"),
        argument="optional",
        usage=_d("<plan> <spørgsmål>: <ny tekst>", "<plan> <question>: <new text>"),
    ),
    CommandSpec(
        "plan add",
        _d(
            "Tilføj et spørgsmål til en plan (ny version)", "Add a question to a plan (new version)"
        ),
        facilitator_only=True,
        scopes=ALL,
        aliases=("plan tilføj",),
        argument="required",
        usage=_d("<plan>: <tekst>", "<plan>: <text>"),
    ),
    CommandSpec(
        "plan drop",
        _d(
            "Fjern et spørgsmål fra en plan (ny version)",
            "Drop a question from a plan (new version)",
        ),
        facilitator_only=True,
        scopes=ALL,
        aliases=("plan fjern", "plan slet"),
        argument="required",
        usage=_d("<plan> <spørgsmål>", "<plan> <question>"),
        max_argument_words=2,
    ),
    CommandSpec(
        "plan share",
        _d(
            "Lad andre ændre en plan, du ejer (nævn dem med @)",
            "Let others change a plan you own (mention them with @)",
        ),
        facilitator_only=True,
        scopes=ALL,
        aliases=("plan del",),
        argument="required",
        usage=_d("<plan> @navn", "<plan> @name"),
    ),
    # --- the knowledge bank (issue 16; dialogs/knowledge/entry.py runs them) -----------
    CommandSpec(
        "course",
        _d(
            "Del tre nøglepunkter fra et kursus (eller 'kursus mine')",
            "Share three key points from a course (or 'course mine')",
        ),
        facilitator_only=False,
        scopes=PERSONAL,
        aliases=("kursus",),
        argument="optional",
        usage=_d("[mine | del/træk/ret <nr>]", "[mine | share/withdraw/edit <no>]"),
        max_argument_words=2,
        menu=True,
    ),
    CommandSpec(
        "who knows",
        _d("Find kolleger, der ved noget om et emne", "Find colleagues who know about a topic"),
        facilitator_only=False,
        scopes=PERSONAL,
        aliases=("hvem ved", "hvem ved noget om"),
        # Optional, so the command menu can offer it: alone it says how to search.
        argument="optional",
        usage=_d("<emne>", "<topic>"),
        max_argument_words=8,
        menu=True,
    ),
    CommandSpec(
        "subscribe",
        _d(
            "Få nye nøglepunkter om et emne, et kursus eller en person",
            "Get new key points about a topic, a course or a person",
        ),
        facilitator_only=False,
        scopes=PERSONAL,
        aliases=("abonnér", "abonner"),
        argument="optional",
        usage=_d("<emne> | kursus <navn> | @navn", "<topic> | course <name> | @name"),
        max_argument_words=8,
        menu=True,
    ),
    CommandSpec(
        "unsubscribe",
        _d("Stop et abonnement", "End a subscription"),
        facilitator_only=False,
        scopes=PERSONAL,
        aliases=("afmeld",),
        argument="optional",
        usage=_d("[nr | alle]", "[no | all]"),
        max_argument_words=8,
    ),
    CommandSpec(
        "transfer report",
        _d(
            "Vis transfer-rapporten (ledere og administratorer)",
            "Show the transfer report (managers and operators)",
        ),
        facilitator_only=False,
        scopes=PERSONAL,
        aliases=("transferrapport", "transfer rapport"),
        argument="optional",
        usage=_d("[team]", "[team]"),
        max_argument_words=4,
    ),
    CommandSpec(
        "follow up",
        _d(
            "Gør et forslag til en opfølgning med ansvarlig og dato",
            "Turn a proposal into a follow-up with an owner and a date",
        ),
        facilitator_only=True,
        scopes=GROUP,
        aliases=("opfølgning", "følg op"),
        argument="required",
        usage=_d("@navn <dato>: <forslag>", "@name <date>: <proposal>"),
    ),
    CommandSpec(
        "help",
        _d("Vis de kommandoer, du kan bruge", "Show the commands you can use"),
        facilitator_only=False,
        scopes=ALL,
        aliases=("hjælp", "?", "kommandoer", "commands"),
        menu=True,
    ),
)

_SPACES = re.compile(r"\s+")
_TRAILING = ".!?,;:"


def _normalise(text: str) -> str:
    text = _SPACES.sub(" ", text.strip().lower())
    if text.startswith("/"):
        text = text[1:].lstrip()
    return text


def _build_table(commands: tuple[CommandSpec, ...]) -> Mapping[str, CommandSpec]:
    table: dict[str, CommandSpec] = {}
    for spec in commands:
        for phrase in spec.phrases:
            other = table.get(phrase)
            if other is not None and other is not spec:
                raise ValueError(
                    f"the phrase {phrase!r} belongs to both {other.name!r} and {spec.name!r}; "
                    "give one of them another alias"
                )
            table[phrase] = spec
    return MappingProxyType(table)


_TABLE = _build_table(COMMANDS)
_MAX_WORDS = max(len(p.split(" ")) for p in _TABLE)
_BY_NAME = MappingProxyType({spec.name: spec for spec in COMMANDS})


def parse_command(text: str) -> ParsedCommand | None:
    """Recognise a command at the start of ``text``.

    The longest phrase (name or alias, in words) that starts the text wins; what follows is
    the argument. Commands without an argument match only the whole text (trailing
    punctuation ignored); commands with a required argument need one.

    Args:
        text: What the user wrote, with the bot's @mention already removed.

    Returns:
        The command and its argument, or ``None`` when the text is not a command.
    """
    if not text or not text.strip():
        return None
    cleaned = _SPACES.sub(" ", text.strip())
    if cleaned.startswith("/"):
        cleaned = cleaned[1:].lstrip()
    words = cleaned.split(" ")
    for count in range(min(_MAX_WORDS, len(words)), 0, -1):
        head = " ".join(words[:count])
        rest = " ".join(words[count:]).strip()
        spec = _TABLE.get(head.lower()) or _TABLE.get(head.lower().rstrip(_TRAILING))
        if spec is None:
            continue
        if spec.argument == "none":
            if rest.strip(_TRAILING + " "):
                return None
            rest = ""
        elif spec.max_argument_words is not None and len(rest.split()) > spec.max_argument_words:
            return None
        elif spec.argument == "required" and not rest:
            # "add" alone is not a command with nothing to add; a shorter phrase cannot
            # be meant either, so the text is no command.
            return None
        return ParsedCommand(spec=spec, argument=rest, phrase=_normalise(head).rstrip(_TRAILING))
    return None


def command(name: str) -> CommandSpec:
    """The command called ``name``.

    Raises:
        KeyError: When no command has that name.
    """
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"no command named {name!r}; known: {', '.join(_BY_NAME)}") from None


def commands_for(
    *, scope: Scope | None = None, facilitator: bool = True, menu_only: bool = False
) -> tuple[CommandSpec, ...]:
    """The commands a caller may use, in :data:`COMMANDS` order.

    Args:
        scope: Keep only commands available in this scope; ``None`` keeps all.
        facilitator: Whether the caller is a facilitator; when not, facilitator-only
            commands are left out.
        menu_only: Keep only the commands the manifest's command menu lists.
    """
    return tuple(
        spec
        for spec in COMMANDS
        if (scope is None or scope in spec.scopes)
        and (facilitator or not spec.facilitator_only)
        and (not menu_only or spec.menu)
    )
