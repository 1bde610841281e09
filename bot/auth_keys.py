"""Bot Framework signing keys without blocking the event loop, and a token check that runs
before the request body is read.

Why: botbuilder 4.17 fetches the OpenID metadata and the signing keys
(``botframework.connector.auth.jwt_token_extractor._OpenIdMetadata._refresh``) with a plain
``requests.get`` and no timeout, ON the event loop, and a failed fetch is not remembered:
while ``login.botframework.com`` hangs, every request with a plausible token freezes the
whole server (``/healthz`` included) for as long as the TCP connection hangs, and each new
request starts another fetch. :func:`install` replaces the SDK's per-URL metadata objects
(``JwtTokenExtractor.get_open_id_metadata``, its one factory) with :class:`SigningKeys`:

- fetched with aiohttp (no thread, no loop blocking), at most :data:`FETCH_TIMEOUT` seconds
  for both documents together, at most :data:`MAX_DOCUMENT_BYTES` each;
- one fetch at a time per URL (concurrent requests wait for the same fetch);
- a failed fetch is remembered: until the back-off (:data:`FIRST_BACKOFF` doubling to
  :data:`MAX_BACKOFF`) has passed, a token needing a key is refused at once (401) without
  another fetch; keys fetched earlier stay in use while a refresh fails;
- refreshed once a day, and for an unknown key id at most every :data:`UNKNOWN_KID_REFRESH`.

:func:`precheck_token` is the first door of ``POST /api/messages`` in authenticated mode:
scheme, size, algorithm, issuer, audience, lifetime and the RS256 signature against these
keys, all from the ``Authorization`` header alone, so a request without a valid token is
answered 401 before one byte of its body is read or parsed. The SDK's own full validation
(endorsements for the channel, the ``serviceurl`` claim against the activity) still runs
after the body is parsed; this check only comes first.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import weakref
from typing import Any

import aiohttp
import jwt
from botframework.connector.auth import (
    AuthenticationConstants,
    ChannelValidation,
    GovernmentConstants,
)
from botframework.connector.auth.jwt_token_extractor import JwtTokenExtractor
from jwt.algorithms import RSAAlgorithm

__all__ = [
    "FETCH_TIMEOUT",
    "FIRST_BACKOFF",
    "MAX_BACKOFF",
    "MAX_DOCUMENT_BYTES",
    "MAX_TOKEN_CHARS",
    "SigningKey",
    "SigningKeys",
    "SigningKeysUnavailable",
    "install",
    "precheck_token",
    "signing_keys",
]

log = logging.getLogger(__name__)

#: Seconds for fetching the OpenID metadata and the key set together.
FETCH_TIMEOUT = 5.0
#: Seconds to wait after a failed fetch before the next try; doubles up to MAX_BACKOFF.
FIRST_BACKOFF = 10.0
MAX_BACKOFF = 300.0
#: Seconds after which keys are fetched again (the SDK's own rule: a day).
REFRESH_AFTER = 24 * 3600.0
#: Least seconds between fetches caused by a key id that is not in the set.
UNKNOWN_KID_REFRESH = 300.0
#: Largest metadata or key-set document accepted (Microsoft's are about 10 KB).
MAX_DOCUMENT_BYTES = 256 * 1024
#: Longest token accepted (Bot Framework tokens are about 1.5 KB).
MAX_TOKEN_CHARS = 16 * 1024
#: Seconds of clock skew tolerated (the SDK's ``clock_tolerance``).
LEEWAY = 300


class SigningKeysUnavailable(PermissionError):
    """The signing keys could not be fetched (or a failed fetch is still backing off)."""


class SigningKey:
    """One key as the SDK's token extractor uses it (``public_key``, ``endorsements``)."""

    def __init__(self, public_key: Any, endorsements: list[str]) -> None:
        self.public_key = public_key
        self.endorsements = endorsements


class SigningKeys:
    """The keys behind one OpenID metadata URL; a drop-in for the SDK's ``_OpenIdMetadata``.

    Args:
        url: the OpenID metadata document (its ``jwks_uri`` names the key set).
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.keys: list[dict[str, Any]] = []
        self.fetched_at: float | None = None  # monotonic time of the last good fetch
        self.failures = 0
        self.retry_at = 0.0  # no fetch before this monotonic time (after a failure)
        self.last_error = ""
        self.fetches = 0  #: fetch attempts (for tests)
        # One lock per event loop: an asyncio.Lock belongs to the loop that first waits on
        # it, and these objects are shared by every app in the process (tests run several).
        self._locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )

    async def get(self, key_id: str | None) -> SigningKey:
        """The key ``key_id``; fetches the set when it is missing, a day old, or (at most
        every UNKNOWN_KID_REFRESH) when the id is unknown.

        Raises:
            SigningKeysUnavailable: no keys, and the fetch failed or is backing off.
            PermissionError: the key id is not in the set.
        """
        now = time.monotonic()
        if self.fetched_at is None or now - self.fetched_at > REFRESH_AFTER:
            await self._refresh()
        key = self._find(key_id)
        stale = self.fetched_at is not None and (
            time.monotonic() - self.fetched_at > UNKNOWN_KID_REFRESH
        )
        if key is None and stale:
            await self._refresh()
            key = self._find(key_id)
        if key is None:
            raise PermissionError(f"the token's signing key {key_id!r} is not a known key")
        return key

    async def _refresh(self) -> None:
        loop = asyncio.get_running_loop()
        lock = self._locks.get(loop)
        if lock is None:
            lock = self._locks[loop] = asyncio.Lock()
        async with lock:  # one fetch at a time; waiters see its result
            now = time.monotonic()
            if self.fetched_at is not None and now - self.fetched_at < 1.0:
                return  # another request just fetched
            if now < self.retry_at:
                if self.keys:
                    return  # keep the keys we have while the source is failing
                raise SigningKeysUnavailable(
                    f"the Bot Framework signing keys at {self.url} are unavailable "
                    f"({self.last_error}); next try in {self.retry_at - now:.0f} s"
                )
            self.fetches += 1
            try:
                keys = await asyncio.wait_for(self._fetch(), FETCH_TIMEOUT)
            except Exception as exc:  # timeout, network, HTTP status, bad JSON: all "down"
                self.failures += 1
                delay = min(MAX_BACKOFF, FIRST_BACKOFF * 2 ** (self.failures - 1))
                self.retry_at = time.monotonic() + delay
                self.last_error = repr(exc) if str(exc) else type(exc).__name__
                log.warning(
                    "could not fetch the Bot Framework signing keys from %s (%s); "
                    "tokens needing them are refused for %.0f s",
                    self.url,
                    self.last_error,
                    delay,
                )
                if self.keys:
                    return
                raise SigningKeysUnavailable(
                    f"the Bot Framework signing keys at {self.url} are unavailable "
                    f"({self.last_error})"
                ) from None
            self.keys = keys
            self.fetched_at = time.monotonic()
            self.failures = 0
            self.retry_at = 0.0

    async def _fetch(self) -> list[dict[str, Any]]:
        timeout = aiohttp.ClientTimeout(total=FETCH_TIMEOUT)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            metadata = await _get_json(session, self.url)
            keys_url = metadata.get("jwks_uri") if isinstance(metadata, dict) else None
            if not isinstance(keys_url, str) or not keys_url.startswith(("https://", "http://")):
                raise ValueError("the OpenID metadata has no jwks_uri")
            document = await _get_json(session, keys_url)
        keys = document.get("keys") if isinstance(document, dict) else None
        if not isinstance(keys, list):
            raise ValueError("the key set has no keys")
        return [key for key in keys if isinstance(key, dict)]

    def _find(self, key_id: str | None) -> SigningKey | None:
        for key in self.keys:
            if key.get("kid") == key_id:
                endorsements = key.get("endorsements") or []
                try:
                    public_key = RSAAlgorithm.from_jwk(json.dumps(key))
                except Exception:
                    log.warning("signing key %r is not a valid RSA key", key_id)
                    return None
                return SigningKey(public_key, [str(e) for e in endorsements])
        return None


async def _get_json(session: aiohttp.ClientSession, url: str) -> Any:
    async with session.get(url) as response:
        response.raise_for_status()
        body = await response.content.read(MAX_DOCUMENT_BYTES + 1)
        if len(body) > MAX_DOCUMENT_BYTES:
            raise ValueError(f"{url} answered more than {MAX_DOCUMENT_BYTES} bytes")
        return json.loads(body)


_KEYS: dict[str, SigningKeys] = {}


def signing_keys(url: str) -> SigningKeys:
    """The shared :class:`SigningKeys` of one metadata URL (the SDK's and the precheck's)."""
    keys = _KEYS.get(url)
    if keys is None:
        keys = _KEYS[url] = SigningKeys(url)
    return keys


def install() -> None:
    """Make the SDK's token extractors use :func:`signing_keys` (idempotent)."""
    JwtTokenExtractor.get_open_id_metadata = staticmethod(signing_keys)
    JwtTokenExtractor.metadataCache.clear()


def _metadata_url(issuer: str) -> str | None:
    """The metadata URL whose keys sign tokens of ``issuer`` (as the SDK chooses it)."""
    if issuer == AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER:
        return str(
            ChannelValidation.open_id_metadata_endpoint
            or AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL
        )
    if issuer == GovernmentConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER:
        return str(GovernmentConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL)
    if issuer.startswith(("https://sts.windows.net/", "https://login.microsoftonline.com/")):
        return str(AuthenticationConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL)
    if issuer.startswith("https://login.microsoftonline.us/"):
        return str(GovernmentConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL)
    return None


async def precheck_token(auth_header: str, app_id: str) -> dict[str, Any]:
    """Check a Bot Framework token from the ``Authorization`` header alone.

    Args:
        auth_header: the header's value (``Bearer <jwt>``).
        app_id: the bot's app id (the token's audience).

    Returns:
        The token's verified claims.

    Raises:
        PermissionError: no valid token (the message says why, for the log).
        SigningKeysUnavailable: the keys cannot be fetched now.
    """
    scheme, _, token = auth_header.partition(" ")
    if scheme != "Bearer" or not token:
        raise PermissionError("the Authorization header is not 'Bearer <token>'")
    if len(token) > MAX_TOKEN_CHARS:
        raise PermissionError(f"the token is longer than {MAX_TOKEN_CHARS} characters")
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise PermissionError(f"the token is not a JWT ({exc})") from None
    if header.get("alg") != "RS256":
        raise PermissionError(f"the token's algorithm {header.get('alg')!r} is not RS256")
    issuer = claims.get("iss")
    url = _metadata_url(issuer) if isinstance(issuer, str) else None
    if url is None:
        raise PermissionError(f"the token's issuer {issuer!r} is not a Bot Framework issuer")
    key = await signing_keys(url).get(header.get("kid"))
    try:
        verified: dict[str, Any] = jwt.decode(
            token,
            key.public_key,
            algorithms=["RS256"],
            audience=app_id,
            leeway=LEEWAY,
            options={"require": ["exp", "aud"]},
        )
    except jwt.PyJWTError as exc:
        raise PermissionError(f"the token does not verify ({exc})") from None
    return verified
