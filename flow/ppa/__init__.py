# SPDX-License-Identifier: Apache-2.0
"""The researcher's comparison of the three cores (``make ppa``, ``docs/ppa.md``).

:mod:`flow.ppa.pairs` makes and measures one instance per core and precision
pair, or tiling shape, on :mod:`flow.synth` (area, gate depth, table storage,
broadcast width; area in um2 and delay in ns in the cells of :mod:`flow.liberty`);
:mod:`flow.ppa.report` turns the rows into the tables, the plots and the doc's
blocks; :mod:`flow.ppa.energy` prices a pair's switching activity (toggles x
fan-out of its gate-level netlist on a traffic profile, :mod:`flow.ppa.energy_sim`).
``tools/ppa.py`` is the command line.
"""
