// One unit of the MAC baseline core (mac): K signed multipliers, their sum
// and the INT32 accumulator, one whole LMMA per cycle.
//
//   sum_o = acc_q + sum_k a_k * w_k       (mod 2^AccW)
//
// with w_k the dequantized weights of this unit's column (mac_array) and a_k
// the activations of its row. D is the LUT Tensor Core's, exactly: the same
// integers, summed mod 2^32.
//
//   load_i    acc_q <= c_i          (an LMMA is accepted)
module mac_unit #(
  parameter  int WW   = 6,   // width of one signed dequantized weight
  parameter  int ActW = 16   // width of one signed activation
) (
  input  logic                                          clk_i,
  input  logic [lut_tc_pkg::K*ActW-1:0]                 acts_i,  // a0..a3, signed
  input  logic [lut_tc_pkg::K*WW-1:0]                   w_i,     // w0..w3, signed
  input  logic                                          load_i,
  input  logic [lut_tc_pkg::AccW-1:0]                   c_i,
  output logic [lut_tc_pkg::AccW-1:0]                   sum_o
);
  `include "lut_tc_names.svh"

  localparam int ProdW = ActW + WW;

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

  logic [AccW-1:0] acc_q;
  assign sum_o = acc_q + prod[0] + prod[1] + prod[2] + prod[3];

  always_ff @(posedge clk_i) begin
    if (load_i) begin
      acc_q <= c_i;
    end
  end

endmodule : mac_unit
