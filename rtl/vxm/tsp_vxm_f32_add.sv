// One f32 ADD (Sub = 0) or SUB (Sub = 1) of docs/numerics.md §3, as a module so
// the transcendental datapaths are netlists of small adders and multipliers.
module tsp_vxm_f32_add
#(
  parameter bit Sub = 1'b0
) (
  input  logic [31:0] a_i,
  input  logic [31:0] b_i,
  output logic [31:0] y_o
);
  // Shared code for every instance rather than one flattened copy each.
  /* verilator no_inline_module */
  `include "tsp_vxm_fp.svh"
  `include "tsp_vxm_tr.svh"
  assign y_o = f32_add(a_i, Sub ? b_i ^ 32'h8000_0000 : b_i);
endmodule
