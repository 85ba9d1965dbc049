"""Replay harness (pure SystemVerilog) and the testbench throughput benchmark test."""
