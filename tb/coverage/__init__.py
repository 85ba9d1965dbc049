# SPDX-License-Identifier: Apache-2.0
"""Functional coverage of the environment: the bins, their counting, the FP covergroups.

* :mod:`tb.coverage.bins`: the bins as plain data, with the unreachable cross
  bins derived from the model (no simulator import: the stimulus library
  sweeps them);
* :mod:`tb.coverage.collector`: :class:`~tb.coverage.collector.Coverage`, the
  pyuvm subscriber that counts every record with numpy and writes the run's
  JSON dump;
* :mod:`tb.coverage.fp`: the FP covergroups (lane classes, table and
  accumulator additions, alignment);
* :mod:`tb.coverage.fp_mac`: the MAC core's FP coverage (its own additions,
  the same bins);
* :mod:`tb.coverage.fp16`: the binary16 instances' classes (binary16 additions,
  the same bins) and the LUT Tensor Core's binary16 collector.

This file imports nothing, so ``tb.coverage.bins`` and the FP modules load
without cocotb or pyuvm; import the collector from its module. The merge of
the dumps and the reports live in the flow (:mod:`flow.covdb`).
"""
