# SPDX-License-Identifier: Apache-2.0
"""Transports: how the one environment reaches the core.

* ``pins`` (toplevel ``lut_tensor_core``): one instruction or response per
  handshake, cycle by cycle, with idle and back-pressure patterns, resets in
  flight and the BFM's protocol checks;
* ``batch`` (toplevel ``lut_tc_bridge``): whole batches of instructions in,
  whole segments of responses out, through the SystemVerilog bridge.

Both report the same records (:mod:`tb.records`), so sequences, predictor,
scoreboard and coverage never know which one runs. The transport of a run
comes from ``LUT_TC_TRANSPORT`` (suite data, ``--transport``), never from a
test's name.
"""

from __future__ import annotations

from tb.transports.base import TRANSPORTS, ProtocolError, Transport, check_transport

__all__ = ["TRANSPORTS", "ProtocolError", "Transport", "check_transport", "make_transport"]


def make_transport(name: str, dut, cfg) -> Transport:
    """The transport ``name`` on ``dut`` (imports only the one that runs)."""
    check_transport(name)
    if name == "pins":
        from tb.transports.pins import PinsTransport

        return PinsTransport(dut, cfg)
    from tb.transports.batch import BatchTransport

    return BatchTransport(dut, cfg)
