// MXM supercell: a Dim x Dim weight-stationary int8/uint8 MAC tile. A plane of
// mxm_dim lanes is a grid of these tiles: K blocks (input lanes) chained by
// the accumulator ports, N blocks (output lanes) side by side.
//   LW  writes weight rows (input lanes k of this tile) into the shadow set.
//   IW  installs the shadow set into the active one: an ABC presented LatIw
//       cycles after the IW uses the new set, earlier ABCs the old one
//       (double buffering, docs/numerics.md §7 and the ISA table).
//   ABC acc_o[n] = acc_i[n] + sum over k = 0..Dim-1 of a[k] * w[k][n], int32
//       wrapping, k increasing: chaining tiles along K in increasing block order
//       keeps the plane's documented accumulation order. One cycle per tile;
//       the slot tag travels with the sum.
// Vectors of lanes are flat (lane i at bits i*width): Yosys 0.23 reads no
// multi-dimensional packed arrays. The bit layout is that of the packed arrays.
module tsp_mxm_tile
#(
  parameter int unsigned Dim = tsp_cfg_tsp1_pkg::LanesPerSuperlane
) (
  input  logic                         clk_i,
  input  logic                         rst_ni,
  // LW: the rows (input lanes k) set in lw_rows_i take lw_w_i[k]; signed: i8, else u8.
  input  logic                         lw_valid_i,
  input  logic [Dim-1:0]               lw_rows_i,
  input  logic [Dim*Dim*8-1:0]         lw_w_i,  // [k][n] at bits (k*Dim+n)*8
  input  logic                         lw_signed_i,
  // IW
  input  logic                         iw_valid_i,
  // ABC: activation lanes, the partial sums of the earlier K blocks, the slot tag.
  input  logic                         abc_valid_i,
  input  logic [Dim*8-1:0]             abc_a_i,   // lane k at bits k*8
  input  logic                         abc_signed_i,
  input  logic [Dim*32-1:0]            abc_acc_i, // lane n at bits n*32
  input  logic [tsp_isa_pkg::AbcSlotWidth-1:0]      abc_slot_i,
  input  logic                         abc_add_i,
  // The partial sums through this tile, one cycle later, with their tag.
  output logic                         acc_valid_o,
  output logic [Dim*32-1:0]            acc_o,
  output logic [tsp_isa_pkg::AbcSlotWidth-1:0]      acc_slot_o,
  output logic                         acc_add_o,
  // The active set is being replaced this cycle (for waves).
  output logic                         installing_o
);
  localparam int unsigned CntW = $clog2(tsp_isa_pkg::LatIw + 1);
  // Cycles from the IW to the ABC that first sees the new set.
`ifdef TSP_PLANT_BUG_MXM
  localparam int unsigned InstallAfter = tsp_isa_pkg::LatIw - 1;  // planted: installs one cycle early
`else
  localparam int unsigned InstallAfter = tsp_isa_pkg::LatIw;
`endif

  logic [Dim*Dim*8-1:0]         shadow_q, active_q;
  logic                         shadow_signed_q, active_signed_q;
  logic                         pending_q;
  logic [CntW-1:0]              left_q;  // cycles until the install, while pending

  // In the install cycle the ABC already multiplies by the new set.
  logic                         use_shadow;
  logic [Dim*Dim*8-1:0]         w;
  logic                         w_signed;
  assign use_shadow   = pending_q && left_q == '0;
  assign w            = use_shadow ? shadow_q : active_q;
  assign w_signed     = use_shadow ? shadow_signed_q : active_signed_q;
  assign installing_o = use_shadow;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      pending_q       <= 1'b0;
      left_q          <= '0;
      shadow_signed_q <= 1'b0;
      active_signed_q <= 1'b0;
    end else begin
      if (lw_valid_i) shadow_signed_q <= lw_signed_i;
      if (use_shadow) begin
        active_signed_q <= shadow_signed_q;
        pending_q       <= 1'b0;
      end else if (pending_q) begin
        left_q <= left_q - 1'b1;
      end
      if (iw_valid_i) begin
        pending_q <= 1'b1;
        left_q    <= CntW'(InstallAfter - 1);
      end
    end
  end

  always_ff @(posedge clk_i) begin
    for (int unsigned k = 0; k < Dim; k++) begin
      if (lw_valid_i && lw_rows_i[k]) shadow_q[k*Dim*8+:Dim*8] <= lw_w_i[k*Dim*8+:Dim*8];
    end
    if (use_shadow) active_q <= shadow_q;
  end

  // One exact product per (k, n), summed in increasing k after the chain input.
  logic [Dim*32-1:0] sum;
  always_comb begin
    for (int unsigned n = 0; n < Dim; n++) begin
      sum[n*32+:32] = abc_acc_i[n*32+:32];
      for (int unsigned k = 0; k < Dim; k++) begin
        sum[n*32+:32] = sum[n*32+:32]
                        + 32'(signed'({abc_signed_i & abc_a_i[k*8+7], abc_a_i[k*8+:8]})
                              * signed'({w_signed & w[(k*Dim+n)*8+7], w[(k*Dim+n)*8+:8]}));
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      acc_valid_o <= 1'b0;
      acc_slot_o  <= '0;
      acc_add_o   <= 1'b0;
    end else begin
      acc_valid_o <= abc_valid_i;
      acc_slot_o  <= abc_slot_i;
      acc_add_o   <= abc_add_i;
    end
  end
  always_ff @(posedge clk_i) begin
    if (abc_valid_i) acc_o <= sum;
  end
endmodule
