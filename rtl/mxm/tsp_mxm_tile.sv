// MXM supercell: a Dim x Dim weight-stationary MAC tile for i8/u8 and f16/bf16.
// A plane of mxm_dim lanes is a grid of these tiles: K blocks (input lanes)
// chained by the accumulator ports, N blocks (output lanes) side by side.
//   LW  writes weight rows (input lanes k of this tile) into the shadow set,
//       with their element type (one type per set: the model rejects a mix).
//   IW  installs the shadow set into the active one: an ABC presented LatIw
//       cycles after the IW uses the new set, earlier ABCs the old one
//       (double buffering, docs/numerics.md §7 and the ISA table).
//   ABC integer (i8/u8 activations): acc_o[n] = acc_i[n] + sum over
//       k = 0..Dim-1 of a[k] * w[k][n], int32 wrapping. Float (f16/bf16): for
//       k = 0..Dim-1 in increasing order acc = f32_add(acc, f32(a[k] * w[k][n]))
//       from acc = acc_i[n] (tsp_mxm_fcol, tsp_mxm_fp.svh). Either way k increases, and
//       chaining tiles along K in increasing block order from +0 keeps the
//       plane's documented accumulation order. One cycle per tile; the slot
//       tag and whether the sum is f32 travel with it.
// Lane vectors are flat (lane i at bits i*width, the layout of the packed
// arrays they replace): Yosys 0.23 reads no multi-dimensional packed arrays.
// Weights and activations are 16 bits a lane; i8/u8 use the low byte.
module tsp_mxm_tile #(
  parameter int unsigned Dim = tsp_cfg_tsp1_pkg::LanesPerSuperlane
) (
  input  logic                                  clk_i,
  input  logic                                  rst_ni,
  // LW: the rows (input lanes k) set in lw_rows_i take lw_w_i's row k, of element type lw_type_i.
  input  logic                                  lw_valid_i,
  input  logic [Dim-1:0]                        lw_rows_i,
  input  logic [Dim*Dim*16-1:0]                 lw_w_i,  // [k][n] at bits (k*Dim+n)*16
  input  logic [2:0]                            lw_type_i,
  // IW
  input  logic                                  iw_valid_i,
  // ABC: activation lanes and their type, the partial sums of the earlier K blocks, the slot tag.
  input  logic                                  abc_valid_i,
  input  logic [Dim*16-1:0]                     abc_a_i,   // lane k at bits k*16
  input  logic [2:0]                            abc_type_i,
  input  logic [Dim*32-1:0]                     abc_acc_i, // lane n at bits n*32
  input  logic [tsp_isa_pkg::AbcSlotWidth-1:0]  abc_slot_i,
  input  logic                                  abc_add_i,
  // The partial sums through this tile, one cycle later, with their tag.
  output logic                                  acc_valid_o,
  output logic [Dim*32-1:0]                     acc_o,
  output logic [tsp_isa_pkg::AbcSlotWidth-1:0]  acc_slot_o,
  output logic                                  acc_add_o,
  output logic                                  acc_float_o,
  // The active set is being replaced this cycle (for waves).
  output logic                                  installing_o
);
  localparam int unsigned CntW = $clog2(tsp_isa_pkg::LatIw + 1);
  // Cycles from the IW to the ABC that first sees the new set.
`ifdef TSP_PLANT_BUG_MXM
  localparam int unsigned InstallAfter = tsp_isa_pkg::LatIw - 1;  // planted: installs one cycle early
`else
  localparam int unsigned InstallAfter = tsp_isa_pkg::LatIw;
`endif

  logic [Dim*Dim*16-1:0] shadow_q, active_q;
  logic [2:0]            shadow_type_q, active_type_q;
  logic                  pending_q;
  logic [CntW-1:0]       left_q;  // cycles until the install, while pending

  // In the install cycle the ABC already multiplies by the new set.
  logic                  use_shadow;
  logic [Dim*Dim*16-1:0] w;
  logic [2:0]            w_type;
  assign use_shadow   = pending_q && left_q == '0;
  assign w            = use_shadow ? shadow_q : active_q;
  assign w_type       = use_shadow ? shadow_type_q : active_type_q;
  assign installing_o = use_shadow;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      pending_q     <= 1'b0;
      left_q        <= '0;
      shadow_type_q <= 3'(tsp_isa_pkg::DtI8);
      active_type_q <= 3'(tsp_isa_pkg::DtI8);
    end else begin
      if (lw_valid_i) shadow_type_q <= lw_type_i;
      if (use_shadow) begin
        active_type_q <= shadow_type_q;
        pending_q     <= 1'b0;
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
      if (lw_valid_i && lw_rows_i[k]) shadow_q[k*Dim*16+:Dim*16] <= lw_w_i[k*Dim*16+:Dim*16];
    end
    if (use_shadow) active_q <= shadow_q;
  end

  // Types: i8 is signed, u8 not; f16 and bf16 are the float ones.
  logic a_signed, w_signed, a_float, a_bf16, w_bf16;
  assign a_signed = abc_type_i == 3'(tsp_isa_pkg::DtI8);
  assign w_signed = w_type == 3'(tsp_isa_pkg::DtI8);
  assign a_float  = abc_type_i == 3'(tsp_isa_pkg::DtF16) || abc_type_i == 3'(tsp_isa_pkg::DtBf16);
  assign a_bf16   = abc_type_i == 3'(tsp_isa_pkg::DtBf16);
  assign w_bf16   = w_type == 3'(tsp_isa_pkg::DtBf16);

  // One product per (k, n), summed in increasing k after the chain input, into
  // the register of the ABC's kind; acc_o shows the one the last ABC wrote.
  // Float: one tsp_mxm_fcol (datapath and register) per output lane, on that
  // lane's weight column.
  logic [Dim*32-1:0] fsum_q;
  for (genvar n = 0; n < Dim; n++) begin : g_fcol
    logic [Dim*16-1:0] wcol;
    for (genvar k = 0; k < Dim; k++) begin : g_k
      assign wcol[k*16+:16] = w[(k*Dim+n)*16+:16];
    end
    tsp_mxm_fcol #(
      .Dim(Dim)
    ) u_fcol (
      .clk_i   (clk_i),
      .en_i    (abc_valid_i && a_float),
      .a_i     (abc_a_i),
      .a_bf16_i(a_bf16),
      .w_i     (wcol),
      .w_bf16_i(w_bf16),
      .acc_i   (abc_acc_i[n*32+:32]),
      .acc_o   (fsum_q[n*32+:32])
    );
  end

  // Integer: exact products, int32 wrapping.
  logic [Dim*32-1:0] isum, isum_q;
  always_comb begin
    isum = abc_acc_i;
    if (abc_valid_i && !a_float) begin
      for (int unsigned n = 0; n < Dim; n++) begin
        for (int unsigned k = 0; k < Dim; k++) begin
          isum[n*32+:32] = isum[n*32+:32]
                           + 32'(signed'({a_signed & abc_a_i[k*16+7], abc_a_i[k*16+:8]})
                                 * signed'({w_signed & w[(k*Dim+n)*16+7], w[(k*Dim+n)*16+:8]}));
        end
      end
    end
  end
  always_ff @(posedge clk_i) begin
    if (abc_valid_i && !a_float) isum_q <= isum;
  end
  assign acc_o = acc_float_o ? fsum_q : isum_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      acc_valid_o <= 1'b0;
      acc_slot_o  <= '0;
      acc_add_o   <= 1'b0;
      acc_float_o <= 1'b0;
    end else begin
      acc_valid_o <= abc_valid_i;
      acc_slot_o  <= abc_slot_i;
      acc_add_o   <= abc_add_i;
      acc_float_o <= a_float;
    end
  end
endmodule
