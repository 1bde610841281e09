"""The bot's settings: one frozen object, read from the environment once.

The Bot Framework SDK reads its credentials by attribute name (``APP_ID``, ``APP_PASSWORD``,
``APP_TYPE``, ``APP_TENANTID``), so :class:`Settings` exposes exactly those names and can be
handed to ``ConfigurationBotFrameworkAuthentication`` as it is.

Environment variables (the Azure-style spellings ``MicrosoftAppId`` etc. work too):

========================== ===================================================== =========
variable                   meaning                                               default
========================== ===================================================== =========
MICROSOFT_APP_ID           the bot's Entra app (client) id                       (none)
MICROSOFT_APP_PASSWORD     the app's client secret                               (none)
MICROSOFT_APP_TYPE         SingleTenant, MultiTenant or UserAssignedMSI          SingleTenant
MICROSOFT_APP_TENANT_ID    the tenant of a single-tenant app                     (none)
DATABASE_URL               SQLAlchemy URL of the database                        sqlite file
WORKSHOPBOT_ALLOWED_TENANTS comma-separated tenant ids allowed to talk to the bot  (all)
PORT / HOST                where the web server listens                          3978 / 127.0.0.1
WORKSHOPBOT_PUBLIC_URL     public HTTPS base URL (card images are served there)  http://HOST:PORT
WORKSHOPBOT_LANGUAGE       default language of new workshops: da or en           da
WORKSHOPBOT_LOCAL          1: run without authentication (Agents Playground;     0
                           loopback HOST only)
WORKSHOPBOT_INSTANCES      bot processes sharing the conversations (each one's   1
                           outbox then keeps to 1/N of Teams' per-chat budget)
WORKSHOPBOT_FAST_ANSWERS   0: run every plain answer through the SDK's full turn   1
                           (for comparison; see docs/operations.md)
WORKSHOPBOT_OPERATORS      comma-separated Entra object ids (or Teams user ids)   (none)
                           who may change every plan and series
                           (docs/security-data.md)
WORKSHOPBOT_LOCAL_CLOCK    local mode only: the bot's clock starts at this        (real time)
                           ISO time ("now" for the real time) and moves only
                           when told (POST /_local/clock on loopback); for the
                           Agents Playground and end-to-end tests
WORKSHOPBOT_SECRET_KEY     the server secret keying the hashes of Teams ids;      SQLite:
                           or WORKSHOPBOT_SECRET_FILE naming a file holding it;   var/work-
                           required with PostgreSQL (read by storage/secret.py)   shopbot.key
========================== ===================================================== =========
"""

from __future__ import annotations

import ipaddress
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, cast
from urllib.parse import urlparse

from bot.errors import SettingsError

__all__ = [
    "DEFAULT_DATABASE_PATH",
    "AppType",
    "Language",
    "Settings",
    "is_loopback",
    "parse_clock_start",
]

log = logging.getLogger(__name__)

AppType = Literal["SingleTenant", "MultiTenant", "UserAssignedMSI"]
Language = Literal["da", "en"]

#: The embedded SQLite database used when DATABASE_URL is not set (relative to the cwd).
DEFAULT_DATABASE_PATH = Path("var") / "workshopbot.sqlite3"

_APP_TYPES: tuple[AppType, ...] = ("SingleTenant", "MultiTenant", "UserAssignedMSI")
_LANGUAGES: tuple[Language, ...] = ("da", "en")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}

# Each setting's accepted spellings, first one preferred (and named in error messages).
_NAMES: dict[str, tuple[str, ...]] = {
    "app_id": ("MICROSOFT_APP_ID", "MicrosoftAppId"),
    "app_password": ("MICROSOFT_APP_PASSWORD", "MicrosoftAppPassword"),
    "app_type": ("MICROSOFT_APP_TYPE", "MicrosoftAppType"),
    "app_tenant": ("MICROSOFT_APP_TENANT_ID", "MicrosoftAppTenantId"),
    "database_url": ("DATABASE_URL", "WORKSHOPBOT_DATABASE_URL"),
    "allowed_tenants": ("WORKSHOPBOT_ALLOWED_TENANTS",),
    "port": ("PORT", "WORKSHOPBOT_PORT"),
    "host": ("HOST", "WORKSHOPBOT_HOST"),
    "public_url": ("WORKSHOPBOT_PUBLIC_URL",),
    "language": ("WORKSHOPBOT_LANGUAGE",),
    "local": ("WORKSHOPBOT_LOCAL",),
    "instances": ("WORKSHOPBOT_INSTANCES",),
    "fast_answers": ("WORKSHOPBOT_FAST_ANSWERS",),
    "operators": ("WORKSHOPBOT_OPERATORS",),
    "local_clock": ("WORKSHOPBOT_LOCAL_CLOCK",),
}


def _lookup(env: Mapping[str, str], key: str) -> tuple[str, str | None]:
    """Return (the variable name used, its stripped value or None when unset/empty)."""
    names = _NAMES[key]
    for name in names:
        value = env.get(name)
        if value is not None and value.strip():
            return name, value.strip()
    return names[0], None


def _default_database_url() -> str:
    return f"sqlite:///{DEFAULT_DATABASE_PATH.as_posix()}"


@dataclass(frozen=True)
class Settings:
    """Everything the bot reads from its environment, validated once.

    Build it with :meth:`from_env` (the server) or directly with keywords (tests). The four
    upper-case attributes are the names the Bot Framework SDK reads.

    Attributes:
        APP_ID: the bot's app id; empty in local mode.
        APP_PASSWORD: the app's secret.
        APP_TYPE: ``SingleTenant`` (default), ``MultiTenant`` or ``UserAssignedMSI``.
        APP_TENANTID: tenant id of a single-tenant app.
        database_url: SQLAlchemy URL (``sqlite:///var/workshopbot.sqlite3`` by default).
        allowed_tenants: tenant ids whose activities are processed; empty means all.
        host: interface the web server binds.
        port: TCP port of the web server.
        public_url: public base URL without trailing slash (card images are linked from it).
        language: default language of new workshops.
        local: run without Bot Framework authentication (for the Agents Playground).
        instances: how many bot processes share the conversations (behind a load
            balancer); each outbox keeps to 1/instances of Teams' per-conversation limits.
        fast_answers: store a plain group answer (a chat message or an answer card's
            submit in a conversation whose workshop is known) straight from the parsed
            activity, without the SDK's turn; anything else still takes the full turn.
        operators: Entra object ids or Teams user ids of the people who may change every
            plan and series (built-in plans and plans without owner included).
        local_clock: where the injectable clock starts (aware); None: the real time. Only
            in local mode without Teams app credentials (an attacker must never be able to
            move a real bot's time): see :mod:`bot.local_clock`.
    """

    APP_ID: str = ""
    APP_PASSWORD: str = ""
    APP_TYPE: AppType = "SingleTenant"
    APP_TENANTID: str = ""
    database_url: str = field(default_factory=_default_database_url)
    allowed_tenants: frozenset[str] = frozenset()
    host: str = "127.0.0.1"
    port: int = 3978
    public_url: str = ""
    language: Language = "da"
    local: bool = False
    instances: int = 1
    fast_answers: bool = True
    operators: frozenset[str] = frozenset()
    local_clock: datetime | None = None

    def __post_init__(self) -> None:
        if self.APP_TYPE not in _APP_TYPES:
            raise SettingsError(
                f"MICROSOFT_APP_TYPE = {self.APP_TYPE!r} is invalid; use one of "
                f"{', '.join(_APP_TYPES)}"
            )
        if self.language not in _LANGUAGES:
            raise SettingsError(
                f"WORKSHOPBOT_LANGUAGE = {self.language!r} is invalid; use 'da' or 'en'"
            )
        if not 0 <= self.port <= 65535:
            raise SettingsError(f"PORT = {self.port} is invalid; use a number from 1 to 65535")
        if not 1 <= self.instances <= 64:
            raise SettingsError(
                f"WORKSHOPBOT_INSTANCES = {self.instances} is invalid; give the number of bot "
                "processes behind the load balancer (1 to 64)"
            )
        if not self.public_url:
            object.__setattr__(self, "public_url", f"http://{self.host}:{self.port}")
        object.__setattr__(self, "public_url", self.public_url.rstrip("/"))
        parsed = urlparse(self.public_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise SettingsError(
                f"WORKSHOPBOT_PUBLIC_URL = {self.public_url!r} is invalid; give the public "
                "base URL such as https://bot.example.org"
            )
        if self.local and not is_loopback(self.host):
            raise SettingsError(
                f"HOST = {self.host!r} is not a loopback address, and local mode "
                "(WORKSHOPBOT_LOCAL=1 or --local) accepts requests WITHOUT authentication: "
                "anyone who reaches that interface could post as any user. Bind local mode to "
                "127.0.0.1, ::1 or localhost, or set MICROSOFT_APP_ID (and its password and "
                "tenant) to serve other interfaces with Bot Framework authentication"
            )
        if not self.APP_ID and not self.local:
            raise SettingsError(
                "MICROSOFT_APP_ID is not set; set the bot's app id (and MICROSOFT_APP_PASSWORD, "
                "MICROSOFT_APP_TENANT_ID), or set WORKSHOPBOT_LOCAL=1 (workshopbot serve --local) "
                "to run without authentication for the Agents Playground"
            )
        if self.local_clock is not None:
            self._check_local_clock()
        if self.APP_ID and self.APP_TYPE == "SingleTenant" and not self.APP_TENANTID:
            raise SettingsError(
                "MICROSOFT_APP_TENANT_ID is not set; a SingleTenant app needs its tenant id "
                "(or set MICROSOFT_APP_TYPE=MultiTenant for an old multi-tenant registration)"
            )
        if self.APP_ID and self.APP_TYPE != "UserAssignedMSI" and not self.APP_PASSWORD:
            raise SettingsError(
                "MICROSOFT_APP_PASSWORD is not set; give the app's client secret for "
                f"MICROSOFT_APP_ID={self.APP_ID}"
            )

    def _check_local_clock(self) -> None:
        """The injectable clock exists only for a bot nobody else can reach: local mode, a
        loopback interface, no Teams app credentials."""
        if self.local_clock is not None and self.local_clock.tzinfo is None:
            raise SettingsError(
                f"WORKSHOPBOT_LOCAL_CLOCK = {self.local_clock.isoformat()!r} has no time zone; "
                "give one, e.g. 2027-01-04T09:00:00+01:00, or 'now'"
            )
        problems = []
        if not self.local:
            problems.append("local mode is off")
        if self.APP_ID or self.APP_PASSWORD:
            problems.append("Teams app credentials (MICROSOFT_APP_ID/PASSWORD) are set")
        if not is_loopback(self.host):
            problems.append(f"HOST = {self.host!r} is not a loopback address")
        if problems:
            raise SettingsError(
                "WORKSHOPBOT_LOCAL_CLOCK is set, but " + " and ".join(problems) + ": the "
                "injectable clock moves the bot's time (check-ins, digests, reminders) and "
                "exists only for the Agents Playground and tests. Unset WORKSHOPBOT_LOCAL_CLOCK "
                "for a real bot, or run `workshopbot serve --local` on 127.0.0.1 without "
                "MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD"
            )

    @property
    def authenticated(self) -> bool:
        """True when incoming requests must carry a valid Bot Framework token."""
        return bool(self.APP_ID) and not self.local

    @property
    def is_sqlite(self) -> bool:
        """True when the database is an SQLite file (or in memory)."""
        return self.database_url.startswith("sqlite")

    def with_overrides(self, **changes: object) -> Settings:
        """A copy with some fields changed (validated again), e.g. ``port`` from the CLI."""
        return replace(self, **changes)  # type: ignore[arg-type]

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Read and validate the settings from the environment.

        Args:
            env: the variables to read; ``os.environ`` when None.
            **overrides: field values that win over the environment (CLI options).

        Returns:
            The validated settings.

        Raises:
            SettingsError: a variable has an invalid value, or no app id is set outside
                local mode; the message names the variable and the fix.
        """
        env = os.environ if env is None else env
        values: dict[str, object] = {}

        _, app_id = _lookup(env, "app_id")
        _, password = _lookup(env, "app_password")
        _, tenant = _lookup(env, "app_tenant")
        values["APP_ID"] = app_id or ""
        values["APP_PASSWORD"] = password or ""
        values["APP_TENANTID"] = tenant or ""

        name, app_type = _lookup(env, "app_type")
        if app_type is not None:
            matched = {t.lower(): t for t in _APP_TYPES}.get(app_type.lower())
            if matched is None:
                raise SettingsError(
                    f"{name} = {app_type!r} is invalid; use one of {', '.join(_APP_TYPES)}"
                )
            values["APP_TYPE"] = matched

        _, database_url = _lookup(env, "database_url")
        if database_url is not None:
            values["database_url"] = database_url

        _, tenants = _lookup(env, "allowed_tenants")
        if tenants is not None:
            values["allowed_tenants"] = frozenset(
                t.strip() for t in tenants.split(",") if t.strip()
            )

        name, port = _lookup(env, "port")
        if port is not None:
            try:
                values["port"] = int(port)
            except ValueError:
                raise SettingsError(
                    f"{name} = {port!r} is invalid; use a port number such as 3978"
                ) from None

        _, host = _lookup(env, "host")
        if host is not None:
            values["host"] = host

        _, public_url = _lookup(env, "public_url")
        if public_url is not None:
            values["public_url"] = public_url

        name, language = _lookup(env, "language")
        if language is not None:
            if language.lower() not in _LANGUAGES:
                raise SettingsError(f"{name} = {language!r} is invalid; use 'da' or 'en'")
            values["language"] = cast(Language, language.lower())

        for key in ("local", "fast_answers"):
            name, flag = _lookup(env, key)
            if flag is not None:
                if flag.lower() in _TRUE:
                    values[key] = True
                elif flag.lower() in _FALSE:
                    values[key] = False
                else:
                    raise SettingsError(f"{name} = {flag!r} is invalid; use 1 (on) or 0 (off)")

        _, operators = _lookup(env, "operators")
        if operators is not None:
            from dialogs.permissions import parse_operators

            values["operators"] = parse_operators(operators)

        name, clock = _lookup(env, "local_clock")
        if clock is not None:
            values["local_clock"] = parse_clock_start(clock, name=name)

        name, instances = _lookup(env, "instances")
        if instances is not None:
            try:
                values["instances"] = int(instances)
            except ValueError:
                raise SettingsError(
                    f"{name} = {instances!r} is invalid; give the number of bot processes, e.g. 2"
                ) from None

        values.update(overrides)
        settings = cls(**values)  # type: ignore[arg-type]
        if settings.local:
            log.warning(
                "local mode: the bot runs WITHOUT Bot Framework authentication, for the "
                "Microsoft 365 Agents Playground only; never expose it to a network"
            )
        return settings


def parse_clock_start(value: str, *, name: str = "WORKSHOPBOT_LOCAL_CLOCK") -> datetime:
    """The start of the injectable clock: ``now`` or an ISO time with its zone.

    >>> parse_clock_start("2027-01-04T02:00:00+01:00").isoformat()
    '2027-01-04T01:00:00+00:00'
    """
    if value.strip().lower() == "now":
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise SettingsError(
            f"{name} = {value!r} is invalid; give an ISO time with its zone, e.g. "
            "2027-01-04T09:00:00+01:00, or 'now'"
        ) from None
    if moment.tzinfo is None:
        raise SettingsError(
            f"{name} = {value!r} has no time zone; add one, e.g. {value.strip()}+01:00"
        )
    return moment.astimezone(UTC)


def is_loopback(host: str) -> bool:
    """True when ``host`` names only this machine (``localhost``, 127.0.0.0/8 or ``::1``).

    An empty host or ``0.0.0.0``/``::`` (every interface) is not loopback; nor is any name
    other than ``localhost``, since a name may resolve to anything.

    >>> [is_loopback(h) for h in ("127.0.0.1", "::1", "localhost", "0.0.0.0", "", "bot.lan")]
    [True, True, True, False, False, False]
    """
    name = host.strip().strip("[]").lower()
    if name in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False
