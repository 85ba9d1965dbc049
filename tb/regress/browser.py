"""Headless Chromium: what a browser really shows of a page, and a picture of it.

Checking the HTML text proves the template wrote something; rendering it
proves a browser parses it into the rows and numbers a reader sees (a stray
``<`` in a message, an unclosed tag or a script error would hide them). Each
call starts its own throw-away profile, so parallel test workers do not fight
over one profile lock. Chromium refuses to run as root without
``--no-sandbox``; the page is a local file of our own, so that is acceptable.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

#: Binaries tried in order: Debian's package, other distributions', Google's.
BROWSERS = ("chromium", "chromium-browser", "google-chrome")

_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",  # containers often have a tiny /dev/shm
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--hide-scrollbars",
)


def find_browser() -> str | None:
    """The path of the first Chromium-like binary on PATH, or None."""
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


def _run(args: list[str], timeout_s: float) -> subprocess.CompletedProcess[str]:
    """Run the browser with a fresh profile; any failure is a RuntimeError that says why."""
    exe = find_browser()
    if exe is None:
        raise RuntimeError(f"no headless browser found: install one of {', '.join(BROWSERS)}")
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        cmd = [exe, *_FLAGS, f"--user-data-dir={profile}", *args]
        try:
            proc = subprocess.run(
                cmd, capture_output=True, text=True, timeout=timeout_s, check=False
            )
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"{exe} did not finish within {timeout_s} s") from None
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
        raise RuntimeError(f"{exe} exited with {proc.returncode}:\n{tail}")
    return proc


def render_dom(html: Path, timeout_s: float = 60) -> str:
    """The DOM of ``html`` after the browser has parsed it and run its scripts, as HTML text."""
    url = Path(html).resolve().as_uri()
    proc = _run(["--dump-dom", url], timeout_s)
    if not proc.stdout.strip():
        raise RuntimeError(f"the browser rendered nothing for {url}")
    return proc.stdout


def screenshot(
    html: Path, png: Path, width: int = 1400, height: int = 1000, timeout_s: float = 60
) -> Path:
    """A PNG of the top ``width`` x ``height`` pixels of ``html`` as the browser draws it."""
    png = Path(png).resolve()
    png.parent.mkdir(parents=True, exist_ok=True)
    png.unlink(missing_ok=True)
    url = Path(html).resolve().as_uri()
    _run([f"--screenshot={png}", f"--window-size={width},{height}", url], timeout_s)
    if not png.is_file() or png.stat().st_size == 0:
        raise RuntimeError(f"the browser wrote no screenshot to {png}")
    return png
