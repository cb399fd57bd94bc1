"""A small Chrome DevTools Protocol client over ``--remote-debugging-pipe`` for the HTML tests.

No test lives here (pytest collects the file and finds none); tests/test_html_browser.py and
bench/html_first_paint.py use it. The pipe, not a websocket, keeps the tests free of extra packages and
of any listening port. Only Debian's ``chromium`` is used: nothing here downloads a browser.
"""
from __future__ import annotations

import base64
import fcntl
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-default-browser-check", "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
    # Belt and braces: even if the page asked for a host, no name would resolve.
    "--host-resolver-rules=MAP * ~NOTFOUND",
]


def find_chromium() -> str | None:
    env = os.environ.get("LII_CHECK_CHROMIUM")
    for path in ([env] if env else []) + list(CANDIDATES):
        if path and os.access(path, os.X_OK):
            return path
    return shutil.which("chromium")


def _high(fd: int) -> int:
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return moved


class CDPError(RuntimeError):
    pass


class Browser:
    """One headless Chromium with one page, driven through the DevTools pipe (fds 3 and 4)."""

    def __init__(self, executable: str, width: int = 1280, height: int = 900, timeout: float = 60.0):
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="lii-chromium-")
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()
        # Moved above 9 so that putting them on 3 and 4 never overwrites one with the other.
        to_chrome_r, from_chrome_w = (_high(fd) for fd in (to_chrome_r, from_chrome_w))
        # bash (dash takes single-digit fds only) puts our pipe ends on fds 3 and 4, where --remote-debugging-pipe expects them.
        script = f'exec "$0" "$@" 3<&{to_chrome_r} 4>&{from_chrome_w} {to_chrome_r}<&- {from_chrome_w}>&-'
        self.proc = subprocess.Popen(
            ["/bin/bash", "-c", script, executable, *FLAGS, f"--user-data-dir={self.profile}",
             "--remote-debugging-pipe", f"--window-size={width},{height}", "about:blank"],
            pass_fds=(to_chrome_r, from_chrome_w), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._next = 0
        self._replies: dict[int, queue.Queue] = {}
        self.events: list[dict] = []
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Network", "Log"):
            self.call(f"{domain}.enable", session=True)
        self.call("Emulation.setDeviceMetricsOverride", session=True, width=width, height=height,
                  deviceScaleFactor=1, mobile=False)

    def _read(self) -> None:
        buf = b""
        while True:
            try:
                chunk = os.read(self._from_chrome, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                break
            buf += chunk
            while b"\0" in buf:
                raw, buf = buf.split(b"\0", 1)
                msg = json.loads(raw)
                if "id" in msg:
                    with self._lock:
                        q = self._replies.get(msg["id"])
                    if q:
                        q.put(msg)
                else:
                    with self._lock:
                        self.events.append(msg)

    def call(self, method: str, session: bool = False, **params) -> dict:
        with self._lock:
            self._next += 1
            ident = self._next
            q: queue.Queue = queue.Queue()
            self._replies[ident] = q
        msg = {"id": ident, "method": method, "params": params}
        if session:
            msg["sessionId"] = self.session
        os.write(self._to_chrome, json.dumps(msg).encode() + b"\0")
        try:
            reply = q.get(timeout=self.timeout)
        except queue.Empty:
            raise CDPError(f"{method}: no reply within {self.timeout:.0f} s") from None
        if "error" in reply:
            raise CDPError(f"{method}: {reply['error'].get('message')}")
        return reply.get("result", {})

    def wait_event(self, method: str, since: int = 0) -> dict:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            with self._lock:
                for ev in self.events[since:]:
                    if ev.get("method") == method:
                        return ev
            time.sleep(0.02)
        raise CDPError(f"no {method} event within {self.timeout:.0f} s")

    def open(self, path: Path) -> None:
        """Navigate to a local file and wait for its load event."""
        with self._lock:
            self.events.clear()
        self.call("Page.navigate", session=True, url=Path(path).resolve().as_uri())
        self.wait_event("Page.loadEventFired")

    def js(self, expression: str):
        """Evaluate in the page; returns the value (JSON-able) or raises with the page's exception."""
        out = self.call("Runtime.evaluate", session=True, expression=expression, returnByValue=True,
                        awaitPromise=True)
        if "exceptionDetails" in out:
            raise CDPError(f"page error: {out['exceptionDetails'].get('exception', {}).get('description')}")
        return out.get("result", {}).get("value")

    def wait(self, expression: str, timeout: float = 10.0):
        """Poll until the expression is truthy (fragment navigation after a click is asynchronous)."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.js(expression)
            if value or time.monotonic() > deadline:
                return value
            time.sleep(0.05)

    def click(self, selector: str) -> None:
        """A real mouse click on the element's first line box, once scrolling has settled and it is on top."""
        find = f"document.querySelector({json.dumps(selector)})"
        self.js(f"{find}.scrollIntoView({{block:'center'}})")
        where = (f"(function(){{var e={find},r=e.getClientRects()[0],x=r.left+Math.min(r.width/2,8),y=r.top+r.height/2,"
                 "hit=document.elementFromPoint(x,y);return [x,y,!!hit&&(hit===e||e.contains(hit))];})()")
        previous = None
        for _ in range(40):
            # The page may scroll by itself (on hashchange): wait until the box stops moving.
            time.sleep(0.05)
            box = self.js(where)
            if box[2] and box == previous:
                break
            previous = box
        else:
            raise CDPError(f"{selector} is not clickable (hidden under another element, or still moving)")
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", session=True, type=kind, x=box[0], y=box[1],
                      button="left", clickCount=1)

    def key(self, key: str) -> None:
        """Press and release a key as a keyboard would (Enter also types "\r", which activates buttons)."""
        codes = {"Tab": 9, "Enter": 13, "ArrowDown": 40, "ArrowUp": 38}
        vk = codes[key]
        base = {"key": key, "code": key, "windowsVirtualKeyCode": vk, "nativeVirtualKeyCode": vk}
        if key == "Enter":
            self.call("Input.dispatchKeyEvent", session=True, type="keyDown", text="\r", **base)
        else:
            self.call("Input.dispatchKeyEvent", session=True, type="rawKeyDown", **base)
        self.call("Input.dispatchKeyEvent", session=True, type="keyUp", **base)

    def screenshot(self, target: Path, height: int | None = None) -> Path:
        """A PNG of the viewport, or of the top ``height`` pixels of the page from the current scroll."""
        params: dict = {"format": "png"}
        if height:
            w, y = self.js("[document.documentElement.clientWidth, window.scrollY]")
            params.update(captureBeyondViewport=True, clip={"x": 0, "y": y, "width": w, "height": height, "scale": 1})
        data = self.call("Page.captureScreenshot", session=True, **params)["data"]
        target.write_bytes(base64.b64decode(data))
        return target

    def problems(self) -> list[str]:
        """Console errors, uncaught exceptions and error-level log entries seen so far."""
        out = []
        with self._lock:
            events = list(self.events)
        for ev in events:
            m, p = ev.get("method"), ev.get("params", {})
            if m == "Runtime.exceptionThrown":
                out.append("exception: " + str(p.get("exceptionDetails", {}).get("exception", {}).get("description")
                                                 or p.get("exceptionDetails", {}).get("text")))
            elif m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert", "warning"):
                out.append(f"console.{p.get('type')}: " + " ".join(str(a.get("value", a.get("description")))
                                                                   for a in p.get("args", [])))
            elif m == "Log.entryAdded" and p.get("entry", {}).get("level") in ("error", "warning"):
                out.append(f"log {p['entry'].get('level')}: {p['entry'].get('text')} {p['entry'].get('url', '')}")
        return out

    def requests(self) -> list[str]:
        with self._lock:
            return [ev["params"]["request"]["url"] for ev in self.events
                    if ev.get("method") == "Network.requestWillBeSent"]

    def close(self) -> None:
        try:
            self.call("Browser.close")
        except (CDPError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._to_chrome, self._from_chrome):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)
