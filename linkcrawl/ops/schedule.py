"""``linkcrawl schedule``: submit the crawls that are due to Scrapyd, from cron or a timer.

Scrapyd runs jobs but never repeats them. A schedule file (TOML) lists what to run and how
often; a small state file next to it remembers when each entry was last submitted, so cron
or a systemd timer can call ``linkcrawl schedule FILE`` as often as it likes and only due
jobs are sent to Scrapyd's ``schedule.json``::

    scrapyd = "http://127.0.0.1:6800"     # optional; --scrapyd overrides
    project = "linkcrawl"                 # optional; --project overrides

    [[job]]
    name = "daily-sites"                  # unique; the state file is keyed by it
    spider = "sites"
    every = "1d"                          # 30m, 6h, 1d, 7d, 2w, 1d12h ...
    args = { targets = "example.com", seeds = "https://blog.example/" }
    settings = { LINKCRAWL_MAX_DEPTH = 3 }

Credentials (store or Redis URIs with a password) are refused in a job's settings: Scrapyd
shows a pending job's settings and arguments in ``listjobs.json``. Give them to Scrapyd's
own environment (``LINKCRAWL_STORE_URI``, ``LINKCRAWL_REDIS_URL``) instead.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import re
import tomllib
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from linkcrawl.errors import ConfigError, LinkcrawlError
from linkcrawl.ops.logmask import mask_text

__all__ = [
    "Entry", "ScheduleError", "due_entries", "is_due", "job_form", "load_schedule",
    "parse_every", "run_schedule", "split_credentials",
]

DEFAULT_SCRAPYD = "http://127.0.0.1:6800"
DEFAULT_PROJECT = "linkcrawl"
# A call up to this much early still counts as on time, so that a daily cron job at 03:00 is
# not skipped because yesterday's submission happened a few seconds after 03:00.
GRACE = timedelta(minutes=5)
_UNITS = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1),
          "w": timedelta(weeks=1)}
_EVERY = re.compile(r"(\d+)\s*([mhdw])")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class ScheduleError(LinkcrawlError):
    """Scrapyd could not be reached or refused a job."""

    exit_code = 4


@dataclass(frozen=True, slots=True)
class Entry:
    """One ``[[job]]`` of the schedule file."""

    name: str
    spider: str
    every: timedelta
    args: dict[str, str] = field(default_factory=dict)
    settings: dict[str, str] = field(default_factory=dict)
    version: str = ""


# --- pure logic ------------------------------------------------------------------------
def parse_every(text: str) -> timedelta:
    """``"90m"``, ``"6h"``, ``"1d12h"``, ``"2w"`` -> timedelta; raises ValueError."""
    compact = str(text).strip().lower().replace(" ", "")
    parts = _EVERY.findall(compact)
    if not compact or "".join(n + u for n, u in parts) != compact:
        raise ValueError(f"every = {text!r}: use a number and a unit m/h/d/w, e.g. '1d' or '12h'")
    total = sum((int(n) * _UNITS[u] for n, u in parts), timedelta())
    if total < timedelta(minutes=1):
        raise ValueError(f"every = {text!r}: must be at least 1m")
    return total


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


def _text_table(job: Mapping[str, Any], key: str, name: str) -> dict[str, str]:
    table = job.get(key, {})
    if not isinstance(table, dict):
        raise ValueError(f"job {name!r}: {key} must be a table, e.g. {key} = {{ NAME = 'value' }}")
    return {str(k): _as_text(v) for k, v in table.items()}


def parse_schedule(data: Mapping[str, Any]) -> tuple[dict[str, str], list[Entry]]:
    """The parsed TOML -> (top-level options, entries); raises ValueError on any mistake."""
    jobs = data.get("job", [])
    if not isinstance(jobs, list) or not jobs:
        raise ValueError("no [[job]] entries")
    entries: list[Entry] = []
    for i, job in enumerate(jobs, 1):
        name = str(job.get("name") or "")
        if not _NAME.match(name):
            raise ValueError(f"job #{i}: name must be letters, digits, '.', '_' or '-'")
        if not job.get("spider"):
            raise ValueError(f"job {name!r}: spider is missing")
        if "every" not in job:
            raise ValueError(f"job {name!r}: every is missing (e.g. every = '1d')")
        unknown = set(job) - {"name", "spider", "every", "args", "settings", "version"}
        if unknown:
            raise ValueError(f"job {name!r}: unknown keys {sorted(unknown)}")
        entry = Entry(
            name=name, spider=str(job["spider"]), every=parse_every(job["every"]),
            args=_text_table(job, "args", name), settings=_text_table(job, "settings", name),
            version=str(job.get("version") or ""),
        )
        # a value that the log mask would change holds a password (user:password@, password=)
        leaked = [k for k, v in {**entry.args, **entry.settings}.items() if mask_text(v) != v]
        if leaked:
            raise ValueError(
                f"job {name!r}: {', '.join(leaked)} holds a password, which Scrapyd would show "
                "in listjobs.json; set it in Scrapyd's environment instead"
            )
        entries.append(entry)
    names = [e.name for e in entries]
    if len(set(names)) != len(names):
        raise ValueError("job names must be unique")
    options = {k: str(data[k]) for k in ("scrapyd", "project") if k in data}
    return options, entries


def is_due(entry: Entry, last: datetime | None, now: datetime) -> bool:
    """Due when never submitted, or when ``every`` (less a small grace) has passed."""
    if last is None:
        return True
    return now - last >= entry.every - min(GRACE, entry.every / 2)


def due_entries(
    entries: Sequence[Entry], state: Mapping[str, Mapping[str, Any]], now: datetime
) -> list[Entry]:
    return [e for e in entries if is_due(e, _last(state, e.name), now)]


def _last(state: Mapping[str, Mapping[str, Any]], name: str) -> datetime | None:
    stamp = state.get(name, {}).get("last_submitted")
    if not stamp:
        return None
    try:
        when = datetime.fromisoformat(str(stamp))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def job_form(entry: Entry, project: str) -> list[tuple[str, str]]:
    """The form fields of Scrapyd's ``schedule.json`` for ``entry``."""
    form = [("project", project), ("spider", entry.spider)]
    if entry.version:
        form.append(("_version", entry.version))
    form += [("setting", f"{k}={v}") for k, v in entry.settings.items()]
    form += list(entry.args.items())
    return form


# --- files -----------------------------------------------------------------------------
def load_schedule(path: Path) -> tuple[dict[str, str], list[Entry]]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read schedule {str(path)!r}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"schedule {str(path)!r} is not valid TOML: {exc}") from None
    try:
        return parse_schedule(data)
    except ValueError as exc:
        raise ConfigError(f"schedule {str(path)!r}: {exc}") from None


def _read_state(path: Path) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read schedule state {str(path)!r}: {exc}") from None
    return data.get("jobs", {}) if isinstance(data, dict) else {}


def _write_state(path: Path, jobs: Mapping[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps({"jobs": jobs}, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)


@contextmanager
def _locked(state_path: Path) -> Iterator[None]:
    """One ``linkcrawl schedule`` at a time per state file (cron runs may overlap)."""
    try:
        handle = open(state_path.with_name(state_path.name + ".lock"), "a")  # noqa: SIM115
    except OSError as exc:
        raise ConfigError(f"cannot write next to {str(state_path)!r}: {exc.strerror}") from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ScheduleError(f"another linkcrawl schedule is using {state_path}") from None
        yield


# --- Scrapyd ---------------------------------------------------------------------------
def split_credentials(url: str) -> tuple[str, tuple[str, str] | None]:
    """``http://user:pw@host:6800`` -> (``http://host:6800``, (user, pw)).

    urllib neither sends URL credentials nor keeps them out of its error messages, so they
    become basic auth here and the URL that is shown and requested carries none.
    """
    parts = urllib.parse.urlsplit(url)
    userinfo, at, hostport = parts.netloc.rpartition("@")
    if not at:
        return url, None
    user, _, password = userinfo.partition(":")
    clean = urllib.parse.urlunsplit(parts._replace(netloc=hostport))
    return clean, (urllib.parse.unquote(user), urllib.parse.unquote(password))


def submit(scrapyd: str, form: Sequence[tuple[str, str]], auth: tuple[str, str] | None) -> str:
    """POST the job to ``schedule.json``; its job id. Raises ScheduleError (never with a
    password in its message)."""
    scrapyd, url_auth = split_credentials(scrapyd)
    auth = auth or url_auth
    try:
        return _submit(scrapyd, form, auth)
    except ScheduleError as exc:
        raise ScheduleError(mask_text(str(exc))) from None


def _submit(scrapyd: str, form: Sequence[tuple[str, str]], auth: tuple[str, str] | None) -> str:
    url = scrapyd.rstrip("/") + "/schedule.json"
    request = urllib.request.Request(url, data=urllib.parse.urlencode(form).encode())
    if auth:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        hint = " (check --user / SCRAPYD_USERNAME and SCRAPYD_PASSWORD)" if exc.code == 401 else ""
        raise ScheduleError(f"Scrapyd at {scrapyd} answered HTTP {exc.code}{hint}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ScheduleError(f"cannot reach Scrapyd at {scrapyd}: {reason}") from None
    except ValueError:
        raise ScheduleError(f"Scrapyd at {scrapyd} did not answer with JSON") from None
    if answer.get("status") != "ok":
        raise ScheduleError(f"Scrapyd refused the job: {answer.get('message', answer)}")
    return str(answer.get("jobid", ""))


def run_schedule(
    path: Path,
    *,
    scrapyd: str | None = None,
    project: str | None = None,
    state_path: Path | None = None,
    auth: tuple[str, str] | None = None,
    dry_run: bool = False,
    now: datetime | None = None,
    out: TextIO,
) -> int:
    """Submit every due entry; one line per entry on ``out``. 0, or 4 if a submission failed."""
    options, entries = load_schedule(path)
    scrapyd, url_auth = split_credentials(scrapyd or options.get("scrapyd") or DEFAULT_SCRAPYD)
    auth = auth or url_auth
    project = project or options.get("project") or DEFAULT_PROJECT
    state_path = state_path or path.with_name(path.name + ".state.json")
    now = now or datetime.now(UTC)
    failed = 0
    # a dry run writes nothing, so it needs no lock (and leaves no .lock file behind)
    with contextlib.nullcontext() if dry_run else _locked(state_path):
        state = _read_state(state_path)
        due = {e.name for e in due_entries(entries, state, now)}
        for entry in entries:
            if entry.name not in due:
                when = _last(state, entry.name)
                next_at = (when + entry.every) if when else now
                print(f"{entry.name}: not due (next after {next_at:%Y-%m-%d %H:%M} UTC)", file=out)
                continue
            if dry_run:
                print(f"{entry.name}: due, would submit spider {entry.spider!r}", file=out)
                continue
            try:
                job = submit(scrapyd, job_form(entry, project), auth)
            except ScheduleError as exc:
                failed += 1
                print(f"{entry.name}: FAILED: {exc}", file=out)
                continue
            state[entry.name] = {"last_submitted": now.isoformat(), "jobid": job}
            _write_state(state_path, state)
            print(f"{entry.name}: submitted spider {entry.spider!r} as job {job}", file=out)
    return ScheduleError.exit_code if failed else 0
