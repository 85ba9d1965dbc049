# SPDX-License-Identifier: Apache-2.0
"""Code coverage of the RTL on Verilator: build flags, ``.dat`` files, waivers, reports.

Functional coverage (``flow/covdb``) says which stimulus classes a regression
sent; code coverage says which RTL lines, branches, conditions and bits it
exercised. A coverage build (:data:`flow.codecov.flags.BUILD_ARGS`) is a build
of its own (``sim_build/verilator/<name>_cov``); every simulator process of a
coverage run writes its own ``.dat`` (:mod:`flow.codecov.dat` reads and merges
them per core and configuration); reviewed waivers
(``docs/codecov_waivers.toml``, :mod:`flow.codecov.waivers`) take code out of
the figures with a reason each; :mod:`flow.codecov.report` writes the figures
per core, configuration, file and metric, an annotated page per source file,
and the dashboard's signoff panel. Plain Python: no cocotb, no pyuvm.
"""
