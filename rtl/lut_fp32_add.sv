// SPDX-License-Identifier: Apache-2.0
//
// IEEE-754 binary adder, combinational: sum_o = RNE(a_i + b_i). Binary32 by
// default; ExpW and FracW choose the format (ExpW = 5, FracW = 10: binary16,
// the LUT Tensor Core's FP16-accumulate datapath), and Ftz the flush-to-zero
// variant. Every width below follows from the two; "binary32" numbers in this
// comment (24-bit significand, d >= 26, exponent 255) read as SigW = FracW + 1,
// d >= SigW + 2 and exponent 2^ExpW - 1 for another format.
//
// Contract (what the model and the FP accumulation of the core rely on):
// round to nearest, ties to even; full IEEE behaviour with no flush to zero
// (subnormal operands and results are exact IEEE values); an exact zero sum
// of operands with opposite signs is +0, (-0) + (-0) = -0; inf + inf = inf,
// inf - inf = NaN; overflow gives a signed infinity; any NaN operand gives
// NaN. Every NaN result is the canonical quiet NaN: sign 0, exponent all
// ones, the top fraction bit alone set (32'h7FC00000; binary16 16'h7E00).
// Ftz = 1 (docs/architecture.md section 10, FP16 accumulation): a subnormal
// operand reads as a zero of its sign, and a result whose IEEE rounding is
// subnormal is delivered as a zero of its sign; the rest is as above.
// Vectors: blocks/ (units fpadd and fpadd16, Berkeley SoftFloat), harness
// blocks/sv/fpadd_tb.sv and blocks/sv/fpadd16_tb.sv.
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
//             (`LUT_TC_FP_NORM of rtl/lut_fp_norm.svh): 16 (only where
//             ExtW > 16), 8, 4, 2 and 1 places, each step
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
//   LUT_TC_BUG_FP_RTZ      injected bug: round toward zero instead of RNE
//                          (never rounds up; overflow gives the largest finite
//                          number, as RTZ does), in every adder
//   LUT_TC_BUG_FP_FTZ      injected bug: subnormal results are flushed to a
//                          zero of the same sign, in every adder
//   LUT_TC_BUG_FP16_TRUNC  injected bug: the binary16 adders (ExpW = 5)
//                          truncate as LUT_TC_BUG_FP_RTZ does; others are right
// The bugs exist for the negative tests only.
`ifndef LUT_TC_FP_NORM_SVH
`include "lut_fp_norm.svh"
`endif

module lut_fp32_add #(
  parameter int ExpW  = 8,     // exponent field bits
  parameter int FracW = 23,    // fraction field bits
  parameter bit Ftz   = 1'b0   // subnormal operands and results as zeros
) (
  input  logic [ExpW+FracW:0] a_i,
  input  logic [ExpW+FracW:0] b_i,
  output logic [ExpW+FracW:0] sum_o
);

  localparam int              W         = 1 + ExpW + FracW;  // the format's width
  localparam int              MagW      = W - 1;             // magnitude: {exp, frac}
  localparam int              SigW      = FracW + 1;         // significand with hidden bit
  localparam int              ExtW      = SigW + 3;          // {sig, guard, round, sticky}
  localparam int              PadW      = SigW + 2;          // alignment: d >= PadW leaves sticky
  localparam int              ShW       = SigW + PadW;       // alignment shifter
  localparam int              NormEW    = ExpW + 1;          // norm_e
  // All ones by replication: Yosys 0.23 reads a parameter's '1 as a single 1 bit.
  localparam logic [ExpW-1:0] ExpMax    = {ExpW{1'b1}};      // inf / NaN exponent field
  localparam logic [ExpW-1:0] ExpOne    = ExpW'(1);
  localparam logic [ExpW-1:0] MaxD      = ExpW'(PadW);       // d >= MaxD: only sticky is left
  localparam logic [PadW-1:0] PadZ      = '0;
  localparam logic [FracW-1:0] FracZ    = '0;
  localparam logic [MagW-1:0] MagZ      = '0;
  localparam logic [W-1:0]    SignMask  = W'(1) << MagW;
  localparam logic [W-1:0]    MagMask   = ~SignMask;         // clears the sign
  localparam logic [W-1:0]    ExpMask   = W'(ExpMax) << FracW;
  localparam logic [W-1:0]    QNaN      = ExpMask | (W'(1) << (FracW - 1));  // canonical NaN
  localparam logic [W-1:0]    OvfMin    = ExpMask;           // a rounded magnitude from here is inf
  localparam logic [W-1:0]    MinNormal = W'(1) << FracW;    // rounded magnitudes below: subnormal
  localparam logic [ExtW-1:0] TopBit    = ExtW'(1) << (ExtW - 1);
  localparam logic [ExtW-1:0] GMask     = ExtW'(3'b100);     // of {sig, G, R, S}: the guard bit
  localparam logic [ExtW-1:0] LrsMask   = ExtW'(4'b1011);    // the lsb, round and sticky bits
`ifdef LUT_TC_BUG_FP_RTZ
  localparam bit              Rtz       = 1'b1;              // injected bug: truncate
`elsif LUT_TC_BUG_FP16_TRUNC
  localparam bit              Rtz       = ExpW == 5;         // injected bug: binary16 truncates
`else
  localparam bit              Rtz       = 1'b0;
`endif
  // RNE overflows to |inf|, RTZ to the largest finite magnitude.
  localparam logic [MagW-1:0] OvfMag    = Rtz ? MagW'(OvfMin - W'(1)) : MagW'(OvfMin);
`ifdef LUT_TC_BUG_FP_FTZ
  localparam bit              FlushOut  = 1'b1;              // injected bug: flush subnormal sums
`else
  localparam bit              FlushOut  = Ftz;
`endif

  always_comb begin : p_add
    logic [W-1:0]        a, b;              // the operands, flushed if Ftz
    logic                big_sign, sml_sign;
    logic [ExpW-1:0]     big_exp, sml_exp;
    logic [FracW-1:0]    big_frac, sml_frac;
    logic                big_hid, sml_hid;  // hidden bits
    logic [ExpW-1:0]     big_e;             // effective exponent (1 for zero/subnormal)
    logic [ExpW-1:0]     diff;
    logic [SigW+1:0]     sml_keep;          // aligned {sig, G, R}
    logic [ShW-SigW-3:0] sml_drop;          // below the round bit: sticky
    logic [ExtW-1:0]     big_ext, sml_ext;  // {sig, G, R, S}
    logic                eff_sub;
    logic                raw_carry;         // carry out of an addition
    logic [ExtW-1:0]     raw;               // the sum below the carry
    logic [ExtW-1:0]     norm;              // normalized {sig, G, R, S}
    logic [NormEW-1:0]   norm_e;            // 1..2^ExpW-1: exponent of norm's top bit (1 if subnormal)
    logic                round_up;
    logic [W-1:0]        res_e;             // the result's exponent field, before rounding
    logic [W-1:0]        res_mag;           // rounded magnitude; OvfMin or more overflows
    logic [W-1:0]        sum;

    // ---------------------------------------------------------- flush (Ftz)
    a = a_i;
    b = b_i;
    if (Ftz && ((a_i & ExpMask) == '0)) begin
      a = a_i & SignMask;
    end
    if (Ftz && ((b_i & ExpMask) == '0)) begin
      b = b_i & SignMask;
    end

    // ---------------------------------------------------------- swap
    if ((a & MagMask) >= (b & MagMask)) begin
      {big_sign, big_exp, big_frac} = a;
      {sml_sign, sml_exp, sml_frac} = b;
    end else begin
      {big_sign, big_exp, big_frac} = b;
      {sml_sign, sml_exp, sml_frac} = a;
    end
    big_hid = (big_exp != '0);
    sml_hid = (sml_exp != '0);
    big_e   = big_hid ? big_exp : ExpOne;

    // ---------------------------------------------------------- align
    diff = big_e - (sml_hid ? sml_exp : ExpOne);  // >= 0: |big| >= |sml|
    if (diff > MaxD) begin
      diff = MaxD;
    end
    {sml_keep, sml_drop} = {sml_hid, sml_frac, PadZ} >> diff;
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
      norm_e = {1'b0, big_e} + NormEW'(1);
    end else begin
      // Left past the leading zeros by halves, at most e_big - 1 places.
      norm   = raw;
      norm_e = {1'b0, big_e};
      if (norm < TopBit) begin  // a sum with its top bit set stays
        `LUT_TC_FP_NORM(norm, norm_e, ExtW, NormEW)
      end
    end

    // ---------------------------------------------------------- round
    round_up = !Rtz && ((norm & GMask) != '0) && ((norm & LrsMask) != '0);
    res_e    = W'(norm_e - NormEW'(1));
    res_mag  = (res_e << FracW) + W'(norm >> 3) + W'(round_up);

    // ---------------------------------------------------------- result
    sum = {big_sign, MagW'(res_mag)};
    if (big_exp == ExpMax) begin
      if ((big_frac != '0) || ((sml_exp == ExpMax) && eff_sub)) begin
        sum = QNaN;
      end else begin
        sum = {big_sign, ExpMax, FracZ};
      end
    end else if ({raw_carry, raw} == '0) begin
      sum = {big_sign && sml_sign, MagZ};  // exact zero: -0 only for (-0) + (-0)
    end else if (res_mag >= OvfMin) begin
      sum = {big_sign, OvfMag};
    end else if (FlushOut && (res_mag < MinNormal)) begin
      sum = {big_sign, MagZ};  // a subnormal result as a zero of its sign
    end
    sum_o = sum;
  end

endmodule : lut_fp32_add
