// SPDX-License-Identifier: Apache-2.0
//
// IEEE-754 binary32 adder, combinational: sum_o = RNE(a_i + b_i).
//
// Contract (what the model and the FP accumulation of the core rely on):
// round to nearest, ties to even; full IEEE behaviour with no flush to zero
// (subnormal operands and results are exact IEEE values); an exact zero sum
// of operands with opposite signs is +0, (-0) + (-0) = -0; inf + inf = inf,
// inf - inf = NaN; overflow gives a signed infinity; any NaN operand gives
// NaN. Every NaN result is the canonical quiet NaN 32'h7FC00000.
// Vectors: blocks/ (unit fpadd, Berkeley SoftFloat), harness blocks/sv/fpadd_tb.sv.
//
// Datapath, one pass, no state:
//
//   swap      big = the operand of larger magnitude (the 31-bit compare of
//             {exp, frac} orders IEEE magnitudes; a tie keeps a_i as big),
//             sml = the other one. Significands get their hidden bit (0 for
//             a zero/subnormal, whose effective exponent is 1).
//   align     the small significand, with two extra bits (guard, round)
//             and a sticky bit, moves right by d = e_big - e_sml: a
//             50-bit shift of {sig, 26'b0} by min(d, 26), the bits that
//             fall below the round bit ORed into sticky. Any d >= 26 leaves
//             only sticky, so every larger distance acts like d = 26.
//   add/sub   27-bit {sig, G, R, S} operands, a 28-bit sum (carry out);
//             |big| >= |sml| keeps a difference non-negative. Sticky as
//             the lowest bit of the subtrahend is exact for rounding: the
//             difference keeps both the bits above sticky and "inexact".
//   normalize a carry shifts right by one (its lowest bit into sticky) and
//             increments the exponent. Otherwise the 27-bit sum shifts left
//             past its leading zeros, but at most e_big - 1 places, so that
//             the exponent stops at 1: the result is subnormal then (no
//             hidden bit), the exponent field 0. The shift goes by halves
//             (`LUT_TC_FP_NORM of rtl/lut_fp_norm.svh, shared with the
//             scaler and the MAC multiplier): 16, 8, 4, 2 and 1 places, each step
//             taken if the top that many bits are zero and the exponent is
//             above that many, which moves exactly min(leading zeros,
//             e_big - 1) places in all; a sum with its top bit set stays.
//             Cancellation deeper than one place only happens for d <= 1,
//             where sticky is zero and the sum is exact.
//   round     RNE on {G, R, S}: up if G and (R or S or lsb). The rounded
//             significand, hidden bit included, is added to (e - 1) << 23:
//             a carry out of rounding (all ones + 1) bumps the exponent
//             field, a subnormal (e = 1, no hidden bit) keeps field 0, and
//             one that rounds up into the hidden bit becomes the smallest
//             normal, all by that one addition. A magnitude of 32'h7F800000
//             (exponent 255) or more is +-inf.
//   specials  chosen last, over the finite path's result. A NaN or an
//             infinity has the largest magnitudes, so it is big whenever
//             either operand is one: big NaN, or big and sml infinities of
//             opposite signs, give 32'h7FC00000; otherwise an infinite big
//             is the sum. A zero sum is +0 unless both operands are -0.
//
// Simulation cost: the datapath is one always_comb on block-local
// variables, so an input change costs one pass of straight-line code (a
// network of continuous assignments would re-evaluate net by net, and again
// for every input that changes in a delta cycle of its own). The block
// writes the output port once, at the end, and reads no variable from
// outside but the input ports: Icarus 11.0 (its always_comb bug #508, fixed
// after that release) lets two always_comb blocks that each write a
// variable twice in one pass wake each other forever, at one time step.
// Icarus 11 also cannot take constant bit- or part-selects inside
// always_comb ("sorry: constant selects in always_* processes are not
// currently supported"), even of the block's own variables: fields are
// split off by assigning a vector to a concatenation of variables
// ({sign, exp, frac} = a_i), single bits are tested through masks, and the
// normalization compares the whole sum against powers of two.
//
// Defines (all off by default):
//   LUT_TC_BUG_FP_RTZ   injected bug: round toward zero instead of RNE
//                       (never rounds up; overflow gives the largest finite
//                       number, as RTZ does)
//   LUT_TC_BUG_FP_FTZ   injected bug: subnormal results are flushed to a
//                       zero of the same sign
// The bugs exist for the negative tests only.
`ifndef LUT_TC_FP_NORM_SVH
`include "lut_fp_norm.svh"
`endif

module lut_fp32_add (
  input  logic [31:0] a_i,
  input  logic [31:0] b_i,
  output logic [31:0] sum_o
);

  localparam int              SigW      = 24;                // significand with hidden bit
  localparam int              ExtW      = SigW + 3;          // {sig, guard, round, sticky}
  localparam int              ShW       = SigW + 26;         // alignment shifter
  localparam logic [7:0]      ExpMax    = 8'hFF;             // inf / NaN exponent field
  localparam logic [7:0]      MaxD      = 8'd26;             // d >= 26: only sticky is left
  localparam logic [31:0]     QNaN      = 32'h7FC0_0000;     // the canonical NaN result
  localparam logic [31:0]     MagMask   = 32'h7FFF_FFFF;     // clears the sign
  localparam logic [31:0]     OvfMin    = 32'h7F80_0000;     // a rounded magnitude from here is inf
`ifdef LUT_TC_BUG_FP_RTZ
  localparam logic [30:0]     OvfMag    = 31'h7F7F_FFFF;     // RTZ overflows to the largest finite
`else
  localparam logic [30:0]     OvfMag    = 31'h7F80_0000;     // RNE overflows to |inf|
  localparam logic [ExtW-1:0] GMask     = ExtW'(3'b100);     // of {sig, G, R, S}: the guard bit
  localparam logic [ExtW-1:0] LrsMask   = ExtW'(4'b1011);    // the lsb, round and sticky bits
`endif
`ifdef LUT_TC_BUG_FP_FTZ
  localparam logic [31:0]     MinNormal = 32'h0080_0000;     // rounded magnitudes below: subnormal
`endif
  localparam int              NormEW    = 9;                 // norm_e

  always_comb begin : p_add
    logic                big_sign, sml_sign;
    logic [7:0]          big_exp, sml_exp;
    logic [22:0]         big_frac, sml_frac;
    logic                big_hid, sml_hid;  // hidden bits
    logic [7:0]          big_e;             // effective exponent (1 for zero/subnormal)
    logic [7:0]          diff;
    logic [SigW+1:0]     sml_keep;          // aligned {sig, G, R}
    logic [ShW-SigW-3:0] sml_drop;          // below the round bit: sticky
    logic [ExtW-1:0]     big_ext, sml_ext;  // {sig, G, R, S}
    logic                eff_sub;
    logic                raw_carry;         // carry out of an addition
    logic [ExtW-1:0]     raw;               // the sum below the carry
    logic [ExtW-1:0]     norm;              // normalized {sig, G, R, S}
    logic [NormEW-1:0]   norm_e;            // 1..255: exponent of norm's top bit (1 if subnormal)
    logic                round_up;
`ifdef LUT_TC_BUG_FP_RTZ
    logic                unused_round;
`endif
    logic [31:0]         res_mag;           // rounded magnitude; OvfMin or more overflows
    logic [31:0]         sum;

    // ---------------------------------------------------------- swap
    if ((a_i & MagMask) >= (b_i & MagMask)) begin
      {big_sign, big_exp, big_frac} = a_i;
      {sml_sign, sml_exp, sml_frac} = b_i;
    end else begin
      {big_sign, big_exp, big_frac} = b_i;
      {sml_sign, sml_exp, sml_frac} = a_i;
    end
    big_hid = (big_exp != '0);
    sml_hid = (sml_exp != '0);
    big_e   = big_hid ? big_exp : 8'd1;

    // ---------------------------------------------------------- align
    diff = big_e - (sml_hid ? sml_exp : 8'd1);  // >= 0: |big| >= |sml|
    if (diff > MaxD) begin
      diff = MaxD;
    end
    {sml_keep, sml_drop} = {sml_hid, sml_frac, 26'b0} >> diff;
    big_ext = {big_hid, big_frac, 3'b000};
    sml_ext = {sml_keep, sml_drop != '0};

    // ---------------------------------------------------------- add / subtract
    eff_sub = big_sign ^ sml_sign;
    if (eff_sub) begin
      {raw_carry, raw} = {1'b0, big_ext} - {1'b0, sml_ext};
    end else begin
      {raw_carry, raw} = {1'b0, big_ext} + {1'b0, sml_ext};
    end

    // ---------------------------------------------------------- normalize
    if (raw_carry) begin
      // The bit shifted out stays in sticky.
      norm   = ExtW'({raw_carry, raw} >> 1) | (raw & ExtW'(1));
      norm_e = {1'b0, big_e} + 9'd1;
    end else begin
      // Left past the leading zeros by halves, at most e_big - 1 places.
      norm   = raw;
      norm_e = {1'b0, big_e};
      if (norm < 27'h400_0000) begin  // a sum with its top bit set stays
        `LUT_TC_FP_NORM(norm, norm_e, ExtW, NormEW)
      end
    end

    // ---------------------------------------------------------- round
`ifdef LUT_TC_BUG_FP_RTZ
    // Injected bug: truncate. The rounding bits are deliberately dropped; the
    // `unused_` prefix is Verilator's default -unused-regexp, so lint stays quiet.
    unused_round = (norm & ExtW'(3'b111)) != '0;
    round_up     = 1'b0;
`else
    round_up = ((norm & GMask) != '0) && ((norm & LrsMask) != '0);
`endif
    res_mag = ({23'b0, norm_e - 9'd1} << 23) + 32'(norm >> 3) + 32'(round_up);

    // ---------------------------------------------------------- result
    sum = {big_sign, 31'(res_mag)};
    if (big_exp == ExpMax) begin
      if ((big_frac != '0) || ((sml_exp == ExpMax) && eff_sub)) begin
        sum = QNaN;
      end else begin
        sum = {big_sign, ExpMax, 23'b0};
      end
    end else if ({raw_carry, raw} == '0) begin
      sum = {big_sign && sml_sign, 31'b0};  // exact zero: -0 only for (-0) + (-0)
    end else if (res_mag >= OvfMin) begin
      sum = {big_sign, OvfMag};
`ifdef LUT_TC_BUG_FP_FTZ
    end else if (res_mag < MinNormal) begin
      sum = {big_sign, 31'b0};  // injected bug: flush a subnormal result
`endif
    end
    sum_o = sum;
  end

endmodule : lut_fp32_add
