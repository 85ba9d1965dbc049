// SPDX-License-Identifier: Apache-2.0
//
// Binary32 times a small odd integer, combinational and exact:
// y_o = x_i * (neg_i ? -mag_i : mag_i), the product of the MAC core's FP
// datapath (docs/architecture.md section 11).
//
// Contract (what models.fp.mac_fp_lmma computes with numpy float32 *):
// x_i is an activation converted exactly to binary32 (lut_fp_to_f32), so at
// most its top SigW - 1 fraction bits are set; mag_i is odd. The product has
// at most SigW + MagW <= 23 significant bits, so it is exact in binary32
// unless it overflows, which gives a signed infinity (no rounding step
// exists); a subnormal x (bfloat16) is read with its effective exponent 1
// and the product normalized, into the normal range or not; a zero gives a
// zero of sign x_sign ^ neg_i; an infinity stays an infinity; every NaN
// gives the canonical quiet NaN 32'h7FC00000.
//
// Parameters:
//   SigW  significant bits of x_i, hidden bit included: 11 for FP16, 8 for
//         BF16, 4 for FP8 E4M3, 3 for FP8 E5M2 (the widest format built)
//   MagW  width of mag_i, the weight magnitude (WBitsMax)
//
// Datapath, one pass, no state:
//
//   multiply  P = {hidden, frac[22 -: SigW-1]} * mag_i, PW = SigW + MagW
//             bits, placed at the top of a 24-bit significand; the exponent
//             of that significand's top bit is E = ee + MagW (ee = 1 for a
//             zero or subnormal x, else its exponent field).
//   normalize as rtl/lut_fp32_pow2.sv (`LUT_TC_FP_NORM of
//             rtl/lut_fp_norm.svh): left past the leading zeros by halves (16, 8, 4, 2, 1), at most
//             E - 1 places; a hidden bit
//             after the move gives a normal (E' >= 255 overflows to inf),
//             otherwise a subnormal or zero (exponent field 0).
//   specials  NaN: 32'h7FC00000; inf: {sign, inf}; chosen last.
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
  parameter int SigW = 11,
  parameter int MagW = 4
) (
  input  logic [31:0]     x_i,
  input  logic            neg_i,
  input  logic [MagW-1:0] mag_i,
  output logic [31:0]     y_o
);
  localparam int          PW     = SigW + MagW;  // product bits
  localparam int          EW     = 10;           // E: holds 254 + MagW
  localparam logic [EW-1:0] MagE = EW'(MagW);
  localparam logic [7:0]  ExpMax = 8'hFF;
  localparam logic [31:0] QNaN   = 32'h7FC0_0000;
  localparam int          F32SigW = 24;      // a binary32 significand, hidden bit included

  logic            x_sign;
  logic [7:0]      exp_f;
  logic [SigW-2:0] frac_hi;  // the fraction bits an exact conversion can set
  logic            frac_nz;
  logic [PW-1:0]   sig_x, mag_x, prod;
  logic [23:0]     sig0;     // the product at the top of a significand
  logic [EW-1:0]   ee, e0;
  assign x_sign  = x_i[31];
  assign exp_f   = x_i[30:23];
  assign frac_hi = x_i[22 -: SigW-1];
  assign frac_nz = x_i[22:0] != '0;
  // Operands sized first: Yosys 0.23 mishandles operators on size casts.
  assign sig_x   = PW'({exp_f != '0, frac_hi});
  assign mag_x   = PW'(mag_i);
  assign prod    = sig_x * mag_x;
  assign sig0    = {prod, {(24 - PW){1'b0}}};
  assign ee      = (exp_f != '0) ? EW'(exp_f) : EW'(1);
  assign e0      = ee + MagE;

  always_comb begin : p_mul
    logic          sign, hidden;
    logic [F32SigW-1:0] sig;
    logic [EW-1:0] e;
    logic [22:0]   res_frac;
    logic [31:0]   y;
    logic [EW-9:0]   e_unused;  // above the exponent field (e >= 255 overflows, below)
    logic [7:0]      e8;

    sign = x_sign ^ neg_i;
    sig  = sig0;
    e    = e0;
    `LUT_TC_FP_NORM(sig, e, F32SigW, EW)  // left past the leading zeros by halves
    {hidden, res_frac} = sig;

    // The exponent field by a split, not by a cast: Yosys 0.23 widens 8'(e)
    // inside this concatenation and drops the sign (the netlist tests).
    {e_unused, e8} = e;
    y = {sign, hidden ? e8 : 8'h00, res_frac};
    if (exp_f == ExpMax) begin
      y = frac_nz ? QNaN : {sign, ExpMax, 23'b0};
    end else if (hidden && (e >= EW'(ExpMax))) begin
      y = {sign, ExpMax, 23'b0};  // overflow
`ifdef LUT_TC_BUG_FP_MUL_FTZ
    end else if ((exp_f == '0) && frac_nz) begin
      y = {sign, 31'b0};  // injected bug: flush a subnormal input
`endif
    end
    y_o = y;
  end

  `LUT_TC_ASSERT_INIT(ParamWidths, SigW >= 2 && SigW <= 11 && MagW >= 1 && PW <= 23,
                      "the product must fit a binary32 significand: SigW in [2, 11], PW <= 23")

endmodule : mac_fp_mul
