// One f32 MUL of docs/numerics.md §3 (see tsp_vxm_f32_add).
module tsp_vxm_f32_mul
(
  input  logic [31:0] a_i,
  input  logic [31:0] b_i,
  output logic [31:0] y_o
);
  /* verilator no_inline_module */
  `include "tsp_vxm_fp.svh"
  `include "tsp_vxm_tr.svh"
  assign y_o = f32_mul(a_i, b_i);
endmodule
