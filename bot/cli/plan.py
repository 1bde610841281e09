"""`workshopbot plan`: list, check, show, import and export question plans.

- ``plan list [--json]``: the built-in plans and, when the database exists, the stored ones.
- ``plan validate FILE...``: every problem with its file, line and location; exit 2 if any.
- ``plan show ID|FILE [--lang da] [--org HK]``: the questions as participants will read them.
- ``plan export ID [--out FILE] [--version N] [--builtin]``: a stored or built-in plan as YAML.
- ``plan import FILE [--name NAME] [--author NAME] [--note TEXT] [--owner ID]``: validate,
  then store a new version under the plan's id (``DATABASE_URL`` selects the database;
  default SQLite); ``--owner`` gives a new plan its owner (a Teams user id).
- ``plan owner ID [--owner ID] [--co-owner ID ...] [--no-owner]``: show a stored plan's owner,
  co-owners and every version with its author; with options, set them (an operator's tool:
  who may change a plan in Teams is decided by ``dialogs.permissions``).

The file format is described in docs/plans.md.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from bot.cli import CommandError

if TYPE_CHECKING:
    from dialogs.plans import Plan
    from storage.db import Database

__all__ = ["register"]

log = logging.getLogger(__name__)

T = TypeVar("T")


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add ``workshopbot plan list|validate|show|export|import|owner``."""
    parser = subparsers.add_parser(
        "plan",
        help="list, check, show, import and export question plans",
        description="Question plans are YAML files (see docs/plans.md). Built-in plans ship "
        "with workshopbot; imported plans are stored as numbered versions in the database "
        "(DATABASE_URL, default the SQLite file var/workshopbot.sqlite3).",
    )
    sub = parser.add_subparsers(dest="plan_command", metavar="ACTION", required=True)

    p = sub.add_parser("list", help="list the built-in and the stored plans")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--lang", choices=("da", "en"), default="da", help="language of the names")
    p.set_defaults(func=run_list)

    p = sub.add_parser(
        "validate",
        help="check plan files and print every problem with its location",
        description="Check plan files. Prints FILE:LINE: LOCATION: PROBLEM for every problem "
        "and exits with 2 if there is any; prints FILE: OK: … for a valid file.",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="plan files (- reads stdin)")
    p.set_defaults(func=run_validate)

    p = sub.add_parser("show", help="print a plan's questions as participants will read them")
    p.add_argument("plan", metavar="ID|FILE", help="a built-in or stored plan id, or a file")
    p.add_argument("--lang", choices=("da", "en"), default=None, help="language (plan default)")
    p.add_argument("--org", default=None, help="organisation name for {org} (e.g. HK)")
    p.set_defaults(func=run_show)

    p = sub.add_parser(
        "export",
        help="write a stored or built-in plan as YAML",
        description="Write a plan as YAML: the newest stored version with that id if there "
        "is one (or --version N), otherwise the built-in plan.",
    )
    p.add_argument("plan_id", metavar="ID", help="the plan's id, e.g. default")
    p.add_argument("--out", type=Path, default=None, metavar="FILE", help="file (default stdout)")
    p.add_argument("--version", type=int, default=None, help="a stored version number")
    p.add_argument("--builtin", action="store_true", help="the built-in plan even if stored")
    p.set_defaults(func=run_export)

    p = sub.add_parser(
        "import",
        help="validate a plan file and store it as a new version",
        description="Validate a plan file and store its text as a new version of the plan "
        "with the file's id. The database must exist (run: workshopbot db upgrade).",
    )
    p.add_argument("file", type=Path, metavar="FILE", help="the plan file")
    p.add_argument("--name", default=None, help="the plan's name (default: from the file)")
    p.add_argument("--author", default=None, help="who saves it (default: your user name)")
    p.add_argument("--note", default="", help="why this version was made")
    p.add_argument(
        "--owner", default=None, help="owner of a new plan (a Teams user id); default: none"
    )
    p.set_defaults(func=run_import)

    p = sub.add_parser(
        "owner",
        help="show or set who may change a stored plan, with its version history",
        description="Show a stored plan's owner, co-owners and versions (who saved which, "
        "when, why). With --owner/--co-owner/--no-owner, set them: only they and the "
        "operators (WORKSHOPBOT_OPERATORS) change the plan from Teams. A plan without owner "
        "(stored before owners existed, or imported without --owner) is the operators'.",
    )
    p.add_argument("plan_id", metavar="ID", help="the stored plan's id")
    p.add_argument("--owner", default=None, help="the new owner (a Teams user id)")
    p.add_argument("--no-owner", action="store_true", help="remove the owner (operators only)")
    p.add_argument("--co-owner", action="append", default=None, help="a co-owner (repeat for more)")
    p.set_defaults(func=run_owner)


# -- storage access (optional: only when a database exists) ------------------------------


@dataclass(frozen=True)
class _Stored:
    key: str
    name: str
    version: int
    text: str


def _stored_plans() -> list[_Stored]:
    """The newest version of every stored plan; empty when there is no database."""
    try:
        from storage.db import database_exists, database_url_from_env
        from storage.errors import StorageError
        from storage.open import run_with_database
        from storage.plans import latest_plan_version, list_plans
    except ImportError:  # storage not installed in this build
        return []
    url = database_url_from_env()
    if not database_exists(url):
        log.debug("no database at %s: listing built-in plans only", url)
        return []

    async def work(db: Database) -> list[_Stored]:
        found: list[_Stored] = []
        for record in await list_plans(db):
            latest = await latest_plan_version(db, record.key)
            if latest is not None:
                found.append(_Stored(record.key, record.name, latest.version, latest.text))
        return found

    try:
        return run_with_database(work)
    except (StorageError, CommandError) as exc:
        print(f"workshopbot plan: note: stored plans not listed: {exc}", file=sys.stderr)
        return []


def _stored_plan(plan_id: str, version: int | None) -> _Stored | None:
    try:
        from storage.db import database_exists, database_url_from_env
        from storage.open import run_with_database
        from storage.plans import latest_plan_version, plan_history
    except ImportError:
        return None
    if not database_exists(database_url_from_env()):
        return None

    async def work(db: Database) -> _Stored | None:
        if version is None:
            record = await latest_plan_version(db, plan_id)
        else:
            history = await plan_history(db, plan_id)
            matches = [r for r in history if r.version == version]
            if not matches:
                raise CommandError(
                    f"plan {plan_id!r} has no version {version}; it has versions "
                    + ", ".join(str(r.version) for r in history)
                )
            record = matches[0]
        if record is None:
            return None
        return _Stored(record.plan_key, record.plan_name, record.version, record.text)

    return run_with_database(work)


# -- commands ----------------------------------------------------------------------------


def _describe(plan: Plan) -> str:
    return f"{len(plan.questions)} questions, languages {', '.join(plan.languages)}"


def run_list(args: argparse.Namespace) -> int:
    """Print the built-in and stored plans."""
    from dialogs.plans import PlanError, list_builtin_plans, load_plan

    rows: list[dict[str, Any]] = []
    for plan in list_builtin_plans():
        lang = args.lang if args.lang in plan.languages else plan.default_language
        rows.append(
            {
                "id": plan.id,
                "source": "built-in",
                "version": None,
                "name": plan.name[lang],
                "questions": len(plan.questions),
                "languages": list(plan.languages),
            }
        )
    for stored in _stored_plans():
        try:
            plan = load_plan(stored.text)
            questions: int | None = len(plan.questions)
            languages = list(plan.languages)
        except PlanError:
            questions, languages = None, []
        rows.append(
            {
                "id": stored.key,
                "source": "stored",
                "version": stored.version,
                "name": stored.name,
                "questions": questions,
                "languages": languages,
            }
        )
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    width = max(len(r["id"]) for r in rows)
    print(f"{'ID':<{width}}  {'SOURCE':<10}  {'QUESTIONS':>9}  {'LANGUAGES':<9}  NAME")
    for r in rows:
        source = r["source"] if r["version"] is None else f"stored v{r['version']}"
        count = "invalid" if r["questions"] is None else str(r["questions"])
        print(
            f"{r['id']:<{width}}  {source:<10}  {count:>9}  {','.join(r['languages']):<9}  "
            f"{r['name']}"
        )
    return 0


def _read(file: str) -> str:
    if file == "-":
        return sys.stdin.read()
    return Path(file).read_text(encoding="utf-8")


def run_validate(args: argparse.Namespace) -> int:
    """Check every file; print each problem with its location (exit 2 if any)."""
    from dialogs.plans import load_plan, validate_plan_text

    failed = 0
    for file in args.files:
        try:
            text = _read(file)
        except OSError as exc:
            print(f"{file}: cannot read: {exc.strerror or exc}")
            failed += 1
            continue
        except UnicodeDecodeError:
            print(f"{file}: not UTF-8 text; save it as UTF-8")
            failed += 1
            continue
        issues = validate_plan_text(text)
        if not issues:
            print(f"{file}: OK: {_describe(load_plan(text))}")
            continue
        failed += 1
        for issue in issues:
            where = f"{file}:{issue.line}" if issue.line is not None else file
            location = f"{issue.location}: " if issue.location else ""
            print(f"{where}: {location}{issue.message}")
    if failed and len(args.files) > 1:
        print(f"{failed} of {len(args.files)} files have problems", file=sys.stderr)
    return 2 if failed else 0


def _find_plan(ref: str) -> Plan:
    """A plan by file name, stored id or built-in id."""
    from dialogs.plans import builtin_plan_ids, get_builtin_plan, load_plan

    if Path(ref).is_file() or ref.endswith((".yaml", ".yml")):
        return load_plan(Path(ref))
    stored = _stored_plan(ref, None)
    if stored is not None:
        return load_plan(stored.text)
    if ref in builtin_plan_ids():
        return get_builtin_plan(ref)
    raise CommandError(
        f"there is no plan {ref!r}; built-in plans are {', '.join(builtin_plan_ids())} "
        "(see: workshopbot plan list)"
    )


def run_show(args: argparse.Namespace) -> int:
    """Print a plan's questions as participants will read them."""
    from dialogs.plans import format_time_box

    plan = _find_plan(args.plan)
    lang = args.lang or plan.default_language
    if lang not in plan.languages:
        raise CommandError(
            f"plan {plan.id!r} has no {lang!r} texts; use --lang {plan.languages[0]}"
        )
    org = args.org or plan.organisation

    def text(value: Any) -> str:
        if org is None:
            return str(value[lang])  # no organisation given: show {org} as written
        return plan.render_text(value, lang, org)

    print(f"{text(plan.name)} ({plan.id}) – {_describe(plan)}")
    phase = None
    for number, q in enumerate(plan.questions, start=1):
        if q.phase != phase:
            phase = q.phase
            print(f"\n{text(plan.phase(phase).title)}")
        box = plan.time_box_for(q)
        extra = f" [{q.kind}" + (f", {format_time_box(box)}" if box else "") + "]"
        print(f"  {number:>2}. ({q.id}) {text(q.text)}{extra}")
        for option in q.options:
            print(f"        - {text(option)}")
        for prompt in q.follow_up:
            print(f"        > {text(prompt)}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    """Write a stored or built-in plan as YAML."""
    from dialogs.plans import builtin_plan_ids, builtin_plan_text

    if args.builtin and args.version is not None:
        raise CommandError("--builtin and --version exclude each other; built-in plans have none")
    text: str | None = None
    origin = ""
    if not args.builtin:
        stored = _stored_plan(args.plan_id, args.version)
        if stored is not None:
            text, origin = stored.text, f"stored plan {stored.key} version {stored.version}"
        elif args.version is not None:
            raise CommandError(f"there is no stored plan {args.plan_id!r}")
    if text is None:
        if args.plan_id not in builtin_plan_ids():
            raise CommandError(
                f"there is no plan {args.plan_id!r}; built-in plans are "
                f"{', '.join(builtin_plan_ids())} (see: workshopbot plan list)"
            )
        text, origin = builtin_plan_text(args.plan_id), f"built-in plan {args.plan_id}"
    if args.out is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        try:
            args.out.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"cannot write {args.out}: {exc.strerror or exc}") from None
        print(f"wrote {origin} to {args.out}", file=sys.stderr)
    return 0


def run_import(args: argparse.Namespace) -> int:
    """Validate a plan file and store it as a new version."""
    from dialogs.plans import PlanError, builtin_plan_ids, load_plan

    path: Path = args.file
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise CommandError(f"{path} is not UTF-8 text; save it as UTF-8") from None
    try:
        plan = load_plan(text)
    except PlanError as exc:
        for issue in exc.issues:
            where = f"{path}:{issue.line}" if issue.line is not None else str(path)
            location = f"{issue.location}: " if issue.location else ""
            print(f"{where}: {location}{issue.message}", file=sys.stderr)
        raise CommandError(
            f"{path} has {len(exc.issues)} problem(s) (listed above); nothing was stored"
        ) from None
    from storage.open import run_with_database
    from storage.plans import save_plan_version

    name = args.name or plan.name[plan.default_language]
    author = args.author or _user_name()

    async def work(db: Database) -> Any:
        return await save_plan_version(
            db,
            plan_key=plan.id,
            name=name,
            text=text,
            author=author,
            note=args.note,
            owner_id=args.owner,
        )

    record = run_with_database(work)
    shadow = " (it is used instead of the built-in plan)" if plan.id in builtin_plan_ids() else ""
    print(f"stored plan {record.plan_key} version {record.version}: {_describe(plan)}{shadow}")
    return 0


def run_owner(args: argparse.Namespace) -> int:
    """Show (and with options set) a stored plan's owners, then its version history."""
    from storage.errors import NotFound
    from storage.open import run_with_database
    from storage.plans import plan_history, plan_owners, set_plan_owners

    if args.owner is not None and args.no_owner:
        raise CommandError("give either --owner ID or --no-owner, not both")

    async def work(db: Database) -> tuple[tuple[str | None, tuple[str, ...]], Any]:
        owners = await plan_owners(db, args.plan_id)
        if owners is None:
            raise NotFound(
                f"there is no stored plan {args.plan_id!r}; list them with: workshopbot plan list"
            )
        if args.owner is not None or args.no_owner or args.co_owner is not None:
            owner = None if args.no_owner else (args.owner or owners[0])
            co_owners = args.co_owner if args.co_owner is not None else list(owners[1])
            owners = await set_plan_owners(
                db, args.plan_id, owner_id=owner, co_owner_ids=[c for c in co_owners if c]
            )
        return owners, await plan_history(db, args.plan_id)

    owners, history = run_with_database(work)
    owner, co_owners = owners
    print(f"plan {args.plan_id}")
    print(f"owner: {owner or '(none: operators only)'}")
    print(f"co-owners: {', '.join(co_owners) or '(none)'}")
    for version in history:
        note = f": {version.note}" if version.note else ""
        print(f"  v{version.version} {version.created_at:%Y-%m-%d %H:%M} {version.author}{note}")
    return 0


def _user_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "workshopbot cli"
