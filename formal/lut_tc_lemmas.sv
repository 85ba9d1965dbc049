// SPDX-License-Identifier: Apache-2.0
// Datapath lemmas of the LUT Tensor Core's integer path, for every input
// (docs/architecture.md sections 1-3), proven with SymbiYosys: formal/README.md.
//
//   table_subset_sums   lut_table_gen: entry j of a row is the symmetrized
//                       subset sum a3 + sum_{k<3} (2 j_k - 1) a_k, for INT8
//                       and (where built) INT16 activations
//   lookup_masked_sum   lut_unit: one step adds (neg ? -T[sel] : T[sel]) << i
//                       to the accumulator (INT32 wrap), i.e. with the code
//                       {neg, sel} the signed masked sum F[idx] << i
//
// The spec side is plain arithmetic on 32-bit signed integers, not the RTL's
// pair-sum structure. Each block is its own instance here; the covers show
// both signs and the last plane are reached.

module lut_tc_lemmas #(
  parameter  int WBitsMax = 4,
  parameter  int Formats  = lut_tc_pkg::FormatsInt,
  localparam bit Int16    = ((Formats >> lut_tc_pkg::AFmtInt16) & 1) != 0,
  localparam int IntW     = Int16 ? lut_tc_pkg::TableW : lut_tc_pkg::TableW8,
  localparam int PlaneW   = (WBitsMax > 1) ? $clog2(WBitsMax) : 1
) (
  input logic                                                 clk_i,
  input logic [lut_tc_pkg::K*lut_tc_pkg::ActLaneW-1:0]        a_i,
  input logic [lut_tc_pkg::AfmtW-1:0]                         afmt_i,
  input logic [lut_tc_pkg::TableEntries*IntW-1:0]             table_i,
  input logic [lut_tc_pkg::CodeW-1:0]                         code_i,
  input logic [PlaneW-1:0]                                    plane_i,
  input logic                                                 load_i,
  input logic [lut_tc_pkg::AccW-1:0]                          c_i
);
  `include "lut_tc_names.svh"

  // ---------------------------------------------------------------------------
  // Table construction
  // ---------------------------------------------------------------------------
  logic [TableEntries*IntW-1:0] tables;
  lut_table_gen #(
    .M       (1),
    .Formats (Formats)
  ) u_table_gen (
    .a_i      (a_i),
    .afmt_i   (afmt_i),
    .gen_i    (1'b1),
    .tables_o (tables)
  );

  logic int8, int_fmt;
  assign int8    = (afmt_i == AFmtInt8) && ((Formats >> AFmtInt8) & 1) != 0;
  assign int_fmt = int8 || (Int16 && afmt_i == AFmtInt16);

  logic signed [31:0] act [K];
  for (genvar k = 0; k < K; k++) begin : gen_act
    logic [ActLaneW-1:0] lane;
    assign lane   = a_i[k*ActLaneW +: ActLaneW];
    assign act[k] = int8 ? {{24{lane[7]}}, lane[7:0]} : {{16{lane[15]}}, lane};
  end

  logic [TableEntries-1:0] entry_ok;
  for (genvar j = 0; j < TableEntries; j++) begin : gen_entry
    logic signed [31:0] want, got;
    assign want = act[3] + (((j >> 2) & 1) != 0 ? act[2] : -act[2])
                         + (((j >> 1) & 1) != 0 ? act[1] : -act[1])
                         + ((j & 1) != 0 ? act[0] : -act[0]);
    logic [IntW-1:0] entry;
    assign entry       = tables[j*IntW +: IntW];
    assign got         = {{(32 - IntW){entry[IntW-1]}}, entry};
    assign entry_ok[j] = (got == want);
  end

  always @* begin
    if (int_fmt) begin
      table_subset_sums: assert (&entry_ok);
    end
  end

  // ---------------------------------------------------------------------------
  // Lookup: one accumulation step of a LUT unit
  // ---------------------------------------------------------------------------
  logic [AccW-1:0] sum;
  lut_unit #(
    .WBitsMax (WBitsMax),
    .Formats  (Formats)
  ) u_unit (
    .clk_i    (clk_i),
    .table_i  (table_i),
    .code_i   (code_i),
    .plane_i  (plane_i),
    .fp_i     (1'b0),
    .load_i   (load_i),
    .c_i      (c_i),
    .acc_en_i (1'b0),
    .sum_o    (sum)
  );

  // The accumulator is loaded with C in one cycle; the next step's sum is
  // C + (neg ? -T[sel] : T[sel]) * 2^i (mod 2^32).
  logic signed [31:0] t_sel, term;
  logic [IntW-1:0]    raw;
  assign raw   = table_i[code_i[2:0]*IntW +: IntW];
  assign t_sel = {{(32 - IntW){raw[IntW-1]}}, raw};
  assign term  = (code_i[3] ? -t_sel : t_sel) <<< plane_i;

  logic f_past;
  initial f_past = 1'b0;
  always @(posedge clk_i) f_past <= 1'b1;

  always @(posedge clk_i) begin
    if (f_past && $past(load_i)) begin
      lookup_masked_sum: assert (sum == $past(c_i) + term);
    end
  end

`ifdef LUT_TC_FV_COVER
  always @(posedge clk_i) begin
    if (f_past) begin
      cover_negated_last_plane: cover ($past(load_i) && code_i[3] && t_sel != 0
                                       && plane_i == PlaneW'(WBitsMax - 1));
      cover_int16_entry: cover (Int16 && afmt_i == AFmtInt16 && tables[IntW-1]);
    end
  end
`endif

endmodule : lut_tc_lemmas
