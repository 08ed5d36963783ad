// RSQRT.f32 (docs/numerics.md §6.2): the integer estimate and three Newton
// steps as a netlist of f32 ops. x_i is flushed and not a NaN.
module tsp_vxm_rsqrt
(
  input  logic [31:0] x_i,
  output logic [31:0] y_o
);
  /* verilator no_inline_module */
  `include "tsp_vxm_fp.svh"
  `include "tsp_vxm_tr.svh"
  logic [(RsqrtSteps+1)*32-1:0] y;  // estimate i at bits i*32
  assign y[0+:32] = RsqrtMagic - (x_i >> 1);

  for (genvar i = 0; i < RsqrtSteps; i++) begin : g_newton
    logic [31:0] xy, t, d, dh, ydh;
    tsp_vxm_f32_mul u_xy (.a_i(x_i), .b_i(y[i*32+:32]), .y_o(xy));
    tsp_vxm_f32_mul u_t (.a_i(xy), .b_i(y[i*32+:32]), .y_o(t));
    tsp_vxm_f32_add #(.Sub(1'b1)) u_d (.a_i(One), .b_i(t), .y_o(d));
    tsp_vxm_f32_mul u_dh (.a_i(d), .b_i(Half), .y_o(dh));
    tsp_vxm_f32_mul u_ydh (.a_i(y[i*32+:32]), .b_i(dh), .y_o(ydh));
    tsp_vxm_f32_add u_y (.a_i(y[i*32+:32]), .b_i(ydh), .y_o(y[(i+1)*32+:32]));
  end

  always_comb begin
    if (x_i == 32'h0) y_o = PosInf;
    else if (x_i == 32'h8000_0000) y_o = NegInf;
    else if (x_i[31]) y_o = NaN32;
    else if (x_i == PosInf) y_o = 32'h0;
    else y_o = y[RsqrtSteps*32+:32];
  end
endmodule
