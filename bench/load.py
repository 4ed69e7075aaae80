"""Load benchmark: logged-in users on the production server, idle and while imports run.

The script starts ``legemiddel serve`` in production mode (DEBUG off, waitress, whitenoise,
secure cookies and HTTPS as behind the TLS proxy of a real installation) on a fresh database
with the demo data, and drives it with locust (headless, in this process) on the loopback
interface only:

1. **idle**: ``--users`` users (the demo's analyst roles), each logged in with its own session,
   with 1-3 s think time over the start page, the measures overview, measure pages, the drug
   portal and catalogue searches, for ``--minutes``;
2. **during_import**: the same while SLS imports (``legemiddel import sls``, the import and the
   refresh of the measures it announces) run back to back on the same database;
3. **ceiling**: a static file from the same server, with no think time (``--ceiling-seconds``):
   the most requests per second this server and client can do on this machine.

Only the measured window counts: the users log in first (a deliberately slow password hash),
then the clock starts. Any page answer other than 200 is an error (a redirect to the login page
means a lost session). Bar: 0 errors and page p95 <= 500 ms idle.

    .venv/bin/python bench/load.py                       # 50 users, 5 minutes per phase
    .venv/bin/python bench/load.py --users 10 --minutes 0.5 --database sqlite   # smoke run

The last line of stdout is JSON: ``{"idle": {"errors", "p95_ms", "rps", ...},
"during_import": {...}, "ceiling_rps": ..., ...}``. Exit status 1 when a bar is not met.
"""

from __future__ import annotations

# locust patches the standard library for gevent; it must come before anything else imports it.
import sys

if __name__ == "__main__" and "_child" not in sys.argv[1:2]:
    from gevent import monkey

    monkey.patch_all()

import argparse
import datetime as dt
import ipaddress
import json
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import time
import urllib.request
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from benchlib import (
    CHECKOUT,
    BenchError,
    Json,
    SqliteTarget,
    Target,
    database_targets,
    logger,
    machine,
)

SCRIPT = Path(__file__).resolve()
DEFAULT_WORKDIR = CHECKOUT / "var" / "bench"
P95_BAR_MS = 500.0
SLS_LINES = 250_000  # dashboards.py's generator: 80 % SLS, so 200 000 SLS lines per import
# The demo's users whose roles open the measure pages (legemiddel.analytics.access).
USERS = ("kjernegruppe", "lmk", "innkjop", "enhetsleder", "controller", "farmasoyt", "fagdirektor")
PASSWORD = "demo"  # noqa: S105 - the demo users' published password
SEARCHES = ("adalimumab", "humira", "L04AB", "metotreksat", "infliksimab", "pembro", "insulin")
STATIC = "/static/legemiddel/css/app.css"
LOOPBACK_NAMES = {"localhost"}

log = logger("load")


# --- Safety -------------------------------------------------------------------------------------


def loopback_host(host: str) -> str:
    """``host`` if it is the loopback interface; anything else is refused (this script sends
    load, and must never send it to another machine)."""
    name = host.strip().strip("[]").lower()
    try:
        if name in LOOPBACK_NAMES:
            addresses = {info[4][0] for info in socket.getaddrinfo(name, None)}
        else:
            addresses = {str(ipaddress.ip_address(name))}
    except (OSError, ValueError) as exc:
        raise BenchError(f"--host {host!r}: not an address on this machine ({exc})") from exc
    if not addresses or not all(ipaddress.ip_address(a).is_loopback for a in addresses):
        raise BenchError(
            f"--host {host!r} is not a loopback address; this script only loads 127.0.0.1"
        )
    return name


def free_port(host: str) -> int:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


# --- The server and the importer ----------------------------------------------------------------


def server_env(database_url: str, workdir: Path, source: Path, mode: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "PYTHONPATH": str(source),
            "LEGEMIDDEL_MODE": mode,
            "DATABASE_URL": database_url,
            "LEGEMIDDEL_VAR_DIR": str(workdir / "load-var"),
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "PSEUDONYM_KEY": "load-benchmark-only",
            "ALLOWED_HOSTS": "127.0.0.1,localhost,::1",
            # As behind the TLS proxy of an installation: HTTPS from the proxy's headers.
            "BEHIND_TLS_PROXY": "true",
            "TRUSTED_PROXY": "127.0.0.1",
            # Warnings only: a forbidden page still logs, waitress's queue depth does not.
            "LOG_LEVEL": "WARNING",
        }
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the command line chooses the settings
    return env


def run_legemiddel(args: Sequence[str], env: dict[str, str], *, quiet: bool = True) -> None:
    proc = subprocess.run(  # noqa: S603 - our own interpreter and package
        [sys.executable, "-m", "legemiddel", *args],
        env=env,
        cwd=CHECKOUT,
        stdout=subprocess.DEVNULL if quiet else None,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise BenchError(f"legemiddel {' '.join(args)} failed:\n{proc.stderr[-2000:]}")


class Server:
    """``legemiddel serve`` in a child process, answering on ``base``."""

    def __init__(
        self, env: dict[str, str], host: str, port: int, threads: int | None, log_path: Path
    ) -> None:
        command = [sys.executable, "-m", "legemiddel", "serve", "--host", host, "--port", str(port)]
        if threads:
            command += ["--threads", str(threads)]
        self.base = f"http://{'[' + host + ']' if ':' in host else host}:{port}"
        # The server's log (forbidden pages, waitress's queue depth) goes to a file.
        self.log = log_path.open("w")
        self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter and package
            command, env=env, cwd=CHECKOUT, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 600  # collectstatic first; slow on a busy machine
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"the server exited with status {self.proc.returncode}")
            try:
                request = urllib.request.Request(  # noqa: S310 - loopback, checked
                    self.base + "/helse/", headers={"X-Forwarded-Proto": "https"}
                )
                with urllib.request.urlopen(request, timeout=2) as answer:  # noqa: S310
                    if answer.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.5)
        self.stop()
        raise BenchError("the server did not answer /helse/ within 600 s")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


class Importer:
    """SLS imports back to back (``legemiddel import sls FILE``, which also refreshes the
    measures the import announced) until stopped; counts the imports that finished."""

    def __init__(self, env: dict[str, str], path: Path) -> None:
        import gevent

        self.env, self.path = env, path
        # The importer refuses a file it has seen (same checksum): each round imports the file
        # less its last ``round`` lines, so every round is a real import.
        self.lines = path.read_bytes().splitlines(keepends=True)
        self.copy = path.with_name(f"load-import-{os.getpid()}.csv")
        self.done: list[float] = []
        self.failures: list[str] = []
        self._stop = False
        self._current: subprocess.Popen[str] | None = None
        self._greenlet = gevent.spawn(self._loop)

    def _loop(self) -> None:
        round_ = 0
        path = self.copy
        while not self._stop:
            round_ += 1
            path.write_bytes(b"".join(self.lines[: len(self.lines) - round_]))
            started = time.perf_counter()
            self._current = subprocess.Popen(  # noqa: S603 - our own interpreter and package
                [sys.executable, "-m", "legemiddel", "import", "sls", str(path)],
                env=self.env,
                cwd=CHECKOUT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            _, err = self._current.communicate()
            if self._stop:
                break
            if self._current.returncode == 0:
                self.done.append(time.perf_counter() - started)
            else:
                self.failures.append(err[-500:])
                log(f"import failed: {err[-500:]}")

    def stop(self) -> Json:
        self._stop = True
        if self._current is not None and self._current.poll() is None:
            self._current.terminate()
        self._greenlet.join(timeout=60)
        self.copy.unlink(missing_ok=True)
        return {
            "imports": len(self.done),
            "import_s_median": round(statistics.median(self.done), 1) if self.done else None,
            "import_failures": len(self.failures),
        }


# --- The users ----------------------------------------------------------------------------------


def loopback_cookies() -> Any:
    """A cookie jar that sends the server's ``Secure`` cookies back over plain HTTP: the server
    believes it is behind HTTPS (the proxy's header), the client talks HTTP to 127.0.0.1."""
    from requests.cookies import RequestsCookieJar

    class LoopbackJar(RequestsCookieJar):
        def set_cookie(self, cookie: Any, *args: Any, **kwargs: Any) -> None:
            cookie.secure = False
            super().set_cookie(cookie, *args, **kwargs)

    return LoopbackJar()


def make_user_class(pages: Json, think: tuple[float, float], logins: Json) -> type:
    """The analysts' user class; ``logins`` counts the attempts and successes."""
    from locust import HttpUser, between, task

    usernames = iter(USERS * 10_000)

    class Analyst(HttpUser):
        wait_time = between(*think)

        def on_start(self) -> None:
            self.client.cookies = loopback_cookies()
            self.client.headers.update(
                {"X-Forwarded-Proto": "https", "Origin": "https://" + self.host.split("//")[1]}
            )
            self.username = next(usernames)
            self.logged_in = False
            page = self.client.get("/logg-inn/", name="login form")
            match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
            answer = self.client.post(
                "/logg-inn/",
                data={
                    "username": self.username,
                    "password": PASSWORD,
                    "csrfmiddlewaretoken": match.group(1) if match else "",
                },
                headers={"Referer": "https://" + self.host.split("//")[1] + "/logg-inn/"},
                allow_redirects=False,
                name="login",
            )
            self.logged_in = answer.status_code == 302
            # The measures this user's roles may open, as the overview links them.
            overview = self.client.get("/analyse/", name="login overview", allow_redirects=False)
            self.measures = measure_keys(overview.text) or pages["measures"]
            logins["attempted"] += 1
            logins["ok"] += self.logged_in
            if not self.logged_in:
                log(f"login as {self.username} failed: {answer.status_code}")

        def page(self, path: str, name: str) -> None:
            with self.client.get(
                path, name=name, allow_redirects=False, catch_response=True
            ) as answer:
                if answer.status_code != 200:
                    answer.failure(f"{answer.status_code} {answer.headers.get('Location', '')}")

        @task(2)
        def start_page(self) -> None:
            self.page("/", "start")

        @task(2)
        def overview(self) -> None:
            self.page("/analyse/", "overview")

        @task(5)
        def measure(self) -> None:
            self.page(f"/analyse/{random.choice(self.measures)}/", "measure")  # noqa: S311

        @task(2)
        def portal(self) -> None:
            self.page("/avtaler/", "portal")

        @task(1)
        def portal_area(self) -> None:
            self.page(f"/avtaler/omrade/{random.choice(pages['areas'])}/", "portal area")  # noqa: S311

        @task(2)
        def search(self) -> None:
            self.page(f"/katalog/?q={random.choice(SEARCHES)}", "catalogue search")  # noqa: S311

    return Analyst


def measure_keys(overview: str) -> list[str]:
    """The measure pages the overview links to."""
    skip = {"varsel", "kostnadsdrivere"}
    return sorted({k for k in re.findall(r'href="/analyse/([^/".]+)/"', overview) if k not in skip})


def discover_pages(base: str) -> Json:
    """The measure keys and agreement areas the pages link to, as a core-group member sees
    them (read from the overview and the portal, so the script follows the demo data)."""
    import requests

    session = requests.Session()
    session.cookies = loopback_cookies()
    origin = "https://" + base.split("//")[1]
    session.headers.update({"X-Forwarded-Proto": "https", "Origin": origin})
    form = session.get(base + "/logg-inn/", timeout=60)
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    session.post(
        base + "/logg-inn/",
        data={
            "username": USERS[0],
            "password": PASSWORD,
            "csrfmiddlewaretoken": match[1] if match else "",
        },
        headers={"Referer": origin + "/logg-inn/"},
        timeout=60,
    )
    overview = session.get(base + "/analyse/", allow_redirects=False, timeout=60)
    portal = session.get(base + "/avtaler/", allow_redirects=False, timeout=60)
    if overview.status_code != 200 or portal.status_code != 200:
        raise BenchError(f"could not log in as {USERS[0]} ({overview.status_code})")
    measures = measure_keys(overview.text)
    areas = sorted(set(re.findall(r'href="/avtaler/omrade/([^/"]+)/"', portal.text)))
    if not measures or not areas:
        raise BenchError("found no measure pages or no agreement areas in the demo data")
    return {"measures": measures, "areas": areas}


def run_locust(user_class: type, base: str, users: int, seconds: float, logins: Json) -> Json:
    """Spawn ``users``, wait until they have logged in, then measure ``seconds``."""
    import gevent
    from locust.env import Environment

    samples: list[tuple[str, float, bool]] = []
    recording = False

    def on_request(name: str, response_time: float, exception: Any, **kwargs: Any) -> None:
        if recording:
            samples.append((name, response_time, exception is not None))

    env = Environment(user_classes=[user_class], host=base)
    env.events.request.add_listener(on_request)
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=max(users / 10, 1))
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and runner.user_count < users:
        gevent.sleep(0.5)
    if "attempted" in logins:
        while time.monotonic() < deadline and logins["attempted"] < users:
            gevent.sleep(0.5)
        if logins["ok"] < users:
            runner.quit()
            raise BenchError(f"only {logins['ok']} of {users} users could log in")
    else:
        gevent.sleep(2)
    recording = True
    started = time.perf_counter()
    gevent.sleep(seconds)
    recording = False
    elapsed = time.perf_counter() - started
    runner.quit()
    return summarise(samples, elapsed)


def summarise(samples: list[tuple[str, float, bool]], elapsed: float) -> Json:
    pages = [s for s in samples if not s[0].startswith("login")]
    times = sorted(s[1] for s in pages)
    by_name: dict[str, list[float]] = defaultdict(list)
    for name, ms, _ in pages:
        by_name[name].append(ms)
    return {
        "errors": sum(1 for s in samples if s[2]),
        "p95_ms": round(percentile(times, 95), 1),
        "median_ms": round(percentile(times, 50), 1),
        "rps": round(len(pages) / elapsed, 1) if elapsed else 0.0,
        "requests": len(pages),
        "seconds": round(elapsed, 1),
        "pages": {
            name: {
                "requests": len(v),
                "median_ms": round(percentile(sorted(v), 50), 1),
                "p95_ms": round(percentile(sorted(v), 95), 1),
            }
            for name, v in sorted(by_name.items())
        },
    }


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    rank = max(1, round(q / 100 * len(values) + 0.5))
    return float(values[min(rank, len(values)) - 1])


def static_user_class() -> type:
    from locust import FastHttpUser, constant, task

    class StaticReader(FastHttpUser):
        wait_time = constant(0)

        @task
        def static(self) -> None:
            with self.client.get(
                STATIC, name="static", headers={"X-Forwarded-Proto": "https"}, catch_response=True
            ) as answer:
                if answer.status_code != 200:
                    answer.failure(str(answer.status_code))

    return StaticReader


# --- Main ---------------------------------------------------------------------------------------


def prepare_database(target: Target, env_for: Callable[[str], dict[str, str]]) -> str:
    """A fresh database with the demo data (organisation, catalogue, users, agreements, three
    years of usage and the measures computed from it)."""
    url = target.create(0)
    started = time.perf_counter()
    run_legemiddel(["demo", "--no-serve"], {**env_for(url), "LEGEMIDDEL_MODE": "demo"})
    log(f"demo data loaded into {target.name} in {time.perf_counter() - started:.0f} s")
    return url


def sls_file(workdir: Path) -> Path:
    sys.path.insert(0, str(SCRIPT.parent))
    from dashboards import ensure_files

    sls, _, _ = ensure_files(workdir, SLS_LINES)
    return sls


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=5.0, help="per phase (5)")
    parser.add_argument("--think", type=float, nargs=2, default=(1.0, 3.0), metavar=("MIN", "MAX"))
    parser.add_argument("--ceiling-seconds", type=float, default=30.0)
    parser.add_argument("--ceiling-users", type=int, default=20)
    parser.add_argument("--phases", default="idle,during_import", help="idle,during_import")
    parser.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--host", default="127.0.0.1", help="loopback only (127.0.0.1, ::1)")
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--threads", type=int, default=0, help="server threads (0: its default)")
    parser.add_argument(
        "--source", type=Path, default=CHECKOUT / "src", help="serve this checkout's src"
    )
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--label", default="", help="a name for this run in the JSON")
    args = parser.parse_args(argv)
    try:
        host = loopback_host(args.host)
    except BenchError as exc:
        print(f"load.py: {exc}", file=sys.stderr)
        return 2
    phases = [p for p in args.phases.split(",") if p]
    if unknown := set(phases) - {"idle", "during_import"}:
        parser.error(f"unknown phases: {', '.join(sorted(unknown))}")
    args.workdir.mkdir(parents=True, exist_ok=True)
    source = args.source.resolve()
    out: Json = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "label": args.label,
        "source": str(source),
        "database": args.database,
        "users": args.users,
        "minutes": args.minutes,
        "think_s": list(args.think),
        "threads": args.threads or "default",
    }
    targets, skipped = database_targets([args.database], args.workdir, log)
    if not targets:
        print(f"load.py: {args.database} not available: {skipped}", file=sys.stderr)
        return 2
    target = targets[0]
    if isinstance(target, SqliteTarget):
        log("SQLite: one writer at a time; the import phase measures that, not the server")

    def env_for(url: str, mode: str = "production") -> dict[str, str]:
        return server_env(url, args.workdir, source, mode)

    server: Server | None = None
    importer: Importer | None = None
    try:
        sls = sls_file(args.workdir) if "during_import" in phases else None
        url = prepare_database(target, env_for)
        env = env_for(url)
        server_log = args.workdir / "load-server.log"
        port = args.port or free_port(host)
        server = Server(env, host, port, args.threads or None, server_log)
        log(f"serving {source} on {server.base} in production mode (log: {server_log})")
        pages = discover_pages(server.base)
        think = (args.think[0], args.think[1])
        seconds = args.minutes * 60
        for phase in phases:
            log(f"{phase}: {args.users} users for {seconds:.0f} s (load {os.getloadavg()[0]:.1f})")
            if phase == "during_import":
                assert sls is not None
                importer = Importer(env, sls)
            logins = {"attempted": 0, "ok": 0}
            user_class = make_user_class(pages, think, logins)
            result = run_locust(user_class, server.base, args.users, seconds, logins)
            if importer is not None:
                result.update(importer.stop())
                importer = None
            result["loadavg_end"] = round(os.getloadavg()[0], 2)
            out[phase] = result
            log(f"{phase}: {json.dumps({k: result[k] for k in ('errors', 'p95_ms', 'rps')})}")
        if args.ceiling_seconds > 0:
            ceiling = run_locust(
                static_user_class(), server.base, args.ceiling_users, args.ceiling_seconds, {}
            )
            out["ceiling_rps"] = ceiling["rps"]
            out["ceiling"] = {k: ceiling[k] for k in ("errors", "p95_ms", "rps", "requests")}
            log(f"ceiling (static file): {ceiling['rps']} requests/s")
    except BenchError as exc:
        print(f"load.py: {exc}", file=sys.stderr)
        return 1
    finally:
        if importer is not None:
            importer.stop()
        if server is not None:
            server.stop()
        target.drop(0)
    out["machine"]["loadavg_end"] = [round(x, 2) for x in os.getloadavg()]
    idle = out.get("idle")
    out["bars_ok"] = bool(idle is None or (idle["errors"] == 0 and idle["p95_ms"] <= P95_BAR_MS))
    print(json.dumps(out), flush=True)
    return 0 if out["bars_ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
