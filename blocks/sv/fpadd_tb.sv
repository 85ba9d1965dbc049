// SPDX-License-Identifier: Apache-2.0
//
// Vector harness of `lut_fp32_add` (vector files, plusargs and output lines
// in fp_block_check.sv): input 0 is a, input 1 is b, the sum is checked.
module fpadd_tb #(
  // Capacity in vectors: one build takes the corners and 10^6 random pairs.
  parameter int MaxVec = 1 << 20
);
  logic [31:0] a, b, sum;

  lut_fp32_add u_dut (.a_i(a), .b_i(b), .sum_o(sum));

  fp_block_check #(.MaxVec(MaxVec), .Magic(32'h4641_4444), .Prefix("FPADD"), .In0("a"), .In1("b"))
    u_check (.in0_o(a), .in1_o(b), .out_i(sum));
endmodule : fpadd_tb
