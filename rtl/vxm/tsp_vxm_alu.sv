// One VXM ALU of one lane: every VXM opcode with every type isa.toml allows,
// bit-exact to docs/numerics.md. The result is formed combinationally from the
// operands presented with valid_i and then delayed so that it shows on stage
// `latency` (tsp_isa_pkg) of the result pipeline: done_o[s-1] / res_o[s-1] is
// the op presented s cycles ago, flagged when s is its latency. Ops of
// different latencies may finish in the same cycle, as the model allows.
// An (opcode, type) pair the table does not allow gives 0, as the C++ apply().
module tsp_vxm_alu
#(
  localparam int unsigned MaxLat = tsp_isa_pkg::VxmMaxLatency,      // the result delay line
  localparam int unsigned W      = 8 * tsp_isa_pkg::WidestTypeBytes  // lane bits on the ports
) (
  input  logic                              clk_i,
  input  logic                              rst_ni,
  input  logic                              valid_i,
  input  logic [tsp_isa_pkg::OpcodeBits-1:0]             op_i,
  input  logic [tsp_isa_pkg::MovTypeWidth-1:0]           type_i,
  input  logic [tsp_isa_pkg::CvtFromWidth-1:0]           from_i,   // CVT / CVTS source type
  input  logic [tsp_isa_pkg::ShliShamtWidth-1:0]         shamt_i,  // SHLI / SHRI / SRAI
  input  logic [W-1:0]                      a_i,
  input  logic [W-1:0]                      b_i,
  input  logic [W-1:0]                      c_i,      // SEL's condition
  output logic [MaxLat-1:0]                 done_o,
  output logic [MaxLat*W-1:0]               res_o     // stage s at bits s*W (flat: Yosys 0.23)
);
  // One copy of this (large) module's code for every lane: Verilator would
  // otherwise flatten 16 x Superlanes copies of the datapath.
  /* verilator no_inline_module */
  `include "tsp_vxm_fp.svh"
  `include "tsp_vxm_tr.svh"
  localparam int unsigned LatW = $clog2(MaxLat + 1);

  // ---- the opcode table (generated tsp_isa_pkg) ----
  // Latency of a VXM opcode (0 for anything else).
  function automatic int unsigned vxm_latency(logic [7:0] op);
    vxm_latency = tsp_isa_pkg::op_unit(op) == tsp_isa_pkg::UnitVxm ? tsp_isa_pkg::op_latency(op) : 0;
  endfunction

  // The opcode is a VXM ALU op and allows `dtype` (isa.toml `types`).
  function automatic logic vxm_supports(logic [7:0] op, logic [2:0] dtype);
    logic [31:0] mask;
    mask = tsp_isa_pkg::op_types(op);
    vxm_supports = tsp_isa_pkg::op_unit(op) == tsp_isa_pkg::UnitVxm && mask[5'(dtype)];
  endfunction

  // ---- integer lanes (§4) ----
  function automatic int unsigned width_of(logic [2:0] t);
    unique case (t)
      tsp_isa_pkg::DtI8, tsp_isa_pkg::DtU8:    width_of = 8;
      tsp_isa_pkg::DtI16, tsp_isa_pkg::DtF16, tsp_isa_pkg::DtBf16: width_of = 16;
      default:       width_of = 32;
    endcase
  endfunction

  function automatic logic [W-1:0] mask_of(logic [2:0] t);
    mask_of = W'((64'h1 << width_of(t)) - 64'h1);
  endfunction

  // The lane bits as a number: sign-extended for i8/i16/i32, zero for u8.
  function automatic logic signed [33:0] ival(logic [2:0] t, logic [W-1:0] x);
    unique case (t)
      tsp_isa_pkg::DtI8:    ival = 34'(signed'(x[7:0]));
      tsp_isa_pkg::DtU8:    ival = 34'({1'b0, x[7:0]});
      tsp_isa_pkg::DtI16:   ival = 34'(signed'(x[15:0]));
      default: ival = 34'(signed'(x[31:0]));
    endcase
  endfunction

  function automatic logic signed [65:0] imin(logic [2:0] t);
    unique case (t)
      tsp_isa_pkg::DtI8:    imin = -66'sd128;
      tsp_isa_pkg::DtU8:    imin = 66'sd0;
      tsp_isa_pkg::DtI16:   imin = -66'sd32768;
      default: imin = -66'sd2147483648;
    endcase
  endfunction

  function automatic logic signed [65:0] imax(logic [2:0] t);
    unique case (t)
      tsp_isa_pkg::DtI8:    imax = 66'sd127;
      tsp_isa_pkg::DtU8:    imax = 66'sd255;
      tsp_isa_pkg::DtI16:   imax = 66'sd32767;
      default: imax = 66'sd2147483647;
    endcase
  endfunction

  function automatic logic [W-1:0] sat(logic [2:0] t, logic signed [65:0] v);
    if (v < imin(t)) sat = W'(imin(t)) & mask_of(t);
    else if (v > imax(t)) sat = W'(imax(t)) & mask_of(t);
    else sat = W'(v) & mask_of(t);
  endfunction

  function automatic logic [W-1:0] int_lane(logic [7:0] op, logic [2:0] t, logic [W-1:0] a, logic [W-1:0] b,
                                            logic [tsp_isa_pkg::ShliShamtWidth-1:0] shamt);
    logic signed [33:0] x;
    logic signed [33:0] y;
    logic [W-1:0]       m;
    logic [5:0]         s;
    logic signed [63:0] sx;
    logic [W-1:0]       am;
    x = ival(t, a);
    y = ival(t, b);
    m = mask_of(t);
    am = a & m;
    s = 6'(b & W'(width_of(t) - 1));
    if (op == tsp_isa_pkg::OpShli || op == tsp_isa_pkg::OpShri || op == tsp_isa_pkg::OpSrai) s = 6'(shamt);
    sx = 64'(x);
    unique case (op)
      tsp_isa_pkg::OpAdd:   int_lane = W'(x + y) & m;
      tsp_isa_pkg::OpAdds:  int_lane = sat(t, 66'(x) + 66'(y));
      tsp_isa_pkg::OpSub:   int_lane = W'(x - y) & m;
      tsp_isa_pkg::OpSubs:  int_lane = sat(t, 66'(x) - 66'(y));
      tsp_isa_pkg::OpMul:   int_lane = W'(66'(x) * 66'(y)) & m;
      tsp_isa_pkg::OpMuls:  int_lane = sat(t, 66'(x) * 66'(y));
      tsp_isa_pkg::OpMin:   int_lane = W'(x < y ? x : y) & m;
      tsp_isa_pkg::OpMax:   int_lane = W'(x > y ? x : y) & m;
      tsp_isa_pkg::OpAbs:   int_lane = W'(x < 0 ? -x : x) & m;
      tsp_isa_pkg::OpNeg:   int_lane = W'(-x) & m;
      tsp_isa_pkg::OpRelu:  int_lane = W'(x < 0 ? 34'sd0 : x) & m;
      tsp_isa_pkg::OpCmpeq: int_lane = (x == y) ? m : '0;
      tsp_isa_pkg::OpCmplt: int_lane = (x < y) ? m : '0;
      tsp_isa_pkg::OpCmple: int_lane = (x <= y) ? m : '0;
      tsp_isa_pkg::OpShl, tsp_isa_pkg::OpShli: int_lane = W'(64'(am) << s) & m;
      tsp_isa_pkg::OpShr, tsp_isa_pkg::OpShri: int_lane = W'(64'(am) >> s) & m;
      tsp_isa_pkg::OpSra, tsp_isa_pkg::OpSrai: int_lane = W'(sx >>> s) & m;
      tsp_isa_pkg::OpAnd:   int_lane = a & b;
      tsp_isa_pkg::OpOr:    int_lane = a | b;
      tsp_isa_pkg::OpXor:   int_lane = a ^ b;
      tsp_isa_pkg::OpNot:   int_lane = ~a & m;
      tsp_isa_pkg::OpTanh:  int_lane = (t == tsp_isa_pkg::DtI16) ? W'(q12_tanh(a[15:0])) : '0;
      default: int_lane = '0;
    endcase
  endfunction

  // ---- conversions (§5) ----
  function automatic logic is_float_t(logic [2:0] t);
    is_float_t = t == tsp_isa_pkg::DtF16 || t == tsp_isa_pkg::DtBf16 || t == tsp_isa_pkg::DtF32;
  endfunction

  function automatic logic [W-1:0] convert(logic [2:0] to, logic [2:0] from, logic [W-1:0] a, logic saturate);
    logic signed [35:0] v;
    logic [W-1:0]       am;
    am = a & mask_of(from);
    if (is_float_t(from)) v = fp_to_int(fmt_of(from), am);
    else v = 36'(ival(from, am));
    if (is_float_t(from) && is_float_t(to)) convert = fp_convert(fmt_of(to), fmt_of(from), am);
    else if (is_float_t(to)) convert = int_to_fp(fmt_of(to), ival(from, am));
    else if (is_float_t(from) || saturate) convert = sat(to, 66'(v));
    else convert = W'(v) & mask_of(to);
  endfunction

  // ---- float lanes (§3, §6) ----
  function automatic logic [W-1:0] fmask(fmt_e f);
    fmask = (f == FmtF32) ? '1 : W'(16'hFFFF);
  endfunction

  // The small float ops; ADD/SUB, MUL and MIN/MAX have datapaths of their own below.
  function automatic logic [W-1:0] float_lane(logic [7:0] op, fmt_e f, logic [W-1:0] a, logic [W-1:0] b);
    unique case (op)
      tsp_isa_pkg::OpAbs:   float_lane = is_nan(f, a) ? canonical_nan(f) : flush(f, a) & (sign_bit(f) - 32'h1);
      tsp_isa_pkg::OpNeg:   float_lane = is_nan(f, a) ? canonical_nan(f) : flush(f, a) ^ sign_bit(f);
      tsp_isa_pkg::OpRelu:  float_lane = is_nan(f, a) ? canonical_nan(f) : ((a & sign_bit(f)) != 0 ? '0 : flush(f, a));
      tsp_isa_pkg::OpCmpeq: float_lane = fp_eq(f, a, b) ? fmask(f) : '0;
      tsp_isa_pkg::OpCmplt: float_lane = fp_lt(f, a, b, 1'b0) ? fmask(f) : '0;
      tsp_isa_pkg::OpCmple: float_lane = fp_lt(f, a, b, 1'b1) ? fmask(f) : '0;
      default: float_lane = '0;
    endcase
  endfunction

  // ---- transcendentals (§6): f32 datapaths fed with the widened input ----
  // NaN inputs never reach them (r_tr answers those); TANH borrows the
  // EXP and RSQRT datapaths for its large-|x| path.
  logic [31:0] x32, exp_x, exp_y, rsqrt_x, rsqrt_y, tanh_y, tanh_exp_x, tanh_rsqrt_x, tr;
  logic        is_tanh;
  // Operand isolation: the datapaths see 0 (their cheapest input) unless a
  // transcendental runs, which also spares the simulator their evaluation.
  assign x32     = (valid_i && (op_i == tsp_isa_pkg::OpExp || op_i == tsp_isa_pkg::OpRsqrt || op_i == tsp_isa_pkg::OpTanh)) ?
                   fp_convert(FmtF32, fmt_of(type_i), a_i & mask_of(type_i)) : 32'h0;
  assign is_tanh = op_i == tsp_isa_pkg::OpTanh;
  assign exp_x   = is_tanh ? tanh_exp_x : x32;
  assign rsqrt_x = is_tanh ? tanh_rsqrt_x : x32;
  tsp_vxm_exp u_exp (.x_i(exp_x), .y_o(exp_y));
  tsp_vxm_rsqrt u_rsqrt (.x_i(rsqrt_x), .y_o(rsqrt_y));
  tsp_vxm_tanh u_tanh (
    .x_i      (x32),
    .exp_x_o  (tanh_exp_x),
    .exp_y_i  (exp_y),
    .rsqrt_x_o(tanh_rsqrt_x),
    .rsqrt_y_i(rsqrt_y),
    .y_o      (tanh_y)
  );
  always_comb begin
    unique case (op_i)
      tsp_isa_pkg::OpExp:   tr = exp_y;
      tsp_isa_pkg::OpRsqrt: tr = rsqrt_y;
      default: tr = tanh_y;
    endcase
  end

  // ---- result pipeline ----
  logic [W-1:0] result;
  logic [LatW-1:0] lat;

  // The lane's datapaths side by side, one continuous assignment each, and the
  // opcode picks one. (As one function called from one always_comb, the form
  // this had, Yosys 0.23 spent over 15 CPU minutes in proc_mux on it.)
  fmt_e         fmt;
  logic [W-1:0] m, am, bm;
  logic [W-1:0] r_cvt, r_int, r_add, r_mul, r_minmax, r_float, r_tr;
  assign fmt      = fmt_of(type_i);
  assign m        = mask_of(type_i);
  assign am       = a_i & m;
  assign bm       = b_i & m;
  assign r_cvt    = convert(type_i, from_i, a_i, op_i == tsp_isa_pkg::OpCvts);
  assign r_int    = int_lane(op_i, type_i, am, bm, shamt_i);
  assign r_add    = fp_add(fmt, am, bm, op_i == tsp_isa_pkg::OpSub);
  assign r_mul    = fp_mul(fmt, am, bm);
  assign r_minmax = fp_minmax(fmt, am, bm, op_i == tsp_isa_pkg::OpMax);
  assign r_float  = float_lane(op_i, fmt, am, bm);
  // EXP / RSQRT / TANH: `tr` is the f32 result of the widened input.
  assign r_tr     = is_nan(fmt, am) ? canonical_nan(fmt) : (fmt == FmtF32) ? tr : fp_convert(fmt, FmtF32, tr) & m;

  always_comb begin
    result = '0;
    lat    = '0;
    if (valid_i) begin
      lat = LatW'(vxm_latency(op_i));
      if (!vxm_supports(op_i, type_i)) result = '0;
      else if (op_i == tsp_isa_pkg::OpCvt || op_i == tsp_isa_pkg::OpCvts) result = r_cvt;
      else if (op_i == tsp_isa_pkg::OpMov) result = am;
      else if (op_i == tsp_isa_pkg::OpSel) result = ((c_i & m) != '0) ? am : bm;
      else if (!is_float_t(type_i)) result = r_int;
      else if (op_i == tsp_isa_pkg::OpExp || op_i == tsp_isa_pkg::OpRsqrt || op_i == tsp_isa_pkg::OpTanh) result = r_tr;
      else if (op_i == tsp_isa_pkg::OpAdd || op_i == tsp_isa_pkg::OpSub) result = r_add & m;
      else if (op_i == tsp_isa_pkg::OpMul) result = r_mul & m;
      else if (op_i == tsp_isa_pkg::OpMin || op_i == tsp_isa_pkg::OpMax) result = r_minmax & m;
      else result = r_float & m;
    end
  end

  logic [MaxLat-1:0]         valid_q;
  logic [MaxLat*LatW-1:0]    lat_q;  // stage s at bits s*LatW
  logic [MaxLat*W-1:0]       res_q;  // stage s at bits s*W

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      valid_q <= '0;
      lat_q   <= '0;
      res_q   <= '0;
    end else begin
      valid_q <= {valid_q[MaxLat-2:0], valid_i};
      lat_q   <= {lat_q[(MaxLat-1)*LatW-1:0], lat};
      res_q   <= {res_q[(MaxLat-1)*W-1:0], result};
    end
  end

  for (genvar s = 0; s < MaxLat; s++) begin : g_done
    assign done_o[s] = valid_q[s] && lat_q[s*LatW+:LatW] == LatW'(s + 1);
  end
  assign res_o = res_q;
endmodule
