// SPDX-License-Identifier: Apache-2.0
// One unit of the MAC baseline core (mac): K multipliers, their sum and the
// accumulator, one whole LMMA per cycle.
//
// Integer formats (INT32 accumulator):
//
//   sum_o = acc_q + sum_k a_k * w_k       (mod 2^AccW)
//
// with w_k the dequantized weights of this unit's column (lut_array) and a_k
// the activations of its row. D is the LUT Tensor Core's, exactly: the same
// integers, summed mod 2^32.
//
// Floating point (built when Formats has an FP format; docs/architecture.md
// section 11), with fp_i set: f_k are the row's activations converted to
// binary32, p_k = f_k * w_k exactly (mac_fp_mul: exact or a signed
// infinity), and
//
//   sum_o = RNE(acc_q + RNE(RNE(p_0 + p_1) + RNE(p_2 + p_3)))
//
// with four binary32 adders (lut_fp32_add): a pairwise tree, then C. The FP
// operands are held at zero while fp_i is low (operand isolation). An
// instance without an integer format has no integer multipliers, one
// without an FP format no FP datapath.
//
// FpAcc 1 or 2 (the binary16 MAC, section 11): f_i carries the activations
// in binary16, the products are rounded once to binary16
// (p_k = RNE16(f_k * w_k), mac_fp_mul at ExpW = 5, FracW = 10), the four
// adders are binary16 ones, all flush-to-zero for FpAcc 2; C is bits [15:0]
// of acc_q and the FP sum_o is {16'b0, D}.
//
//   load_i    acc_q <= c_i          (an LMMA is accepted)
module mac_unit #(
  parameter  int WBitsMax = 4,
  parameter  int Formats  = lut_tc_pkg::FormatsInt,  // bit k: afmt k is built
  parameter  int FpAcc    = 0,  // FP datapath: 0 binary32, 1 binary16, 2 binary16 FTZ
  // Derived, do not override: one signed dequantized weight; one FP value; an
  // FP or an integer format is built; one stored activation; significant bits
  // of a converted FP activation (the widest FP format built).
  localparam int WW       = WBitsMax + 2,
  localparam int FpValW   = (FpAcc != 0) ? 16 : lut_tc_pkg::FpW,
  localparam bit HasFp    = (Formats & (lut_tc_pkg::FormatsAll & ~lut_tc_pkg::FormatsInt)) != 0,
  localparam bit HasInt   = (Formats & lut_tc_pkg::FormatsInt) != 0,
  localparam bit Wide     = ((Formats >> lut_tc_pkg::AFmtInt16) & 1) != 0
                         || ((Formats >> lut_tc_pkg::AFmtFp16) & 1) != 0
                         || ((Formats >> lut_tc_pkg::AFmtBf16) & 1) != 0,
  localparam int ActW     = Wide ? lut_tc_pkg::ActLaneW : 8,
  localparam int SigW     = ((Formats >> lut_tc_pkg::AFmtFp16) & 1) != 0 ? 11
                          : ((Formats >> lut_tc_pkg::AFmtBf16) & 1) != 0 ? 8
                          : ((Formats >> lut_tc_pkg::AFmtFp8E4m3) & 1) != 0 ? 4 : 3
) (
  input  logic                                          clk_i,
  input  logic [lut_tc_pkg::K*ActW-1:0]                 acts_i,  // a0..a3, signed
  input  logic [lut_tc_pkg::K*WW-1:0]                   w_i,     // w0..w3, signed
  input  logic [lut_tc_pkg::K*FpValW-1:0]               f_i,     // a0..a3 in binary32 (16)
  input  logic [lut_tc_pkg::K-1:0]                      wneg_i,  // w_k < 0
  input  logic [lut_tc_pkg::K*WBitsMax-1:0]             wmag_i,  // |w_k|
  input  logic                                          fp_i,    // an FP LMMA
  input  logic                                          load_i,
  input  logic [lut_tc_pkg::AccW-1:0]                   c_i,
  output logic [lut_tc_pkg::AccW-1:0]                   sum_o
);
  `include "lut_tc_names.svh"

  localparam int ProdW = ActW + WW;

  logic [AccW-1:0] acc_q;
  logic [AccW-1:0] sum_int, sum_fp;

  if (HasInt) begin : gen_int
    logic [AccW-1:0] prod [K];
    for (genvar k = 0; k < K; k++) begin : gen_mul
      logic signed [ActW-1:0]     a;
      logic signed [WW-1:0]       w;
      logic signed [ProdW-1:0]    p;
      assign a       = acts_i[k*ActW +: ActW];
      assign w       = w_i[k*WW +: WW];
      assign p       = a * w;
      assign prod[k] = AccW'(p);
    end
    assign sum_int = acc_q + prod[0] + prod[1] + prod[2] + prod[3];
  end else begin : gen_no_int
    logic unused_int;  // FP formats only: the integer operands are not read
    assign unused_int = ^{acts_i, w_i};
    assign sum_int    = '0;
  end

  if (HasFp) begin : gen_fp
    localparam int ExpW  = (FpAcc != 0) ? 5 : 8;
    localparam int FracW = (FpAcc != 0) ? 10 : 23;
    localparam bit Ftz   = (FpAcc == 2);
    logic [FpValW-1:0] p [K];
    logic [FpValW-1:0] s01, s23, s, facc, d;
    for (genvar k = 0; k < K; k++) begin : gen_mul
      mac_fp_mul #(
        .SigW  (SigW),
        .MagW  (WBitsMax),
        .ExpW  (ExpW),
        .FracW (FracW),
        .Ftz   (Ftz)
      ) u_mul (
        .x_i   (fp_i ? f_i[k*FpValW +: FpValW] : '0),
        .neg_i (wneg_i[k]),
        .mag_i (wmag_i[k*WBitsMax +: WBitsMax]),
        .y_o   (p[k])
      );
    end
    assign facc = fp_i ? acc_q[FpValW-1:0] : '0;
    lut_fp32_add #(.ExpW(ExpW), .FracW(FracW), .Ftz(Ftz))
      u_add01 (.a_i (p[0]), .b_i (p[1]), .sum_o (s01));
    lut_fp32_add #(.ExpW(ExpW), .FracW(FracW), .Ftz(Ftz))
      u_add23 (.a_i (p[2]), .b_i (p[3]), .sum_o (s23));
    lut_fp32_add #(.ExpW(ExpW), .FracW(FracW), .Ftz(Ftz))
      u_add   (.a_i (s01),  .b_i (s23),  .sum_o (s));
    lut_fp32_add #(.ExpW(ExpW), .FracW(FracW), .Ftz(Ftz))
      u_addc  (.a_i (facc), .b_i (s),    .sum_o (d));
    assign sum_fp = AccW'(d);  // binary16: D's upper half zero
    if (FpValW < AccW) begin : gen_c_low
      logic unused_c_hi;  // binary16: C's upper half is ignored
      assign unused_c_hi = ^acc_q[AccW-1:FpValW];
    end
  end else begin : gen_no_fp
    logic unused_fp;  // no FP datapath: the decoder never starts an FP LMMA
    assign unused_fp = ^{f_i, wneg_i, wmag_i, fp_i};
    assign sum_fp    = '0;
  end

  if (HasFp && HasInt) begin : gen_sel
    assign sum_o = fp_i ? sum_fp : sum_int;
  end else if (HasFp) begin : gen_fp_only
    logic unused_sum;  // the integer path is absent (constant zero)
    assign unused_sum = ^sum_int;
    assign sum_o      = sum_fp;
  end else begin : gen_int_only
    logic unused_sum;  // the FP path is absent (constant zero)
    assign unused_sum = ^sum_fp;
    assign sum_o      = sum_int;
  end

  always_ff @(posedge clk_i) begin
    if (load_i) begin
      acc_q <= c_i;
    end
  end

endmodule : mac_unit
