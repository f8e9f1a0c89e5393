"""Where one roll-call tap spends its CPU: the app in this process (no uvicorn), the taps sent one after another
through ASGI, every threadpool call run inline so that cProfile sees the whole request.

    python -m bench.profile_tap --database-url sqlite:////work/bench_data/bench.sqlite3 [--taps 300] [--held]

Prints the CPU per tap (process time / taps) and the top functions by cumulative time.
"""

import argparse
import asyncio
import cProfile
import os
import pstats
import random
import time
import urllib.parse
from collections.abc import Callable
from datetime import date
from typing import Any

from bench.generate import PASSWORD
from bench.load import CSRF, fixture_prepare


async def asgi_call(
    app: Any, method: str, path: str, headers: dict[str, str], body: bytes = b""
) -> tuple[int, list[tuple[str, str]], bytes]:
    """One request through the ASGI app: (status, response headers, body)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in {**headers, "host": "bench"}.items()],
        "client": ("127.0.0.1", 1),
        "server": ("bench", 80),
    }
    sent = False
    answer: dict[str, Any] = {"body": b""}

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
            answer["headers"] = [(k.decode(), v.decode()) for k, v in message["headers"]]
        elif message["type"] == "http.response.body":
            answer["body"] += message.get("body", b"")

    await app(scope, receive, send)
    return answer["status"], answer["headers"], answer["body"]


async def _inline(func: Callable[..., Any], *args: Any, **_kwargs: Any) -> Any:
    return func(*args)


async def run(args: argparse.Namespace) -> None:
    os.environ["DATABASE_URL"] = args.database_url
    import anyio.to_thread

    anyio.to_thread.run_sync = _inline  # type: ignore[assignment]
    from app.main import app

    rng = random.Random(1)
    fixture = fixture_prepare(args.database_url, pendamping=1, flows=0, rng=rng, today=date.today())
    if True:
        meetings = fixture.held_meetings if args.held else fixture.tap_meetings
        meeting, owner = next(iter(meetings.items()))
        if True:
            form = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"p2k2_csrf={CSRF}"}
            login = urllib.parse.urlencode({"username": owner, "password": PASSWORD, "csrf_token": CSRF}).encode()
            code, answer, _ = await asgi_call(app, "POST", "/masuk", form, login)
            assert code == 303, code
            session_cookie = next(v for k, v in answer if v.startswith("p2k2_session=")).split(";", 1)[0]
            headers = {**form, "Cookie": f"p2k2_csrf={CSRF}; {session_cookie}", "X-CSRF-Token": CSRF}
            headers["HX-Request"] = "true"

            async def tap() -> int:
                family = rng.choice(fixture.roster[meeting])
                data = urllib.parse.urlencode({"status": rng.choice(("hadir", "izin", "sakit", "alpa"))}).encode()
                path = f"/pertemuan/{meeting}/absensi/{family}"
                code, _, _ = await asgi_call(app, "POST", path, {**headers, "HX-Target": f"kpm-{family}"}, data)
                return code

            for _ in range(20):  # warm-up: templates compiled, caches filled
                await tap()
            profiler = cProfile.Profile()
            started, wall = time.process_time(), time.perf_counter()
            if args.top:
                profiler.enable()
            codes = [await tap() for _ in range(args.taps)]
            profiler.disable()
            cpu, wall = time.process_time() - started, time.perf_counter() - wall
        print(
            f"{args.taps} taps, codes {sorted(set(codes))}: {cpu / args.taps * 1000:.2f} ms CPU per tap "
            f"({wall / args.taps * 1000:.2f} ms wall)"
        )
        if args.top:
            pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--taps", type=int, default=300)
    parser.add_argument("--held", action="store_true", help="tap a held meeting (refreshes readiness)")
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--top", type=int, default=60, help="functions listed (0: no profiler, CPU per tap only)")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
