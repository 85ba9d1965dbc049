// SPDX-License-Identifier: Apache-2.0
//
// Pure-SystemVerilog vector harness of `lut_fp32_add`: no Python in the loop.
//
// tb/fpvec.py writes a vector set (operands and the Berkeley SoftFloat sum,
// every NaN as 32'h7FC00000) and this module drives each pair into the
// adder and compares its sum bit-exactly (`!==`: an X or Z bit is a
// mismatch too), at simulator speed.
//
// Vector set: a directory given by +dir=<path>, both files read with
// $readmemh, one 32-bit hex word per line:
//
//   meta.hex  [0] magic 32'h46414444 ("FADD")  [1] format version (1)
//             [2] n, the number of vectors (1..MaxVec)
//   vec.hex   3*n words: a, b, expected sum of vector 0, then vector 1, ...
//
// Plusargs:
//   +dir=<path>         vector directory (required)
//   +max_errors=<n>     mismatches printed (default 10); every one is counted
//
// Output lines parsed by tb/fpvec.py:
//   FPADD_LOADED n=..
//   FPADD_MISMATCH index=.. a=.. b=.. got=.. expected=..   (the first max_errors)
//   FPADD_RESULT PASS|FAIL n=<vectors> errors=<mismatches>
//   FPADD_ERROR ...                                         (a bad vector set)
// A failure ends with $fatal (non-zero exit status in both simulators).

// A testbench, not RTL: a delay loop in an initial block is deliberate.
module lut_fp32_add_tb #(
  // Capacity in vectors; tb/fpvec.py raises it when a vector set needs it.
  parameter int MaxVec = 1 << 20
);
  localparam logic [31:0] Magic   = 32'h4641_4444;
  localparam logic [31:0] Version = 32'd1;

  logic [31:0] meta [3];
  logic [31:0] vec_mem [3 * MaxVec];

  logic [31:0] a, b, sum;

  lut_fp32_add u_dut (
    .a_i   (a),
    .b_i   (b),
    .sum_o (sum)
  );

  initial begin : run
    string dir;
    int    max_errors;
    int    n;
    int    errors;
    logic [31:0] expected;

    if (!$value$plusargs("dir=%s", dir)) begin
      $display("FPADD_ERROR no +dir=<vector directory>");
      $fatal(1, "fpadd: no vectors");
    end
    if (!$value$plusargs("max_errors=%d", max_errors)) begin
      max_errors = 10;
    end
    meta[0] = '0;
    meta[1] = '0;
    meta[2] = '0;
    $readmemh({dir, "/meta.hex"}, meta, 0, 2);
    if (meta[0] !== Magic || meta[1] !== Version) begin
      $display("FPADD_ERROR %s/meta.hex: magic %08h version %0d, want %08h version %0d",
               dir, meta[0], meta[1], Magic, Version);
      $fatal(1, "fpadd: not a vector set of this format");
    end
    n = int'(meta[2]);
    if (n < 1 || n > MaxVec) begin
      $display("FPADD_ERROR n=%0d outside [1, %0d]: rebuild with a larger MaxVec", n, MaxVec);
      $fatal(1, "fpadd: vector set too large for the build");
    end
    $readmemh({dir, "/vec.hex"}, vec_mem, 0, 3 * n - 1);
    $display("FPADD_LOADED n=%0d", n);
    $fflush();  // the line times the load when stdout is a pipe

    errors = 0;
    for (int i = 0; i < n; i++) begin
      a        = vec_mem[3 * i];
      b        = vec_mem[3 * i + 1];
      expected = vec_mem[3 * i + 2];
      #1;
      if (sum !== expected) begin
        errors++;
        if (errors <= max_errors) begin
          $display("FPADD_MISMATCH index=%0d a=%08h b=%08h got=%08h expected=%08h",
                   i, a, b, sum, expected);
        end
      end
    end

    if (errors == 0) begin
      $display("FPADD_RESULT PASS n=%0d errors=0", n);
      $finish;
    end else begin
      $display("FPADD_RESULT FAIL n=%0d errors=%0d", n, errors);
      $fatal(1, "fpadd: %0d mismatch(es) in %0d vectors", errors, n);
    end
  end

endmodule : lut_fp32_add_tb
