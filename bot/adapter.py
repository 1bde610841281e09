"""The Bot Framework adapter: authentication, client reuse and the turn error handler.

Why a wrapper around the SDK's authentication: in botbuilder 4.17 every turn (and every
proactive ``continue_conversation``) asks the authentication object for a new
``ConnectorFactory`` and builds a new ``ConnectorClient`` plus a new ``UserTokenClient``.
Each of those builds a fresh msrest configuration (whose urllib3 retry policy alone takes
about 4.5 ms to build: a 999-entry status list filtered against a 500-entry one), fresh
credentials and a fresh ``requests`` session, so every turn also opens a new connection:
about 6.5 ms of CPU per turn on this machine, most of a bare echo bot's turn
(``bench/connector_clients.py``: 17 ms per echo turn before, 2.2 ms after). :class:`ClientCachingAuthentication` implements the SDK's public
``BotFrameworkAuthentication`` interface, delegates every decision (token validation,
credentials, audiences) to ``ConfigurationBotFrameworkAuthentication``, and only reuses the
clients it creates, keyed by everything that distinguishes them (app id, service URL,
audience). Credentials inside a reused client refresh their tokens themselves (MSAL cache).
The clients are closed at shutdown (:meth:`ClientCachingAuthentication.close`).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from types import SimpleNamespace
from typing import Any, Literal

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)
from botbuilder.schema import Activity, ActivityTypes
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConstants,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    UserTokenClient,
)

from bot.auth_keys import install as install_signing_keys
from bot.settings import Settings

__all__ = [
    "ClientCachingAuthentication",
    "create_adapter",
    "error_message",
    "language_of",
    "make_turn_error_handler",
    "sdk_configuration",
]

log = logging.getLogger(__name__)

_MAX_CACHED = 256

#: Seconds one call to the Bot Connector may take (the outbox's attempt timeout too).
CONNECTOR_TIMEOUT = 15.0

_ERROR_MESSAGES = {
    "da": "Beklager, noget gik galt hos mig. Prøv igen om lidt; dit svar er ikke gået tabt, "
    "hvis du fik en bekræftelse.",
    "en": "Sorry, something went wrong on my side. Please try again in a moment; if you got a "
    "confirmation, your answer is saved.",
}


def _app_id(claims_identity: ClaimsIdentity | None) -> str:
    """The bot's app id as the SDK derives it from a claims identity (audience, else appid)."""
    if claims_identity is None:
        return ""
    value = claims_identity.get_claim_value(AuthenticationConstants.AUDIENCE_CLAIM)
    if value is None:
        value = claims_identity.get_claim_value(AuthenticationConstants.APP_ID_CLAIM)
    return str(value or "")


class _CachingConnectorFactory(ConnectorFactory):  # type: ignore[misc]
    """A ``ConnectorFactory`` that returns one shared client per (service URL, audience)."""

    def __init__(
        self, owner: ClientCachingAuthentication, inner: ConnectorFactory, app_id: str
    ) -> None:
        self._owner = owner
        self._inner = inner
        self._app_id = app_id

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        return await self._owner._connector_client(self._inner, self._app_id, service_url, audience)


class ClientCachingAuthentication(BotFrameworkAuthentication):  # type: ignore[misc]
    """``BotFrameworkAuthentication`` that reuses connector and user-token clients.

    Args:
        inner: the authentication doing the real work (validation, credentials).
        max_clients: how many connector clients to keep (least recently used go first).
    """

    def __init__(
        self, inner: BotFrameworkAuthentication, *, max_clients: int = _MAX_CACHED
    ) -> None:
        self._inner = inner
        self._max = max_clients
        self._connectors: OrderedDict[tuple[str, str, str], ConnectorClient] = OrderedDict()
        self._token_clients: dict[str, UserTokenClient] = {}
        self.created = 0  #: connector clients actually built (for tests and benchmarks)

    async def _connector_client(
        self, inner: ConnectorFactory, app_id: str, service_url: str, audience: str | None
    ) -> ConnectorClient:
        key = (app_id, service_url or "", audience or "")
        client = self._connectors.get(key)
        if client is not None:
            self._connectors.move_to_end(key)
            return client
        client = await inner.create(service_url, audience)
        _without_sdk_retries(client)
        _with_timeout(client, CONNECTOR_TIMEOUT)
        self.created += 1
        self._connectors[key] = client
        while len(self._connectors) > self._max:
            _, old = self._connectors.popitem(last=False)
            await _close_client(old)
        return client

    async def authenticate_request(
        self, activity: Activity, auth_header: str
    ) -> AuthenticateRequestResult:
        result = await self._inner.authenticate_request(activity, auth_header)
        if result.connector_factory is not None:
            result.connector_factory = _CachingConnectorFactory(
                self, result.connector_factory, _app_id(result.claims_identity)
            )
        return result

    async def authenticate_streaming_request(
        self, auth_header: str, channel_id_header: str
    ) -> AuthenticateRequestResult:
        return await self._inner.authenticate_streaming_request(auth_header, channel_id_header)

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return _CachingConnectorFactory(
            self, self._inner.create_connector_factory(claims_identity), _app_id(claims_identity)
        )

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        key = _app_id(claims_identity)
        client = self._token_clients.get(key)
        if client is None:
            client = await self._inner.create_user_token_client(claims_identity)
            self._token_clients[key] = client
        return client

    def create_bot_framework_client(self) -> Any:
        return self._inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return str(self._inner.get_originating_audience())

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        return await self._inner.authenticate_channel_request(auth_header)

    async def close(self) -> None:
        """Close every cached client's HTTP session."""
        clients = list(self._connectors.values())
        self._connectors.clear()
        for client in clients:
            await _close_client(client)
        for token_client in self._token_clients.values():
            await _close_client(getattr(token_client, "_client", None))
        self._token_clients.clear()


def _without_sdk_retries(client: Any) -> None:
    """Leave every retry to ``bot.outbox``: msrest's default urllib3 policy silently retries
    PUT (card updates) on 429 and 5xx, uncounted by the outbox's rate limiter, and turns the
    failure into a ClientRequestError without status or Retry-After."""
    from urllib3.util.retry import Retry

    policy = Retry(
        total=0, status_forcelist=(), respect_retry_after_header=False, raise_on_status=False
    )
    config = getattr(client, "config", None)
    if config is None or not hasattr(config, "retry_policy"):
        return
    config.retry_policy.policy = policy  # sessions made later (other threads)
    driver = getattr(getattr(getattr(config, "pipeline", None), "_sender", None), "driver", None)
    session = getattr(driver, "session", None)  # the session of this thread, made if needed
    for mounted in getattr(session, "adapters", {}).values():
        mounted.max_retries = policy


def _with_timeout(client: Any, seconds: float) -> None:
    """Bound each connector call (msrest's default is 100 s). The outbox gives up an attempt
    after the same time; without this its thread would stay blocked long after."""
    connection = getattr(getattr(client, "config", None), "connection", None)
    if connection is not None and hasattr(connection, "timeout"):
        connection.timeout = seconds


async def _close_client(client: Any) -> None:
    if client is None:
        return
    try:
        await client.__aexit__(None, None, None)
    except Exception:  # closing is best effort at shutdown
        log.debug("closing a connector client failed", exc_info=True)


def sdk_configuration(settings: Settings) -> SimpleNamespace:
    """The attribute bag the SDK's configuration classes read.

    In local mode the app id is left empty and the app type is ``MultiTenant``: that is the
    SDK's only "authentication disabled" combination (SingleTenant insists on an app id).
    """
    if settings.local:
        return SimpleNamespace(APP_ID="", APP_PASSWORD="", APP_TYPE="MultiTenant", APP_TENANTID="")
    return SimpleNamespace(
        APP_ID=settings.APP_ID,
        APP_PASSWORD=settings.APP_PASSWORD,
        APP_TYPE=settings.APP_TYPE,
        APP_TENANTID=settings.APP_TENANTID,
    )


def language_of(
    activity: Activity | None, default: Literal["da", "en"] = "da"
) -> Literal["da", "en"]:
    """The language to answer in: the activity's locale when it is Danish or English.

    >>> language_of(Activity(locale="en-GB"))
    'en'
    """
    locale = (getattr(activity, "locale", None) or "").lower()
    if locale.startswith("da"):
        return "da"
    if locale.startswith("en"):
        return "en"
    return default


def error_message(language: Literal["da", "en"]) -> str:
    """The short, polite text a user sees when a turn fails (never a stack trace).

    It is the conversation's own ``error`` text (``dialogs.texts``), so users meet one
    wording whether the handler or the platform caught the failure.
    """
    try:
        from dialogs.texts import text
    except ImportError:
        return _ERROR_MESSAGES[language]
    try:
        return str(text("error", language))
    except KeyError:
        return _ERROR_MESSAGES[language]


def create_adapter(
    settings: Settings,
) -> tuple[CloudAdapter, ClientCachingAuthentication]:
    """Build the ``CloudAdapter`` with client reuse and a polite turn error handler.

    Args:
        settings: the bot's settings (local mode disables authentication).

    Returns:
        The adapter and its authentication (close it at shutdown).
    """
    install_signing_keys()  # fetch the signing keys off the loop, with timeout and back-off
    auth = ClientCachingAuthentication(
        ConfigurationBotFrameworkAuthentication(sdk_configuration(settings), logger=log)
    )
    adapter = CloudAdapter(auth)
    adapter.on_turn_error = make_turn_error_handler(settings)
    return adapter, auth


def make_turn_error_handler(
    settings: Settings,
) -> Callable[[TurnContext, Exception], Awaitable[None]]:
    """An ``on_turn_error`` that logs the traceback and tells the user politely."""

    async def on_turn_error(context: TurnContext, error: Exception) -> None:
        activity = context.activity
        log.error(
            "turn failed (type=%s, conversation=%s, activity=%s)",
            getattr(activity, "type", None),
            getattr(getattr(activity, "conversation", None), "id", None),
            getattr(activity, "id", None),
            exc_info=(type(error), error, error.__traceback__),
        )
        # Invokes are answered in the HTTP response; a message would be out of place there.
        if activity is None or activity.type not in (ActivityTypes.message,):
            return
        try:
            await context.send_activity(error_message(language_of(activity, settings.language)))
        except Exception:  # the connector may be the thing that failed
            log.warning("could not tell the user about the failed turn", exc_info=True)

    return on_turn_error
