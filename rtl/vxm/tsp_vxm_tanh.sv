// TANH.f32 (docs/numerics.md §6.3): saturation, the odd polynomial below
// 0.625, and 1 - 2/(e^2a + 1) above it with RECIP = rsqrt^2 + one Newton
// correction. x_i is flushed and not a NaN. The EXP and RSQRT datapaths are
// the ALU's own (for its EXP and RSQRT ops), borrowed through the exp_/rsqrt_
// ports: exp_y_i = EXP(exp_x_o), rsqrt_y_i = RSQRT(rsqrt_x_o).
module tsp_vxm_tanh
(
  input  logic [31:0] x_i,
  output logic [31:0] exp_x_o,
  input  logic [31:0] exp_y_i,
  output logic [31:0] rsqrt_x_o,
  input  logic [31:0] rsqrt_y_i,
  output logic [31:0] y_o
);
  /* verilator no_inline_module */
  `include "tsp_vxm_fp.svh"
  `include "tsp_vxm_tr.svh"
  logic [31:0] a, s;
  assign s = {x_i[31], 31'h0};
  assign a = {1'b0, x_i[30:0]};

  // Polynomial: q = Q0; q = q*z + Qi; result a + (q*z)*a.
  logic [31:0] z, qz, qza, poly;
  logic [5*32-1:0] q;   // q[i] at bits i*32: q[4] = Q0
  logic [4*32-1:0] qm;
  tsp_vxm_f32_mul u_z (.a_i(a), .b_i(a), .y_o(z));
  assign q[4*32+:32] = TanhPoly[4*32+:32];
  for (genvar i = 3; i >= 0; i--) begin : g_horner
    tsp_vxm_f32_mul u_m (.a_i(q[(i+1)*32+:32]), .b_i(z), .y_o(qm[i*32+:32]));
    tsp_vxm_f32_add u_a (.a_i(qm[i*32+:32]), .b_i(TanhPoly[i*32+:32]), .y_o(q[i*32+:32]));
  end
  tsp_vxm_f32_mul u_qz (.a_i(q[0+:32]), .b_i(z), .y_o(qz));
  tsp_vxm_f32_mul u_qza (.a_i(qz), .b_i(a), .y_o(qza));
  tsp_vxm_f32_add u_poly (.a_i(qza), .b_i(a), .y_o(poly));

  // Large |x|: e = EXP(a + a); d = e + 1; q = RECIP(d); 1 - (q + q).
  logic [31:0] a2, e, d, rs, r, dr, omd, rc, q2, big;
  tsp_vxm_f32_add u_a2 (.a_i(a), .b_i(a), .y_o(a2));
  assign exp_x_o = a2;
  assign e = exp_y_i;
  tsp_vxm_f32_add u_d (.a_i(e), .b_i(One), .y_o(d));
  assign rsqrt_x_o = d;
  assign rs = rsqrt_y_i;
  tsp_vxm_f32_mul u_r (.a_i(rs), .b_i(rs), .y_o(r));
  tsp_vxm_f32_mul u_dr (.a_i(d), .b_i(r), .y_o(dr));
  tsp_vxm_f32_add #(.Sub(1'b1)) u_omd (.a_i(One), .b_i(dr), .y_o(omd));
  logic [31:0] rc_m;
  tsp_vxm_f32_mul u_rcm (.a_i(r), .b_i(omd), .y_o(rc_m));
  tsp_vxm_f32_add u_rc (.a_i(r), .b_i(rc_m), .y_o(rc));
  tsp_vxm_f32_add u_q2 (.a_i(rc), .b_i(rc), .y_o(q2));
  tsp_vxm_f32_add #(.Sub(1'b1)) u_big (.a_i(One), .b_i(q2), .y_o(big));

  always_comb begin
    if (a >= TanhSat) y_o = s | One;
    else if (a < TanhPolyLimit) y_o = s | poly;
    else y_o = s | big;
  end
endmodule
