// A VXM superlane tile: one ALU (of one VXM queue) in each of its lanes, all
// driven by the same instruction. Operands and results are stream-group byte
// planes as they travel on the streams: plane p (stream p of the group, the
// least significant byte on plane 0) holds byte p of every lane.
// Vectors are flat, in the bit layout of the packed arrays they stand for
// (Yosys 0.23 reads no multi-dimensional packed arrays): operand [p][l] at bits
// (p*Lanes+l)*8, done_o [l][s] at l*MaxLat+s, res_o [s][p][l] at
// ((s*LaneBytes+p)*Lanes+l)*8.
module tsp_vxm_superlane
#(
  parameter int unsigned Lanes = tsp_cfg_tsp1_pkg::LanesPerSuperlane,
  localparam int unsigned MaxLat    = tsp_isa_pkg::VxmMaxLatency,
  localparam int unsigned LaneBytes = tsp_isa_pkg::WidestTypeBytes
) (
  input  logic                                        clk_i,
  input  logic                                        rst_ni,
  input  logic                                        valid_i,
  input  logic [tsp_isa_pkg::OpcodeBits-1:0]          op_i,
  input  logic [tsp_isa_pkg::MovTypeWidth-1:0]        type_i,
  input  logic [tsp_isa_pkg::CvtFromWidth-1:0]        from_i,
  input  logic [tsp_isa_pkg::ShliShamtWidth-1:0]      shamt_i,
  input  logic [LaneBytes*Lanes*8-1:0]                a_i,
  input  logic [LaneBytes*Lanes*8-1:0]                b_i,
  input  logic [LaneBytes*Lanes*8-1:0]                c_i,
  output logic [Lanes*MaxLat-1:0]                     done_o,  // lane l, stage s+1
  output logic [MaxLat*LaneBytes*Lanes*8-1:0]         res_o
);
  for (genvar l = 0; l < Lanes; l++) begin : g_lane
    logic [LaneBytes*8-1:0]        a;
    logic [LaneBytes*8-1:0]        b;
    logic [LaneBytes*8-1:0]        c;
    logic [MaxLat*LaneBytes*8-1:0] res;
    for (genvar p = 0; p < LaneBytes; p++) begin : g_plane
      assign a[p*8+:8] = a_i[(p*Lanes+l)*8+:8];
      assign b[p*8+:8] = b_i[(p*Lanes+l)*8+:8];
      assign c[p*8+:8] = c_i[(p*Lanes+l)*8+:8];
      for (genvar s = 0; s < MaxLat; s++) begin : g_stage
        assign res_o[((s*LaneBytes+p)*Lanes+l)*8+:8] = res[(s*LaneBytes+p)*8+:8];
      end
    end
    tsp_vxm_alu u_alu (
      .clk_i,
      .rst_ni,
      .valid_i,
      .op_i,
      .type_i,
      .from_i,
      .shamt_i,
      .a_i   (a),
      .b_i   (b),
      .c_i   (c),
      .done_o(done_o[l*MaxLat+:MaxLat]),
      .res_o (res)
    );
  end
endmodule
