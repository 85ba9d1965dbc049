# SPDX-License-Identifier: Apache-2.0
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


#: Measured in the page once it is laid out; written into the DOM for :func:`overflow` to read.
_MEASURE = """
<script>
window.addEventListener("load", function () {
  var out = {viewport: document.documentElement.clientWidth,
             page: document.documentElement.scrollWidth, cut: []};
  document.querySelectorAll("table").forEach(function (t, i) {
    var box = t.parentElement;
    var right = t.getBoundingClientRect().right;
    if (t.scrollWidth > box.clientWidth + 1 || right > out.viewport + 1)
      out.cut.push((t.id || "table " + i) + ": " + t.scrollWidth + " px in " + box.clientWidth);
  });
  out.clipped = [];  // cells whose text is cut without an ellipsis: nothing says it is
  document.querySelectorAll("td, th").forEach(function (c) {
    if (c.scrollWidth > c.clientWidth + 1 && out.clipped.length < 20)
      out.clipped.push(c.textContent.trim().slice(0, 60));
  });
  document.body.setAttribute("data-measured", JSON.stringify(out));
});
</script>
"""


def overflow(html: Path, width: int = 1400, height: int = 900, timeout_s: float = 60) -> dict:
    """How wide ``html`` lays out in a ``width`` px window: the page, and every table cut.

    Returns ``{"viewport": px, "page": scrollWidth px, "cut": ["<table id>: <w> px in <box>"],
    "clipped": [text of a cell wider than itself]}``; a page that fits has ``page <=
    viewport``, no table wider than its box (a table in a scrolling box would be cut at the
    box's edge) and no cell whose text is clipped unseen (a cut with an ellipsis is seen).
    The page is measured from a copy beside it with a measuring script added, so its
    relative links still resolve.
    """
    import json
    import re

    html = Path(html)
    probe = html.with_name(f".measure-{html.name}")
    probe.write_text(html.read_text().replace("</body>", _MEASURE + "</body>"))
    try:
        url = probe.resolve().as_uri()
        proc = _run([f"--window-size={width},{height}", "--dump-dom", url], timeout_s)
    finally:
        probe.unlink(missing_ok=True)
    m = re.search(r'data-measured="([^"]*)"', proc.stdout)
    if not m:
        raise RuntimeError(f"the browser did not measure {html}")
    import html as htmllib

    return json.loads(htmllib.unescape(m.group(1)))
