// EXP.f32 (docs/numerics.md §6.1) as a combinational netlist of f32 ops, in
// the order the spec writes them. x_i is flushed and not a NaN.
module tsp_vxm_exp
(
  input  logic [31:0] x_i,
  output logic [31:0] y_o
);
  /* verilator no_inline_module */
  `include "tsp_vxm_fp.svh"
  `include "tsp_vxm_tr.svh"
  logic [31:0] xl, j, nf, m_hi, r_hi, m_lo, r, rr, pr, pr_r, y;
  logic [6*32-1:0] p;   // p[i] at bits i*32: p[5] = P0, Horner towards p[0]
  logic [5*32-1:0] pm;  // p * r

  tsp_vxm_f32_mul u_xl (.a_i(x_i), .b_i(Log2e), .y_o(xl));
  tsp_vxm_f32_add u_j (.a_i(xl), .b_i(Shifter), .y_o(j));
  tsp_vxm_f32_add #(.Sub(1'b1)) u_nf (.a_i(j), .b_i(Shifter), .y_o(nf));
  tsp_vxm_f32_mul u_mhi (.a_i(nf), .b_i(Ln2Hi), .y_o(m_hi));
  tsp_vxm_f32_add #(.Sub(1'b1)) u_rhi (.a_i(x_i), .b_i(m_hi), .y_o(r_hi));
  tsp_vxm_f32_mul u_mlo (.a_i(nf), .b_i(Ln2Lo), .y_o(m_lo));
  tsp_vxm_f32_add #(.Sub(1'b1)) u_r (.a_i(r_hi), .b_i(m_lo), .y_o(r));

  assign p[5*32+:32] = ExpPoly[5*32+:32];
  for (genvar i = 4; i >= 0; i--) begin : g_horner
    tsp_vxm_f32_mul u_m (.a_i(p[(i+1)*32+:32]), .b_i(r), .y_o(pm[i*32+:32]));
    tsp_vxm_f32_add u_a (.a_i(pm[i*32+:32]), .b_i(ExpPoly[i*32+:32]), .y_o(p[i*32+:32]));
  end

  tsp_vxm_f32_mul u_rr (.a_i(r), .b_i(r), .y_o(rr));
  tsp_vxm_f32_mul u_pr (.a_i(p[0+:32]), .b_i(rr), .y_o(pr));
  tsp_vxm_f32_add u_prr (.a_i(pr), .b_i(r), .y_o(pr_r));
  tsp_vxm_f32_add u_y (.a_i(pr_r), .b_i(One), .y_o(y));

  // n = int(j) - int(SHIFTER); scale y by 2^n through its exponent field.
  logic signed [32:0] n, e;
  assign n = signed'({1'b0, j}) - signed'({1'b0, Shifter});
  assign e = signed'(33'(y[30:23])) + n;

  always_comb begin
    if (!x_i[31] && x_i >= ExpOvf) y_o = PosInf;
    else if (x_i[31] && {1'b0, x_i[30:0]} >= ExpUnf) y_o = 32'h0;
    else if (e >= 33'sd255) y_o = PosInf;
    else if (e <= 33'sd0) y_o = 32'h0;
    else y_o = {y[31], e[7:0], y[22:0]};
  end
endmodule
