# SPDX-License-Identifier: Apache-2.0
"""Formal proofs of the cores with SymbiYosys (``make formal``).

``props.py`` names the property sets and what each proves, ``tasks.py`` turns a
command line into SymbiYosys tasks (core x configuration x set) and writes
their ``.sby`` files, ``runner.py`` runs them and writes the run folder
(``formal.json``, JUnit, ``latest``), ``results.py`` reads what each task found
into the results table. The properties themselves are SystemVerilog, in
``formal/`` and the RTL's own assertions.
"""
