// SPDX-License-Identifier: Apache-2.0
// Assertion macros of the LUT Tensor Core.
//
// Every macro expands to nothing unless `LUT_TC_ASSERTIONS` is defined, so
// synthesis and simulators without assertion support see plain RTL. Each
// assertion carries a message saying what went wrong.
//
//   `LUT_TC_ASSERT(name, cond, msg)        cond holds at every rising clk_i edge
//                                          while rst_ni is high
//   `LUT_TC_ASSERT_KNOWN(name, sig, msg)   sig has no X/Z bit at those edges
//   `LUT_TC_ASSERT_INIT(name, cond, msg)   cond holds at time zero (parameter
//                                          ranges)
//
// The clocked macros use the module's `clk_i` / `rst_ni` by convention.
//
// They are written as `if (!(cond)) $fatal(...)` inside an always block, not
// as `assert (cond)`: Verilator drops immediate `assert` statements unless it
// is run with `--assert`, and the shared build helper does not pass it, so the
// plain `if` is the only form that both Icarus 11 and Verilator 5 check.
// Icarus 11 has no concurrent (SVA) assertions, hence no `property`.
//
// A failure stops the simulation with `$fatal` (a cocotb test then fails in
// both simulators); define `LUT_TC_ASSERT_NONFATAL` to report with `$error`
// and keep running instead.
//
// Under `FORMAL` (Yosys `read -formal`, SymbiYosys: formal/README.md) the
// clocked checks become immediate `assert`s, proven for every input rather
// than simulated; the time-zero checks become `initial` asserts on the
// parameters; the X/Z checks expand to nothing, since the formal model is
// two-valued (they stay with simulation). Without `FORMAL` nothing changes.
//
// Include it with an outer guard, so a compile that lists this file first
// needs no include path:
//
//   `ifndef LUT_TC_ASSERT_SVH
//   `include "lut_tc_assert.svh"
//   `endif

`ifndef LUT_TC_ASSERT_SVH
`define LUT_TC_ASSERT_SVH

`ifdef LUT_TC_ASSERT_NONFATAL
`define LUT_TC_ASSERT_FAIL(msg) $error("[%m] assertion failed: %s", msg)
`else
`define LUT_TC_ASSERT_FAIL(msg) $fatal(1, "[%m] assertion failed: %s", msg)
`endif

`ifdef LUT_TC_ASSERTIONS
`ifdef FORMAL

// A proof obligation at every step where the reset is released, labelled
// with the check's name (SymbiYosys reports it by that name).
`define LUT_TC_ASSERT(name, cond, msg)  \
  always @* begin                       \
    if (rst_ni) name: assert (cond);    \
  end

`define LUT_TC_ASSERT_KNOWN(name, sig, msg)

`define LUT_TC_ASSERT_INIT(name, cond, msg) \
  initial begin                             \
    name: assert (cond);                    \
  end

`else

// The reset is sampled as an asynchronous input (like every flop of the
// design), which keeps Verilator's SYNCASYNCNET lint quiet.
`define LUT_TC_ASSERT(name, cond, msg)              \
  always @(posedge clk_i or negedge rst_ni) begin : name \
    if (rst_ni && !(cond)) begin                    \
      `LUT_TC_ASSERT_FAIL(msg);                     \
    end                                             \
  end

`define LUT_TC_ASSERT_KNOWN(name, sig, msg) \
  `LUT_TC_ASSERT(name, !$isunknown(sig), msg)

`define LUT_TC_ASSERT_INIT(name, cond, msg) \
  initial begin : name                      \
    if (!(cond)) begin                      \
      `LUT_TC_ASSERT_FAIL(msg);             \
    end                                     \
  end

`endif  // FORMAL
`else

`define LUT_TC_ASSERT(name, cond, msg)
`define LUT_TC_ASSERT_KNOWN(name, sig, msg)
`define LUT_TC_ASSERT_INIT(name, cond, msg)

`endif

`endif  // LUT_TC_ASSERT_SVH
