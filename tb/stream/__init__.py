"""The batched testbench: whole batches in, whole response segments out (see bridge.py)."""
