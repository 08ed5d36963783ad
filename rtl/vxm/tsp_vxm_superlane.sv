// A VXM superlane tile: one ALU (of one VXM queue) in each of its lanes, all
// driven by the same instruction. Operands and results are stream-group byte
// planes as they travel on the streams: plane p (stream p of the group, the
// least significant byte on plane 0) holds byte p of every lane.
module tsp_vxm_superlane
  import tsp_isa_pkg::*;
  import tsp_vxm_pkg::*;
#(
  parameter int unsigned Lanes = tsp_cfg_tsp1_pkg::LanesPerSuperlane
) (
  input  logic                                        clk_i,
  input  logic                                        rst_ni,
  input  logic                                        valid_i,
  input  logic [OpcodeBits-1:0]                       op_i,
  input  logic [MovTypeWidth-1:0]                     type_i,
  input  logic [CvtFromWidth-1:0]                     from_i,
  input  logic [ShliShamtWidth-1:0]                   shamt_i,
  input  logic [LaneBytes-1:0][Lanes-1:0][7:0]        a_i,
  input  logic [LaneBytes-1:0][Lanes-1:0][7:0]        b_i,
  input  logic [LaneBytes-1:0][Lanes-1:0][7:0]        c_i,
  output logic [Lanes-1:0][MaxLat-1:0]                done_o,  // lane l, stage s+1
  output logic [MaxLat-1:0][LaneBytes-1:0][Lanes-1:0][7:0] res_o
);
  for (genvar l = 0; l < Lanes; l++) begin : g_lane
    logic [LaneBytes-1:0][7:0]         a;
    logic [LaneBytes-1:0][7:0]         b;
    logic [LaneBytes-1:0][7:0]         c;
    logic [MaxLat-1:0][LaneBytes-1:0][7:0] res;
    for (genvar p = 0; p < LaneBytes; p++) begin : g_plane
      assign a[p] = a_i[p][l];
      assign b[p] = b_i[p][l];
      assign c[p] = c_i[p][l];
      for (genvar s = 0; s < MaxLat; s++) begin : g_stage
        assign res_o[s][p][l] = res[s][p];
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
      .done_o(done_o[l]),
      .res_o (res)
    );
  end
endmodule
