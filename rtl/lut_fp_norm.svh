// SPDX-License-Identifier: Apache-2.0
//
// Normalize by halves, the left shift of every FP block (lut_fp32_add,
// lut_fp32_pow2, mac_fp_mul, at binary32 and binary16 widths), as a macro of
// statements for the block's always_comb:
//
//   `ifndef LUT_TC_FP_NORM_SVH
//   `include "lut_fp_norm.svh"
//   `endif
//   ...
//   `LUT_TC_FP_NORM(sig, e, SigW, ExpW)
//
// sig (SigW bits) and e (ExpW bits) are variables of the block, SigW and ExpW
// plain identifiers (localparams) naming their widths. The steps move sig
// left past its leading zeros, but at most e - 1 places, so that the exponent
// e of sig's top bit stops at 1 (the result is subnormal then: no hidden
// bit). They go by halves: 16 (only where sig is wider than 16 bits: a
// binary16 significand is narrower than that step), 8, 4, 2 and 1 places,
// each step taken if the top that many bits are zero and the exponent is
// above that many, which moves exactly min(leading zeros, e - 1) places in
// all. A significand with its top bit set does not move.
//
// Statements, not a function or a module: a function call costs Icarus 11 a
// context per call (12 % of an FP replay) and a module splits the block's
// one always_comb; written into the block, an input change still costs one
// pass of straight-line code (see rtl/lut_fp32_add.sv). The top bits are
// tested by comparing the whole significand against a power of two, not by
// a part-select (Icarus 11 takes no constant selects inside always_comb).
`ifndef LUT_TC_FP_NORM_SVH
`define LUT_TC_FP_NORM_SVH

`define LUT_TC_FP_NORM(sig, e, SigW, ExpW) \
  if ((SigW > 16) && (sig < (SigW'(1) << ((SigW > 16) ? SigW - 16 : 0))) \
      && (e > ExpW'(16))) begin \
    sig = sig << 16; \
    e   = e - ExpW'(16); \
  end \
  if ((sig < (SigW'(1) << (SigW - 8))) && (e > ExpW'(8))) begin \
    sig = sig << 8; \
    e   = e - ExpW'(8); \
  end \
  if ((sig < (SigW'(1) << (SigW - 4))) && (e > ExpW'(4))) begin \
    sig = sig << 4; \
    e   = e - ExpW'(4); \
  end \
  if ((sig < (SigW'(1) << (SigW - 2))) && (e > ExpW'(2))) begin \
    sig = sig << 2; \
    e   = e - ExpW'(2); \
  end \
  if ((sig < (SigW'(1) << (SigW - 1))) && (e > ExpW'(1))) begin \
    sig = sig << 1; \
    e   = e - ExpW'(1); \
  end

`endif  // LUT_TC_FP_NORM_SVH
