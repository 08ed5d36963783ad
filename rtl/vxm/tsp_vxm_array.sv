// The VXM ALUs of one VXM queue across the chip: Superlanes tiles, the
// instruction travelling north one superlane per cycle (superlane k executes
// an instruction issued at t at t + k, as on the chip). The caller presents
// superlane k's operand bytes at t + k; its results show on done_o / res_o of
// superlane k at t + k + latency.
module tsp_vxm_array
  import tsp_isa_pkg::*;
  import tsp_vxm_pkg::*;
#(
  // Up to tsp1's 20; the default (the mini chip's) keeps lint and Verilator fast.
  parameter int unsigned Superlanes = tsp_cfg_mini_pkg::Superlanes,
  parameter int unsigned Lanes = tsp_cfg_tsp1_pkg::LanesPerSuperlane
) (
  input  logic                                                          clk_i,
  input  logic                                                          rst_ni,
  input  logic                                                          valid_i,
  input  logic [OpcodeBits-1:0]                                         op_i,
  input  logic [MovTypeWidth-1:0]                                       type_i,
  input  logic [CvtFromWidth-1:0]                                       from_i,
  input  logic [ShliShamtWidth-1:0]                                     shamt_i,
  input  logic [Superlanes-1:0][LaneBytes-1:0][Lanes-1:0][7:0]          a_i,
  input  logic [Superlanes-1:0][LaneBytes-1:0][Lanes-1:0][7:0]          b_i,
  input  logic [Superlanes-1:0][LaneBytes-1:0][Lanes-1:0][7:0]          c_i,
  output logic [Superlanes-1:0][Lanes-1:0][MaxLat-1:0]                  done_o,
  output logic [Superlanes-1:0][MaxLat-1:0][LaneBytes-1:0][Lanes-1:0][7:0] res_o
);
  typedef struct packed {
    logic                        valid;
    logic [OpcodeBits-1:0]       op;
    logic [MovTypeWidth-1:0]     dtype;
    logic [CvtFromWidth-1:0]     from;
    logic [ShliShamtWidth-1:0]   shamt;
  } instr_t;

  // instr[k]: the instruction superlane k executes this cycle.
  instr_t [Superlanes-1:0] instr;
  assign instr[0] = '{valid: valid_i, op: op_i, dtype: type_i, from: from_i, shamt: shamt_i};

  for (genvar k = 1; k < Superlanes; k++) begin : g_north
    instr_t instr_q;
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) instr_q <= '0;
      else instr_q <= instr[k-1];
    end
    assign instr[k] = instr_q;
  end

  for (genvar k = 0; k < Superlanes; k++) begin : g_superlane
    tsp_vxm_superlane #(
      .Lanes(Lanes)
    ) u_superlane (
      .clk_i,
      .rst_ni,
      .valid_i(instr[k].valid),
      .op_i   (instr[k].op),
      .type_i (instr[k].dtype),
      .from_i (instr[k].from),
      .shamt_i(instr[k].shamt),
      .a_i    (a_i[k]),
      .b_i    (b_i[k]),
      .c_i    (c_i[k]),
      .done_o (done_o[k]),
      .res_o  (res_o[k])
    );
  end
endmodule
