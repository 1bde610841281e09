"""The aiohttp application: ``create_app(settings) -> web.Application``.

Why one module of ~640 lines: it is the process's front door, and what it holds is read
together: the routes, the checks every request passes before a turn (token, size, nesting,
tenant) and the start and stop order of what the app owns (database, outbox, delivery, job
runner, warm-up). The token check itself lives in bot/auth_keys.py, the turn in bot/handler.py.

Routes:

- ``POST /api/messages``: Bot Framework activities. The body must be JSON
  (``application/json``, at most 1 MB, nested at most 64 levels: else 415/413/400). With an
  app id, requests need a valid Bot Framework token, checked from the header before the body
  is read (401 otherwise, nothing processed); an activity whose tenant fields disagree, or
  whose one tenant is outside ``WORKSHOPBOT_ALLOWED_TENANTS``, gets 403 and is not
  processed. See docs/security.md.
- ``GET /healthz``: 200 ``{"status": "ok"}`` when the database answers, else 503 (liveness).
- ``GET /readyz``: 503 until the spaCy warm-up after a start is done, then as ``/healthz``
  (readiness: point a load balancer's probe here).
- ``GET /media/<token>.png``: a stored network map or chart, only by its unguessable token
  (``?variant=card`` for the smaller card picture); 404 for anything else. Nothing is ever
  read from disk by name.

Every unexpected exception is logged with its traceback and answered with a short JSON
error; no response ever carries a stack trace.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from http import HTTPStatus
from typing import Any, Literal

from aiohttp import web
from botbuilder.core import (
    Bot,
    ConversationState,
    PrivateConversationState,
    Storage,
    UserState,
    serializer_helper,
)
from botbuilder.schema import Activity

from bot.activity_json import parse_activity
from bot.adapter import ClientCachingAuthentication, create_adapter
from bot.auth_keys import precheck_token
from bot.delivery import DatabaseBudget, DurableDelivery
from bot.errors import StartupError
from bot.local_clock import CLOCK_PATH, LocalClock, clock_handler
from bot.outbox import TEAMS_LIMITS, Outbox, share_of_limits
from bot.services import NOT_STORED, BotServices, Spawner
from bot.settings import Settings
from bot.teams.channel import TeamsChannel
from dialogs import housekeeping
from dialogs.jobs import Clock, JobRunner, SystemClock
from dialogs.knowledge import jobs as knowledge_jobs
from storage.db import Database

__all__ = [
    "ADAPTER_KEY",
    "BOT_KEY",
    "DURABLE_KEY",
    "MAX_BODY_BYTES",
    "MAX_JSON_DEPTH",
    "SERVICES_KEY",
    "SETTINGS_KEY",
    "BotFactory",
    "MediaLookup",
    "create_app",
    "error_middleware",
    "media_url",
]

log = logging.getLogger(__name__)

#: Threads for blocking work: the SDK's outgoing HTTP calls (``requests``) and to_thread jobs.
IO_THREADS = 32

#: Largest accepted request body; Teams' own message limit is about 100 KB.
MAX_BODY_BYTES = 1024 * 1024
#: Deepest accepted nesting of JSON lists/objects; Teams activities nest about 6 levels.
MAX_JSON_DEPTH = 64

#: Builds the bot from the shared services (default: ``bot.handler.WorkshopBot``).
BotFactory = Callable[[BotServices], Bot]
#: Returns a PNG for (database, token, variant), or None when there is no such token.
MediaLookup = Callable[[Any, str, Literal["full", "card"]], Awaitable[bytes | None]]

SETTINGS_KEY = web.AppKey("settings", Settings)
SERVICES_KEY = web.AppKey("services", BotServices)
ADAPTER_KEY = web.AppKey("adapter", object)
BOT_KEY = web.AppKey("bot", object)
_AUTH_KEY = web.AppKey("auth", ClientCachingAuthentication)
_READY_KEY = web.AppKey("ready", asyncio.Event)
DURABLE_KEY = web.AppKey("durable", tuple)
_STOPPING_KEY = web.AppKey("stopping", asyncio.Event)

_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,128}$")
#: A JSON escape of a UTF-16 surrogate (\uD800-\uDFFF), in the raw body.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89abcdefABCDEF]")


def _default_bot_factory(services: BotServices) -> Bot:
    from bot.handler import WorkshopBot

    bot: Bot = WorkshopBot(services)
    return bot


async def _default_media_lookup(
    db: Database, token: str, variant: Literal["full", "card"]
) -> bytes | None:
    """Find a stored map PNG by token through the storage package's maps repository."""
    from storage.maps import get_map_by_token

    try:
        record = await get_map_by_token(db, token)
    except LookupError:
        return None
    if record is None:
        return None
    if variant == "card":
        card = getattr(record, "card_png", None)
        if card:
            return bytes(card)
    png = getattr(record, "png", None)
    return bytes(png) if png else None


async def _default_open_database(settings: Settings) -> Any:
    from storage.open import open_database

    return await open_database(settings.database_url, check_schema=True)


async def _default_state_storage(db: Database) -> Storage:
    from bot.state_storage import SqlStorage

    return SqlStorage(db)


def _json_error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


@web.middleware
async def error_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Short JSON errors for HTTP errors; log and answer 500 for anything unexpected."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        reason = exc.text if exc.text and not exc.text.startswith(str(exc.status)) else exc.reason
        response = _json_error(exc.status, reason)
        for header in ("Retry-After", "Allow"):
            if header in exc.headers:
                response.headers[header] = exc.headers[header]
        return response
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("unhandled error in %s %s", request.method, request.path)
        return _json_error(500, "internal error; the bot's log has the details")


def _tenant_fields(body: dict[str, Any]) -> dict[str, str]:
    """Every tenant id the raw activity names, by where it was found.

    Teams sends the same id as ``conversation.tenantId`` and ``channelData.tenant.id``; the
    SDK's model reads ``conversation.tenantID``. A field that is present but not a
    non-empty string is refused (400) rather than guessed at.
    """
    found: dict[str, str] = {}
    conversation = body.get("conversation")
    places: list[tuple[str, Any]] = []
    if isinstance(conversation, dict):
        places += [
            (f"conversation.{key}", conversation.get(key)) for key in ("tenantId", "tenantID")
        ]
    channel_data = body.get("channelData")
    if isinstance(channel_data, dict) and "tenant" in channel_data:
        tenant = channel_data["tenant"]
        if tenant is not None and not isinstance(tenant, dict):
            raise web.HTTPBadRequest(text="the activity's channelData.tenant must be an object")
        places.append(("channelData.tenant.id", (tenant or {}).get("id")))
    for where, value in places:
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise web.HTTPBadRequest(text=f"the activity's {where} must be a string")
        found[where] = value
    return found


def _one_tenant(fields: dict[str, str]) -> str | None:
    """The activity's one tenant, or 403 when its tenant fields disagree.

    Which field a reader happens to look at first must never decide the tenant: an activity
    naming an allowed tenant in one field and another tenant in a second is refused.
    """
    values = set(fields.values())
    if len(values) > 1:
        log.warning("refused an activity with conflicting tenant ids: %s", fields)
        raise web.HTTPForbidden(
            text="the activity names conflicting tenants ("
            + ", ".join(sorted(fields))
            + " differ); it is not processed"
        )
    return next(iter(values), None)


def _tenant_of(activity: Activity) -> str | None:
    """The tenant id on a parsed activity (after :func:`_normalize_tenant`, the checked one)."""
    conversation = activity.conversation
    if conversation is not None and getattr(conversation, "tenant_id", None):
        return str(conversation.tenant_id)
    return None


def _normalize_tenant(activity: Activity, tenant: str | None) -> None:
    """Put the one checked tenant id everywhere a reader may look for it.

    Teams sends ``conversation.tenantId``, but botbuilder-python 4.17 maps
    ``ConversationAccount.tenant_id`` to the key ``tenantID``, so the tenant is lost from
    every conversation reference (and a proactive 1:1 chat then cannot be created). The
    handler reads ``channelData.tenant.id``; the conversation reference reads
    ``conversation.tenant_id``: both get the same, checked value.
    """
    if activity.conversation is not None:
        activity.conversation.tenant_id = tenant
    if tenant is not None and isinstance(activity.channel_data, dict):
        activity.channel_data["tenant"] = {"id": tenant}


def _check_shape(body: dict[str, Any], raw: bytes) -> None:
    """Refuse what the SDK's lenient deserializer would turn into nonsense (it makes strings
    of lists and dicts) or what could not be stored (lone surrogates from JSON escapes)."""
    if not isinstance(body.get("type"), str) or not body["type"]:
        raise web.HTTPBadRequest(text="the activity needs a type (a string)")
    service_url = body.get("serviceUrl")
    if not isinstance(service_url, str) or not service_url.startswith(("https://", "http://")):
        raise web.HTTPBadRequest(text="the activity needs serviceUrl (an http(s) URL)")
    conversation = body.get("conversation")
    if not isinstance(conversation, dict) or not isinstance(conversation.get("id"), str):
        raise web.HTTPBadRequest(text="the activity needs conversation.id (a string)")
    sender = body.get("from")
    if sender is not None and (
        not isinstance(sender, dict) or not isinstance(sender.get("id"), str)
    ):
        raise web.HTTPBadRequest(text="the activity's from.id must be a string")
    text = body.get("text")
    if text is not None and not isinstance(text, str):
        raise web.HTTPBadRequest(text="the activity's text must be a string")
    if _SURROGATE_ESCAPE.search(raw):
        # Only a JSON escape can put a lone surrogate into the parsed body.
        try:
            json.dumps(body, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise web.HTTPBadRequest(text="the activity contains invalid Unicode") from None


def _depth_exceeds(value: Any, limit: int) -> bool:
    """True when ``value`` nests lists/objects deeper than ``limit`` (iterative: no
    recursion, stops at the first node too deep)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def _check_door(request: web.Request) -> None:
    """What the headers alone can refuse: wrong content type (415), declared size (413)."""
    if request.content_type != "application/json":
        raise web.HTTPUnsupportedMediaType(text="send the activity as application/json")
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise web.HTTPRequestEntityTooLarge(
            max_size=MAX_BODY_BYTES, actual_size=request.content_length
        )


async def _read_activity(request: web.Request) -> tuple[Activity, dict[str, str]]:
    """The parsed activity and its tenant fields (see :func:`_tenant_fields`)."""
    raw = await request.read()  # aiohttp enforces client_max_size while reading
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise web.HTTPBadRequest(text="the body is not valid JSON") from None
    except RecursionError:
        raise web.HTTPBadRequest(
            text=f"the body nests deeper than {MAX_JSON_DEPTH} levels; an activity never does"
        ) from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="the body must be a JSON object (an activity)")
    if _depth_exceeds(body, MAX_JSON_DEPTH):
        raise web.HTTPBadRequest(
            text=f"the body nests deeper than {MAX_JSON_DEPTH} levels; an activity never does"
        )
    _check_shape(body, raw)
    tenants = _tenant_fields(body)
    try:
        activity = parse_activity(body)
    except Exception:  # msrest raises several types for wrong-typed fields
        raise web.HTTPBadRequest(text="the body is not a valid activity") from None
    if not activity.type or not isinstance(activity.type, str):
        raise web.HTTPBadRequest(text="the activity has no type")
    if not activity.service_url or not activity.conversation or not activity.conversation.id:
        raise web.HTTPBadRequest(text="the activity needs serviceUrl and conversation.id")
    return activity, tenants


async def messages(request: web.Request) -> web.Response:
    """``POST /api/messages``: authenticate, check the tenant, run the turn.

    The order is the cost order: headers first (415, 413), then in authenticated mode the
    token from the ``Authorization`` header alone (401 before a byte of the body is read:
    :func:`bot.auth_keys.precheck_token`), then the body (400), then the SDK's full token
    validation against the activity, then the one tenant (403).

    A plain group answer is stored by the bot's ``answer_fast`` without the SDK's turn
    (``Settings.fast_answers``); everything else, and any answer it declines, takes the turn.
    """
    settings = request.app[SETTINGS_KEY]
    adapter: Any = request.app[ADAPTER_KEY]
    bot: Any = request.app[BOT_KEY]
    _check_door(request)
    auth_header = request.headers.get("Authorization", "")
    claims: dict[str, Any] = {}
    if settings.authenticated:
        if not auth_header:
            raise web.HTTPUnauthorized(text="a Bot Framework token is required")
        try:
            claims = await precheck_token(auth_header, settings.APP_ID)
        except PermissionError as exc:
            log.warning("refused a request before reading its body: %s", exc)
            raise web.HTTPUnauthorized(text="the Bot Framework token is not valid") from None
        except Exception as exc:  # a key that does not load, …: still no valid token
            log.warning("could not check a Bot Framework token: %r", exc)
            raise web.HTTPUnauthorized(text="the Bot Framework token is not valid") from None
    activity, tenants = await _read_activity(request)
    try:
        auth_result = await adapter.bot_framework_authentication.authenticate_request(
            activity, auth_header
        )
    except PermissionError:
        raise web.HTTPUnauthorized(text="the Bot Framework token is not valid") from None
    except Exception as exc:  # the SDK raises KeyError etc. on forged tokens
        log.warning("could not validate a Bot Framework token: %r", exc)
        raise web.HTTPUnauthorized(text="the Bot Framework token is not valid") from None
    token_tenant = claims.get("tid")
    if isinstance(token_tenant, str) and token_tenant:
        tenants["token tid"] = token_tenant
    tenant = _one_tenant(tenants)
    if settings.allowed_tenants and tenant not in settings.allowed_tenants:
        log.warning("refused an activity from tenant %s (not in the allow-list)", tenant)
        raise web.HTTPForbidden(text="this tenant may not use the bot")
    _normalize_tenant(activity, tenant)
    if settings.fast_answers and activity.type == "message":
        answer_fast = getattr(bot, "answer_fast", None)
        if answer_fast is not None and await answer_fast(activity):
            return web.Response(status=HTTPStatus.OK)
    turns: list[Any] = []

    async def logic(turn_context: Any) -> None:
        turns.append(turn_context)
        await bot.on_turn(turn_context)

    invoke_response = await adapter.process_activity(auth_result, activity, logic)
    if turns and turns[0].turn_state.get(NOT_STORED):
        raise web.HTTPServiceUnavailable(
            headers={"Retry-After": "10"},
            text="the answer could not be stored (the database is unavailable); deliver it again",
        )
    if invoke_response:
        return web.json_response(
            data=serializer_helper(invoke_response.body), status=invoke_response.status
        )
    return web.Response(status=HTTPStatus.OK)


async def healthz(request: web.Request) -> web.Response:
    """``GET /healthz``: is the database reachable?"""
    services = request.app[SERVICES_KEY]
    try:
        await asyncio.wait_for(_ping(services.db), timeout=5.0)
    except Exception as exc:  # any failure means "not healthy"; the reason goes to the log
        log.warning("health check failed: %s", exc)
        return web.json_response({"status": "unavailable", "database": "error"}, status=503)
    return web.json_response({"status": "ok", "database": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """``GET /readyz``: may a load balancer send workshops here yet?

    503 while the summary's spaCy pipeline still loads after a start (turns are slow then)
    or when the database does not answer; 200 when both are ready. ``/healthz`` stays the
    liveness check (is the process and its database alive).
    """
    if request.app[_STOPPING_KEY].is_set():
        return web.json_response({"status": "stopping"}, status=503)
    if not request.app[_READY_KEY].is_set():
        return web.json_response(
            {"status": "starting", "language_pipeline": "loading"},
            status=503,
            headers={"Retry-After": "5"},
        )
    services = request.app[SERVICES_KEY]
    try:
        await asyncio.wait_for(_ping(services.db), timeout=5.0)
    except Exception as exc:
        log.warning("readiness check failed: %s", exc)
        return web.json_response({"status": "unavailable", "database": "error"}, status=503)
    return web.json_response({"status": "ready", "database": "ok", "language_pipeline": "ok"})


async def _ping(db: Database) -> None:
    await db.ping()  # storage owns the SQL (SELECT 1)


def _media_handler(lookup: MediaLookup) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def media(request: web.Request) -> web.Response:
        """``GET /media/<token>.png``: a stored PNG by its token, nothing else."""
        token = request.match_info["token"]
        variant_arg = request.query.get("variant", "full")
        if not _TOKEN_RE.fullmatch(token) or variant_arg not in ("full", "card"):
            raise web.HTTPNotFound(text="no such picture")
        variant: Literal["full", "card"] = "card" if variant_arg == "card" else "full"
        png = await lookup(request.app[SERVICES_KEY].db, token, variant)
        if png is None:
            raise web.HTTPNotFound(text="no such picture")
        return web.Response(
            body=png,
            content_type="image/png",
            headers={
                "Cache-Control": "public, max-age=86400, immutable",
                "X-Content-Type-Options": "nosniff",
            },
        )

    return media


def create_app(
    settings: Settings,
    *,
    bot_factory: BotFactory | None = None,
    open_database: Callable[[Settings], Awaitable[Any]] | None = None,
    state_storage: Callable[[Any], Awaitable[Storage]] | None = None,
    media_lookup: MediaLookup | None = None,
    outbox_options: dict[str, Any] | None = None,
    warm_up: bool = False,
) -> web.Application:
    """Build the bot's web application.

    Nothing is opened here: the database, the adapter, the outbox and the bot are created in
    the app's ``cleanup_ctx`` when the server starts, and closed when it stops.

    Args:
        settings: the validated settings.
        bot_factory: builds the bot from :class:`BotServices`; default
            ``bot.handler.WorkshopBot``.
        open_database: opens the database; default ``storage.open.open_database`` with the
            schema check (an out-of-date schema stops the start with the storage's message).
        state_storage: builds the botbuilder ``Storage`` for state; default
            ``bot.state_storage.SqlStorage(db)``.
        media_lookup: finds a PNG by token; default the storage's maps repository.
        outbox_options: keyword options for :class:`bot.outbox.Outbox` (tests, benchmarks).
        warm_up: load the spaCy pipeline of the default language in a background thread
            at start, so the first summary does not wait for it (``workshopbot serve``).

    Returns:
        The application, ready for ``web.run_app`` or an ``AppRunner``.
    """
    app = web.Application(client_max_size=MAX_BODY_BYTES, middlewares=[error_middleware])
    app[SETTINGS_KEY] = settings
    app[_READY_KEY] = asyncio.Event()
    app[_STOPPING_KEY] = asyncio.Event()
    # The injectable clock: only in local mode without credentials (Settings refuses it
    # otherwise), for the Agents Playground and end-to-end tests (bot/local_clock.py).
    local_clock = LocalClock(settings.local_clock) if settings.local_clock is not None else None
    clock: Clock = local_clock if local_clock is not None else SystemClock()
    factory = bot_factory or _default_bot_factory
    opener = open_database or _default_open_database
    storage_factory = state_storage or _default_state_storage

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        try:
            db = await opener(settings)
        except Exception as exc:
            if exc.__class__.__name__ == "SchemaOutOfDate" or isinstance(exc, StartupError):
                raise
            raise StartupError(
                f"cannot open the database at {_safe_url(settings.database_url)}: {exc}; check "
                "DATABASE_URL and run `workshopbot db upgrade`"
            ) from exc
        # msrest runs every outgoing connector call with ``requests`` in the loop's default
        # executor (6 threads on 2 cores): give it room, so sends to many conversations
        # (private replies to hundreds of participants) do not queue behind each other.
        asyncio.get_running_loop().set_default_executor(
            ThreadPoolExecutor(max_workers=IO_THREADS, thread_name_prefix="workshopbot-io")
        )
        spawner = Spawner()
        adapter, auth = create_adapter(settings)
        options: dict[str, Any] = _outbox_options(settings, db)
        options.update(outbox_options or {})
        outbox = Outbox(adapter, app_id=settings.APP_ID, **options)
        delivery: DurableDelivery | None = None
        runner: JobRunner | None = None
        try:
            storage = await storage_factory(db)
            services = BotServices(
                settings=settings,
                db=db,
                outbox=outbox,
                conversation_state=ConversationState(storage),
                user_state=UserState(storage),
                private_conversation_state=PrivateConversationState(storage),
                media_url=functools.partial(media_url, settings),
                spawn=spawner,
                adapter=adapter,
                clock=clock,
            )
            bot = factory(services)
            if warm_up:

                async def warm() -> None:
                    try:
                        await asyncio.to_thread(_warm_up, settings.language)
                    finally:  # a failed warm-up loads on first use: ready either way
                        app[_READY_KEY].set()

                spawner(warm(), name="warm up spaCy")
            else:
                app[_READY_KEY].set()
            resume = getattr(bot, "resume_time_boxes", None)
            if resume is not None:
                spawner(_resume_time_boxes(resume), name="resume time boxes")
            if isinstance(db, Database):
                # Durable work: what any instance queued or scheduled, this one may do.
                delivery = DurableDelivery(db, outbox)
                await delivery.start()
                channel = TeamsChannel(
                    outbox, spawn=spawner, media_url=functools.partial(media_url, settings)
                )
                runner = JobRunner(db, channel, clock=clock)
                await runner.start()
                spawner(_ensure_jobs(db, clock.now()), name="ensure periodic jobs")
                app[DURABLE_KEY] = (delivery, runner)
            app[SERVICES_KEY] = services
            app[ADAPTER_KEY] = adapter
            app[_AUTH_KEY] = auth
            app[BOT_KEY] = bot
            log.info(
                "workshopbot ready on %s:%d (%s, database %s)",
                settings.host,
                settings.port,
                "LOCAL mode without authentication" if settings.local else "authenticated",
                _safe_url(settings.database_url),
            )
            yield
        finally:
            app[_READY_KEY].clear()
            # Hand back claimed jobs and queued messages first: another instance takes them
            # at once, instead of after their leases run out.
            if runner is not None:
                await runner.stop(timeout=2.0)
            if delivery is not None:
                await delivery.stop(timeout=2.0)
            await spawner.close(timeout=3.0)
            await outbox.close(timeout=3.0)
            await auth.close()
            dispose = getattr(db, "dispose", None)
            if dispose is not None:
                await dispose()

    async def stopping(app: web.Application) -> None:
        # SIGTERM: not ready from this moment (a load balancer stops sending new turns),
        # while requests under way finish and durable work is handed back.
        app[_STOPPING_KEY].set()

    app.on_shutdown.append(stopping)
    app.cleanup_ctx.append(lifecycle)
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/media/{token}.png", _media_handler(media_lookup or _default_media_lookup))
    if local_clock is not None:

        def moved() -> None:
            durable = app.get(DURABLE_KEY)
            if durable is not None:
                durable[1].wake()

        handler = clock_handler(local_clock, moved=moved)
        app.router.add_get(CLOCK_PATH, handler)
        app.router.add_post(CLOCK_PATH, handler)
        log.warning(
            "the local clock is on (now %s): POST %s moves the bot's time; Playground only",
            local_clock.now().isoformat(),
            CLOCK_PATH,
        )
    return app


def _outbox_options(settings: Settings, db: Database) -> dict[str, Any]:
    """On PostgreSQL the instances share Teams' budget through the database (each may spend
    all of it when the others are idle); elsewhere each keeps to its share."""
    if isinstance(db, Database) and db.dialect == "postgresql":
        return {"limits": TEAMS_LIMITS, "shared_budget": DatabaseBudget(db, TEAMS_LIMITS)}
    return {"limits": share_of_limits(settings.instances)}


async def _ensure_jobs(db: Database, now: datetime) -> None:
    """The periodic jobs every deployment has (one instance's schedule is enough; a second
    finds it queued); ``now`` is the runner's clock."""
    try:
        await housekeeping.ensure_housekeeping(db, now=now)
    except Exception:
        log.exception("could not schedule the housekeeping job")
    try:
        # The knowledge bank's check-ins, reminders, follow-ups and digests (issue 16).
        await knowledge_jobs.ensure_sweeping(db, now=now)
    except Exception:
        log.exception("could not schedule the knowledge bank's sweep")


async def _resume_time_boxes(resume: Callable[[], Awaitable[int]]) -> None:
    """The bot's time-box reminders after a start; a failure only costs reminders."""
    try:
        await resume()
    except Exception:
        log.exception("could not resume the time-box reminders after the start")


def _warm_up(language: Literal["da", "en"]) -> None:
    """Load the summary's spaCy pipeline once (it is cached by the analysis package)."""
    try:
        from analysis.summary.text import get_pipeline
    except ImportError:
        return
    get_pipeline(language)
    log.info("spaCy pipeline for %r loaded", language)


def media_url(settings: Settings, token: str, variant: Literal["full", "card"] = "full") -> str:
    """The public URL of a stored picture.

    >>> media_url(Settings(local=True, public_url="https://bot.example.org"), "abc")
    'https://bot.example.org/media/abc.png'
    """
    suffix = "?variant=card" if variant == "card" else ""
    return f"{settings.public_url}/media/{token}.png{suffix}"


def _safe_url(url: str) -> str:
    """The database URL without its password, for logs."""
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)
