#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""What GTKWave really shows for a save file: opened under Xvfb, asked through its Tcl interface.

A save file is only right if the viewer agrees: GTKWave (3.3.118, Debian)
reads its zoom per 200-pixel frame and sizes the wave pane from the window,
so a file that parses fine can still open on the wrong 3 ns. :func:`render`
starts a private X server (``Xvfb -displayfd``), opens the save file in
GTKWave with a timer-driven Tcl script (``--repscript``: it runs once the
window is laid out, unlike ``--script``, which runs before), and reads back
the visible window, the marker and the value of each asked-for trace at the
marker, as the value column shows them. Optionally it takes a screenshot
of the X screen (Pillow's ``ImageGrab``, over XCB) while the window is up.

    tools/gtkwave_view.py build/waves/<job>/waves.gtkw --png shot.png
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

#: The X screen GTKWave opens on: larger than the save file's window size.
SCREEN = "1920x1080x24"
#: Milliseconds between runs of the Tcl script; it reports after two agreeing runs.
PERIOD_MS = 300
#: Seconds to wait for GTKWave's report before giving up (a hang guard, not a measurement).
DEADLINE_S = 60.0
#: Programs it runs, with the Debian package of each.
TOOLS = {"gtkwave": "gtkwave", "Xvfb": "xvfb"}

_TCL = """\
set out {OUT}
set quit {QUIT}
if {![info exists ::lt_runs]} { set ::lt_runs 0; set ::lt_last "" }
incr ::lt_runs
set view "[gtkwave::getWindowStartTime] [gtkwave::getWindowEndTime] [gtkwave::getMarker]"
if {$::lt_runs >= 2 && $view eq $::lt_last && ![file exists $out]} {
  set f [open "$out.part" w]
  puts $f "window $view"
  puts $f "dim [gtkwave::getTimeDimension]"
  foreach t {TRACES} { puts $f "value $t [gtkwave::getTraceValueAtMarkerFromName $t]" }
  close $f
  file rename "$out.part" $out
}
set ::lt_last $view
if {[file exists $quit]} { gtkwave::/File/Quit }
"""


class ViewError(RuntimeError):
    """GTKWave (or Xvfb) is missing or did not report a view."""


@dataclass
class View:
    """The window GTKWave shows, in the dump's time units (``dim``: ``p`` = ps)."""

    start: int
    end: int
    marker: int  #: -1: no marker
    dim: str
    values: dict[str, str] = field(default_factory=dict)  #: trace -> value at the marker
    png: Path | None = None

    def shows(self, t: int) -> bool:
        return self.start <= t <= self.end


def missing_tools() -> list[str]:
    """The programs :func:`render` needs that are not installed, with their Debian packages."""
    return [f"{t} (apt-get install {pkg})" for t, pkg in TOOLS.items() if shutil.which(t) is None]


def _parse(text: str) -> View:
    start = end = marker = -1
    dim, values = "", {}
    for line in text.splitlines():
        key, _, rest = line.partition(" ")
        if key == "window":
            start, end, marker = (int(x) for x in rest.split())
        elif key == "dim":
            dim = rest.strip()
        elif key == "value":
            name, _, value = rest.partition(" ")
            values[name] = value.strip()
    return View(start, end, marker, dim, values)


def _start_xvfb() -> tuple[subprocess.Popen, str]:
    rfd, wfd = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(wfd), "-screen", "0", SCREEN, "-nolisten", "tcp"],
        pass_fds=(wfd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(wfd)
    with os.fdopen(rfd) as r:
        number = r.readline().strip()
    if not number:
        xvfb.kill()
        raise ViewError("Xvfb did not start (no display number)")
    return xvfb, f":{number}"


def render(gtkw: Path, traces: list[str], png: Path | None = None) -> View:
    """Open ``gtkw`` in GTKWave under a private Xvfb and report what it shows."""
    missing = missing_tools()
    if missing:
        raise ViewError(f"missing: {', '.join(missing)}")
    with tempfile.TemporaryDirectory(prefix="gtkwave_view_") as tmp:
        out, quit_ = Path(tmp) / "view.txt", Path(tmp) / "quit"
        tcl, rep = Path(tmp) / "view.tcl", Path(tmp) / "rep.tcl"
        names = " ".join("{" + t + "}" for t in traces)
        tcl.write_text(
            _TCL.replace("{OUT}", "{" + str(out) + "}")
            .replace("{QUIT}", "{" + str(quit_) + "}")
            .replace("{TRACES}", "{" + names + "}")
        )
        rep.write_text(f"source {{{tcl}}}\n")  # GTKWave runs a repscript line by line
        xvfb, display = _start_xvfb()
        log = Path(tmp) / "gtkwave.log"
        env = {**os.environ, "DISPLAY": display}
        try:
            with open(log, "wb") as fh:
                gw = subprocess.Popen(
                    ["gtkwave", "-R", str(rep), "-P", str(PERIOD_MS), str(gtkw.resolve())],
                    cwd=tmp,  # not the save file's folder: its relative paths must resolve alone
                    env=env,
                    stdout=fh,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                )
                try:
                    view = _wait_for(out, gw, log)
                    if png is not None:
                        from PIL import ImageGrab

                        png.parent.mkdir(parents=True, exist_ok=True)
                        ImageGrab.grab(xdisplay=display).save(png)
                        view.png = png
                    quit_.touch()
                    gw.wait(timeout=DEADLINE_S)
                finally:
                    if gw.poll() is None:
                        gw.kill()
                        gw.wait()
        finally:
            xvfb.terminate()
            xvfb.wait()
    return view


def _wait_for(out: Path, gw: subprocess.Popen, log: Path) -> View:
    deadline = time.monotonic() + DEADLINE_S
    while not out.exists():
        if gw.poll() is not None:
            tail = log.read_text(errors="replace").strip().splitlines()[-3:]
            raise ViewError(f"gtkwave exited ({gw.returncode}) before reporting: {tail}")
        if time.monotonic() > deadline:
            raise ViewError(f"gtkwave reported no view within {DEADLINE_S:.0f} s")
        time.sleep(0.1)
    return _parse(out.read_text())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("gtkw", type=Path, help="a GTKWave save file")
    ap.add_argument("--trace", action="append", default=[], help="a trace to read at the marker")
    ap.add_argument("--png", type=Path, help="also write a screenshot here")
    args = ap.parse_args(argv)
    if not args.gtkw.exists():
        print(f"{args.gtkw}: no such save file", file=sys.stderr)
        return 2
    traces = args.trace or [
        line for line in args.gtkw.read_text().splitlines() if line.endswith("out_tag_o[7:0]")
    ]
    try:
        v = render(args.gtkw, traces, args.png)
    except ViewError as exc:
        print(f"gtkwave_view: {exc}", file=sys.stderr)
        return 2
    print(f"window {v.start}..{v.end} {v.dim}s, marker {v.marker}")
    for name, value in v.values.items():
        print(f"  {name} = {value}")
    if v.png:
        print(f"screenshot: {v.png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
