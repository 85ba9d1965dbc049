// Symmetrized table generator (docs/architecture.md section 2).
//
// For every activation row m, the four lanes a0..a3 of `a_i` (lane m*K + k)
// become eight signed TableW-bit entries
//
//   T[m][j] = a3 + sum_{k=0..2} (2 j_k - 1) a_k,   j = 0..7
//
// on `tables_o`, entry j of row m at [(m*8 + j)*TableW +: TableW].
// INT8 lanes use bits [7:0] only (sign-extended from bit 7; bits [15:8] are
// ignored); every other format code is read as INT16 (the decoder rejects
// FP8/FP16 before a table is ever written).
//
// Shared partial sums: (a3 +- a2) and (a1 +- a0) are formed once per row, so
// a row costs 4 + 8 adders instead of 24.
//
// Bug injection for the testbench's negative tests (off by default):
//   `LUT_TC_BUG_SWAP_ENTRIES`: entries 1 and 2 of every row are swapped.
module lut_table_gen #(
  parameter int M = 2
) (
  input  logic [M*lut_tc_pkg::K*lut_tc_pkg::ActLaneW-1:0]           a_i,
  input  logic [lut_tc_pkg::AfmtW-1:0]                               afmt_i,
  output logic [M*lut_tc_pkg::TableEntries*lut_tc_pkg::TableW-1:0]  tables_o
);
  import lut_tc_pkg::*;

  localparam int Entries = TableEntries;
  // Bits that the INT8 / INT16 sign extension adds in front of a lane.
  localparam int Ext8W  = TableW - 8;
  localparam int Ext16W = TableW - ActLaneW;

  logic is_int8;
  assign is_int8 = (afmt_i == AFmtInt8);

  for (genvar m = 0; m < M; m++) begin : gen_row
    // Activations of this row, sign-extended to TableW bits.
    logic [K-1:0][TableW-1:0] act;
    for (genvar k = 0; k < K; k++) begin : gen_act
      logic [ActLaneW-1:0] lane;
      assign lane   = a_i[(m*K + k)*ActLaneW +: ActLaneW];
      assign act[k] = is_int8 ? {{Ext8W{lane[7]}}, lane[7:0]}
                              : {{Ext16W{lane[ActLaneW-1]}}, lane};
    end

    // Pair sums: hi[s] = a3 + (2s-1) a2, lo[s] = a1 + (2s-1) a0 (mod 2^TableW;
    // the final entries are in range, see the width note in section 2).
    logic [1:0][TableW-1:0] hi, lo;
    assign hi[0] = act[3] - act[2];
    assign hi[1] = act[3] + act[2];
    assign lo[0] = act[1] - act[0];
    assign lo[1] = act[1] + act[0];

    logic [Entries-1:0][TableW-1:0] entry;
    for (genvar j = 0; j < Entries; j++) begin : gen_entry
      // j = {j2, j1, j0}: +-a2 from j2, then +-a1 +-a0 from (j1, j0):
      //   (1,1): +lo[1]   (1,0): +lo[0]   (0,1): -lo[0]   (0,0): -lo[1]
      localparam bit J2 = ((j >> 2) & 1) == 1;
      localparam bit J1 = ((j >> 1) & 1) == 1;
      localparam bit J0 = (j & 1) == 1;
      if (J1) begin : gen_add
        assign entry[j] = hi[J2] + lo[J0];
      end else begin : gen_sub
        assign entry[j] = hi[J2] - lo[!J0];
      end
    end

    for (genvar j = 0; j < Entries; j++) begin : gen_out
`ifdef LUT_TC_BUG_SWAP_ENTRIES
      // Injected bug: entry 1 <-> entry 2.
      localparam int Src = (j == 1) ? 2 : (j == 2) ? 1 : j;
`else
      localparam int Src = j;
`endif
      assign tables_o[(m*Entries + j)*TableW +: TableW] = entry[Src];
    end
  end

endmodule : lut_table_gen
