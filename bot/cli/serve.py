"""`workshopbot serve` runs the bot; `workshopbot playground` runs it with the Agents Playground.

``serve`` reads the settings from the environment (see :mod:`bot.settings`); ``--port``,
``--host``, ``--public-url`` and ``--local`` override them. Without an app id it refuses to
start unless local mode is explicit.

``playground`` is what ``make run`` does: it brings the database schema up to date, starts
the bot in local mode and the Microsoft 365 Agents Playground (``node_modules/.bin/
agentsplayground``, telemetry off, mock users from ``.m365agentsplayground.yml``), prints
the address to open, and stops both on Ctrl-C or when either one ends.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import re
import shutil
import signal
import sys
from pathlib import Path
from typing import Any

from bot.cli import CommandError

__all__ = [
    "find_playground",
    "playground_command",
    "playground_environment",
    "register",
    "stop_process",
]

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]
PLAYGROUND_CONFIG = ".m365agentsplayground.yml"
#: The real Danish documents beside the project: the playground's first map is made of them.
SAMPLE_CORPUS = REPO_ROOT.parent / "shared" / "corpus"
SAMPLE_MAP_NAME = "eksempel"


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add the ``serve`` and ``playground`` commands."""
    serve = subparsers.add_parser(
        "serve",
        help="run the bot's web server (POST /api/messages, GET /healthz, GET /media/...)",
        description="Run the bot. Settings come from the environment (MICROSOFT_APP_ID, "
        "MICROSOFT_APP_PASSWORD, MICROSOFT_APP_TENANT_ID, DATABASE_URL, PORT, "
        "WORKSHOPBOT_PUBLIC_URL, WORKSHOPBOT_ALLOWED_TENANTS, WORKSHOPBOT_LANGUAGE, "
        "WORKSHOPBOT_LOCAL, and for the Agents Playground only WORKSHOPBOT_LOCAL_CLOCK: see "
        "bot/local_clock.py); options override them.",
    )
    _add_server_options(serve)
    serve.add_argument(
        "--local",
        action="store_true",
        help="run without Bot Framework authentication (only for the Agents Playground)",
    )
    serve.set_defaults(func=run_serve)

    playground = subparsers.add_parser(
        "playground",
        help="run the bot on SQLite with the Microsoft 365 Agents Playground (make run)",
        description="Upgrade the database schema, start the bot in local mode and the "
        "Microsoft 365 Agents Playground, print the address to open; Ctrl-C stops both.",
    )
    _add_server_options(playground)
    playground.add_argument(
        "--playground-port",
        type=int,
        default=56150,
        help="port of the playground's web page (default 56150)",
    )
    playground.add_argument(
        "--config",
        type=Path,
        default=None,
        help=f"the playground's mock users and chats (default: {PLAYGROUND_CONFIG} in the "
        "project folder)",
    )
    playground.add_argument(
        "--open", action="store_true", help="open the playground in the default browser"
    )
    playground.add_argument(
        "--sample-corpus",
        type=Path,
        default=SAMPLE_CORPUS,
        help="when no map is stored yet, analyse these documents into a map named "
        f"{SAMPLE_MAP_NAME!r} so the setup card has one to offer (default: {SAMPLE_CORPUS})",
    )
    playground.set_defaults(func=run_playground)


def _add_server_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=None, help="TCP port (default: PORT or 3978)")
    parser.add_argument(
        "--host", default=None, help="interface to listen on (default: HOST or 127.0.0.1)"
    )
    parser.add_argument(
        "--public-url",
        default=None,
        help="public HTTPS base URL, for card images (default: WORKSHOPBOT_PUBLIC_URL)",
    )


def _settings(args: argparse.Namespace, *, local: bool | None) -> Any:
    from bot.settings import Settings

    overrides: dict[str, Any] = {}
    if args.port is not None:
        overrides["port"] = args.port
    if args.host is not None:
        overrides["host"] = args.host
    if args.public_url is not None:
        overrides["public_url"] = args.public_url
    if local:
        overrides["local"] = True
    return Settings.from_env(**overrides)


def run_serve(args: argparse.Namespace) -> int:
    """``workshopbot serve``: run until SIGINT/SIGTERM."""
    from aiohttp import web

    from bot.app import create_app

    settings = _settings(args, local=True if args.local else None)
    app = create_app(settings, warm_up=True)
    try:
        web.run_app(
            app,
            host=settings.host,
            port=settings.port,
            print=None,
            access_log=None,
            handle_signals=True,
            # Requests under way get 4 s; the clean-up (hand back jobs and messages,
            # finish queued sends) 3 s more: the process is gone well within 10 s.
            shutdown_timeout=4.0,
        )
    except OSError as exc:
        raise CommandError(
            f"cannot listen on {settings.host}:{settings.port} ({exc.strerror or exc}); "
            "choose another port with --port or stop the program using it"
        ) from exc
    return 0


def find_playground() -> Path:
    """The ``agentsplayground`` executable installed by ``npm ci``.

    Raises:
        CommandError: it is not installed.
    """
    for base in (REPO_ROOT, Path.cwd()):
        candidate = base / "node_modules" / ".bin" / "agentsplayground"
        if candidate.exists():
            return candidate
    found = shutil.which("agentsplayground")
    if found:
        return Path(found)
    raise CommandError(
        "the Microsoft 365 Agents Playground is not installed; run `make setup` (npm ci) in "
        f"{REPO_ROOT}"
    )


def playground_command(executable: Path, *, bot_url: str, port: int) -> list[str]:
    """The playground's command line (options checked against ``agentsplayground --help``)."""
    return [
        str(executable),
        "--app-endpoint",
        bot_url,
        "--channel-id",
        "msteams",
        "--port",
        str(port),
        "--disable-telemetry",
    ]


async def stop_process(process: asyncio.subprocess.Process, *, grace: float = 10) -> None:
    """End a child process started here: SIGTERM, then SIGKILL after ``grace`` seconds.

    Does nothing when it has already ended.
    """
    if process.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        process.terminate()
    try:
        await asyncio.wait_for(process.wait(), grace)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()


def playground_environment(config: Path, *, open_browser: bool, log_file: Path) -> dict[str, str]:
    """Environment for the playground: its config file, its log file, browser on/off."""
    env = dict(os.environ)
    env["M365_AGENTS_PLAYGROUND_CONFIG_PATH"] = str(config)
    env["M365_AGENTS_PLAYGROUND_LOGFILE"] = str(log_file)
    if not open_browser:
        env["TEAMSAPPTESTER_BROWSER"] = "none"
    return env


_LISTENING = re.compile(rb"Listening on (\d+)")


async def _relay_output(
    process: asyncio.subprocess.Process, port_found: asyncio.Future[int]
) -> None:
    """Pass the playground's output on to ours and note the port it says it listens on."""
    assert process.stdout is not None
    async for line in process.stdout:
        match = _LISTENING.search(line)
        if match and not port_found.done():
            port_found.set_result(int(match.group(1)))
        sys.stdout.write("playground: " + line.decode("utf-8", "replace"))
        sys.stdout.flush()


def run_playground(args: argparse.Namespace) -> int:
    """``workshopbot playground``: schema, bot and playground; Ctrl-C stops everything."""
    settings = _settings(args, local=True)
    executable = find_playground()
    config = args.config or REPO_ROOT / PLAYGROUND_CONFIG
    if not config.is_file():
        raise CommandError(f"the playground config {config} does not exist; pass --config FILE")
    from storage.migrate import upgrade

    revision = upgrade(settings.database_url)
    log.info("database schema is at revision %s", revision)
    ensure_sample_map(settings.database_url, args.sample_corpus)
    return asyncio.run(_run_playground(settings, executable, config, args))


def ensure_sample_map(
    database_url: str, corpus: Path, *, out_dir: Path = Path("var/sample-map")
) -> bool:
    """Store a map of ``corpus`` as ``eksempel`` when the database holds no map yet.

    A newcomer's first workshop needs a map to pick on the setup card. This runs
    ``workshopbot analyze`` (with its progress bars and report) once; later starts find the
    stored map and skip it. Returns whether a map was made.
    """
    from storage.maps import list_maps
    from storage.open import run_with_database

    if not corpus.is_dir():
        log.info("no sample corpus at %s; store a map with: workshopbot maps add NAME DIR", corpus)
        return False
    if run_with_database(list_maps, url=database_url):
        return False
    log.info("no map is stored yet: analysing %s into the map %r", corpus, SAMPLE_MAP_NAME)
    from bot.cli import build_parser

    argv = ["analyze", str(corpus), "--out", str(out_dir), "--store", SAMPLE_MAP_NAME]
    if (corpus / "metadata.csv").is_file():
        argv += ["--meta", str(corpus / "metadata.csv")]
    args = build_parser().parse_args(argv)
    args.func(args)  # --store opens DATABASE_URL, the same database the settings name
    return True


async def _run_playground(
    settings: Any, executable: Path, config: Path, args: argparse.Namespace
) -> int:
    from aiohttp import web

    from bot.app import create_app

    runner = web.AppRunner(create_app(settings, warm_up=True), access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, settings.host, settings.port).start()
    except OSError as exc:
        await runner.cleanup()
        raise CommandError(
            f"cannot listen on {settings.host}:{settings.port} ({exc.strerror or exc}); "
            "choose another port with --port"
        ) from exc
    bot_url = f"http://{settings.host}:{settings.port}/api/messages"
    log_dir = Path("var")
    log_dir.mkdir(exist_ok=True)
    process = await asyncio.create_subprocess_exec(
        *playground_command(executable, bot_url=bot_url, port=args.playground_port),
        env=playground_environment(
            config, open_browser=args.open, log_file=log_dir / "m365agentsplayground.log"
        ),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,  # Ctrl-C reaches it through us, in order
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    port_found: asyncio.Future[int] = loop.create_future()
    relay = asyncio.create_task(_relay_output(process, port_found))
    try:
        # The playground takes another port when the asked one is busy; it says which.
        port = await asyncio.wait_for(asyncio.shield(port_found), 60)
    except TimeoutError:
        port = args.playground_port
    print(
        f"\nworkshopbot is running on {bot_url} (local mode, database "
        f"{settings.database_url.split('///')[-1]}).\n"
        f"Open http://localhost:{port} in a browser: you are 'Fie Facilitator' (the mock "
        f"users are in the playground's group chat and team; see {config.name}).\n"
        "Press Ctrl-C to stop.\n",
        flush=True,
    )
    waiter = asyncio.create_task(process.wait())
    stopper = asyncio.create_task(stop.wait())
    await asyncio.wait({waiter, stopper}, return_when=asyncio.FIRST_COMPLETED)
    code = 0
    if waiter.done():
        code = process.returncode or 0
        log.error("the Agents Playground stopped (exit code %s); stopping the bot", code)
    else:
        await stop_process(process)
    stopper.cancel()
    relay.cancel()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.remove_signal_handler(sig)
    await runner.cleanup()
    print("workshopbot and the Agents Playground stopped.", file=sys.stderr)
    return code
