// MXM accumulator slots of one N block (Dim output lanes): the end of a K
// chain writes a slot (set, or add with int32 wrapping); ACC reads one and
// emits it LatAcc cycles after issue.
// When the read happens: an ABC issued at t reaches the end of a plane's K
// chain at t + kblocks (one cycle per tile) and is written at the edge ending
// that cycle. ACC must see exactly the ABCs issued up to its own cycle (the
// model's ABC latency is 0), so an ACC issued at t' samples the slot in cycle
// t' + read_stage_i with read_stage_i = kblocks + 1, a strap set by the plane's
// size; the table's LatAcc must leave room for it (read_stage_i < LatAcc).
// Lane vectors are flat (lane n at bits n*32): Yosys 0.23 reads no
// multi-dimensional packed arrays.
module tsp_mxm_acc
#(
  parameter int unsigned Dim = tsp_cfg_tsp1_pkg::LanesPerSuperlane
) (
  input  logic                       clk_i,
  input  logic                       rst_ni,
  input  logic [$clog2(tsp_isa_pkg::LatAcc)-1:0]  read_stage_i,
  input  logic                       wr_valid_i,
  input  logic [tsp_isa_pkg::AbcSlotWidth-1:0]    wr_slot_i,
  input  logic                       wr_add_i,
  input  logic [Dim*32-1:0]          wr_data_i,  // lane n at bits n*32
  input  logic                       rd_valid_i,
  input  logic [tsp_isa_pkg::AccSlotWidth-1:0]    rd_slot_i,
  output logic                       rd_valid_o,
  output logic [Dim*32-1:0]          rd_data_o
);
  localparam int unsigned Slots = 2 ** tsp_isa_pkg::AbcSlotWidth;

  logic [Dim*32-1:0] slots_q[Slots];
  // Read pipeline: stage s holds an ACC issued s cycles ago (index s - 1).
  logic [tsp_isa_pkg::LatAcc-1:0]                       v_q;
  logic [tsp_isa_pkg::AccSlotWidth-1:0]                slot_q[tsp_isa_pkg::LatAcc];
  logic [Dim*32-1:0]                                   data_q[tsp_isa_pkg::LatAcc];

  always_ff @(posedge clk_i) begin
    if (wr_valid_i) begin
      for (int unsigned n = 0; n < Dim; n++) begin
        slots_q[wr_slot_i][n*32+:32] <= wr_add_i ? slots_q[wr_slot_i][n*32+:32] + wr_data_i[n*32+:32]
                                                 : wr_data_i[n*32+:32];
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      v_q    <= '0;
      for (int unsigned s = 0; s < tsp_isa_pkg::LatAcc; s++) slot_q[s] <= '0;
    end else begin
      v_q    <= {v_q[tsp_isa_pkg::LatAcc-2:0], rd_valid_i};
      slot_q[0] <= rd_slot_i;
      for (int unsigned s = 1; s < tsp_isa_pkg::LatAcc; s++) slot_q[s] <= slot_q[s-1];
    end
  end

  always_ff @(posedge clk_i) begin
    data_q[0] <= '0;
    for (int unsigned s = 1; s < tsp_isa_pkg::LatAcc; s++) begin
      data_q[s] <= (s == 32'(read_stage_i)) ? slots_q[slot_q[s-1]] : data_q[s-1];
    end
  end

  assign rd_valid_o = v_q[tsp_isa_pkg::LatAcc-1];
  assign rd_data_o  = data_q[tsp_isa_pkg::LatAcc-1];
endmodule
