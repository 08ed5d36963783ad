// One output lane's float dot product through one MXM tile, registered: on a
// clock edge with en_i high, acc_o takes acc_i + the products of this tile,
// for k = 0..Dim-1 in increasing order acc = f32_add(acc, f32(a[k] * w[k]))
// (docs/numerics.md §7, tsp_mxm_fp.svh); otherwise acc_o holds. tsp_mxm_tile
// has one per lane. The datapath feeds only this register, so a simulator
// evaluates it once per float ABC, at the edge that samples it.
module tsp_mxm_fcol #(
  parameter int unsigned Dim = tsp_cfg_tsp1_pkg::LanesPerSuperlane
) (
  input  logic              clk_i,
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

  function automatic logic [31:0] fdot(logic [31:0] acc, logic [Dim*16-1:0] a, logic a_bf16, logic [Dim*16-1:0] w,
                                       logic w_bf16);
    fdot = acc;
    for (int unsigned k = 0; k < Dim; k++) begin
      fdot = mxm_fadd(fdot, mxm_fmul(a[k*16+:16], a_bf16, w[k*16+:16], w_bf16));
    end
  endfunction

  always_ff @(posedge clk_i) begin
    if (en_i) acc_o <= fdot(acc_i, a_i, a_bf16_i, w_i, w_bf16_i);
  end
endmodule
