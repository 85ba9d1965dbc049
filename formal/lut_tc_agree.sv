// SPDX-License-Identifier: Apache-2.0
// The integer LMMA of one unit of each core, for every input
// (docs/architecture.md sections 1-3, 11): the set `agree` of `make formal`
// (formal/README.md).
//
// The blocks under proof are the ones the core instantiates, around one
// unit: lut_array at M = 1, N = 1 with the core's unit (on CoreMac with its
// column dequantizer), fed as lut_tensor_core feeds it, by lut_table_gen
// (CoreLutTc) or lut_act_ext (the baselines). Every operand is a free
// constant: the K activation lanes and their format (INT8, or INT16 where
// built), the width b (1..WBitsMax), the K weight codes q_k (bits at and
// above b ignored), C, and the codes of the planes at and above b. Plane i's
// code is {neg, sel} of idx_i = sum_k q_{k,i} 2^k (section 3). The sequence
// is the core's (section 9): the accept cycle loads C (lut_conv: and the
// unit's table), then plane i = 0..b-1 one a cycle, accumulating on every
// plane but the last; the MAC core answers the cycle after accept.
//
//   planes_partial_sum  (bit-serial) during plane i < b - 1 the unit's sum
//   planes_sum          (at the last plane: the LMMA's D) is
//                       C + sum_{i' <= i} 2^i' F[idx_i']  (mod 2^32), with
//                       F[idx] = sum_k (2 idx_k - 1) a_k on lut_conv, and on
//                       lut_tc (neg ? -T[sel] : T[sel]) from the table
//                       lut_table_gen built (= F[idx] by table_subset_sums)
//   mac_dequant         (mac) with a = e_j the sum is C + 2 q_j - (2^b - 1):
//                       the dequantizer gives the unit q'_j
//   mac_product         (mac) the unit alone, for every a and w:
//                       C + sum_k a_k w_k (mod 2^32)
//
// Then every core's D is C + sum_k a_k q'_k (mod 2^32): the step from
// sum_i 2^i F[idx_i] to the products is the ring identity of section 1,
// checked per lane for every INT16 a, every b <= 8 and q < 2^b by
// tests/flow/test_formal_tasks.py. The specification's accumulator adds
// plane by plane, in the order the unit does: a solver proves each step
// alone (the whole sum against the products does not finish in minutes).
// The harness runs one LMMA and then holds: with the prove depth above
// b + 1 the induction step has no run but the one from the start, so the
// proof covers every input.

module lut_tc_agree #(
  parameter  int WBitsMax = 4,
  parameter  int Formats  = lut_tc_pkg::FormatsInt,
  parameter  int Core     = lut_tc_pkg::CoreLutTc,
  localparam bit Int16    = ((Formats >> lut_tc_pkg::AFmtInt16) & 1) != 0,
  localparam int IntW     = Int16 ? lut_tc_pkg::TableW : lut_tc_pkg::TableW8,
  localparam int ActW     = Int16 ? lut_tc_pkg::ActLaneW : 8,
  localparam int PlaneW   = (WBitsMax > 1) ? $clog2(WBitsMax) : 1,
  localparam int RowBits  = (Core == lut_tc_pkg::CoreLutTc)
                          ? lut_tc_pkg::TableEntries * IntW
                          : lut_tc_pkg::K * ActW,
  localparam int CodeBits = ((Core == lut_tc_pkg::CoreMac) ? WBitsMax : 1)
                          * lut_tc_pkg::CodeW
) (
  input logic clk_i
);
  `include "lut_tc_names.svh"

  // ---------------------------------------------------------------------------
  // The operands: free, constant over the run
  // ---------------------------------------------------------------------------
  (* anyconst *) logic [K*ActLaneW-1:0]  a_lanes;
  (* anyconst *) logic [AfmtW-1:0]       afmt;
  (* anyconst *) logic [WbitsW-1:0]      b;
  (* anyconst *) logic [K*WBitsMax-1:0]  q;
  (* anyconst *) logic [AccW-1:0]        c;
  (* anyconst *) logic [WBitsMax*CodeW-1:0] junk;  // codes of the planes >= b

  always @* begin
    assume (afmt == AFmtInt8 || (Int16 && afmt == AFmtInt16));
    assume (b >= WbitsW'(1) && b <= WbitsW'(WBitsMax));
`ifdef LUT_TC_FV_AGREE_B
    assume (b == WbitsW'(`LUT_TC_FV_AGREE_B));
`endif
  end

  logic int8;
  assign int8 = (afmt == AFmtInt8);

  // ---------------------------------------------------------------------------
  // The sequence: t = 0 accept (load), t = i + 1 plane i, then hold
  // ---------------------------------------------------------------------------
  logic [WbitsW-1:0] t;
  initial t = '0;
  always @(posedge clk_i) begin
    if (t <= b) t <= t + WbitsW'(1);
  end

  logic              load, running, last;
  logic [PlaneW-1:0] plane;
  assign load    = (t == '0);
  assign running = (t != '0) && (t <= ((Core == CoreMac) ? WbitsW'(1) : b));
  assign plane   = PlaneW'(t - WbitsW'(1));
  assign last    = running && (Core == CoreMac || t == b);

  // Plane i's code of column 0 (section 3), or junk at and above b.
  logic [WBitsMax*CodeW-1:0] codes;
  for (genvar i = 0; i < WBitsMax; i++) begin : gen_code
    logic [K-1:0] idx;
    for (genvar k = 0; k < K; k++) begin : gen_bit
      assign idx[k] = q[k*WBitsMax + i];
    end
    assign codes[i*CodeW +: CodeW] = (WbitsW'(i) >= b) ? junk[i*CodeW +: CodeW]
                                   : idx[3] ? {1'b0, idx[2:0]} : {1'b1, ~idx[2:0]};
  end

  // ---------------------------------------------------------------------------
  // The blocks: the table generator or the activation latch, the array (1 x 1)
  // ---------------------------------------------------------------------------
  logic [RowBits-1:0]  row;
  logic [CodeBits-1:0] arr_codes;
  if (Core == CoreLutTc) begin : gen_tc
    lut_table_gen #(
      .M       (1),
      .Formats (Formats)
    ) u_table_gen (
      .a_i      (a_lanes),
      .afmt_i   (afmt),
      .gen_i    (1'b1),
      .tables_o (row)
    );
    assign arr_codes = codes[plane*CodeW +: CodeW];
  end else begin : gen_base
    lut_act_ext #(
      .M       (1),
      .Formats (Formats)
    ) u_act_ext (
      .a_i    (a_lanes),
      .afmt_i (afmt),
      .acts_o (row)
    );
    if (Core == CoreMac) begin : gen_mac
      assign arr_codes = codes;
    end else begin : gen_conv
      assign arr_codes = codes[plane*CodeW +: CodeW];
    end
  end

  logic [AccW-1:0] sum;
  lut_array #(
    .M        (1),
    .N        (1),
    .WBitsMax (WBitsMax),
    .Formats  (Formats),
    .Core     (Core)
  ) u_array (
    .clk_i    (clk_i),
    .tables_i (row),
    .codes_i  (arr_codes),
    .plane_i  (plane),
    .wbits_i  (b),
    .fp_i     (1'b0),
    .afmt_i   (afmt),
    .load_i   (load),
    .c_i      (c),
    .acc_en_i (running && !last),
    .sum_o    (sum)
  );

  // ---------------------------------------------------------------------------
  // The specification
  // ---------------------------------------------------------------------------
  // The activations as signed 32-bit integers, by format.
  logic signed [AccW-1:0] act [K];
  for (genvar k = 0; k < K; k++) begin : gen_act
    logic signed [7:0]          a8;
    logic signed [ActLaneW-1:0] a16;
    assign a8     = a_lanes[k*ActLaneW +: 8];
    assign a16    = a_lanes[k*ActLaneW +: ActLaneW];
    assign act[k] = int8 ? AccW'(a8) : AccW'(a16);
  end

  if (Core != CoreMac) begin : gen_serial_spec
    // The code on the array's input stands for idx = {~neg, sel ^ {3{neg}}}
    // (section 3), F[idx] = sum_k (2 idx_k - 1) a_k; the specification's
    // accumulator starts at C and adds F[idx] * 2^i for plane i, in 32 bits.
    logic [CodeW-1:0] code;
    logic [K-1:0]     idx;
    assign code = arr_codes[CodeW-1:0];
    assign idx  = {!code[CodeW-1], code[CodeW-2:0] ^ {(CodeW-1){code[CodeW-1]}}};

    // lut_tc: the entry the code selects in the table lut_table_gen built
    // (table_subset_sums: T[j] = F[8 | j]), negated by neg; lut_conv: F[idx]
    // of the activations itself (its table is the unit's own).
    logic signed [AccW-1:0] f, term, acc;
    if (Core == CoreLutTc) begin : gen_tc_term
      logic [IntW-1:0]        raw;
      logic signed [AccW-1:0] t_sel;
      assign raw   = row[code[CodeW-2:0]*IntW +: IntW];
      assign t_sel = AccW'($signed(raw));
      assign f     = code[CodeW-1] ? -t_sel : t_sel;
    end else begin : gen_conv_term
      // F[idx(c)] for each of the 16 codes c, then the one presented.
      logic signed [AccW-1:0] fc [1 << CodeW];
      for (genvar cc = 0; cc < (1 << CodeW); cc++) begin : gen_fc
        localparam bit Neg = ((cc >> 3) & 1) == 1;
        localparam int Idx = (Neg ? 0 : 8) | ((cc & 7) ^ (Neg ? 7 : 0));
        assign fc[cc] = (((Idx >> 3) & 1) == 1 ? act[3] : -act[3])
                      + (((Idx >> 2) & 1) == 1 ? act[2] : -act[2])
                      + (((Idx >> 1) & 1) == 1 ? act[1] : -act[1])
                      + ((Idx & 1) == 1 ? act[0] : -act[0]);
      end
      assign f = fc[code];
    end
    assign term = f <<< plane;
    always @(posedge clk_i) begin
      if (load) begin
        acc <= c;
      end else if (running && !last) begin
        acc <= acc + term;
      end
    end

    always @(posedge clk_i) begin
      if (running) begin
        if (last) begin
          planes_sum: assert (sum == acc + term);
        end else begin
          planes_partial_sum: assert (sum == acc + term);
        end
      end
    end
  end else begin : gen_mac_spec
    // The dequantizer, seen through the unit: with a = e_j (a_j = 1, the other
    // lanes 0) the sum is C + q'_j, q'_j = 2 q_j - (2^b - 1).
    (* anyconst *) logic [1:0] j;
    for (genvar k = 0; k < K; k++) begin : gen_unit_lane
      always @* begin
        assume (a_lanes[k*ActLaneW +: ActLaneW] == ((j == k) ? ActLaneW'(1) : ActLaneW'(0)));
      end
    end
    localparam int QW = WBitsMax + 2;
    logic [WBitsMax-1:0]  mask, qj;
    logic signed [QW-1:0] qp;
    assign mask = WBitsMax'((1 << b) - 1);
    assign qj   = q[j*WBitsMax +: WBitsMax] & mask;
    assign qp   = $signed({1'b0, qj, 1'b0}) - $signed({2'b00, mask});

    always @(posedge clk_i) begin
      if (last) begin
        mac_dequant: assert (sum == c + AccW'(qp));
      end
    end
  end

  // The MAC unit alone, for every activation and every weight of the
  // dequantizer's range: C + sum_k a_k w_k (mod 2^32).
  localparam int WW = WBitsMax + 2;
  (* anyconst *) logic [K*ActW-1:0] ua;
  (* anyconst *) logic [K*WW-1:0]   uw;
  logic [AccW-1:0]      usum;
  logic [K*FpW-1:0]     uf32;
  logic [K-1:0]         uneg;
  logic [K*WBitsMax-1:0] umag;
  assign uf32 = '0;
  assign uneg = '0;
  assign umag = '0;
  if (Core == CoreMac) begin : gen_mac_unit
    mac_unit #(
      .WBitsMax (WBitsMax),
      .Formats  (Formats)
    ) u_mac (
      .clk_i  (clk_i),
      .acts_i (ua),
      .w_i    (uw),
      .f_i    (uf32),
      .wneg_i (uneg),
      .wmag_i (umag),
      .fp_i   (1'b0),
      .load_i (load),
      .c_i    (c),
      .sum_o  (usum)
    );
    logic signed [AccW-1:0] uprod [K];
    for (genvar k = 0; k < K; k++) begin : gen_uprod
      logic signed [ActW-1:0]    a;
      logic signed [WW-1:0]      w;
      logic signed [ActW+WW-1:0] p;
      assign a        = ua[k*ActW +: ActW];
      assign w        = uw[k*WW +: WW];
      assign p        = a * w;
      assign uprod[k] = AccW'(p);
    end
    always @(posedge clk_i) begin
      if (last) begin
        mac_product: assert (usum == c + uprod[0] + uprod[1] + uprod[2] + uprod[3]);
      end
    end
  end else begin : gen_no_mac_unit
    assign usum = '0;
  end


endmodule : lut_tc_agree
