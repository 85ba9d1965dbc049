// SPDX-License-Identifier: Apache-2.0
// One unit of the conventional LUT core (lut_conv): its own table generator,
// a 16-entry table register, a 16:1 lookup, shift and INT32 accumulate.
//
// This is the design the LUT Tensor Core improves on (UNPU-style): the table
// is not symmetrized, not shared and not precomputed once. When an LMMA is
// accepted (load_i) every unit builds the 16 signed sums of its row's four
// activations and stores them; the bit-serial planes then look up
//
//   term = T16[code] << plane_i,   T16[code] = sum_k (2 idx_k - 1) a_k
//
// where idx is the raw 4-bit plane index the code stands for (the
// instruction set's weight codes carry the offline inversion of the LUT
// Tensor Core: idx = {~code[3], code[2:0] ^ {3{code[3]}}}). Storing the 16
// sums in code order makes that mapping free: the generator only wires each
// sum to a different register. D is the LUT Tensor Core's, exactly.
//
//   load_i    table <= sums of acts_i; acc_q <= c_i
//   acc_en_i  acc_q <= sum_o        (a plane other than the last one)
//
// Bug injection for the testbench's negative tests (off by default), with
// the LUT Tensor Core's meaning:
//   `LUT_TC_BUG_NO_NEGATE`: the neg bit of the code is read as 0.
//   `LUT_TC_BUG_SWAP_ENTRIES`: codes with sel 1 and sel 2 swap entries.
module lut_conv_unit #(
  parameter  int WBitsMax = 4,
  parameter  int Formats  = lut_tc_pkg::FormatsInt,  // integer formats only
  // Derived, do not override: width of the bit-plane number; of one stored
  // activation and one table entry (narrower without INT16). The 16 sums are
  // not symmetrized: with four INT8 activations of -128 the all-negated entry
  // is +512, one bit more than the LUT Tensor Core's 8 entries need (TableW8).
  localparam int PlaneW   = (WBitsMax > 1) ? $clog2(WBitsMax) : 1,
  localparam bit Int16    = ((Formats >> lut_tc_pkg::AFmtInt16) & 1) != 0,
  localparam int ActW     = Int16 ? lut_tc_pkg::ActLaneW : 8,
  localparam int IntW     = Int16 ? lut_tc_pkg::TableW : lut_tc_pkg::TableW8 + 1
) (
  input  logic                                          clk_i,
  input  logic [lut_tc_pkg::K*ActW-1:0]                 acts_i,  // a0..a3, signed
  input  logic [lut_tc_pkg::CodeW-1:0]                  code_i,
  input  logic [PlaneW-1:0]                             plane_i,
  input  logic                                          load_i,
  input  logic [lut_tc_pkg::AccW-1:0]                   c_i,
  input  logic                                          acc_en_i,
  output logic [lut_tc_pkg::AccW-1:0]                   sum_o
);
  `include "lut_tc_names.svh"

  localparam int Entries = 1 << CodeW;  // 16: one per raw index

  // Activations sign-extended to IntW bits, and their negations.
  logic [IntW-1:0] pos [K];
  logic [IntW-1:0] neg [K];
  for (genvar k = 0; k < K; k++) begin : gen_act
    assign pos[k] = IntW'($signed(acts_i[k*ActW +: ActW]));
    assign neg[k] = -pos[k];
  end

  // The generator: entry c = sum over k of +-a_k, the signs being the raw
  // index bits of code c.
  logic [IntW-1:0] gen [Entries];
  for (genvar c = 0; c < Entries; c++) begin : gen_entry
    localparam int Inv = ((c >> 3) & 1) == 1 ? 7 : 0;
    localparam int Idx = ((((c >> 3) & 1) == 1) ? 0 : 8) | ((c & 7) ^ Inv);
    assign gen[c] = (((Idx >> 3) & 1) == 1 ? pos[3] : neg[3])
                  + (((Idx >> 2) & 1) == 1 ? pos[2] : neg[2])
                  + (((Idx >> 1) & 1) == 1 ? pos[1] : neg[1])
                  + ((Idx & 1) == 1 ? pos[0] : neg[0]);
  end

  logic [IntW-1:0] table_q [Entries];
  int ce;  // declared here: a loop's own index is a `$ivl_for_loop` scope in Icarus waves
  always_ff @(posedge clk_i) begin
    if (load_i) begin
      for (ce = 0; ce < Entries; ce++) begin
        table_q[ce] <= gen[ce];
      end
    end
  end

  // The code as looked up.
  logic [CodeW-1:0] code;
`ifdef LUT_TC_BUG_NO_NEGATE
  logic unused_neg;
  assign unused_neg = code_i[CodeW-1];
  assign code[CodeW-1] = 1'b0;
`else
  assign code[CodeW-1] = code_i[CodeW-1];
`endif
`ifdef LUT_TC_BUG_SWAP_ENTRIES
  assign code[CodeW-2:0] = (code_i[CodeW-2:0] == 3'd1) ? 3'd2
                         : (code_i[CodeW-2:0] == 3'd2) ? 3'd1 : code_i[CodeW-2:0];
`else
  assign code[CodeW-2:0] = code_i[CodeW-2:0];
`endif

  logic [IntW-1:0]   entry;
  logic [AccW-1:0]   term, acc_d, acc_q;
  assign entry = table_q[code];
  assign term  = AccW'($signed(entry)) << plane_i;
  assign sum_o = acc_q + term;
  assign acc_d = load_i ? c_i : sum_o;

  always_ff @(posedge clk_i) begin
    if (load_i || acc_en_i) begin
      acc_q <= acc_d;
    end
  end

endmodule : lut_conv_unit
