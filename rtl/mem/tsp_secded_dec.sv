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

  logic [tsp_secded_pkg::HammingBits-1:0] data_syndrome;
  tsp_secded_syndrome u_syndrome (.data_i(data_i), .syndrome_o(data_syndrome));
  assign syndrome   = data_syndrome ^ check_i[tsp_secded_pkg::HammingBits-1:0];
  assign parity_odd = (^data_i) ^ (^check_i);

  // Data bit i is the one flipped when the syndrome names its position: one
  // compare per bit, side by side (as a loop of ifs updating corrected_o, it
  // described a 128-deep priority chain).
  logic [tsp_secded_pkg::DataBits-1:0] hit;
  for (genvar i = 0; i < tsp_secded_pkg::DataBits; i++) begin : g_hit
    localparam logic [tsp_secded_pkg::HammingBits-1:0] Pos = tsp_secded_pkg::data_pos(i);
    assign hit[i] = Pos == syndrome;
  end

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
      end else if (hit != '0) begin
        data_o      = data_i ^ hit;  // the data bit the syndrome names
        corrected_o = 1'b1;
      end else begin
        uncorrectable_o = 1'b1;  // the syndrome names no position
      end
    end
  end
endmodule
