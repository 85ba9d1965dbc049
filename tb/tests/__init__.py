"""Tests: a base test and one small class per scenario (registered in ``tb.test_lut_tc``)."""
