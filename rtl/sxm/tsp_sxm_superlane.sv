// The SXM of one superlane: computes this superlane's Slw output lanes of
// SHIFTUP/SHIFTDN, SELECT, PERMUTE, DISTRIBUTE, ROTATE (one stream) and the
// Slw x Slw byte TRANSPOSE (Slw streams), each emitted exactly its ISA-table
// latency after the op is presented.
// Ops that move bytes between superlanes (shifts, PERMUTE, ROTATE with groups
// that straddle a superlane) read the whole source vector: src_i is the
// crossbar input holding every lane of the chip (num_lanes_i of the Lanes
// ports are live), and sl_i says which Slw of them this superlane produces.
// SELECT, DISTRIBUTE and TRANSPOSE use only this superlane's own lanes.
module tsp_sxm_superlane
  import tsp_isa_pkg::*;
  import tsp_sxm_pkg::*;
#(
  parameter int unsigned Lanes = tsp_cfg_tsp1_pkg::Lanes,
  parameter int unsigned Slw   = tsp_cfg_tsp1_pkg::LanesPerSuperlane
) (
  input  logic                          clk_i,
  input  logic                          rst_ni,
  input  logic [15:0]                   sl_i,         // strap: superlane index
  input  logic [15:0]                   num_lanes_i,  // strap: the configuration's lanes
  input  logic                          valid_i,
  input  opcode_e                       op_i,
  input  logic [15:0]                   param_i,      // SHIFT* lanes, ROTATE group
  input  logic [Lanes-1:0][7:0]         src_i,        // src (SELECT: a), every lane
  input  logic [Slw-1:0][7:0]           b_i,          // SELECT b, own lanes
  input  logic [Slw-1:0][7:0]           c_i,          // SELECT c, own lanes
  input  logic [Slw-1:0][15:0]          map_i,        // PERMUTE/DISTRIBUTE map, own lanes
  input  logic [Slw-1:0][Slw-1:0][7:0]  blk_i,        // TRANSPOSE: src stream j, own lane i at [j][i]
  // Tap s (0-based) carries the op presented s + 1 cycles ago when its latency is s + 1.
  output logic [MaxLat-1:0]                        out_valid_o,
  output logic [MaxLat-1:0][Slw-1:0][Slw-1:0][7:0] out_data_o  // [tap][stream][lane]
);
  function automatic int unsigned lat_of(opcode_e op);
    unique case (op)
      OpShiftup:    return LatShiftup;
      OpShiftdn:    return LatShiftdn;
      OpSelect:     return LatSelect;
      OpPermute:    return LatPermute;
      OpDistribute: return LatDistribute;
      OpRotate:     return LatRotate;
      OpTranspose:  return LatTranspose;
      default:      return 0;
    endcase
  endfunction

  // Unpacked copies of the ports: Verilator indexes these directly instead of
  // shifting wide vectors.
  logic [7:0] src[Lanes];
  logic [7:0] blk[Slw][Slw];
  for (genvar l = 0; l < Lanes; l++) begin : g_src
    assign src[l] = src_i[l];
  end
  for (genvar j = 0; j < Slw; j++) begin : g_blk_j
    for (genvar i = 0; i < Slw; i++) begin : g_blk_i
      assign blk[j][i] = blk_i[j][i];
    end
  end

  // Result of the op presented this cycle: [stream][lane].
  logic [7:0] res[Slw][Slw];
  always_comb begin
    int unsigned l, m, n, base, len, idx;
    for (int unsigned i = 0; i < Slw; i++) begin
      for (int unsigned j = 0; j < Slw; j++) res[i][j] = 8'h00;
    end
    for (int unsigned j = 0; j < Slw; j++) begin
      l = 32'(sl_i) * Slw + j;  // chip lane number
      m = 32'(map_i[j]);
      n = 32'(param_i);
      unique case (op_i)
        OpShiftup: res[0][j] = (l >= n && l - n < Lanes) ? src[l-n] : 8'h00;
        OpShiftdn: res[0][j] = (l + n < 32'(num_lanes_i) && l + n < Lanes) ? src[l+n] : 8'h00;
        OpSelect: res[0][j] = c_i[j] != 8'h00 ? src[l] : b_i[j];
        OpPermute: res[0][j] = m < 32'(num_lanes_i) && m < Lanes ? src[m] : 8'h00;
        OpDistribute: res[0][j] = src[l-j+m%Slw];
        OpRotate: begin
          n    = n + 1;
          base = l - l % n;
          len  = 32'(num_lanes_i) - base < n ? 32'(num_lanes_i) - base : n;
          idx  = base + (l - base + 1) % len;
          res[0][j] = idx < Lanes ? src[idx] : 8'h00;
        end
        OpTranspose: begin
          for (int unsigned i = 0; i < Slw; i++) begin
`ifdef TSP_PLANT_BUG_SXM
            // planted: own lanes Slw-1 and Slw-2 of the block trade places
            res[i][j] = blk[j == Slw - 1 ? Slw - 2 : j == Slw - 2 ? Slw - 1 : j][i];
`else
            res[i][j] = blk[j][i];
`endif
          end
        end
        default: res[0][j] = 8'h00;
      endcase
    end
  end

  // Pipeline: stage s holds the op presented s + 1 cycles ago and its result.
  logic [MaxLat-1:0] v_q;
  opcode_e           op_q[MaxLat];
  logic [7:0]        res_q[MaxLat][Slw][Slw];

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      v_q <= '0;
      for (int unsigned s = 0; s < MaxLat; s++) op_q[s] <= OpNop;
    end else begin
      v_q[0]  <= valid_i;
      op_q[0] <= op_i;
      for (int unsigned s = 1; s < MaxLat; s++) begin
        v_q[s]  <= v_q[s-1];
        op_q[s] <= op_q[s-1];
      end
    end
  end
  always_ff @(posedge clk_i) begin
    res_q[0] <= res;
    for (int unsigned s = 1; s < MaxLat; s++) res_q[s] <= res_q[s-1];
  end

  for (genvar s = 0; s < MaxLat; s++) begin : g_tap
    assign out_valid_o[s] = v_q[s] && lat_of(op_q[s]) == s + 1;
    for (genvar i = 0; i < Slw; i++) begin : g_stream
      for (genvar j = 0; j < Slw; j++) begin : g_lane
        assign out_data_o[s][i][j] = res_q[s][i][j];
      end
    end
  end
endmodule
