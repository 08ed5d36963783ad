// One VXM ALU of one lane: every VXM opcode with every type isa.toml allows,
// bit-exact to docs/numerics.md. The result is formed combinationally from the
// operands presented with valid_i and then delayed so that it shows on stage
// `latency` (tsp_isa_pkg) of the result pipeline: done_o[s-1] / res_o[s-1] is
// the op presented s cycles ago, flagged when s is its latency. Ops of
// different latencies may finish in the same cycle, as the model allows.
// An (opcode, type) pair the table does not allow gives 0, as the C++ apply().
module tsp_vxm_alu
  import tsp_isa_pkg::*;
  import tsp_vxm_pkg::*;
  import tsp_vxm_fp_pkg::*;
  import tsp_vxm_tr_pkg::*;
(
  input  logic                              clk_i,
  input  logic                              rst_ni,
  input  logic                              valid_i,
  input  logic [OpcodeBits-1:0]             op_i,
  input  logic [MovTypeWidth-1:0]           type_i,
  input  logic [CvtFromWidth-1:0]           from_i,   // CVT / CVTS source type
  input  logic [ShliShamtWidth-1:0]         shamt_i,  // SHLI / SHRI / SRAI
  input  logic [8*LaneBytes-1:0]            a_i,
  input  logic [8*LaneBytes-1:0]            b_i,
  input  logic [8*LaneBytes-1:0]            c_i,      // SEL's condition
  output logic [MaxLat-1:0]                 done_o,
  output logic [MaxLat-1:0][8*LaneBytes-1:0] res_o
);
  // One copy of this (large) module's code for every lane: Verilator would
  // otherwise flatten 16 x Superlanes copies of the datapath.
  /* verilator no_inline_module */
  localparam int unsigned W = 8 * LaneBytes;
  localparam int unsigned LatW = $clog2(MaxLat + 1);

  // ---- integer lanes (§4) ----
  function automatic int unsigned width_of(logic [2:0] t);
    unique case (t)
      DtI8, DtU8:    return 8;
      DtI16, DtF16, DtBf16: return 16;
      default:       return 32;
    endcase
  endfunction

  function automatic logic [W-1:0] mask_of(logic [2:0] t);
    return W'((64'h1 << width_of(t)) - 64'h1);
  endfunction

  // The lane bits as a number: sign-extended for i8/i16/i32, zero for u8.
  function automatic logic signed [33:0] ival(logic [2:0] t, logic [W-1:0] x);
    unique case (t)
      DtI8:    return 34'(signed'(x[7:0]));
      DtU8:    return 34'({1'b0, x[7:0]});
      DtI16:   return 34'(signed'(x[15:0]));
      default: return 34'(signed'(x[31:0]));
    endcase
  endfunction

  function automatic logic signed [65:0] imin(logic [2:0] t);
    unique case (t)
      DtI8:    return -66'sd128;
      DtU8:    return 66'sd0;
      DtI16:   return -66'sd32768;
      default: return -66'sd2147483648;
    endcase
  endfunction

  function automatic logic signed [65:0] imax(logic [2:0] t);
    unique case (t)
      DtI8:    return 66'sd127;
      DtU8:    return 66'sd255;
      DtI16:   return 66'sd32767;
      default: return 66'sd2147483647;
    endcase
  endfunction

  function automatic logic [W-1:0] sat(logic [2:0] t, logic signed [65:0] v);
    if (v < imin(t)) return W'(imin(t)) & mask_of(t);
    if (v > imax(t)) return W'(imax(t)) & mask_of(t);
    return W'(v) & mask_of(t);
  endfunction

  function automatic logic [W-1:0] int_lane(logic [7:0] op, logic [2:0] t, logic [W-1:0] a, logic [W-1:0] b,
                                            logic [ShliShamtWidth-1:0] shamt);
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
    if (op == OpShli || op == OpShri || op == OpSrai) s = 6'(shamt);
    sx = 64'(x);
    unique case (op)
      OpAdd:   return W'(x + y) & m;
      OpAdds:  return sat(t, 66'(x) + 66'(y));
      OpSub:   return W'(x - y) & m;
      OpSubs:  return sat(t, 66'(x) - 66'(y));
      OpMul:   return W'(66'(x) * 66'(y)) & m;
      OpMuls:  return sat(t, 66'(x) * 66'(y));
      OpMin:   return W'(x < y ? x : y) & m;
      OpMax:   return W'(x > y ? x : y) & m;
      OpAbs:   return W'(x < 0 ? -x : x) & m;
      OpNeg:   return W'(-x) & m;
      OpRelu:  return W'(x < 0 ? 34'sd0 : x) & m;
      OpCmpeq: return (x == y) ? m : '0;
      OpCmplt: return (x < y) ? m : '0;
      OpCmple: return (x <= y) ? m : '0;
      OpShl, OpShli: return W'(64'(am) << s) & m;
      OpShr, OpShri: return W'(64'(am) >> s) & m;
      OpSra, OpSrai: return W'(sx >>> s) & m;
      OpAnd:   return a & b;
      OpOr:    return a | b;
      OpXor:   return a ^ b;
      OpNot:   return ~a & m;
      OpTanh:  return (t == DtI16) ? W'(q12_tanh(a[15:0])) : '0;
      default: return '0;
    endcase
  endfunction

  // ---- conversions (§5) ----
  function automatic logic is_float_t(logic [2:0] t);
    return t == DtF16 || t == DtBf16 || t == DtF32;
  endfunction

  function automatic logic [W-1:0] convert(logic [2:0] to, logic [2:0] from, logic [W-1:0] a, logic saturate);
    logic signed [35:0] v;
    a = a & mask_of(from);
    if (is_float_t(from) && is_float_t(to)) return fp_convert(fmt_of(to), fmt_of(from), a);
    if (is_float_t(to)) return int_to_fp(fmt_of(to), ival(from, a));
    if (is_float_t(from)) v = fp_to_int(fmt_of(from), a);
    else v = 36'(ival(from, a));
    if (is_float_t(from) || saturate) return sat(to, 66'(v));
    return W'(v) & mask_of(to);
  endfunction

  // ---- float lanes (§3, §6) ----
  function automatic logic [W-1:0] fmask(fmt_e f);
    return (f == FmtF32) ? '1 : W'(16'hFFFF);
  endfunction

  function automatic logic [W-1:0] float_lane(logic [7:0] op, fmt_e f, logic [W-1:0] a, logic [W-1:0] b);
    unique case (op)
      OpAdd:   return fp_add(f, a, b, 1'b0);
      OpSub:   return fp_add(f, a, b, 1'b1);
      OpMul:   return fp_mul(f, a, b);
      OpMin:   return fp_minmax(f, a, b, 1'b0);
      OpMax:   return fp_minmax(f, a, b, 1'b1);
      OpAbs:   return is_nan(f, a) ? canonical_nan(f) : flush(f, a) & (sign_bit(f) - 32'h1);
      OpNeg:   return is_nan(f, a) ? canonical_nan(f) : flush(f, a) ^ sign_bit(f);
      OpRelu:  return is_nan(f, a) ? canonical_nan(f) : ((a & sign_bit(f)) != 0 ? '0 : flush(f, a));
      OpCmpeq: return fp_eq(f, a, b) ? fmask(f) : '0;
      OpCmplt: return fp_lt(f, a, b, 1'b0) ? fmask(f) : '0;
      OpCmple: return fp_lt(f, a, b, 1'b1) ? fmask(f) : '0;
      default: return '0;
    endcase
  endfunction

  // `tr`: EXP / RSQRT / TANH of the f32 widening of `a`, from the datapaths below.
  function automatic logic [W-1:0] lane(logic [7:0] op, logic [2:0] t, logic [2:0] from, logic [W-1:0] a,
                                        logic [W-1:0] b, logic [W-1:0] c, logic [ShliShamtWidth-1:0] shamt,
                                        logic [31:0] tr);
    if (!vxm_supports(op, t)) return '0;
    if (op == OpCvt || op == OpCvts) return convert(t, from, a, op == OpCvts);
    a = a & mask_of(t);
    b = b & mask_of(t);
    if (op == OpMov) return a;
    if (op == OpSel) return ((c & mask_of(t)) != '0) ? a : b;
    if (!is_float_t(t)) return int_lane(op, t, a, b, shamt);
    if (op == OpExp || op == OpRsqrt || op == OpTanh) begin
      if (is_nan(fmt_of(t), a)) return canonical_nan(fmt_of(t));
      return (fmt_of(t) == FmtF32) ? tr : fp_convert(fmt_of(t), FmtF32, tr) & mask_of(t);
    end
    return float_lane(op, fmt_of(t), a, b) & mask_of(t);
  endfunction

  // ---- transcendentals (§6): f32 datapaths fed with the widened input ----
  // NaN inputs never reach them (lane() answers those); TANH borrows the
  // EXP and RSQRT datapaths for its large-|x| path.
  logic [31:0] x32, exp_x, exp_y, rsqrt_x, rsqrt_y, tanh_y, tanh_exp_x, tanh_rsqrt_x, tr;
  logic        is_tanh;
  // Operand isolation: the datapaths see 0 (their cheapest input) unless a
  // transcendental runs, which also spares the simulator their evaluation.
  assign x32     = (valid_i && (op_i == OpExp || op_i == OpRsqrt || op_i == OpTanh)) ?
                   fp_convert(FmtF32, fmt_of(type_i), a_i & mask_of(type_i)) : 32'h0;
  assign is_tanh = op_i == OpTanh;
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
      OpExp:   tr = exp_y;
      OpRsqrt: tr = rsqrt_y;
      default: tr = tanh_y;
    endcase
  end

  // ---- result pipeline ----
  logic [W-1:0] result;
  logic [LatW-1:0] lat;

  always_comb begin
    result = '0;
    lat    = '0;
    if (valid_i) begin
      result = lane(op_i, type_i, from_i, a_i, b_i, c_i, shamt_i, tr);
      lat    = LatW'(vxm_latency(op_i));
    end
  end

  logic [MaxLat-1:0]         valid_q;
  logic [MaxLat-1:0][LatW-1:0] lat_q;
  logic [MaxLat-1:0][W-1:0]  res_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      valid_q <= '0;
      lat_q   <= '0;
      res_q   <= '0;
    end else begin
      valid_q <= {valid_q[MaxLat-2:0], valid_i};
      lat_q   <= {lat_q[MaxLat-2:0], lat};
      res_q   <= {res_q[MaxLat-2:0], result};
    end
  end

  for (genvar s = 0; s < MaxLat; s++) begin : g_done
    assign done_o[s] = valid_q[s] && lat_q[s] == LatW'(s + 1);
  end
  assign res_o = res_q;
endmodule
