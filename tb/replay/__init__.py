"""The pure-SystemVerilog replay of long streams: vector sets (:mod:`tb.replay.vectors`) and
the harness build, run and report (:mod:`tb.replay.harness`); ``tools/replay.py`` is the
command line."""
