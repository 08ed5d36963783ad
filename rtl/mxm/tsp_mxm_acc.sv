// MXM accumulator slots of one N block (Dim output lanes): the end of a K
// chain writes a slot (set, or add: int32 wrapping or one f32 ADD, by the
// sum's kind, which the slot then holds); ACC reads one and emits it LatAcc
// cycles after issue as i32 or f32 (rd_type_i): a slot of the other kind is
// converted on the way out (docs/numerics.md §5, §7: CVT, RNE, float -> int
// saturating).
// When the read happens: an ABC issued at t reaches the end of a plane's K
// chain at t + kblocks (one cycle per tile) and is written at the edge ending
// that cycle. ACC must see exactly the ABCs issued up to its own cycle (the
// model's ABC latency is 0), so an ACC issued at t' samples the slot in cycle
// t' + read_stage_i with read_stage_i = kblocks + 1, a strap set by the plane's
// size; the table's LatAcc must leave room for it (read_stage_i < LatAcc).
// Lane vectors are flat (lane n at bits n*32): Yosys 0.23 reads no
// multi-dimensional packed arrays.
module tsp_mxm_acc #(
  parameter int unsigned Dim = tsp_cfg_tsp1_pkg::LanesPerSuperlane
) (
  input  logic                                         clk_i,
  input  logic                                         rst_ni,
  input  logic [$clog2(tsp_isa_pkg::LatAcc)-1:0]       read_stage_i,
  input  logic                                         wr_valid_i,
  input  logic [tsp_isa_pkg::AbcSlotWidth-1:0]         wr_slot_i,
  input  logic                                         wr_add_i,
  input  logic                                         wr_float_i,  // wr_data_i is f32, else int32
  input  logic [Dim*32-1:0]                            wr_data_i,   // lane n at bits n*32
  input  logic                                         rd_valid_i,
  input  logic [tsp_isa_pkg::AccSlotWidth-1:0]         rd_slot_i,
  input  logic [2:0]                                   rd_type_i,   // DtI32 or DtF32
  output logic                                         rd_valid_o,
  output logic [Dim*32-1:0]                            rd_data_o
);
  `include "tsp_mxm_fp.svh"

  localparam int unsigned Slots = 2 ** tsp_isa_pkg::AbcSlotWidth;
  localparam int unsigned Lat   = tsp_isa_pkg::LatAcc;

  logic [Dim*32-1:0] slots_q[Slots];
  logic [Slots-1:0]  float_q;  // the slot holds f32 sums
  // Read pipeline: stage s holds an ACC issued s cycles ago (index s - 1).
  logic [Lat-1:0]                             v_q;
  logic [tsp_isa_pkg::AccSlotWidth-1:0]       slot_q[Lat];
  logic [Lat-1:0]                             to_float_q;  // emit as f32
  logic [Lat-1:0]                             held_float_q;  // the sampled slot held f32
  logic [Dim*32-1:0]                          data_q[Lat];

  always_ff @(posedge clk_i) begin
    if (wr_valid_i) begin
      for (int unsigned n = 0; n < Dim; n++) begin
        if (!wr_add_i) slots_q[wr_slot_i][n*32+:32] <= wr_data_i[n*32+:32];
        else if (wr_float_i) slots_q[wr_slot_i][n*32+:32] <= mxm_fadd(slots_q[wr_slot_i][n*32+:32], wr_data_i[n*32+:32]);
        else slots_q[wr_slot_i][n*32+:32] <= slots_q[wr_slot_i][n*32+:32] + wr_data_i[n*32+:32];
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      float_q    <= '0;
      v_q        <= '0;
      to_float_q <= '0;
      for (int unsigned s = 0; s < Lat; s++) slot_q[s] <= '0;
    end else begin
      if (wr_valid_i) float_q[wr_slot_i] <= wr_float_i;
      v_q        <= {v_q[Lat-2:0], rd_valid_i};
      to_float_q <= {to_float_q[Lat-2:0], rd_type_i == 3'(tsp_isa_pkg::DtF32)};
      slot_q[0]  <= rd_slot_i;
      for (int unsigned s = 1; s < Lat; s++) slot_q[s] <= slot_q[s-1];
    end
  end

  always_ff @(posedge clk_i) begin
    data_q[0]       <= '0;
    held_float_q[0] <= 1'b0;
    for (int unsigned s = 1; s < Lat; s++) begin
      data_q[s]       <= (s == 32'(read_stage_i)) ? slots_q[slot_q[s-1]] : data_q[s-1];
      held_float_q[s] <= (s == 32'(read_stage_i)) ? float_q[slot_q[s-1]] : held_float_q[s-1];
    end
  end

  // The emitted lanes, converted when the slot's kind is not the ACC's type.
  logic conv_i2f, conv_f2i;
  assign conv_i2f = to_float_q[Lat-1] && !held_float_q[Lat-1];
  assign conv_f2i = !to_float_q[Lat-1] && held_float_q[Lat-1];
  always_comb begin
    rd_data_o = data_q[Lat-1];
    if (conv_i2f || conv_f2i) begin
      for (int unsigned n = 0; n < Dim; n++) begin
        rd_data_o[n*32+:32] = conv_i2f ? mxm_i2f(data_q[Lat-1][n*32+:32]) : mxm_f2i(data_q[Lat-1][n*32+:32]);
      end
    end
  end

  assign rd_valid_o = v_q[Lat-1];
endmodule
