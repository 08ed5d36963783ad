// Float and integer lane arithmetic of the VXM as synthesizable functions,
// bit-exact to docs/numerics.md §2-§5 (C++ reference: common/numerics/).
// One datapath serves f16, bf16 and f32: operands are unpacked to a sign, an
// unbiased exponent and a 24-bit significand (input flush), the exact result is
// formed with guard bits (add: a sticky bit), and fp_round() rounds it once to
// the destination format: tininess before rounding, RNE, overflow to infinity.
package tsp_vxm_fp_pkg;

  typedef enum logic [1:0] {
    FmtF16  = 2'd0,
    FmtBf16 = 2'd1,
    FmtF32  = 2'd2
  } fmt_e;

  // An unpacked float: exact value (-1)^sign * sig/2^23 * 2^exp when normal.
  typedef struct packed {
    logic               nan;
    logic               inf;
    logic               zero;  // zero or flushed subnormal
    logic               sign;
    logic signed [11:0] exp;
    logic [23:0]        sig;   // 1.f, the leading one at bit 23
  } fp_t;

  function automatic int unsigned frac_bits(fmt_e f);
    unique case (f)
      FmtF16:  return 10;
      FmtBf16: return 7;
      default: return 23;
    endcase
  endfunction

  function automatic int unsigned exp_bits(fmt_e f);
    return (f == FmtF16) ? 5 : 8;
  endfunction

  function automatic int signed bias(fmt_e f);
    return (f == FmtF16) ? 15 : 127;
  endfunction

  function automatic logic [31:0] sign_bit(fmt_e f);
    return 32'h1 << (exp_bits(f) + frac_bits(f));
  endfunction

  function automatic logic [31:0] inf_bits(fmt_e f);
    return ((32'h1 << exp_bits(f)) - 32'h1) << frac_bits(f);
  endfunction

  function automatic logic [31:0] canonical_nan(fmt_e f);
    return inf_bits(f) | (32'h1 << (frac_bits(f) - 1));
  endfunction

  function automatic logic is_nan(fmt_e f, logic [31:0] x);
    return (x & (sign_bit(f) - 32'h1)) > inf_bits(f);
  endfunction

  // Input flush: exponent field 0 reads as the zero of its sign.
  function automatic logic [31:0] flush(fmt_e f, logic [31:0] x);
    return ((x & inf_bits(f)) == 32'h0) ? (x & sign_bit(f)) : x;
  endfunction

  function automatic fp_t unpack(fmt_e f, logic [31:0] x);
    fp_t         u;
    logic [31:0] e_field;
    logic [31:0] frac;
    e_field = (x & inf_bits(f)) >> frac_bits(f);
    frac    = x & ((32'h1 << frac_bits(f)) - 32'h1);
    u.sign  = (x & sign_bit(f)) != 32'h0;
    u.zero  = e_field == 32'h0;
    u.inf   = (x & inf_bits(f)) == inf_bits(f) && frac == 32'h0;
    u.nan   = (x & inf_bits(f)) == inf_bits(f) && frac != 32'h0;
    u.exp   = 12'(signed'(e_field)) - 12'(bias(f));
    u.sig   = 24'({1'b1, 23'(frac << (23 - frac_bits(f)))});
    return u;
  endfunction

  // Leading zeros of a 64-bit value and the value shifted left by them.
  function automatic logic [6:0] lzc64(logic [63:0] x);
    logic [6:0] n;
    n = '0;
    if (x[63:32] == '0) begin n = n + 7'd32; x = x << 32; end
    if (x[63:48] == '0) begin n = n + 7'd16; x = x << 16; end
    if (x[63:56] == '0) begin n = n + 7'd8;  x = x << 8;  end
    if (x[63:60] == '0) begin n = n + 7'd4;  x = x << 4;  end
    if (x[63:62] == '0) begin n = n + 7'd2;  x = x << 2;  end
    if (x[63] == 1'b0) n = n + 7'd1;
    return n;
  endfunction

  // Round |v| = sig/2^63 * 2^exp (sig normalized: bit 63 set) to format f
  // (§2 steps 2-4). `half_up` rounds ties away from zero: only the planted bug
  // uses it.
  function automatic logic [31:0] fp_round(fmt_e f, logic sign, logic signed [11:0] exp, logic [63:0] sig,
                                           logic half_up);
    logic [63:0]        kept;
    logic [63:0]        rest;
    logic [63:0]        half;
    logic signed [11:0] e;
    logic               up;
    logic [31:0]        s;
    int unsigned        drop;
    s = sign ? sign_bit(f) : 32'h0;
    if (exp < 12'sd1 - 12'(bias(f))) return s;
    drop = 63 - frac_bits(f);
    kept = sig >> drop;
    rest = sig & ((64'h1 << drop) - 64'h1);
    half = 64'h1 << (drop - 1);
    up   = rest > half || (rest == half && (kept[0] || half_up));
    kept = kept + 64'(up);
    e    = exp;
    if ((kept >> (frac_bits(f) + 1)) != 64'h0) begin
      kept = 64'h0;
      e    = e + 12'sd1;
    end
    if (e > 12'(bias(f))) return s | inf_bits(f);
    return s | (32'(12'(e + 12'(bias(f)))) << frac_bits(f)) | (32'(kept) & ((32'h1 << frac_bits(f)) - 32'h1));
  endfunction

  // ADD (sub = 1: SUB). Exact sum with 39 guard bits below the larger
  // significand and a sticky bit for anything shifted out further.
  function automatic logic [31:0] fp_add(fmt_e f, logic [31:0] a, logic [31:0] b, logic sub);
    fp_t         x;
    fp_t         y;
    logic        swap;
    logic        hs;
    logic signed [11:0] he;
    logic [63:0] bm;
    logic [63:0] sm;
    logic [63:0] sh;
    logic [63:0] r;
    logic [11:0] d;
    logic [6:0]  lz;
    logic        half_up;
    x = unpack(f, a);
    y = unpack(f, b);
    y.sign = y.sign ^ sub;
    half_up = 1'b0;
`ifdef TSP_PLANT_BUG_VXM
    // Planted bug for the cosim self-test: f16 ADD/SUB round ties up, not to even.
    half_up = f == FmtF16;
`endif
    if (x.nan || y.nan || (x.inf && y.inf && x.sign != y.sign)) return canonical_nan(f);
    if (x.inf) return (x.sign ? sign_bit(f) : 32'h0) | inf_bits(f);
    if (y.inf) return (y.sign ? sign_bit(f) : 32'h0) | inf_bits(f);
    if (x.zero && y.zero) return (x.sign && y.sign) ? sign_bit(f) : 32'h0;
    if (x.zero) return fp_round(f, y.sign, y.exp, {y.sig, 40'h0}, 1'b0);
    if (y.zero) return fp_round(f, x.sign, x.exp, {x.sig, 40'h0}, 1'b0);
    // hi: the operand of larger magnitude; its sign is the result's.
    swap = !(x.exp > y.exp || (x.exp == y.exp && x.sig >= y.sig));
    hs = swap ? y.sign : x.sign;
    he = swap ? y.exp : x.exp;
    d  = swap ? 12'(y.exp - x.exp) : 12'(x.exp - y.exp);
    bm = {1'b0, swap ? y.sig : x.sig, 39'h0};
    sm = {1'b0, swap ? x.sig : y.sig, 39'h0};
    sh = sm >> d;
    sh[0] = sh[0] | ((sh << d) != sm);
    r = (x.sign == y.sign) ? bm + sh : bm - sh;
    if (r == 64'h0) return 32'h0;  // exact cancellation: +0
    lz = lzc64(r);
    return fp_round(f, hs, he + 12'sd1 - 12'(lz), r << lz, half_up);
  endfunction

  // MUL: the 48-bit product of the significands is exact.
  function automatic logic [31:0] fp_mul(fmt_e f, logic [31:0] a, logic [31:0] b);
    fp_t         x;
    fp_t         y;
    logic [63:0] p;
    logic        s;
    x = unpack(f, a);
    y = unpack(f, b);
    s = x.sign ^ y.sign;
    if (x.nan || y.nan || (x.inf && y.zero) || (x.zero && y.inf)) return canonical_nan(f);
    if (x.inf || y.inf) return (s ? sign_bit(f) : 32'h0) | inf_bits(f);
    if (x.zero || y.zero) return s ? sign_bit(f) : 32'h0;
    p = {48'(x.sig) * 48'(y.sig), 16'h0};
    if (p[63]) return fp_round(f, s, x.exp + y.exp + 12'sd1, p, 1'b0);
    return fp_round(f, s, x.exp + y.exp, p << 1, 1'b0);
  endfunction

  // IEEE ordered compares after the flush: NaN is unordered, -0 == +0.
  function automatic logic fp_lt(fmt_e f, logic [31:0] a, logic [31:0] b, logic or_equal);
    logic [31:0] x;
    logic [31:0] y;
    logic [31:0] mag;
    logic [31:0] mx;
    logic [31:0] my;
    logic        sx;
    logic        sy;
    if (is_nan(f, a) || is_nan(f, b)) return 1'b0;
    x   = flush(f, a);
    y   = flush(f, b);
    mag = sign_bit(f) - 32'h1;
    mx  = x & mag;
    my  = y & mag;
    sx  = (x & sign_bit(f)) != 32'h0 && mx != 32'h0;
    sy  = (y & sign_bit(f)) != 32'h0 && my != 32'h0;
    if (mx == my && sx == sy) return or_equal;
    if (sx != sy) return sx;
    return sx ? mx > my : mx < my;
  endfunction

  function automatic logic fp_eq(fmt_e f, logic [31:0] a, logic [31:0] b);
    return fp_lt(f, a, b, 1'b1) && !fp_lt(f, a, b, 1'b0);
  endfunction

  // MIN / MAX: canonical NaN for a NaN input; equal values (±0 too) give
  // a | b (MIN, -0 wins) or a & b (MAX, +0 wins) of the flushed bits.
  function automatic logic [31:0] fp_minmax(fmt_e f, logic [31:0] a, logic [31:0] b, logic max);
    logic [31:0] x;
    logic [31:0] y;
    if (is_nan(f, a) || is_nan(f, b)) return canonical_nan(f);
    x = flush(f, a);
    y = flush(f, b);
    if (fp_eq(f, x, y)) return max ? (x & y) : (x | y);
    return (fp_lt(f, x, y, 1'b0) ^ max) ? x : y;
  endfunction

  // int -> float: an exact integer (|v| <= 2^31) rounded to the format.
  function automatic logic [31:0] int_to_fp(fmt_e f, logic signed [33:0] v);
    logic signed [33:0] av;
    logic [63:0] m;
    logic [6:0]  lz;
    if (v == 34'sd0) return 32'h0;
    av = v < 0 ? -v : v;
    m  = 64'(av);
    lz = lzc64(m);
    return fp_round(f, v < 0, 12'sd63 - 12'(lz), m << lz, 1'b0);
  endfunction

  // float -> integer value, rounded to nearest even (NaN -> 0); magnitudes
  // beyond 2^33 are clamped there (every destination saturates below it).
  function automatic logic signed [35:0] fp_to_int(fmt_e f, logic [31:0] a);
    fp_t         x;
    logic [63:0] fx;  // |value| * 2^30
    logic [35:0] m;
    logic [29:0] rest;
    x = unpack(f, a);
    if (x.nan || x.zero || x.exp < -12'sd1) return 36'sd0;
    if (x.inf || x.exp > 12'sd32) m = 36'h2_0000_0000;
    else begin
      fx   = 64'(x.sig) << (x.exp + 12'sd7);
      m    = 36'(fx >> 30);
      rest = fx[29:0];
      if (rest > 30'h2000_0000 || (rest == 30'h2000_0000 && m[0])) m = m + 36'h1;
    end
    return x.sign ? -signed'(m) : signed'(m);
  endfunction

  // float -> float (§5): NaN -> canonical NaN of `t`, else the flushed value
  // rounded to `t` (widening is exact).
  function automatic logic [31:0] fp_convert(fmt_e t, fmt_e f, logic [31:0] a);
    fp_t x;
    x = unpack(f, a);
    if (x.nan) return canonical_nan(t);
    if (x.inf) return (x.sign ? sign_bit(t) : 32'h0) | inf_bits(t);
    if (x.zero) return x.sign ? sign_bit(t) : 32'h0;
    return fp_round(t, x.sign, x.exp, {x.sig, 40'h0}, 1'b0);
  endfunction

  // Float format <-> element type code.
  function automatic fmt_e fmt_of(logic [2:0] dtype);
    unique case (dtype)
      tsp_isa_pkg::DtF16:  return FmtF16;
      tsp_isa_pkg::DtBf16: return FmtBf16;
      default:             return FmtF32;
    endcase
  endfunction

endpackage
