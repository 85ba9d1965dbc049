// SPDX-License-Identifier: Apache-2.0
//
// Activation lane to IEEE-754 binary32, combinational: f32_o = the exact
// binary32 value of lane_i read in format afmt_i (docs/architecture.md
// section 10, "Table precompute").
//
// Contract (what the model, models.fp.to_f32 + bits, computes):
//   afmt_i = AFmtFp16     IEEE binary16, lane_i[15:0]
//            AFmtBf16     bfloat16, lane_i[15:0]
//            AFmtFp8E4m3  OCP E4M3 "fn": lane_i[7:0], [15:8] ignored; no
//                         infinities, NaN only S.1111.111, max 448
//            AFmtFp8E5m2  IEEE-like E5M2: lane_i[7:0], [15:8] ignored
//            any other    f32_o = 0 (integer and reserved codes have no FP
//                         meaning here; the core never selects this block
//                         for them, and a fixed 0 keeps the output defined)
// Every value is exact in binary32: subnormal inputs are normalized exactly
// (binary16/FP8 subnormals are binary32 normals; bfloat16 subnormals stay
// binary32 subnormals), signed zeros keep their sign, infinities stay
// infinite, and every NaN becomes the canonical quiet NaN 32'h7FC00000.
// Vectors: tb/fpunits.py, harness tb/sv/lut_fp_to_f32_tb.sv.
//
// Datapath, one pass, no state:
//
//   bfloat16  the top half of a binary32: {lane, 16'b0}, NaN canonical.
//   narrow    FP16, E5M2 and E4M3 share one path: a 5-bit exponent field
//             (E4M3's 4 bits zero-extended) and a 10-bit mantissa, left
//             aligned (E5M2's 2 bits and E4M3's 3 bits padded with zeros),
//             and Off = 127 - bias (112 for bias 15, 120 for bias 7).
//             normal     exp = e + Off, frac = {man, 13'b0}
//             subnormal  lz = leading zeros of man (0..9): the value is
//                        1.f * 2^(-bias - lz), so exp = Off - lz and the
//                        fraction is man shifted left by lz + 1 (the
//                        leading one leaves the field)
//             zero       {sign, 31'b0}
//             specials   e all ones: inf (man == 0) or NaN (man != 0);
//                        E4M3: only e = 15, man = 111 is special (NaN).
//
// Portability: constant bit- and part-selects stay in continuous
// assignments (Icarus 11 cannot take them inside always_comb); the
// always_comb blocks work on whole vectors. Each always_comb sets its
// defaults and overrides on block-local variables and writes every
// module-level output exactly once, at the end (Icarus 11.0 always_comb
// bug #508; see rtl/lut_fp32_add.sv).
//
// Defines (all off by default):
//   LUT_TC_BUG_FP_SUBNORMAL_IN  injected bug: subnormal inputs of every
//                               format convert as a zero of their sign
// The bug exists for the negative tests only.
module lut_fp_to_f32 (
  input  logic [15:0] lane_i,
  input  logic [3:0]  afmt_i,
  output logic [31:0] f32_o
);

  // afmt codes, as lut_tc_pkg::afmt_e (generated from models/config.py); kept
  // local so the unit stands alone, and held to the model's codes by the tests.
  localparam logic [3:0]  AFmtFp8E4m3 = 4'h2;
  localparam logic [3:0]  AFmtFp16    = 4'h3;
  localparam logic [3:0]  AFmtBf16    = 4'h4;
  localparam logic [3:0]  AFmtFp8E5m2 = 4'h5;
  localparam logic [31:0] QNaN   = 32'h7FC0_0000;  // the canonical NaN result
  localparam logic [7:0]  OffB15 = 8'd112;         // 127 - 15: FP16, E5M2
  localparam logic [7:0]  OffB7  = 8'd120;         // 127 - 7: E4M3
  localparam logic [9:0]  E4m3NanMan = 10'b1110000000;  // S.1111.111, left aligned

  // ------------------------------------------------------------ format decode
  logic is_fp16, is_bf16, is_e4m3, is_e5m2, is_narrow;
  assign is_fp16   = (afmt_i == AFmtFp16);
  assign is_bf16   = (afmt_i == AFmtBf16);
  assign is_e4m3   = (afmt_i == AFmtFp8E4m3);
  assign is_e5m2   = (afmt_i == AFmtFp8E5m2);
  assign is_narrow = is_fp16 || is_e4m3 || is_e5m2;

  // Fields of each format (constant selects, so continuous assignments).
  logic       h_sign, q_sign;  // binary16 / bfloat16 sign, FP8 sign
  logic [4:0] h_exp, e5_exp, e4_exp;
  logic [9:0] h_man, e5_man, e4_man;
  assign h_sign = lane_i[15];
  assign q_sign = lane_i[7];
  assign h_exp  = lane_i[14:10];
  assign h_man  = lane_i[9:0];
  assign e5_exp = lane_i[6:2];
  assign e5_man = {lane_i[1:0], 8'b0};
  assign e4_exp = {1'b0, lane_i[6:3]};
  assign e4_man = {lane_i[2:0], 7'b0};

  logic       n_sign;
  logic [4:0] n_exp;
  logic [9:0] n_man;
  logic [7:0] n_off;

  always_comb begin : p_select
    logic       sign_v;
    logic [4:0] exp_v;
    logic [9:0] man_v;
    logic [7:0] off_v;
    sign_v = h_sign;
    exp_v  = h_exp;
    man_v  = h_man;
    off_v  = OffB15;
    if (is_e5m2) begin
      sign_v = q_sign;
      exp_v  = e5_exp;
      man_v  = e5_man;
    end else if (is_e4m3) begin
      sign_v = q_sign;
      exp_v  = e4_exp;
      man_v  = e4_man;
      off_v  = OffB7;
    end
    n_sign = sign_v;
    n_exp  = exp_v;
    n_man  = man_v;
    n_off  = off_v;
  end

  // ------------------------------------------------------------ narrow classes
  logic n_zero_exp, n_man_zero, n_ones, n_nan, n_inf, n_sub;
  assign n_zero_exp = (n_exp == '0);
  assign n_man_zero = (n_man == '0);
  assign n_ones     = is_e4m3 ? (n_exp == 5'd15) : (n_exp == 5'd31);
  assign n_nan      = is_e4m3 ? (n_ones && (n_man == E4m3NanMan)) : (n_ones && !n_man_zero);
  assign n_inf      = !is_e4m3 && n_ones && n_man_zero;
  assign n_sub      = n_zero_exp && !n_man_zero;

  // Leading zeros of a 10-bit mantissa, 10 for zero.
  function automatic logic [3:0] lzc10(logic [9:0] x);
    logic [3:0] n;
    n = 4'd10;
    for (int i = 0; i < 10; i++) begin
      if (x[i]) begin
        n = 4'(9 - i);
      end
    end
    return n;
  endfunction

  logic [3:0] lz;
  logic [9:0] sub_man;   // the subnormal's fraction, leading one shifted out
  logic [7:0] norm_exp, sub_exp;
  assign lz       = lzc10(n_man);
  assign sub_man  = n_man << (lz + 4'd1);
  assign norm_exp = {3'b0, n_exp} + n_off;
  assign sub_exp  = n_off - {4'b0, lz};

  // ------------------------------------------------------------ bfloat16 classes
  logic b_nan;
  assign b_nan = (lane_i[14:7] == 8'hFF) && (lane_i[6:0] != '0);

  // ------------------------------------------------------------ result
  logic [31:0] bf16_f32, norm_f32, sub_f32, zero_f32, inf_f32;
  assign bf16_f32 = {lane_i, 16'b0};
  assign norm_f32 = {n_sign, norm_exp, n_man, 13'b0};
  assign sub_f32  = {n_sign, sub_exp, sub_man, 13'b0};
  assign zero_f32 = {n_sign, 31'b0};
  assign inf_f32  = {n_sign, 8'hFF, 23'b0};

`ifdef LUT_TC_BUG_FP_SUBNORMAL_IN
  logic        b_sub;
  logic [31:0] bf16_zero;
  assign b_sub     = (lane_i[14:7] == 8'h00) && (lane_i[6:0] != '0);
  assign bf16_zero = {h_sign, 31'b0};
`endif

  always_comb begin : p_result
    logic [31:0] f32_v;
    f32_v = '0;  // integer and reserved formats
    if (is_bf16) begin
      f32_v = bf16_f32;
      if (b_nan) begin
        f32_v = QNaN;
`ifdef LUT_TC_BUG_FP_SUBNORMAL_IN
      end else if (b_sub) begin
        f32_v = bf16_zero;  // injected bug: a subnormal converts as zero
`endif
      end
    end else if (is_narrow) begin
      f32_v = norm_f32;
      if (n_nan) begin
        f32_v = QNaN;
      end else if (n_inf) begin
        f32_v = inf_f32;
      end else if (n_zero_exp && n_man_zero) begin
        f32_v = zero_f32;
      end else if (n_sub) begin
`ifdef LUT_TC_BUG_FP_SUBNORMAL_IN
        f32_v = zero_f32;  // injected bug: a subnormal converts as zero
`else
        f32_v = sub_f32;
`endif
      end
    end
    f32_o = f32_v;
  end

`ifdef LUT_TC_BUG_FP_SUBNORMAL_IN
  // The bug drops the subnormal path; `unused_` keeps Verilator's lint quiet.
  logic unused_sub;
  assign unused_sub = ^sub_f32;
`endif

endmodule : lut_fp_to_f32
