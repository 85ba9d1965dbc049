# SPDX-License-Identifier: Apache-2.0
"""The researcher's comparison of the three cores (``make ppa``, ``docs/ppa.md``).

:mod:`flow.ppa.pairs` makes and measures one instance per core and precision
pair on :mod:`flow.synth` (area, gate depth, table storage, broadcast width);
:mod:`flow.ppa.report` turns the rows into the table, the plot and the doc's
blocks; :mod:`flow.ppa.energy` prices a pair's switching activity (toggles x
fan-out of its gate-level netlist on a traffic profile, :mod:`flow.ppa.energy_sim`).
``tools/ppa.py`` is the command line.
"""
