// SPDX-License-Identifier: Apache-2.0
//
// Binary32 (by default; ExpW = 5, FracW = 10: binary16) negate and scale by
// a power of two, combinational:
// y_o = (neg_i ? -x_i : x_i) * 2^shift_i (docs/architecture.md section 10,
// "Bit-serial weighting": the term of plane shift_i).
//
// Contract (what the model computes with numpy float32 * 2.0**i):
// negation flips the sign bit only; the scaling is exact except where it
// overflows, which gives a signed infinity; a subnormal x scales into the
// normal range correctly (normalized, not just shifted); a zero stays a zero
// of its (possibly flipped) sign; an infinity stays an infinity; every NaN
// gives the canonical quiet NaN 32'h7FC00000 (binary16: 16'h7E00). Widths
// below are binary32's (24-bit significand, exponent 255); another format
// reads them as FracW + 1 and 2^ExpW - 1.
// Vectors: blocks/ (units fpow2 and, at binary16, fpow2h), harnesses
// blocks/sv/fpow2_tb.sv and blocks/sv/fpow2h_tb.sv.
//
// Parameters:
//   MaxShift  largest shift_i (>= 1); shift_i is $clog2(MaxShift + 1) bits.
//             Codes above MaxShift that fit the port scale the same way
//             (the datapath is exact for any shift the exponent can hold).
//
// Datapath, one pass, no state:
//
//   unpack    sig = {hidden, frac} (24 bits), effective exponent ee = 1 for
//             a zero or subnormal, else the exponent field.
//   scale     E = ee + shift: the exponent of sig's top bit position.
//   normalize a normal sig has its hidden bit set: nothing moves. A zero or
//             subnormal sig moves left past its leading zeros, but at most
//             E - 1 places (the exponent stops at 1), E' = E - places. The
//             shift goes by halves (`LUT_TC_FP_NORM of rtl/lut_fp_norm.svh):
//             16 (only where SigW > 16), 8, 4, 2 and 1 places, each step taken if the top that many bits are zero
//             and the exponent is above that many, which moves exactly
//             min(leading zeros, E - 1) places in all. A hidden bit after
//             the move gives a normal with exponent E' (E' >= 255 overflows
//             to inf); otherwise E' = 1 and the result is subnormal
//             (exponent field 0): only a subnormal whose shift is too small
//             to reach the normal range, or a zero.
//   specials  NaN: 32'h7FC00000; inf: {sign, inf}; chosen last.
//
// Simulation cost: as rtl/lut_fp32_add.sv, the datapath is one always_comb
// on block-local variables that reads only the input ports and writes the
// output port once, at the end (the Icarus 11.0 always_comb bug #508), and
// takes no constant bit- or part-selects (Icarus 11 cannot inside
// always_comb): fields are split off by assigning to a concatenation, and
// the normalization compares the whole significand against powers of two.
//
// Defines (all off by default):
//   LUT_TC_BUG_FP_POW2_FTZ  injected bug: a subnormal x scales as a zero
//                           of the result's sign
// The bug exists for the negative tests only.
`ifndef LUT_TC_FP_NORM_SVH
`include "lut_fp_norm.svh"
`endif

module lut_fp32_pow2 #(
  parameter int MaxShift = 7,
  parameter int ExpW     = 8,   // exponent field bits (5: binary16)
  parameter int FracW    = 23,  // fraction field bits (10: binary16)
  localparam int ShiftW = (MaxShift < 2) ? 1 : $clog2(MaxShift + 1)
) (
  input  logic [ExpW+FracW:0] x_i,
  input  logic                neg_i,
  input  logic [ShiftW-1:0]   shift_i,
  output logic [ExpW+FracW:0] y_o
);

  localparam int               W      = 1 + ExpW + FracW;
  localparam int               SigW   = FracW + 1;                             // with hidden bit
  localparam int               EW     = $clog2((1 << ExpW) + (1 << ShiftW)) + 1;  // E: max + any code
  // All ones by replication: Yosys 0.23 reads a parameter's '1 as a single 1 bit.
  localparam logic [ExpW-1:0]  ExpMax = {ExpW{1'b1}};
  localparam logic [ExpW-1:0]  ExpZ   = '0;
  localparam logic [FracW-1:0] FracZ  = '0;
  localparam logic [W-1:0]     QNaN   = {1'b0, ExpMax, 1'b1, {(FracW-1){1'b0}}};
  // The normalization's steps: 16 places only where the significand is wider than 16 bits.

  always_comb begin : p_scale
    logic                 x_sign, sign;
    logic [ExpW-1:0]      exp_f;
    logic [FracW-1:0]     frac;
    logic [SigW-1:0]      sig;       // normalized significand
    logic [EW-1:0]        e;         // exponent of sig's top bit
    logic                 hidden;
    logic [FracW-1:0]     res_frac;
    logic [W-1:0]         y;
    logic [EW-ExpW-1:0]   e_unused;  // above the exponent field (e >= max overflows, below)
    logic [ExpW-1:0]      e_f;

    // ---------------------------------------------------------- unpack, scale, normalize
    {x_sign, exp_f, frac} = x_i;
    sign = x_sign ^ neg_i;
    if (exp_f != '0) begin
      sig = {1'b1, frac};
      e   = EW'(exp_f) + EW'(shift_i);
    end else begin
      // Left past the leading zeros by halves, at most E - 1 places.
      sig = {1'b0, frac};
      e   = EW'(1) + EW'(shift_i);
      `LUT_TC_FP_NORM(sig, e, SigW, EW)
    end
    {hidden, res_frac} = sig;

    // ---------------------------------------------------------- result
    // The exponent field by a split, not by a cast: Yosys 0.23 widens 8'(e)
    // inside this concatenation and drops the sign (the netlist tests).
    {e_unused, e_f} = e;
    y = {sign, hidden ? e_f : ExpZ, res_frac};
    if (exp_f == ExpMax) begin
      y = (frac != '0) ? QNaN : {sign, ExpMax, FracZ};
    end else if (hidden && (e >= EW'(ExpMax))) begin
      y = {sign, ExpMax, FracZ};  // overflow
`ifdef LUT_TC_BUG_FP_POW2_FTZ
    end else if ((exp_f == '0) && (frac != '0)) begin
      y = {sign, ExpZ, FracZ};  // injected bug: flush a subnormal input
`endif
    end
    y_o = y;
  end

endmodule : lut_fp32_pow2
