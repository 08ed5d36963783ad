// One K block x N block piece of an MXM plane as cosim drives it: a MAC tile
// and, used only by the last K block of each N column (last_i), the
// accumulator slots its chain output writes into. Cosim instantiates one cell
// per block of the plane and wires the chain between them.
module tsp_mxm_cell
#(
  parameter int unsigned Dim = tsp_cfg_tsp1_pkg::LanesPerSuperlane
) (
  input  logic                       clk_i,
  input  logic                       rst_ni,
  input  logic                       last_i,        // strap: this cell ends its K chain
  input  logic [$clog2(tsp_isa_pkg::LatAcc)-1:0]  read_stage_i,  // strap: see tsp_mxm_acc
  input  logic                       lw_valid_i,
  input  logic [Dim-1:0]             lw_rows_i,
  input  logic [Dim*Dim*8-1:0]       lw_w_i,  // flat as in tsp_mxm_tile
  input  logic                       lw_signed_i,
  input  logic                       iw_valid_i,
  input  logic                       abc_valid_i,
  input  logic [Dim*8-1:0]           abc_a_i,
  input  logic                       abc_signed_i,
  input  logic [Dim*32-1:0]          abc_acc_i,
  input  logic [tsp_isa_pkg::AbcSlotWidth-1:0]    abc_slot_i,
  input  logic                       abc_add_i,
  output logic                       acc_valid_o,
  output logic [Dim*32-1:0]          acc_o,
  output logic [tsp_isa_pkg::AbcSlotWidth-1:0]    acc_slot_o,
  output logic                       acc_add_o,
  output logic                       installing_o,
  input  logic                       rd_valid_i,
  input  logic [tsp_isa_pkg::AccSlotWidth-1:0]    rd_slot_i,
  output logic                       rd_valid_o,
  output logic [Dim*32-1:0]          rd_data_o
);
  tsp_mxm_tile #(
    .Dim(Dim)
  ) u_tile (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .lw_valid_i  (lw_valid_i),
    .lw_rows_i   (lw_rows_i),
    .lw_w_i      (lw_w_i),
    .lw_signed_i (lw_signed_i),
    .iw_valid_i  (iw_valid_i),
    .abc_valid_i (abc_valid_i),
    .abc_a_i     (abc_a_i),
    .abc_signed_i(abc_signed_i),
    .abc_acc_i   (abc_acc_i),
    .abc_slot_i  (abc_slot_i),
    .abc_add_i   (abc_add_i),
    .acc_valid_o (acc_valid_o),
    .acc_o       (acc_o),
    .acc_slot_o  (acc_slot_o),
    .acc_add_o   (acc_add_o),
    .installing_o(installing_o)
  );

  tsp_mxm_acc #(
    .Dim(Dim)
  ) u_acc (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .read_stage_i(read_stage_i),
    .wr_valid_i  (last_i && acc_valid_o),
    .wr_slot_i   (acc_slot_o),
    .wr_add_i    (acc_add_o),
    .wr_data_i   (acc_o),
    .rd_valid_i  (rd_valid_i),
    .rd_slot_i   (rd_slot_i),
    .rd_valid_o  (rd_valid_o),
    .rd_data_o   (rd_data_o)
  );
endmodule
