"""Bytes on the wire for the roll call, as a 360 × 740 phone in chromium sees them.

python -m bench.wire [--kpm 26] [--taps 26] [--database-url sqlite:////work/bench_data/offline/wire.sqlite3]

Builds a kelompok of --kpm KPM with a meeting today on a fresh database, serves the app with uvicorn on a free
loopback port, and prints: the roll-call page cold (empty browser cache) and warm (second visit), counting HTML,
CSS and JS as transferred (compressed body + response headers); and the bytes up and down per roll-call tap.
Service workers are blocked so every byte is seen on the network.
"""

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from app.db import engine_create
from app.settings import ROOT

CHROMIUM = "/usr/bin/chromium"
PHONE: dict[str, Any] = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


@dataclass
class Load:
    """Bytes received for one page load, per resource type (document, stylesheet, script…)."""

    by_type: dict[str, int] = field(default_factory=dict)
    requests: int = 0
    items: list[tuple[str, int]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.by_type.values())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def world_build(*, url: str, kpm: int) -> tuple[str, int]:
    """A fresh database with one pendamping, one kelompok of `kpm` KPM and a meeting today: (username, meeting id)."""
    from app.clock import today_local
    from bench.generate import database_fresh, database_migrate
    from tests.factories import base_data_load, family_make, kelompok_make, meeting_make, user_make

    database_fresh(url)
    database_migrate(url)
    engine = engine_create(url)
    with Session(engine, expire_on_commit=False) as session:
        base_data_load(session=session)
        pendamping = user_make(session, username="wire_pendamping", full_name="Siti Pendamping")
        kelompok = kelompok_make(session, pendamping=pendamping, name="Kelompok Mawar")
        for n in range(kpm):
            family_make(session, kelompok=kelompok, head_name=f"Ibu Peserta {n + 1:02d} Sukamaju")
        meeting = meeting_make(session, kelompok=kelompok, topic_no=1, day=today_local())
        session.commit()
    engine.dispose()
    return pendamping.username, meeting.id or 0


def page_load(page: Any, url: str) -> Load:
    """Navigate and sum every response's encoded bytes (headers + compressed body) as chromium reports them."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    kinds: dict[str, str] = {}
    urls: dict[str, str] = {}
    load = Load()

    def sent(event: dict[str, Any]) -> None:
        kinds[event["requestId"]] = event.get("type", "Other")
        urls[event["requestId"]] = event["request"]["url"]

    def received(event: dict[str, Any]) -> None:
        urls.setdefault(event["requestId"], event["response"]["url"])
        kinds.setdefault(event["requestId"], event.get("type", "Other"))

    def done(event: dict[str, Any]) -> None:
        kind = kinds.get(event["requestId"], "Other").lower()
        load.by_type[kind] = load.by_type.get(kind, 0) + int(event["encodedDataLength"])
        load.requests += 1
        load.items.append((urls.get(event["requestId"], "?"), int(event["encodedDataLength"])))

    cdp.on("Network.requestWillBeSent", sent)
    cdp.on("Network.responseReceived", received)
    cdp.on("Network.loadingFinished", done)
    page.goto(url, wait_until="networkidle")
    cdp.detach()
    return load


def taps_measure(page: Any, taps: int, *, verbose: bool = False) -> tuple[float, float, int]:
    """Tap the first `taps` rows once each; (mean bytes up, mean bytes down, responses compressed). `verbose`
    prints the headers and bodies of the last tap."""
    up, down, compressed = [], [], 0
    rows = page.locator("li.roll-row button.tap")
    for i in range(min(taps, rows.count())):
        with page.expect_response(lambda r: r.request.method == "POST" and "/absensi/" in r.url) as info:
            page.locator("li.roll-row").nth(i).locator("button.tap").click()
        response = info.value
        response.finished()
        sizes = response.request.sizes()
        up.append(sizes["requestHeadersSize"] + sizes["requestBodySize"])
        down.append(sizes["responseHeadersSize"] + sizes["responseBodySize"])
        compressed += response.headers.get("content-encoding") == "gzip"
        page.wait_for_timeout(50)
    if verbose and up:
        print(f"  last tap: {sizes}")
        for header in response.request.headers_array():
            print(f"    > {header['name']}: {header['value']}")
        print(f"    > (body) {response.request.post_data}")
        for header in response.headers_array():
            print(f"    < {header['name']}: {header['value']}")
        print(f"    < (body) {response.text()}")
    return sum(up) / len(up), sum(down) / len(down), compressed


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url", default="sqlite:////work/bench_data/offline/wire.sqlite3")
    parser.add_argument("--kpm", type=int, default=26)
    parser.add_argument("--taps", type=int, default=26)
    parser.add_argument("--verbose", action="store_true", help="list every response of the two page loads")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    from tests.factories import PASSWORD

    username, meeting_id = world_build(url=args.database_url, kpm=args.kpm)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATABASE_URL": args.database_url, "ENVIRONMENT": "development"}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port)]
        + ["--no-server-header"],  # as `make run` and the image serve it
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/sehat", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
            )
            context = browser.new_context(**PHONE, service_workers="block")
            page = context.new_page()
            page.goto(base + "/masuk")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(base + "/")
            # Beranda keeps this week's roll pages for no signal (offline.js): let that finish before measuring.
            page.wait_for_load_state("networkidle")
            page.wait_for_function("localStorage.getItem('p2k2-precached') !== null", timeout=10_000)
            page.wait_for_timeout(500)
            # Cold: a browser that has never fetched the assets (cache cleared after signing in).
            cdp = context.new_cdp_session(page)
            cdp.send("Network.clearBrowserCache")
            cdp.detach()
            roll = f"{base}/pertemuan/{meeting_id}"
            cold = page_load(page, roll)
            page.goto("about:blank")
            warm = page_load(page, roll)
            up, down, gzipped = taps_measure(page, args.taps, verbose=args.verbose)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)

    def kb(n: float) -> str:
        return f"{n / 1000:.1f} KB"

    def parts(load: Load) -> str:
        return ", ".join(f"{k} {kb(v)}" for k, v in sorted(load.by_type.items()))

    print(f"roll-call page, {args.kpm} KPM, chromium 360x740")
    print(f"  cold: {kb(cold.total)} in {cold.requests} responses ({parts(cold)})")
    print(f"  warm: {kb(warm.total)} in {warm.requests} responses ({parts(warm)})")
    if args.verbose:
        for name, load in (("cold", cold), ("warm", warm)):
            for url, size in load.items:
                print(f"    {name} {size:>7} B  {url.replace(base, '')}")
    print(f"  tap:  {up:.0f} B up + {down:.0f} B down = {up + down:.0f} B per tap ({gzipped}/{args.taps} gzipped)")


if __name__ == "__main__":
    main()
