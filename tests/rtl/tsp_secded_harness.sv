// Test harness: the SECDED encoder and decoder side by side, so one Verilated
// model checks both against the C++ model.
module tsp_secded_harness
  import tsp_secded_pkg::*;
(
  input  logic [DataBits-1:0]  enc_data_i,
  output logic [CheckBits-1:0] enc_check_o,
  input  logic [DataBits-1:0]  dec_data_i,
  input  logic [CheckBits-1:0] dec_check_i,
  output logic [DataBits-1:0]  dec_data_o,
  output logic [CheckBits-1:0] dec_check_o,
  output logic                 dec_corrected_o,
  output logic                 dec_uncorrectable_o
);
  tsp_secded_enc u_enc (
    .data_i (enc_data_i),
    .check_o(enc_check_o)
  );
  tsp_secded_dec u_dec (
    .data_i         (dec_data_i),
    .check_i        (dec_check_i),
    .data_o         (dec_data_o),
    .check_o        (dec_check_o),
    .corrected_o    (dec_corrected_o),
    .uncorrectable_o(dec_uncorrectable_o)
  );
endmodule
