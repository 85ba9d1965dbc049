// SPDX-License-Identifier: Apache-2.0
//
// An IEEE float times a small odd integer, combinational:
// y_o = x_i * (neg_i ? -mag_i : mag_i), the product of the MAC core's FP
// datapath (docs/architecture.md section 11). Binary32 by default, exact;
// ExpW = 5, FracW = 10 build the binary16 MAC's product, rounded once to
// nearest even, and Ftz its flush-to-zero variant.
//
// Contract, binary32 (what models.fp.mac_fp_lmma computes with numpy float32
// *): x_i is an activation converted exactly to binary32 (lut_fp_to_f32), so
// at most its top SigW - 1 fraction bits are set; mag_i is odd. The product
// has at most SigW + MagW <= 19 significant bits, so it is exact in binary32
// unless it overflows, which gives a signed infinity (no rounding step
// exists); a subnormal x (bfloat16) is read with its effective exponent 1
// and the product normalized, into the normal range or not; a zero gives a
// zero of sign x_sign ^ neg_i; an infinity stays an infinity; every NaN
// gives the canonical quiet NaN 32'h7FC00000.
//
// Contract, binary16 (models.fp16.mul): x_i is a binary16 activation
// (lut_fp_to_f16); the exact product (up to 11 + 8 significant bits) is
// rounded to binary16, to nearest even: a magnitude that rounds past 65504
// is infinite, a subnormal product is exact; zeros and infinities as above;
// every NaN gives 16'h7E00. Ftz = 1: a subnormal x reads as a zero of its
// sign (the product is then that zero); the product of a normal x is never
// subnormal (|x| >= 2^-14, mag_i >= 1), so nothing is flushed after it.
//
// Parameters:
//   SigW   significant bits of x_i, hidden bit included: 11 for FP16, 8 for
//          BF16, 4 for FP8 E4M3, 3 for FP8 E5M2 (the widest format built)
//   MagW   width of mag_i, the weight magnitude (WBitsMax)
//   ExpW, FracW, Ftz  the format, as in rtl/lut_fp32_add.sv
//
// Datapath, one pass, no state:
//
//   multiply  P = {hidden, frac[FracW-1 -: SigW-1]} * mag_i, PW = SigW + MagW
//             bits, placed at the top of an NW-bit significand (NW: the
//             widest of PW, FracW + 1 and 17); the exponent of its top bit
//             is E = ee + MagW (ee = 1 for a zero or subnormal x, else its
//             exponent field).
//   normalize as rtl/lut_fp32_pow2.sv (`LUT_TC_FP_NORM of
//             rtl/lut_fp_norm.svh): left past the leading zeros by halves
//             (16, 8, 4, 2, 1), at most E - 1 places; a hidden bit after
//             the move gives a normal, otherwise a subnormal or zero
//             (exponent field 0).
//   exact     binary32 (NW = FracW + 1): the normalized significand is the
//             result's; E' >= 2^ExpW - 1 overflows to inf.
//   round     binary16 (NW > FracW + 1): the top FracW + 1 bits are kept,
//             RNE on the guard bit below them and the sticky OR of the rest,
//             and the rounded significand is added to (E' - 1) << FracW
//             (lut_fp32_add's step: a carry out of rounding bumps the
//             exponent, a subnormal that rounds up into the hidden bit
//             becomes the smallest normal); a magnitude of ExpMax << FracW
//             or more is infinite.
//   specials  NaN: canonical; inf: {sign, inf}; chosen last.
//
// Simulation cost: as rtl/lut_fp32_add.sv, one always_comb on block-local
// variables that reads only signals assigned outside it and writes the
// output once, with no constant bit- or part-selects inside (Icarus 11).
// Vectors: blocks/ (unit fmul), harness blocks/sv/fmul_tb.sv.
//
// Defines (all off by default):
//   LUT_TC_BUG_FP_MUL_FTZ  injected bug: a subnormal x multiplies as a zero
//                          of the result's sign
// The bug exists for the negative tests only.
`ifndef LUT_TC_ASSERT_SVH
`include "lut_tc_assert.svh"
`endif
`ifndef LUT_TC_FP_NORM_SVH
`include "lut_fp_norm.svh"
`endif

module mac_fp_mul #(
  parameter int SigW  = 11,
  parameter int MagW  = 4,
  parameter int ExpW  = 8,     // exponent field bits
  parameter int FracW = 23,    // fraction field bits
  parameter bit Ftz   = 1'b0   // a subnormal x reads as a zero
) (
  input  logic [ExpW+FracW:0] x_i,
  input  logic                neg_i,
  input  logic [MagW-1:0]     mag_i,
  output logic [ExpW+FracW:0] y_o
);
  localparam int               W      = 1 + ExpW + FracW;
  localparam int               SigO   = FracW + 1;    // the result's significand, hidden bit included
  localparam int               PW     = SigW + MagW;  // product bits
  localparam int               NW0    = (PW > SigO) ? PW : SigO;
  localparam int               NW     = (NW0 > 17) ? NW0 : 17;  // the normalized significand
  localparam int               EW     = ExpW + 2;     // E: holds 2^ExpW - 2 + MagW
  localparam logic [EW-1:0]    MagE   = EW'(MagW);
  localparam logic [ExpW-1:0]  ExpMax = {ExpW{1'b1}};
  localparam logic [ExpW-1:0]  ExpZ   = '0;
  localparam logic [FracW-1:0] FracZ  = '0;
  localparam logic [W-1:0]     QNaN   = {1'b0, ExpMax, 1'b1, {(FracW-1){1'b0}}};

  logic            x_sign;
  logic [ExpW-1:0] exp_f;
  logic [SigW-2:0] frac_hi;  // the fraction bits an exact conversion can set
  logic            frac_nz;
  logic            x_live;   // x is read: not a subnormal under Ftz
  logic [PW-1:0]   sig_x, mag_x, prod;
  logic [NW-1:0]   sig0;     // the product at the top of a significand
  logic [EW-1:0]   ee, e0;
  assign x_sign  = x_i[W-1];
  assign exp_f   = x_i[W-2:FracW];
  assign frac_hi = x_i[FracW-1 -: SigW-1];
  assign frac_nz = x_i[FracW-1:0] != '0;
  assign x_live  = !Ftz || (exp_f != '0);
  // Operands sized first: Yosys 0.23 mishandles operators on size casts.
  assign sig_x   = x_live ? PW'({exp_f != '0, frac_hi}) : '0;
  assign mag_x   = PW'(mag_i);
  assign prod    = sig_x * mag_x;
  assign sig0    = {prod, {(NW - PW){1'b0}}};
  assign ee      = (exp_f != '0) ? EW'(exp_f) : EW'(1);
  assign e0      = ee + MagE;

  if (NW == SigO) begin : gen_exact  // binary32: the product fits the significand
    always_comb begin : p_mul
      logic             sign, hidden;
      logic [NW-1:0]    sig;
      logic [EW-1:0]    e;
      logic [FracW-1:0] res_frac;
      logic [W-1:0]     y;
      logic [EW-ExpW-1:0] e_unused;  // above the exponent field (overflow, below)
      logic [ExpW-1:0]  e8;

      sign = x_sign ^ neg_i;
      sig  = sig0;
      e    = e0;
      `LUT_TC_FP_NORM(sig, e, NW, EW)  // left past the leading zeros by halves
      {hidden, res_frac} = sig;

      // The exponent field by a split, not by a cast: Yosys 0.23 widens 8'(e)
      // inside this concatenation and drops the sign (the netlist tests).
      {e_unused, e8} = e;
      y = {sign, hidden ? e8 : ExpZ, res_frac};
      if (exp_f == ExpMax) begin
        y = frac_nz ? QNaN : {sign, ExpMax, FracZ};
      end else if (hidden && (e >= EW'(ExpMax))) begin
        y = {sign, ExpMax, FracZ};  // overflow
`ifdef LUT_TC_BUG_FP_MUL_FTZ
      end else if ((exp_f == '0) && frac_nz) begin
        y = {sign, {(W-1){1'b0}}};  // injected bug: flush a subnormal input
`endif
      end
      y_o = y;
    end
  end else begin : gen_round  // binary16: one rounding to nearest even
    localparam int            RestW   = NW - SigO;           // guard and sticky bits
    localparam int            MW      = EW + FracW + 1;      // a magnitude before overflow
    localparam logic [RestW-1:0] Half = RestW'(1) << (RestW - 1);  // the guard bit alone
    localparam logic [SigO-1:0] KeepOne = SigO'(1);          // the kept lsb
    localparam logic [MW-1:0] OvfMin  = MW'(ExpMax) << FracW; // from here: inf

    always_comb begin : p_mul
      logic              sign;
      logic [NW-1:0]     sig;
      logic [EW-1:0]     e;
      logic [SigO-1:0]   keep;      // hidden bit and fraction, before rounding
      logic [RestW-1:0]  rest;      // below them
      logic              hidden, round_up;
      logic [MW-1:0]     res_e, mag;
      logic [MW-W:0]     mag_unused;  // above the magnitude field (overflow, below)
      logic [W-2:0]      mag_lo;
      logic [W-1:0]      y;

      sign = x_sign ^ neg_i;
      sig  = sig0;
      e    = e0;
      `LUT_TC_FP_NORM(sig, e, NW, EW)  // left past the leading zeros by halves
      {keep, rest} = sig;
      hidden   = keep >= (KeepOne << FracW);
      round_up = (rest > Half) || ((rest == Half) && ((keep & KeepOne) != '0));
      // A zero stops normalizing above exponent 1: its field is 0 all the same.
      res_e    = hidden ? MW'(e) - MW'(1) : '0;
      mag      = (res_e << FracW) + MW'(keep) + MW'(round_up);
      {mag_unused, mag_lo} = mag;

      y = {sign, mag_lo};
      if (exp_f == ExpMax) begin
        y = frac_nz ? QNaN : {sign, ExpMax, FracZ};
      end else if (mag >= OvfMin) begin
        y = {sign, ExpMax, FracZ};  // overflow
`ifdef LUT_TC_BUG_FP_MUL_FTZ
      end else if ((exp_f == '0) && frac_nz) begin
        y = {sign, {(W-1){1'b0}}};  // injected bug: flush a subnormal input
`endif
      end
      y_o = y;
    end
  end

  `LUT_TC_ASSERT_INIT(ParamWidths, SigW >= 2 && SigW <= FracW + 1 && MagW >= 1 && MagW <= 8
                      && NW <= 32,
                      "SigW in [2, FracW + 1], MagW in [1, 8]: the normalization moves 31 places at most")

endmodule : mac_fp_mul
