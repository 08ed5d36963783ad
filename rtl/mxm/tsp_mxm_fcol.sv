// One output lane's float dot product through one MXM tile: for k = 0..Dim-1
// in increasing order acc = f32_add(acc, f32(a[k] * w[k])) from acc_i
// (docs/numerics.md §7, tsp_mxm_fp.svh); acc_o = acc_i while en_i is low, so
// no float work is done without a float ABC. tsp_mxm_tile has one per lane.
module tsp_mxm_fcol #(
  parameter int unsigned Dim = tsp_cfg_tsp1_pkg::LanesPerSuperlane
) (
  input  logic              en_i,
  input  logic [Dim*16-1:0] a_i,  // activation k at bits k*16, f16 or bf16
  input  logic              a_bf16_i,
  input  logic [Dim*16-1:0] w_i,  // this lane's weight column, row k at bits k*16
  input  logic              w_bf16_i,
  input  logic [31:0]       acc_i,
  output logic [31:0]       acc_o
);
  // One copy of the code for every lane rather than a flattened one each.
  /* verilator no_inline_module */
  `include "tsp_mxm_fp.svh"

  always_comb begin
    acc_o = acc_i;
    if (en_i) begin
      for (int unsigned k = 0; k < Dim; k++) begin
        acc_o = mxm_fadd(acc_o, mxm_fmul(a_i[k*16+:16], a_bf16_i, w_i[k*16+:16], w_bf16_i));
      end
    end
  end
endmodule
