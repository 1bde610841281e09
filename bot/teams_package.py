"""The Teams app package: a manifest filled from settings, two icons, a Danish language file.

Why one module of ~670 lines: it has one job (turn settings and templates into a zip Teams
accepts) and its parts are read together: the settings table below, the template filling
that refuses a left-over placeholder, the command lists the manifest allows and the schema
check. Split, each part would import the others' constants; none is used elsewhere.

A Teams admin installs the bot from a zip with ``manifest.json``, ``color.png`` and
``outline.png`` at its root (here also ``da.json``, the Danish strings). The manifest is
built from ``manifest/manifest.template.json`` and ``manifest/da.template.json``: JSON files
with explicit ``{{NAME}}`` placeholders. :func:`fill_template` replaces every placeholder
and refuses a template that still holds one afterwards, or one that names a value nobody
supplies, so a hand-edited placeholder can never slip into a package.

Settings (environment variables; see ``docs/deploy.md``):

============================ ================================================= ===========
variable                     meaning                                           default
============================ ================================================= ===========
MICROSOFT_APP_ID             the bot's Entra app (client) id (a GUID)          required
WORKSHOPBOT_PUBLIC_URL       the bot's public HTTPS base URL; its host name    required
                             becomes the manifest's ``validDomains``
WORKSHOPBOT_DEVELOPER_NAME   who publishes the app (shown in Teams, ≤ 32 chars) required
WORKSHOPBOT_PRIVACY_URL      HTTPS URL where the operator publishes PRIVACY.md required
WORKSHOPBOT_TERMS_URL        HTTPS URL where the operator publishes TERMS.md   required
WORKSHOPBOT_WEBSITE_URL      the developer's website                           public URL
WORKSHOPBOT_APP_VERSION      the package version, MAJOR.MINOR.PATCH; raise it  project
                             for every new upload                              version
WORKSHOPBOT_TEAMS_APP_ID     the Teams app id (a GUID)                         bot app id
============================ ================================================= ===========

The command menus come from :data:`dialogs.commands.COMMANDS` (entries with ``menu=True``),
one list per set of scopes that shares the same commands.
"""

from __future__ import annotations

import copy
import json
import logging
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlparse

from bot.errors import BotError, SettingsError
from dialogs.commands import COMMANDS, CommandSpec, Scope

__all__ = [
    "BOT_SCOPES",
    "LANGUAGE_FILES",
    "MANIFEST_DIR",
    "MANIFEST_VERSION",
    "MAX_COMMANDS_PER_LIST",
    "PACKAGE_FILES",
    "RSC_PERMISSIONS",
    "SCHEMA_ROOT",
    "SETTINGS",
    "ManifestInvalid",
    "PackageSettings",
    "build_command_lists",
    "build_localization",
    "build_manifest",
    "fill_template",
    "localized_manifest",
    "newest_schema_version",
    "validate_package",
    "write_package",
]

log = logging.getLogger(__name__)

_REPO_ROOT = Path(__file__).resolve().parents[1]

#: Folder with the templates and icons.
MANIFEST_DIR = _REPO_ROOT / "manifest"
#: Microsoft's JSON schemas as shipped by the npm package ``@microsoft/app-manifest``.
SCHEMA_ROOT = (
    _REPO_ROOT / "node_modules" / "@microsoft" / "app-manifest" / "build" / "json-schemas" / "teams"
)
#: The newest non-preview schema that ``@microsoft/app-manifest`` 1.1.2 ships.
MANIFEST_VERSION = "1.30"
#: Where the bot can be installed (a meeting chat is a group chat to a bot).
BOT_SCOPES: tuple[Scope, ...] = ("personal", "team", "groupChat")
#: Teams shows at most 10 commands per command list (the 1.30 schema allows 12).
MAX_COMMANDS_PER_LIST = 10
#: Additional languages: language tag -> file name in the package.
LANGUAGE_FILES: Mapping[str, str] = {"da": "da.json"}
#: Files at the root of the zip besides the language files.
PACKAGE_FILES = ("manifest.json", "color.png", "outline.png")
#: Resource-specific consent the manifest asks for (all of type Application): hear channel
#: and chat messages without an @mention, read meeting details, start/end events and
#: participant roles in private and channel meetings.
RSC_PERMISSIONS = (
    "ChannelMessage.Read.Group",
    "ChatMessage.Read.Chat",
    "OnlineMeeting.ReadBasic.Chat",
    "ChannelMeeting.ReadBasic.Group",
    "OnlineMeetingParticipant.Read.Chat",
    "ChannelMeetingParticipant.Read.Group",
)
#: The accent colour (the colour icon's background, see manifest/make_icons.py).
ACCENT_COLOR = "#2E6F73"

_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_SEMVER = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")
_PLACEHOLDER = re.compile(r"\{\{([A-Z][A-Z0-9_]*)\}\}")


@dataclass(frozen=True)
class _Setting:
    env: tuple[str, ...]
    meaning: str
    required: bool


#: Every setting the package reads: field -> (variable names, first preferred; meaning).
SETTINGS: Mapping[str, _Setting] = {
    "bot_app_id": _Setting(
        ("MICROSOFT_APP_ID", "MicrosoftAppId"),
        "the bot's app (client) id from the Azure Bot registration",
        True,
    ),
    "public_url": _Setting(
        ("WORKSHOPBOT_PUBLIC_URL",),
        "the bot's public HTTPS base URL, e.g. https://bot.example.org",
        True,
    ),
    "developer_name": _Setting(
        ("WORKSHOPBOT_DEVELOPER_NAME",),
        "the publisher's name shown in Teams, e.g. HK Udvikling",
        True,
    ),
    "privacy_url": _Setting(
        ("WORKSHOPBOT_PRIVACY_URL",), "the HTTPS URL where you publish PRIVACY.md", True
    ),
    "terms_url": _Setting(
        ("WORKSHOPBOT_TERMS_URL",), "the HTTPS URL where you publish TERMS.md", True
    ),
    "website_url": _Setting(
        ("WORKSHOPBOT_WEBSITE_URL",), "the publisher's website (default: the public URL)", False
    ),
    "version": _Setting(
        ("WORKSHOPBOT_APP_VERSION",),
        "the package version MAJOR.MINOR.PATCH (default: project version)",
        False,
    ),
    "teams_app_id": _Setting(
        ("WORKSHOPBOT_TEAMS_APP_ID",), "the Teams app id, a GUID (default: the bot's app id)", False
    ),
}


class ManifestInvalid(BotError):
    """The generated manifest or language file breaks Microsoft's JSON schema."""


def _project_version() -> str:
    try:
        return package_version("workshopbot")
    except PackageNotFoundError:  # pragma: no cover - the project is always installed
        return "0.1.0"


def _is_https_url(value: str) -> bool:
    parsed = urlparse(value)
    return parsed.scheme == "https" and bool(parsed.hostname)


@dataclass(frozen=True)
class PackageSettings:
    """What the manifest needs from the operator, validated.

    Build it with :meth:`from_env`, or with keywords in tests.

    Attributes:
        bot_app_id: The bot's app id (GUID); also ``webApplicationInfo.id``.
        public_url: The bot's public HTTPS base URL (no trailing slash).
        developer_name: The publisher's name (≤ 32 characters).
        privacy_url: Where PRIVACY.md is published (HTTPS).
        terms_url: Where TERMS.md is published (HTTPS).
        website_url: The publisher's website (HTTPS); the public URL when empty.
        version: The package version, ``MAJOR.MINOR.PATCH``; the project version when empty.
        teams_app_id: The Teams app id (GUID); the bot app id when empty.
    """

    bot_app_id: str
    public_url: str
    developer_name: str
    privacy_url: str
    terms_url: str
    website_url: str = ""
    version: str = ""
    teams_app_id: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "public_url", self.public_url.rstrip("/"))
        checked = list(SETTINGS)
        if not self.website_url:
            object.__setattr__(self, "website_url", self.public_url)
            checked.remove("website_url")  # its problem would repeat the public URL's
        if not self.version:
            object.__setattr__(self, "version", _project_version())
        if not self.teams_app_id:
            object.__setattr__(self, "teams_app_id", self.bot_app_id)
        problems = [_problem(field_name, getattr(self, field_name)) for field_name in checked]
        found = [p for p in problems if p]
        if found:
            raise SettingsError("; ".join(found))

    @property
    def public_host(self) -> str:
        """The host name of :attr:`public_url` (what ``validDomains`` lists)."""
        return urlparse(self.public_url).hostname or ""

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> PackageSettings:
        """Read the settings from environment variables.

        Args:
            env: The variables, usually ``os.environ``.

        Returns:
            The validated settings.

        Raises:
            SettingsError: Some settings are missing or invalid; the message names every
                missing variable with what to put there, and every invalid value.
        """
        values: dict[str, str] = {}
        missing: list[str] = []
        for field_name, setting in SETTINGS.items():
            value = next(
                (env[name].strip() for name in setting.env if env.get(name, "").strip()), ""
            )
            if value:
                values[field_name] = value
            elif setting.required:
                missing.append(f"{setting.env[0]} ({setting.meaning})")
        if missing:
            raise SettingsError(
                f"cannot build the Teams app package; {len(missing)} setting(s) missing: "
                + "; ".join(missing)
                + ". Set them in the environment (see docs/deploy.md)"
            )
        return cls(**values)


def _problem(field_name: str, value: str) -> str:
    """A message naming the variable and the fix, or "" when ``value`` is fine."""
    name = SETTINGS[field_name].env[0]
    if field_name in ("bot_app_id", "teams_app_id") and not _GUID.match(value):
        return f"{name} = {value!r} is invalid; it must be a GUID such as 00000000-0000-0000-0000-000000000000"
    if field_name in (
        "public_url",
        "privacy_url",
        "terms_url",
        "website_url",
    ) and not _is_https_url(value):
        return f"{name} = {value!r} is invalid; Teams needs an https:// URL"
    if field_name == "developer_name" and not 0 < len(value) <= 32:
        return f"{name} = {value!r} is invalid; give a name of 1 to 32 characters"
    if field_name == "version" and not _SEMVER.match(value):
        return f"{name} = {value!r} is invalid; use MAJOR.MINOR.PATCH such as 1.0.3"
    return ""


def fill_template(template: Any, values: Mapping[str, Any]) -> Any:
    """Replace every ``{{NAME}}`` placeholder in a parsed JSON template.

    A string that is exactly one placeholder is replaced by the value itself (any JSON
    type, e.g. a list); a placeholder inside a longer string is replaced by ``str(value)``.

    Args:
        template: The parsed template (not modified).
        values: Placeholder name -> value. Every name must be used by the template.

    Returns:
        The filled copy.

    Raises:
        BotError: The template names a placeholder that ``values`` lacks, ``values`` holds
            a name the template never uses, or the result still contains ``{{``.

    >>> fill_template({"id": "{{ID}}", "url": "https://{{HOST}}/x"}, {"ID": [1], "HOST": "h"})
    {'id': [1], 'url': 'https://h/x'}
    """
    used: set[str] = set()
    unknown: set[str] = set()

    def fill(node: Any) -> Any:
        if isinstance(node, dict):
            return {fill(key): fill(value) for key, value in node.items()}
        if isinstance(node, list):
            return [fill(item) for item in node]
        if not isinstance(node, str):
            return node
        whole = _PLACEHOLDER.fullmatch(node)
        if whole:
            name = whole.group(1)
            if name not in values:
                unknown.add(name)
                return node
            used.add(name)
            return copy.deepcopy(values[name])

        def one(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in values:
                unknown.add(name)
                return match.group(0)
            used.add(name)
            return str(values[name])

        return _PLACEHOLDER.sub(one, node)

    filled = fill(template)
    if unknown:
        raise BotError(
            f"the manifest template uses placeholders nobody fills: {', '.join(sorted(unknown))}"
        )
    unused = set(values) - used
    if unused:
        raise BotError(f"the manifest template lacks placeholders for: {', '.join(sorted(unused))}")
    if "{{" in json.dumps(filled, ensure_ascii=False):
        raise BotError("the filled manifest still contains '{{'; fix the template's placeholders")
    return filled


def build_command_lists(
    commands: Sequence[CommandSpec] = COMMANDS, *, language: str = "en"
) -> list[dict[str, Any]]:
    """The bot's ``commandLists``: the menu commands, one list per set of equal scopes.

    Args:
        commands: The command registry (``menu=True`` entries are listed).
        language: ``"en"`` or ``"da"``: which title and description to use.

    Returns:
        A list of ``{"scopes": [...], "commands": [{"title", "description"}, ...]}``.

    Raises:
        BotError: A scope would list more than :data:`MAX_COMMANDS_PER_LIST` commands.
    """
    per_scope: dict[Scope, tuple[CommandSpec, ...]] = {
        scope: tuple(spec for spec in commands if spec.menu and scope in spec.scopes)
        for scope in BOT_SCOPES
    }
    groups: dict[tuple[str, ...], list[Scope]] = {}
    for scope, specs in per_scope.items():
        if not specs:
            continue
        if len(specs) > MAX_COMMANDS_PER_LIST:
            raise BotError(
                f"{len(specs)} commands have menu=True in scope {scope!r}; Teams shows at most "
                f"{MAX_COMMANDS_PER_LIST}: set menu=False on some in dialogs/commands.py"
            )
        groups.setdefault(tuple(spec.name for spec in specs), []).append(scope)
    by_name = {spec.name: spec for spec in commands}
    return [
        {
            "scopes": list(scopes),
            "commands": [
                {
                    "title": by_name[name].title(language),
                    "description": by_name[name].description[language],
                }
                for name in names
            ],
        }
        for names, scopes in groups.items()
    ]


def _load_template(source_dir: Path, name: str) -> Any:
    path = source_dir / name
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BotError(f"the manifest template {path} is missing; restore it from git") from None
    except json.JSONDecodeError as exc:
        raise BotError(f"the manifest template {path} is not valid JSON: {exc}") from None


def build_manifest(
    settings: PackageSettings,
    *,
    commands: Sequence[CommandSpec] = COMMANDS,
    source_dir: Path = MANIFEST_DIR,
) -> dict[str, Any]:
    """Fill ``manifest.template.json`` from the settings and the command registry.

    Args:
        settings: The operator's settings.
        commands: The bot's command registry.
        source_dir: The folder with the templates.

    Returns:
        The manifest as a dict (what ``manifest.json`` holds).
    """
    values = {
        "MANIFEST_VERSION": MANIFEST_VERSION,
        "APP_VERSION": settings.version,
        "TEAMS_APP_ID": settings.teams_app_id,
        "BOT_APP_ID": settings.bot_app_id,
        "DEVELOPER_NAME": settings.developer_name,
        "WEBSITE_URL": settings.website_url,
        "PRIVACY_URL": settings.privacy_url,
        "TERMS_URL": settings.terms_url,
        "PUBLIC_HOST": settings.public_host,
        "ACCENT_COLOR": ACCENT_COLOR,
        "COMMAND_LISTS": build_command_lists(commands, language="en"),
    }
    manifest: dict[str, Any] = fill_template(
        _load_template(source_dir, "manifest.template.json"), values
    )
    return manifest


def build_localization(
    language: str,
    *,
    commands: Sequence[CommandSpec] = COMMANDS,
    source_dir: Path = MANIFEST_DIR,
) -> dict[str, Any]:
    """Fill ``<language>.template.json`` and add the command menu strings of ``language``.

    Args:
        language: A key of :data:`LANGUAGE_FILES` (``"da"``).
        commands: The bot's command registry.
        source_dir: The folder with the templates.

    Returns:
        The language file as a dict (keys such as ``"name.short"`` and
        ``"bots[0].commandLists[1].commands[0].title"``).
    """
    if language not in LANGUAGE_FILES:
        raise BotError(
            f"language = {language!r} has no language file; use one of {', '.join(LANGUAGE_FILES)}"
        )
    strings: dict[str, Any] = fill_template(
        _load_template(source_dir, f"{language}.template.json"),
        {"MANIFEST_VERSION": MANIFEST_VERSION},
    )
    for i, command_list in enumerate(build_command_lists(commands, language=language)):
        for j, entry in enumerate(command_list["commands"]):
            strings[f"bots[0].commandLists[{i}].commands[{j}].title"] = entry["title"]
            strings[f"bots[0].commandLists[{i}].commands[{j}].description"] = entry["description"]
    return strings


_INDEX = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def localized_manifest(manifest: Mapping[str, Any], strings: Mapping[str, Any]) -> dict[str, Any]:
    """The manifest as a user of the language file's language sees it.

    Teams replaces the manifest's values with the file's (``"name.short"``,
    ``"bots[0].commandLists[0].commands[2].title"``…). Validating this copy against the
    manifest schema checks the translated strings' lengths too.

    Raises:
        BotError: A key points at nothing in the manifest.
    """
    result = copy.deepcopy(dict(manifest))
    for key, value in strings.items():
        if key == "$schema" or key == "localizationKeys":
            continue
        steps: list[str | int] = [
            name if name else int(index) for name, index in _INDEX.findall(key)
        ]
        node: Any = result
        try:
            for step in steps[:-1]:
                node = node[step]
            last = steps[-1]
            node[last]  # the key must point at an existing value
            node[last] = value
        except (KeyError, IndexError, TypeError):
            raise BotError(
                f"the language file key {key!r} points at nothing in the manifest"
            ) from None
    return result


def newest_schema_version(schema_root: Path = SCHEMA_ROOT) -> str:
    """The highest ``v1.N`` schema folder under ``schema_root`` (previews ignored)."""
    versions = [
        (int(m.group(1)), int(m.group(2)))
        for p in schema_root.iterdir()
        if (m := re.fullmatch(r"v(\d+)\.(\d+)", p.name)) and p.is_dir()
    ]
    if not versions:
        raise BotError(f"no manifest schemas under {schema_root}; run `make setup` (npm ci)")
    major, minor = max(versions)
    return f"{major}.{minor}"


def _schema_errors(instance: Any, schema_path: Path, schema_dir: Path) -> list[str]:
    """Validate ``instance`` with the JSON Schema draft the schema declares, offline."""
    import jsonschema
    from jsonschema import validators
    from referencing import Registry
    from referencing.jsonschema import specification_with

    base = f"https://developer.microsoft.com/json-schemas/teams/v{MANIFEST_VERSION}/"
    resources = []
    for path in sorted(schema_dir.glob("*.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        spec = specification_with(
            contents.get("$schema", "http://json-schema.org/draft-04/schema#")
        )
        resources.append((base + path.name, spec.create_resource(contents)))
    registry: Registry[Any] = Registry().with_resources(resources)
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    declared = validators.validator_for(schema)
    # Microsoft validates with ajv in draft-04 mode, which also applies the newer "const"
    # keyword the schemas use (manifestVersion); jsonschema's Draft4Validator ignores it.
    checker = validators.extend(declared, {"const": jsonschema.Draft6Validator.VALIDATORS["const"]})
    validator = checker(schema, registry=registry, format_checker=declared.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path)))
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in errors]


def validate_package(
    manifest: Mapping[str, Any],
    localizations: Mapping[str, Mapping[str, Any]],
    *,
    schema_root: Path = SCHEMA_ROOT,
    version: str | None = None,
) -> None:
    """Validate the manifest and every language file against Microsoft's schemas.

    Checks ``manifest.json`` against ``MicrosoftTeams.schema.json`` of its manifest version,
    each language file against ``MicrosoftTeams.Localization.schema.json``, and the manifest
    as each language sees it against the manifest schema again (translated lengths).

    Args:
        manifest: The filled manifest.
        localizations: Language tag -> language file contents.
        schema_root: The ``json-schemas/teams`` folder of ``@microsoft/app-manifest``.
        version: The schema version to check against; the manifest's ``manifestVersion``
            when None.

    Raises:
        ManifestInvalid: With every schema error, one per line.
        BotError: The schemas of the manifest's version are not installed.
    """
    version = version or str(manifest.get("manifestVersion"))
    schema_dir = schema_root / f"v{version}"
    manifest_schema = schema_dir / "MicrosoftTeams.schema.json"
    if not manifest_schema.is_file():
        raise BotError(
            f"no schema for manifest version {version!r} at "
            f"{manifest_schema}; run `make setup` (npm ci) to install @microsoft/app-manifest"
        )
    problems = [f"manifest.json {e}" for e in _schema_errors(manifest, manifest_schema, schema_dir)]
    localization_schema = schema_dir / "MicrosoftTeams.Localization.schema.json"
    for language, strings in localizations.items():
        name = LANGUAGE_FILES.get(language, f"{language}.json")
        if localization_schema.is_file():
            problems += [
                f"{name} {e}" for e in _schema_errors(strings, localization_schema, schema_dir)
            ]
        try:
            seen = localized_manifest(manifest, strings)
        except BotError as exc:
            problems.append(f"{name}: {exc}")
            continue
        problems += [
            f"manifest.json as {language} users see it: {e}"
            for e in _schema_errors(seen, manifest_schema, schema_dir)
        ]
    if problems:
        raise ManifestInvalid(
            f"the app package breaks the manifest schema v{version}:\n" + "\n".join(problems)
        )


def write_package(
    out: Path,
    settings: PackageSettings,
    *,
    commands: Sequence[CommandSpec] = COMMANDS,
    source_dir: Path = MANIFEST_DIR,
    validate: Literal["auto", "require", "skip"] = "auto",
    schema_root: Path = SCHEMA_ROOT,
) -> dict[str, Any]:
    """Build the manifest and write the app package zip.

    Args:
        out: The zip to write (its folder must exist; an existing file is replaced).
        settings: The operator's settings.
        commands: The bot's command registry.
        source_dir: The folder with the templates and icons.
        validate: ``"auto"`` validates when the schemas are installed, ``"require"`` fails
            without them, ``"skip"`` does not validate.
        schema_root: The ``json-schemas/teams`` folder of ``@microsoft/app-manifest``.

    Returns:
        The manifest written.

    Raises:
        ManifestInvalid: The manifest breaks the schema (nothing is written).
        BotError: The output folder or an icon is missing.
    """
    if validate not in ("auto", "require", "skip"):
        raise BotError(f"validate = {validate!r} is invalid; use 'auto', 'require' or 'skip'")
    if not out.parent.is_dir():
        raise BotError(
            f"cannot write {out}: the folder {out.parent} does not exist; create it first"
        )
    manifest = build_manifest(settings, commands=commands, source_dir=source_dir)
    localizations = {
        language: build_localization(language, commands=commands, source_dir=source_dir)
        for language in LANGUAGE_FILES
    }
    missing = _validation_missing(schema_root)
    if validate == "require" and missing:
        raise BotError(f"cannot validate the manifest: {missing}")
    if validate == "require" or (validate == "auto" and not missing):
        validate_package(manifest, localizations, schema_root=schema_root)
    elif validate == "auto":
        log.warning("manifest NOT validated: %s", missing)
    icons = {name: source_dir / name for name in ("color.png", "outline.png")}
    for path in icons.values():
        if not path.is_file():
            raise BotError(f"the icon {path} is missing; run python manifest/make_icons.py")
    entries: list[tuple[str, bytes]] = [
        ("manifest.json", _json_bytes(manifest)),
        *((name, path.read_bytes()) for name, path in icons.items()),
        *((LANGUAGE_FILES[lang], _json_bytes(strings)) for lang, strings in localizations.items()),
    ]
    _write_zip(out, entries)
    log.info("wrote %s (%s)", out, ", ".join(name for name, _ in entries))
    return manifest


def _validation_missing(schema_root: Path) -> str:
    """What validation lacks ("" when the schemas and jsonschema are installed)."""
    if not (schema_root / f"v{MANIFEST_VERSION}").is_dir():
        return f"no schemas at {schema_root}; run `make setup` (npm ci) to install them"
    try:
        import jsonschema  # noqa: F401
    except ImportError:
        return "the jsonschema package is not installed; pip install -e '.[dev]'"
    return ""


def _json_bytes(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _write_zip(out: Path, entries: Iterable[tuple[str, bytes]]) -> None:
    """Write a reproducible zip: fixed timestamps, files at the root, deflated."""
    tmp = out.with_name(out.name + ".part")
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, data in entries:
                info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, data)
        tmp.replace(out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise BotError(f"cannot write {out}: {exc.strerror or exc}") from None
