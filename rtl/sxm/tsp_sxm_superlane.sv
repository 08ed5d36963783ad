// The SXM of one superlane: computes this superlane's Slw output lanes of
// SHIFTUP/SHIFTDN, SELECT, PERMUTE, DISTRIBUTE, ROTATE (one stream) and the
// Slw x Slw byte TRANSPOSE (Slw streams), each emitted exactly its ISA-table
// latency after the op is presented.
// Ops that move bytes between superlanes (shifts, PERMUTE, ROTATE with groups
// that straddle a superlane) read the whole source vector: src_i is the
// crossbar input holding every lane of the chip (num_lanes_i of the Lanes
// ports are live), and sl_i says which Slw of them this superlane produces.
// SELECT, DISTRIBUTE and TRANSPOSE use only this superlane's own lanes.
// Vectors of lanes are flat (lane l at bits l*width, [a][b] of a packed array
// at bits (a*B+b)*width): Yosys 0.23 reads no multi-dimensional packed arrays.
module tsp_sxm_superlane
#(
  parameter int unsigned Lanes = tsp_cfg_tsp1_pkg::Lanes,
  parameter int unsigned Slw   = tsp_cfg_tsp1_pkg::LanesPerSuperlane
) (
  input  logic                          clk_i,
  input  logic                          rst_ni,
  input  logic [15:0]                   sl_i,         // strap: superlane index
  input  logic [15:0]                   num_lanes_i,  // strap: the configuration's lanes
  input  logic                          valid_i,
  input  tsp_isa_pkg::opcode_e                       op_i,
  input  logic [15:0]                   param_i,      // SHIFT* lanes, ROTATE group
  input  logic [Lanes*8-1:0]            src_i,        // src (SELECT: a), every lane
  input  logic [Slw*8-1:0]              b_i,          // SELECT b, own lanes
  input  logic [Slw*8-1:0]              c_i,          // SELECT c, own lanes
  input  logic [Slw*16-1:0]             map_i,        // PERMUTE/DISTRIBUTE map, own lanes
  input  logic [Slw*Slw*8-1:0]          blk_i,        // TRANSPOSE: src stream j, own lane i at [j][i]
  // Tap s (0-based) carries the op presented s + 1 cycles ago when its latency is s + 1.
  output logic [tsp_isa_pkg::SxmMaxLatency-1:0]                        out_valid_o,
  output logic [tsp_isa_pkg::SxmMaxLatency*Slw*Slw*8-1:0]              out_data_o  // [tap][stream][lane]
);
  // The latency of an SXM opcode (0 for any other unit's).
  function automatic int unsigned lat_of(tsp_isa_pkg::opcode_e op);
    lat_of = tsp_isa_pkg::op_unit(op) == tsp_isa_pkg::UnitSxm ? tsp_isa_pkg::op_latency(op) : 0;
  endfunction

  // Unpacked copies of the ports: Verilator indexes these directly instead of
  // shifting wide vectors.
  logic [7:0] src[Lanes];
  logic [7:0] blk[Slw][Slw];
  for (genvar l = 0; l < Lanes; l++) begin : g_src
    assign src[l] = src_i[l*8+:8];
  end
  for (genvar j = 0; j < Slw; j++) begin : g_blk_j
    for (genvar i = 0; i < Slw; i++) begin : g_blk_i
      assign blk[j][i] = blk_i[(j*Slw+i)*8+:8];
    end
  end

  // Result of the op presented this cycle: [stream][lane].
  logic [Slw*Slw*8-1:0] res;  // [stream i][lane j] at bits (i*Slw+j)*8
  always_comb begin
    int unsigned l, m, n, base, len, idx;
    // Every temporary gets a value on every path: Yosys would otherwise keep
    // the ROTATE-only ones in latches.
    l    = 0;
    m    = 0;
    n    = 0;
    base = 0;
    len  = 0;
    idx  = 0;
    for (int unsigned i = 0; i < Slw; i++) begin
      for (int unsigned j = 0; j < Slw; j++) res[(i*Slw+j)*8+:8] = 8'h00;
    end
    for (int unsigned j = 0; j < Slw; j++) begin
      l = 32'(sl_i) * Slw + j;  // chip lane number
      m = 32'(map_i[j*16+:16]);
      n = 32'(param_i);
      unique case (op_i)
        tsp_isa_pkg::OpShiftup: res[j*8+:8] = (l >= n && l - n < Lanes) ? src[l-n] : 8'h00;
        tsp_isa_pkg::OpShiftdn: res[j*8+:8] = (l + n < 32'(num_lanes_i) && l + n < Lanes) ? src[l+n] : 8'h00;
        tsp_isa_pkg::OpSelect: res[j*8+:8] = c_i[j*8+:8] != 8'h00 ? src[l] : b_i[j*8+:8];
        tsp_isa_pkg::OpPermute: res[j*8+:8] = m < 32'(num_lanes_i) && m < Lanes ? src[m] : 8'h00;
        tsp_isa_pkg::OpDistribute: res[j*8+:8] = src[l-j+m%Slw];
        tsp_isa_pkg::OpRotate: begin
          n    = n + 1;
          base = l - l % n;
          len  = 32'(num_lanes_i) - base < n ? 32'(num_lanes_i) - base : n;
          idx  = base + (l - base + 1) % len;
          res[j*8+:8] = idx < Lanes ? src[idx] : 8'h00;
        end
        tsp_isa_pkg::OpTranspose: begin
          for (int unsigned i = 0; i < Slw; i++) begin
`ifdef TSP_PLANT_BUG_SXM
            // planted: own lanes Slw-1 and Slw-2 of the block trade places
            res[(i*Slw+j)*8+:8] = blk[j == Slw - 1 ? Slw - 2 : j == Slw - 2 ? Slw - 1 : j][i];
`else
            res[(i*Slw+j)*8+:8] = blk[j][i];
`endif
          end
        end
        default: res[j*8+:8] = 8'h00;
      endcase
    end
  end

  // Pipeline: stage s holds the op presented s + 1 cycles ago and its result.
  logic [tsp_isa_pkg::SxmMaxLatency-1:0] v_q;
  tsp_isa_pkg::opcode_e           op_q[tsp_isa_pkg::SxmMaxLatency];
  logic [Slw*Slw*8-1:0] res_q[tsp_isa_pkg::SxmMaxLatency];

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      v_q <= '0;
      for (int unsigned s = 0; s < tsp_isa_pkg::SxmMaxLatency; s++) op_q[s] <= tsp_isa_pkg::OpNop;
    end else begin
      v_q[0]  <= valid_i;
      op_q[0] <= op_i;
      for (int unsigned s = 1; s < tsp_isa_pkg::SxmMaxLatency; s++) begin
        v_q[s]  <= v_q[s-1];
        op_q[s] <= op_q[s-1];
      end
    end
  end
  always_ff @(posedge clk_i) begin
    res_q[0] <= res;
    for (int unsigned s = 1; s < tsp_isa_pkg::SxmMaxLatency; s++) res_q[s] <= res_q[s-1];
  end

  for (genvar s = 0; s < tsp_isa_pkg::SxmMaxLatency; s++) begin : g_tap
    assign out_valid_o[s] = v_q[s] && lat_of(op_q[s]) == s + 1;
    assign out_data_o[s*Slw*Slw*8+:Slw*Slw*8] = res_q[s];
  end
endmodule
