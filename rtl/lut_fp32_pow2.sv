// SPDX-License-Identifier: Apache-2.0
//
// Binary32 negate and scale by a power of two, combinational:
// y_o = (neg_i ? -x_i : x_i) * 2^shift_i (docs/architecture.md section 10,
// "Bit-serial weighting": the term of plane shift_i).
//
// Contract (what the model computes with numpy float32 * 2.0**i):
// negation flips the sign bit only; the scaling is exact except where it
// overflows, which gives a signed infinity; a subnormal x scales into the
// normal range correctly (normalized, not just shifted); a zero stays a zero
// of its (possibly flipped) sign; an infinity stays an infinity; every NaN
// gives the canonical quiet NaN 32'h7FC00000.
// Vectors: tb/fpunits.py, harness tb/sv/lut_fp32_pow2_tb.sv.
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
//   normalize lz = leading zeros of sig (0 for a normal, 24 for a zero); the
//             significand moves left by n = min(lz, E - 1), E' = E - n. A
//             hidden bit after the move gives a normal with exponent E'
//             (E' >= 255 overflows to inf); otherwise E' = 1 and the result
//             is subnormal (exponent field 0): only a subnormal whose
//             shift is too small to reach the normal range, or a zero.
//   specials  NaN: 32'h7FC00000; inf: {sign, inf}; chosen last.
//
// Portability: as rtl/lut_fp32_add.sv (constant selects in continuous
// assignments; each always_comb writes its outputs once, at the end: the
// Icarus 11.0 always_comb bug #508).
//
// Defines (all off by default):
//   LUT_TC_BUG_FP_POW2_FTZ  injected bug: a subnormal x scales as a zero
//                           of the result's sign
// The bug exists for the negative tests only.
module lut_fp32_pow2 #(
  parameter int MaxShift = 7,
  localparam int ShiftW = (MaxShift < 2) ? 1 : $clog2(MaxShift + 1)
) (
  input  logic [31:0]       x_i,
  input  logic              neg_i,
  input  logic [ShiftW-1:0] shift_i,
  output logic [31:0]       y_o
);

  localparam int          SigW   = 24;                              // significand with hidden bit
  localparam int          EW     = $clog2(256 + (1 << ShiftW)) + 1;  // E: holds 254 + any code
  localparam logic [7:0]  ExpMax = 8'hFF;
  localparam logic [31:0] QNaN   = 32'h7FC0_0000;

  // ------------------------------------------------------------ unpack
  logic        sign;
  logic [7:0]  exp_f;
  logic [22:0] frac;
  assign sign  = x_i[31] ^ neg_i;
  assign exp_f = x_i[30:23];
  assign frac  = x_i[22:0];

  logic is_nan, is_inf;
  assign is_nan = (exp_f == ExpMax) && (frac != '0);
  assign is_inf = (exp_f == ExpMax) && (frac == '0);

  logic [SigW-1:0] sig;
  logic [EW-1:0]   ee, e_sc;
  assign sig  = {exp_f != '0, frac};
  assign ee   = (exp_f == '0) ? EW'(1) : EW'(exp_f);
  assign e_sc = ee + EW'(shift_i);

  // ------------------------------------------------------------ normalize
  // Leading zeros of a 24-bit significand, 24 for zero.
  function automatic logic [4:0] lzc24(logic [SigW-1:0] v);
    logic [4:0] n;
    n = 5'(SigW);
    for (int i = 0; i < SigW; i++) begin
      if (v[i]) begin
        n = 5'(SigW - 1 - i);
      end
    end
    return n;
  endfunction

  logic [4:0]      lz;
  logic [EW-1:0]   room, n_sh, e_nrm;
  logic [SigW-1:0] sig_nrm;
  assign lz      = lzc24(sig);
  assign room    = e_sc - EW'(1);                      // E - 1 >= 0: e_sc >= 1
  assign n_sh    = (EW'(lz) > room) ? room : EW'(lz);  // stop at exponent 1
  assign sig_nrm = sig << n_sh;
  assign e_nrm   = e_sc - n_sh;

  logic        hidden, overflow;
  logic [7:0]  res_exp;
  logic [22:0] res_frac;
  assign hidden   = sig_nrm[SigW-1];
  assign res_frac = sig_nrm[22:0];
  assign overflow = hidden && (e_nrm >= EW'(ExpMax));
  assign res_exp  = hidden ? e_nrm[7:0] : 8'h00;

  // ------------------------------------------------------------ result
  logic [31:0] fin_f32, inf_f32;
  assign fin_f32 = {sign, res_exp, res_frac};
  assign inf_f32 = {sign, ExpMax, 23'b0};

`ifdef LUT_TC_BUG_FP_POW2_FTZ
  // The finite path already gives zeros and subnormals; the bug singles these out.
  logic        is_sub;
  logic [31:0] zero_f32;
  assign is_sub   = (exp_f == '0) && (frac != '0);
  assign zero_f32 = {sign, 31'b0};
`endif

  always_comb begin : p_result
    logic [31:0] y_v;
    y_v = fin_f32;
    if (is_nan) begin
      y_v = QNaN;
    end else if (is_inf || overflow) begin
      y_v = inf_f32;
`ifdef LUT_TC_BUG_FP_POW2_FTZ
    end else if (is_sub) begin
      y_v = zero_f32;  // injected bug: flush a subnormal input
`endif
    end
    y_o = y_v;
  end

endmodule : lut_fp32_pow2
