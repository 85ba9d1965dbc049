// SPDX-License-Identifier: Apache-2.0
//
// Pure-SystemVerilog vector harness of `lut_fp_to_f32`: no Python in the loop.
//
// tb/fpunits.py writes a vector set (lane, afmt and the model's binary32
// pattern, every NaN as 32'h7FC00000) and this module drives each vector
// into the converter and compares its output bit-exactly (`!==`: an X or Z
// bit is a mismatch too), at simulator speed.
//
// Vector set: a directory given by +dir=<path>, both files read with
// $readmemh, one 32-bit hex word per line:
//
//   meta.hex  [0] magic 32'h46435654 ("FCVT")  [1] format version (1)
//             [2] n, the number of vectors (1..MaxVec)
//   vec.hex   3*n words, three per vector: lane (bits [15:0]), afmt (bits [3:0]),
//             expected binary32; vector 0 first
//
// Plusargs:
//   +dir=<path>         vector directory (required)
//   +max_errors=<n>     mismatches printed (default 10); every one is counted
//
// Output lines parsed by tb/fpunits.py:
//   FCVT_LOADED n=..
//   FCVT_MISMATCH index=.. in0=<lane> in1=<afmt> got=.. expected=..  (the first max_errors)
//   FCVT_RESULT PASS|FAIL n=<vectors> errors=<mismatches>
//   FCVT_ERROR ...                                                    (a bad vector set)
// A failure ends with $fatal (non-zero exit status in both simulators).

// A testbench, not RTL: a delay loop in an initial block is deliberate.
module lut_fp_to_f32_tb #(
  // Capacity in vectors; tb/fpunits.py raises it when a vector set needs it.
  parameter int MaxVec = 1 << 19
);
  localparam logic [31:0] Magic   = 32'h4643_5654;
  localparam logic [31:0] Version = 32'd1;

  logic [31:0] meta [3];
  logic [31:0] vec_mem [3 * MaxVec];

  logic [31:0] in0, in1, f32;

  lut_fp_to_f32 u_dut (
    .lane_i (in0[15:0]),
    .afmt_i (in1[3:0]),
    .f32_o  (f32)
  );

  initial begin : run
    string dir;
    int    max_errors;
    int    n;
    int    errors;
    logic [31:0] expected;

    if (!$value$plusargs("dir=%s", dir)) begin
      $display("FCVT_ERROR no +dir=<vector directory>");
      $fatal(1, "fcvt: no vectors");
    end
    if (!$value$plusargs("max_errors=%d", max_errors)) begin
      max_errors = 10;
    end
    meta[0] = '0;
    meta[1] = '0;
    meta[2] = '0;
    $readmemh({dir, "/meta.hex"}, meta, 0, 2);
    if (meta[0] !== Magic || meta[1] !== Version) begin
      $display("FCVT_ERROR %s/meta.hex: magic %08h version %0d, want %08h version %0d",
               dir, meta[0], meta[1], Magic, Version);
      $fatal(1, "fcvt: not a vector set of this format");
    end
    n = int'(meta[2]);
    if (n < 1 || n > MaxVec) begin
      $display("FCVT_ERROR n=%0d outside [1, %0d]: rebuild with a larger MaxVec", n, MaxVec);
      $fatal(1, "fcvt: vector set too large for the build");
    end
    $readmemh({dir, "/vec.hex"}, vec_mem, 0, 3 * n - 1);
    $display("FCVT_LOADED n=%0d", n);
    $fflush();  // the line times the load when stdout is a pipe

    errors = 0;
    for (int i = 0; i < n; i++) begin
      in0      = vec_mem[3 * i];
      in1      = vec_mem[3 * i + 1];
      expected = vec_mem[3 * i + 2];
      #1;
      if (f32 !== expected) begin
        errors++;
        if (errors <= max_errors) begin
          $display("FCVT_MISMATCH index=%0d in0=%08h in1=%08h got=%08h expected=%08h",
                   i, in0, in1, f32, expected);
        end
      end
    end

    if (errors == 0) begin
      $display("FCVT_RESULT PASS n=%0d errors=0", n);
      $finish;
    end else begin
      $display("FCVT_RESULT FAIL n=%0d errors=%0d", n, errors);
      $fatal(1, "fcvt: %0d mismatch(es) in %0d vectors", errors, n);
    end
  end

endmodule : lut_fp_to_f32_tb
