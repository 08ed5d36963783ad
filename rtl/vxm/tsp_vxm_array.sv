// The VXM ALUs of one VXM queue across the chip: Superlanes tiles, the
// instruction travelling north one superlane per cycle (superlane k executes
// an instruction issued at t at t + k, as on the chip). The caller presents
// superlane k's operand bytes at t + k; its results show on done_o / res_o of
// superlane k at t + k + latency.
// Vectors are flat (Yosys 0.23 reads no multi-dimensional packed arrays):
// superlane k's slice of each port at k times the width of tsp_vxm_superlane's.
module tsp_vxm_array
#(
  // Up to tsp1's 20; the default (the mini chip's) keeps lint and Verilator fast.
  parameter int unsigned Superlanes = tsp_cfg_mini_pkg::Superlanes,
  parameter int unsigned Lanes = tsp_cfg_tsp1_pkg::LanesPerSuperlane,
  localparam int unsigned MaxLat  = tsp_isa_pkg::VxmMaxLatency,
  localparam int unsigned InBits  = tsp_isa_pkg::WidestTypeBytes * Lanes * 8,  // one superlane's operand
  localparam int unsigned ResBits = MaxLat * InBits                          // and its results
) (
  input  logic                                     clk_i,
  input  logic                                     rst_ni,
  input  logic                                     valid_i,
  input  logic [tsp_isa_pkg::OpcodeBits-1:0]       op_i,
  input  logic [tsp_isa_pkg::MovTypeWidth-1:0]     type_i,
  input  logic [tsp_isa_pkg::CvtFromWidth-1:0]     from_i,
  input  logic [tsp_isa_pkg::ShliShamtWidth-1:0]   shamt_i,
  input  logic [Superlanes*InBits-1:0]             a_i,
  input  logic [Superlanes*InBits-1:0]             b_i,
  input  logic [Superlanes*InBits-1:0]             c_i,
  output logic [Superlanes*Lanes*MaxLat-1:0]       done_o,
  output logic [Superlanes*ResBits-1:0]            res_o
);
  localparam int unsigned IW = 1 + tsp_isa_pkg::OpcodeBits + tsp_isa_pkg::MovTypeWidth
                               + tsp_isa_pkg::CvtFromWidth + tsp_isa_pkg::ShliShamtWidth;

  // instr[k]: the instruction superlane k executes this cycle, {valid, op, type, from, shamt}.
  logic [IW-1:0] instr[Superlanes];
  assign instr[0] = {valid_i, op_i, type_i, from_i, shamt_i};

  for (genvar k = 1; k < Superlanes; k++) begin : g_north
    logic [IW-1:0] instr_q;
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) instr_q <= '0;
      else instr_q <= instr[k-1];
    end
    assign instr[k] = instr_q;
  end

  for (genvar k = 0; k < Superlanes; k++) begin : g_superlane
    logic                                   valid;
    logic [tsp_isa_pkg::OpcodeBits-1:0]     op;
    logic [tsp_isa_pkg::MovTypeWidth-1:0]   dtype;
    logic [tsp_isa_pkg::CvtFromWidth-1:0]   from;
    logic [tsp_isa_pkg::ShliShamtWidth-1:0] shamt;
    assign {valid, op, dtype, from, shamt} = instr[k];
    tsp_vxm_superlane #(
      .Lanes(Lanes)
    ) u_superlane (
      .clk_i,
      .rst_ni,
      .valid_i(valid),
      .op_i   (op),
      .type_i (dtype),
      .from_i (from),
      .shamt_i(shamt),
      .a_i    (a_i[k*InBits+:InBits]),
      .b_i    (b_i[k*InBits+:InBits]),
      .c_i    (c_i[k*InBits+:InBits]),
      .done_o (done_o[k*Lanes*MaxLat+:Lanes*MaxLat]),
      .res_o  (res_o[k*ResBits+:ResBits])
    );
  end
endmodule
