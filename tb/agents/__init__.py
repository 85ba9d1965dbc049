"""UVM agents: the instruction channel (active) and the response channel (passive)."""

from tb.agents.instr_agent import InstrAgent, InstrDriver, InstrMonitor
from tb.agents.resp_agent import RespAgent, RespMonitor

__all__ = ["InstrAgent", "InstrDriver", "InstrMonitor", "RespAgent", "RespMonitor"]
