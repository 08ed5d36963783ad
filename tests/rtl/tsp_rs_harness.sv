// Test harness: the link FEC encoder and decoder side by side, sized for one
// configuration's frame (Mini: tsp_cfg_mini_pkg, else tsp_cfg_tsp1_pkg), so
// one Verilated model per size checks both against the C++ reference.
module tsp_rs_harness #(
  parameter int unsigned Mini = 0,  // 1: the mini configuration's frame
  localparam int unsigned DataSymbols = Mini != 0 ? tsp_cfg_mini_pkg::C2cDataSymbols : tsp_cfg_tsp1_pkg::C2cDataSymbols,
  localparam int unsigned SymBits = tsp_isa_pkg::FecSymbolBits
) (
  input  logic                             clk_i,
  input  logic                             rst_ni,
  output logic [15:0]                      data_symbols_o,
  input  logic                             enc_in_valid_i,
  output logic                             enc_in_ready_o,
  input  logic [SymBits-1:0]               enc_in_sym_i,
  output logic                             enc_out_valid_o,
  output logic [SymBits-1:0]               enc_out_sym_o,
  output logic                             enc_out_first_o,
  output logic                             enc_out_last_o,
  output logic                             enc_out_parity_o,
  input  logic                             dec_in_valid_i,
  output logic                             dec_in_ready_o,
  input  logic [SymBits-1:0]               dec_in_sym_i,
  output logic                             dec_out_valid_o,
  output logic [SymBits-1:0]               dec_out_sym_o,
  output logic                             dec_out_first_o,
  output logic                             dec_out_last_o,
  output logic                             dec_out_corrected_o,
  output logic                             dec_out_uncorrectable_o,
  output logic [$clog2(tsp_isa_pkg::FecT + 1)-1:0] dec_out_count_o
);
  assign data_symbols_o = 16'(DataSymbols);

  tsp_rs_enc #(.DataSymbols(DataSymbols)) u_enc (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .in_valid_i  (enc_in_valid_i),
    .in_ready_o  (enc_in_ready_o),
    .in_sym_i    (enc_in_sym_i),
    .out_valid_o (enc_out_valid_o),
    .out_sym_o   (enc_out_sym_o),
    .out_first_o (enc_out_first_o),
    .out_last_o  (enc_out_last_o),
    .out_parity_o(enc_out_parity_o)
  );

  tsp_rs_dec #(.DataSymbols(DataSymbols)) u_dec (
    .clk_i              (clk_i),
    .rst_ni             (rst_ni),
    .in_valid_i         (dec_in_valid_i),
    .in_ready_o         (dec_in_ready_o),
    .in_sym_i           (dec_in_sym_i),
    .out_valid_o        (dec_out_valid_o),
    .out_sym_o          (dec_out_sym_o),
    .out_first_o        (dec_out_first_o),
    .out_last_o         (dec_out_last_o),
    .out_corrected_o    (dec_out_corrected_o),
    .out_uncorrectable_o(dec_out_uncorrectable_o),
    .out_count_o        (dec_out_count_o)
  );
endmodule
