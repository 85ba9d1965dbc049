# SPDX-License-Identifier: Apache-2.0
"""The flow: everything around a test, never imported by one.

Builds and simulator runs (:mod:`flow.build`, :mod:`flow.simrun`), the
regression engine and its dashboard (:mod:`flow.regress`), the coverage
database and its reports (:mod:`flow.covdb`), the pure-SystemVerilog replay
(:mod:`flow.replay`), synthesis (:mod:`flow.synth`), measurement
(:mod:`flow.measure`, :mod:`flow.bench`) and the planted bugs
(:mod:`flow.bugs`). It imports ``tb`` (the environment) and ``models`` (the
reference), never ``tools`` (the command lines on top); ``flow/README.md``
says what each part holds.
"""
