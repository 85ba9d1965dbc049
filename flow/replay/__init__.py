# SPDX-License-Identifier: Apache-2.0
"""The pure-SystemVerilog replay of long streams: vector sets (:mod:`flow.replay.vectors`) and
the harness build, run and report (:mod:`flow.replay.harness`); ``tools/replay.py`` is the
command line."""
