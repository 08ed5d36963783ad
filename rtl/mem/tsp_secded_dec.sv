// SECDED decoder: corrects one flipped bit of data or check bits, flags two or
// more as uncorrectable (then data_o = data_i). Combinational.
module tsp_secded_dec
(
  input  logic [tsp_secded_pkg::DataBits-1:0]  data_i,
  input  logic [tsp_secded_pkg::CheckBits-1:0] check_i,
  output logic [tsp_secded_pkg::DataBits-1:0]  data_o,
  output logic [tsp_secded_pkg::CheckBits-1:0] check_o,
  output logic                 corrected_o,
  output logic                 uncorrectable_o
);
  logic [tsp_secded_pkg::HammingBits-1:0] syndrome;
  logic                   parity_odd;

  assign syndrome   = tsp_secded_pkg::hamming(data_i) ^ check_i[tsp_secded_pkg::HammingBits-1:0];
  assign parity_odd = (^data_i) ^ (^check_i);

  always_comb begin
    data_o          = data_i;
    check_o         = check_i;
    corrected_o     = 1'b0;
    uncorrectable_o = 1'b0;
    if (syndrome != '0 || parity_odd) begin
      if (!parity_odd) begin
        uncorrectable_o = 1'b1;  // an even number of flips: detected, not correctable
      end else if (syndrome == '0) begin
        check_o[tsp_secded_pkg::HammingBits] = ~check_i[tsp_secded_pkg::HammingBits];  // the overall parity bit itself
        corrected_o = 1'b1;
      end else if ((syndrome & (syndrome - 1'b1)) == '0) begin
        check_o[tsp_secded_pkg::HammingBits-1:0] = check_i[tsp_secded_pkg::HammingBits-1:0] ^ syndrome;  // one Hamming check bit
        corrected_o = 1'b1;
      end else begin
        uncorrectable_o = 1'b1;  // unless the syndrome names a data bit
        for (int unsigned i = 0; i < tsp_secded_pkg::DataBits; i++) begin
          if (tsp_secded_pkg::data_pos(i) == syndrome) begin
            data_o[i]       = ~data_i[i];
            corrected_o     = 1'b1;
            uncorrectable_o = 1'b0;
          end
        end
      end
    end
  end
endmodule
