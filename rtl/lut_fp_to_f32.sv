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
// Vectors: blocks/ (unit fcvt), harness blocks/sv/fcvt_tb.sv.
//
// Datapath, one pass, no state:
//
//   bfloat16  the top half of a binary32: {lane, 16'b0}, NaN canonical.
//   narrow    FP16, E5M2 and E4M3 share one path: a 5-bit exponent field
//             (E4M3's 4 bits zero-extended) and a 10-bit mantissa, left
//             aligned (E5M2's 2 bits and E4M3's 3 bits padded with zeros),
//             and Off = 127 - bias (112 for bias 15, 120 for bias 7). An
//             FP8 byte moved into the top byte has FP16's layout as E5M2,
//             and as E4M3 once {exp, man} moves right by one.
//             normal     exp = e + Off, frac = {man, 13'b0}
//             subnormal  lz = leading zeros of man (0..9): the value is
//                        1.f * 2^(-bias - lz), so exp = Off - lz and the
//                        fraction is man shifted left by lz + 1 (the
//                        leading one leaves the field). man moves by
//                        halves: 8, 4, 2 and 1 places, each step taken if
//                        the top that many bits are zero, exp counting
//                        down from Off; then one more place.
//             zero       {sign, 31'b0}
//             specials   e all ones: inf (man == 0) or NaN (man != 0);
//                        E4M3: only e = 15, man = 111 is special (NaN).
//
// Simulation cost: as rtl/lut_fp32_add.sv, the datapath is one always_comb
// on block-local variables that reads only the input ports and writes the
// output port once, at the end (the Icarus 11.0 always_comb bug #508), and
// takes no constant bit- or part-selects (Icarus 11 cannot inside
// always_comb): fields are split off by assigning to a concatenation, and
// the bfloat16 classes compare the magnitude against the infinity pattern.
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
  localparam logic [31:0] QNaN        = 32'h7FC0_0000;  // the canonical NaN result
  localparam logic [7:0]  OffB15      = 8'd112;         // 127 - 15: FP16, E5M2
  localparam logic [7:0]  OffB7       = 8'd120;         // 127 - 7: E4M3
  localparam logic [9:0]  E4m3NanMan  = 10'b1110000000; // S.1111.111, left aligned
  localparam logic [15:0] BMagMask    = 16'h7FFF;       // bfloat16: clears the sign
  localparam logic [15:0] BInf        = 16'h7F80;       // bfloat16 |inf|: above it NaN
`ifdef LUT_TC_BUG_FP_SUBNORMAL_IN
  localparam logic [15:0] BMinNormal  = 16'h0080;       // bfloat16: below it zero or subnormal
`endif

  always_comb begin : p_convert
    logic        is_e4m3;
    logic        n_sign;  // the narrow path's fields
    logic [4:0]  n_exp;
    logic [9:0]  n_man;
    logic [7:0]  n_off;
    logic        n_ones, n_nan, n_inf;
    logic [9:0]  res_man;  // fraction of the result
    logic [7:0]  res_exp;  // exponent field of the result
    logic [31:0] f32;

    // ---------------------------------------------------------- narrow fields
    // FP16 as it stands; an FP8 byte moved into the top byte is E5M2 in
    // FP16's layout, and E4M3 once {exp, man} moves right by one (the 4-bit
    // exponent zero-extended, the 3-bit mantissa left aligned).
    is_e4m3                = (afmt_i == AFmtFp8E4m3);
    {n_sign, n_exp, n_man} = lane_i;
    n_off                  = OffB15;
    if (afmt_i == AFmtFp8E5m2) begin
      {n_sign, n_exp, n_man} = lane_i << 8;
    end else if (is_e4m3) begin
      {n_sign, n_exp, n_man} = lane_i << 8;
      {n_exp, n_man}         = {n_exp, n_man} >> 1;
      n_off                  = OffB7;
    end
    n_ones = is_e4m3 ? (n_exp == 5'd15) : (n_exp == 5'd31);
    n_nan  = n_ones && (is_e4m3 ? (n_man == E4m3NanMan) : (n_man != '0));
    n_inf  = n_ones && !is_e4m3 && (n_man == '0);

    // ---------------------------------------------------------- narrow value
    res_man = n_man;
    res_exp = {3'b0, n_exp} + n_off;
    if (n_exp == '0) begin
      // Subnormal: left past the leading zeros by halves, then past the one.
      res_exp = n_off;
      if (res_man < 10'h004) begin
        res_man = res_man << 8;
        res_exp = res_exp - 8'd8;
      end
      if (res_man < 10'h040) begin
        res_man = res_man << 4;
        res_exp = res_exp - 8'd4;
      end
      if (res_man < 10'h100) begin
        res_man = res_man << 2;
        res_exp = res_exp - 8'd2;
      end
      if (res_man < 10'h200) begin
        res_man = res_man << 1;
        res_exp = res_exp - 8'd1;
      end
      res_man = res_man << 1;
    end

    // ---------------------------------------------------------- result
    f32 = '0;  // integer and reserved formats
    if (afmt_i == AFmtBf16) begin
      f32 = {lane_i, 16'b0};
      if ((lane_i & BMagMask) > BInf) begin
        f32 = QNaN;
`ifdef LUT_TC_BUG_FP_SUBNORMAL_IN
      end else if (((lane_i & BMagMask) != '0) && ((lane_i & BMagMask) < BMinNormal)) begin
        f32 = {lane_i & ~BMagMask, 16'b0};  // injected bug: a subnormal converts as zero
`endif
      end
    end else if ((afmt_i == AFmtFp16) || (afmt_i == AFmtFp8E5m2) || is_e4m3) begin
      f32 = {n_sign, res_exp, res_man, 13'b0};
      if (n_nan) begin
        f32 = QNaN;
      end else if (n_inf) begin
        f32 = {n_sign, 8'hFF, 23'b0};
      end else if ((n_exp == '0) && (n_man == '0)) begin
        f32 = {n_sign, 31'b0};
`ifdef LUT_TC_BUG_FP_SUBNORMAL_IN
      end else if (n_exp == '0) begin
        f32 = {n_sign, 31'b0};  // injected bug: a subnormal converts as zero
`endif
      end
    end
    f32_o = f32;
  end

endmodule : lut_fp_to_f32
