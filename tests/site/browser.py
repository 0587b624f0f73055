"""Debian's headless Chromium, driven over the DevTools protocol on a loopback WebSocket.

No browser is downloaded: the tests use `/usr/bin/chromium` (apt-get install chromium) and the `websockets` library
the bot already depends on. One browser, one tab; each `open` sets the viewport, the media type and the colour
scheme before loading the page, as a person's device would.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from websockets.sync.client import connect

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
)
START_SECONDS = 20.0
CALL_SECONDS = 60.0


class BrowserError(Exception):
    pass


def find_chromium() -> str | None:
    """Chromium from `CONFIDANT_TEST_CHROMIUM`, or Debian's package on the PATH."""
    named = os.environ.get("CONFIDANT_TEST_CHROMIUM")
    if named:
        return named if Path(named).is_file() else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass(frozen=True)
class View:
    width: int
    height: int = 900
    scheme: str = "light"
    media: str = "screen"
    scripts: bool = True


class Browser:
    def __init__(self, executable: str) -> None:
        self._profile = Path(tempfile.mkdtemp(prefix="confidant-chromium-"))
        self._process = subprocess.Popen(  # noqa: S603 - a fixed program and flags
            [executable, *FLAGS, f"--user-data-dir={self._profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._next_id = 0
        self._events: list[dict[str, Any]] = []
        self._closing = ExitStack()
        try:
            endpoint = self._browser_endpoint()
            self._socket = self._closing.enter_context(connect(endpoint, max_size=None, open_timeout=START_SECONDS))
            target = self.call("Target.createTarget", {"url": "about:blank"}, page=False)["targetId"]
            attached = self.call("Target.attachToTarget", {"targetId": target, "flatten": True}, page=False)
            self._session: str = attached["sessionId"]
            self.call("Page.enable")
        except BaseException:
            self.close()
            raise

    def _browser_endpoint(self) -> str:
        # Chromium writes the port it chose, and the browser's WebSocket path, into the profile folder.
        active_port = self._profile / "DevToolsActivePort"
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise BrowserError(f"chromium exited at start with status {self._process.returncode}")
            lines = active_port.read_text().splitlines() if active_port.exists() else []
            if len(lines) >= 2:
                return f"ws://127.0.0.1:{lines[0]}{lines[1]}"
            time.sleep(0.05)
        raise BrowserError("chromium did not open its DevTools port in time")

    def call(self, method: str, params: dict[str, Any] | None = None, *, page: bool = True) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if page:
            message["sessionId"] = self._session
        self._socket.send(json.dumps(message))
        deadline = time.monotonic() + CALL_SECONDS
        while True:
            reply = json.loads(self._socket.recv(timeout=max(0.1, deadline - time.monotonic())))
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply["result"]
                return result
            if "method" in reply:
                self._events.append(reply)

    def _wait_for(self, event: str) -> None:
        deadline = time.monotonic() + CALL_SECONDS
        while not any(seen.get("method") == event for seen in self._events):
            self._events.append(json.loads(self._socket.recv(timeout=max(0.1, deadline - time.monotonic()))))

    def open(self, url: str, view: View) -> None:
        """Load `url` as a device with this viewport, media type, colour scheme and JavaScript setting sees it."""
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": view.width, "height": view.height, "deviceScaleFactor": 1, "mobile": view.width < 600},
        )
        self.call(
            "Emulation.setEmulatedMedia",
            {"media": view.media, "features": [{"name": "prefers-color-scheme", "value": view.scheme}]},
        )
        self.call("Emulation.setScriptExecutionDisabled", {"value": not view.scripts})
        self._events.clear()
        self.call("Page.navigate", {"url": url})
        self._wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (promises awaited), as JSON."""
        reply = self.call(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True}
        )
        if "exceptionDetails" in reply:
            raise BrowserError(f"{expression[:60]}…: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def screenshot(self, path: Path) -> Path:
        """The whole page, not only the viewport."""
        data = self.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def pdf(self, path: Path) -> Path:
        """The page as printed, on the paper size its print stylesheet asks for."""
        data = self.call("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True})["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        self._closing.close()
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        shutil.rmtree(self._profile, ignore_errors=True)
