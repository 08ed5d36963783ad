// EXP, RSQRT and TANH as the exact step sequences of docs/numerics.md §6:
// f32 add/sub/mul (RNE, FTZ) as in tsp_vxm_fp.svh, integer steps on the bit
// patterns, constants as hex; and TANH.i16 (Q3.12) by table + interpolation.
// The sequences are combinational; the ALU's delay line gives the latency.
//
// `include'd inside the modules that use it, after tsp_vxm_fp.svh (lzc64), for
// the reasons given there; tables are flat vectors (Yosys 0.23 reads no
// multi-dimensional packed arrays and no unpacked localparams).

  // reason: these constants are `include'd into every module that needs some
  // of them (a package would not read in Yosys 0.23); one a module does not use
  // is no defect. Verilator's waiver file cannot name an include file, hence
  // the inline pragma (its pair closes after the table).
  /* verilator lint_off UNUSEDPARAM */
  localparam logic [31:0] One = 32'h3F80_0000;
  localparam logic [31:0] Half = 32'h3F00_0000;
  localparam logic [31:0] PosInf = 32'h7F80_0000;
  localparam logic [31:0] NegInf = 32'hFF80_0000;
  localparam logic [31:0] NaN32 = 32'h7FC0_0000;

  // exp (§6.1)
  localparam logic [31:0] ExpOvf = 32'h42B2_0000;  // 89.0
  localparam logic [31:0] ExpUnf = 32'h42D0_0000;  // 104.0
  localparam logic [31:0] Log2e = 32'h3FB8_AA3B;
  localparam logic [31:0] Shifter = 32'h4B40_0000;  // 1.5 * 2^23
  localparam logic [31:0] Ln2Hi = 32'h3F31_8000;
  localparam logic [31:0] Ln2Lo = 32'hB95E_8083;
  localparam logic [6*32-1:0] ExpPoly = {
    32'h3950_6967, 32'h3AB7_43CE, 32'h3C08_8908, 32'h3D2A_A9C1, 32'h3E2A_AAAA, 32'h3F00_0000
  };  // Pi at bits [(5-i)*32 +: 32]: P0 at the top
  // rsqrt (§6.2)
  localparam logic [31:0] RsqrtMagic = 32'h5F37_59DF;
  localparam int unsigned RsqrtSteps = 3;
  // tanh (§6.3)
  localparam logic [31:0] TanhSat = 32'h4120_0000;  // 10.0
  localparam logic [31:0] TanhPolyLimit = 32'h3F20_0000;  // 0.625
  localparam logic [5*32-1:0] TanhPoly = {
    32'hBBBA_F0EA, 32'h3CA9_134E, 32'hBD5C_1E2D, 32'h3E08_8393, 32'hBEAA_AA99
  };  // Qi at bits [(4-i)*32 +: 32]: Q0 at the top
  // TANH.i16 (§6.4): T[i] = round(tanh(i/32) * 4096), frozen in the spec.
  localparam int unsigned Q12Entries = 161;
  // T[i] at bits [(Q12Entries-1-i)*13 +: 13]: T[0] first, at the top.
  localparam logic [Q12Entries*13-1:0] Q12Table = {
    13'd0, 13'd128, 13'd256, 13'd383, 13'd509, 13'd635, 13'd759, 13'd882, 13'd1003, 13'd1123,
    13'd1240, 13'd1355, 13'd1468, 13'd1578, 13'd1686, 13'd1791, 13'd1893, 13'd1992, 13'd2088, 13'd2181,
    13'd2272, 13'd2359, 13'd2443, 13'd2524, 13'd2602, 13'd2676, 13'd2748, 13'd2817, 13'd2883, 13'd2946,
    13'd3007, 13'd3064, 13'd3119, 13'd3172, 13'd3222, 13'd3270, 13'd3315, 13'd3358, 13'd3399, 13'd3438,
    13'd3475, 13'd3510, 13'd3543, 13'd3574, 13'd3604, 13'd3632, 13'd3659, 13'd3684, 13'd3707, 13'd3730,
    13'd3751, 13'd3771, 13'd3790, 13'd3808, 13'd3825, 13'd3841, 13'd3856, 13'd3870, 13'd3883, 13'd3896,
    13'd3908, 13'd3919, 13'd3929, 13'd3939, 13'd3949, 13'd3957, 13'd3966, 13'd3973, 13'd3981, 13'd3988,
    13'd3994, 13'd4000, 13'd4006, 13'd4011, 13'd4016, 13'd4021, 13'd4026, 13'd4030, 13'd4034, 13'd4038,
    13'd4041, 13'd4044, 13'd4048, 13'd4050, 13'd4053, 13'd4056, 13'd4058, 13'd4061, 13'd4063, 13'd4065,
    13'd4067, 13'd4068, 13'd4070, 13'd4072, 13'd4073, 13'd4074, 13'd4076, 13'd4077, 13'd4078, 13'd4079,
    13'd4080, 13'd4081, 13'd4082, 13'd4083, 13'd4084, 13'd4084, 13'd4085, 13'd4086, 13'd4086, 13'd4087,
    13'd4088, 13'd4088, 13'd4089, 13'd4089, 13'd4089, 13'd4090, 13'd4090, 13'd4091, 13'd4091, 13'd4091,
    13'd4091, 13'd4092, 13'd4092, 13'd4092, 13'd4092, 13'd4093, 13'd4093, 13'd4093, 13'd4093, 13'd4093,
    13'd4094, 13'd4094, 13'd4094, 13'd4094, 13'd4094, 13'd4094, 13'd4094, 13'd4094, 13'd4095, 13'd4095,
    13'd4095, 13'd4095, 13'd4095, 13'd4095, 13'd4095, 13'd4095, 13'd4095, 13'd4095, 13'd4095, 13'd4095,
    13'd4095, 13'd4095, 13'd4095, 13'd4095, 13'd4095, 13'd4095, 13'd4096, 13'd4096, 13'd4096, 13'd4096,
    13'd4096
  };
  /* verilator lint_on UNUSEDPARAM */

  // f32 add and mul specialised by hand (fixed widths, no format argument):
  // the same algorithm and bits as fp_add / fp_mul (tsp_vxm_fp.svh) with FmtF32,
  // at a fraction of their size, because the transcendental datapaths hold ~60
  // of them per lane.
  function automatic logic [31:0] f32_round(logic s, logic signed [11:0] e, logic [63:0] sig);
    logic [24:0] kept;
    logic        up;
    logic signed [11:0] ex;
    up   = sig[39] && (sig[38:0] != 39'h0 || sig[40]);
    kept = {1'b0, sig[63:40]} + 25'(up);
    ex   = kept[24] ? e + 12'sd1 : e;
    if (e < -12'sd126) f32_round = {s, 31'h0};
    else if (ex > 12'sd127) f32_round = {s, 8'hFF, 23'h0};
    // A carry out (kept[24]) leaves the fraction 0; kept[23] is the hidden one.
    else f32_round = {s, 8'(ex + 12'sd127), kept[24] || kept[23] == 1'b0 ? 23'h0 : kept[22:0]};
  endfunction

  function automatic logic [31:0] f32_add(logic [31:0] a, logic [31:0] b);
    logic               an, bn, ai, bi, az, bz, swap, hs;
    logic [31:0]        hi;
    logic [30:0]        lo;
    logic [7:0]         d;
    logic [63:0]        bm, sm, sh, r;
    logic [6:0]         lz;
    an = a[30:23] == 8'hFF && a[22:0] != 23'h0;
    bn = b[30:23] == 8'hFF && b[22:0] != 23'h0;
    ai = a[30:23] == 8'hFF && a[22:0] == 23'h0;
    bi = b[30:23] == 8'hFF && b[22:0] == 23'h0;
    az = a[30:23] == 8'h0;
    bz = b[30:23] == 8'h0;
    swap = b[30:0] > a[30:0];
    hi   = swap ? b : a;
    lo   = swap ? a[30:0] : b[30:0];
    hs   = hi[31];
    d    = hi[30:23] - lo[30:23];
    bm   = {2'b01, hi[22:0], 39'h0};
    sm   = {2'b01, lo[22:0], 39'h0};
    sh   = sm >> d;
    sh[0] = sh[0] | ((sh << d) != sm);
    r = (a[31] == b[31]) ? bm + sh : bm - sh;
    lz = lzc64(r);
    if (an || bn || (ai && bi && a[31] != b[31])) f32_add = NaN32;
    else if (ai) f32_add = {a[31], 8'hFF, 23'h0};
    else if (bi) f32_add = {b[31], 8'hFF, 23'h0};
    else if (az && bz) f32_add = {a[31] & b[31], 31'h0};
    else if (az) f32_add = b;
    else if (bz) f32_add = a;
    else if (r == 64'h0) f32_add = 32'h0;
    else f32_add = f32_round(hs, 12'(hi[30:23]) - 12'sd126 - 12'(lz), r << lz);
  endfunction

  function automatic logic [31:0] f32_mul(logic [31:0] a, logic [31:0] b);
    logic               an, bn, ai, bi, az, bz, s;
    logic [63:0]        p;
    logic signed [11:0] e;
    an = a[30:23] == 8'hFF && a[22:0] != 23'h0;
    bn = b[30:23] == 8'hFF && b[22:0] != 23'h0;
    ai = a[30:23] == 8'hFF && a[22:0] == 23'h0;
    bi = b[30:23] == 8'hFF && b[22:0] == 23'h0;
    az = a[30:23] == 8'h0;
    bz = b[30:23] == 8'h0;
    s  = a[31] ^ b[31];
    p = {48'({1'b1, a[22:0]}) * 48'({1'b1, b[22:0]}), 16'h0};
    e = 12'(a[30:23]) + 12'(b[30:23]) - 12'sd254;
    if (an || bn || (ai && bz) || (az && bi)) f32_mul = NaN32;
    else if (ai || bi) f32_mul = {s, 8'hFF, 23'h0};
    else if (az || bz) f32_mul = {s, 31'h0};
    else if (p[63]) f32_mul = f32_round(s, e + 12'sd1, p);
    else f32_mul = f32_round(s, e, p << 1);
  endfunction

  function automatic logic [12:0] q12_entry(logic [7:0] i);
    q12_entry = Q12Table[(Q12Entries-1-32'(i))*13+:13];
  endfunction

  // TANH.i16 in Q3.12.
  function automatic logic [15:0] q12_tanh(logic [15:0] x);
    logic [16:0] a;
    logic [7:0]  i;
    logic [6:0]  fr;
    logic [20:0] step;
    logic [12:0] y;
    a = x[15] ? 17'(-signed'({x[15], x})) : {1'b0, x};
    i    = a[14:7];
    fr   = a[6:0];
    step = (21'(q12_entry(i + 8'd1)) - 21'(q12_entry(i))) * 21'(fr) + 21'd64;
    y    = (a < 17'd20480) ? q12_entry(i) + 13'(step >> 7) : 13'd4096;
    q12_tanh = x[15] ? 16'(-signed'({3'b0, y})) : {3'b0, y};
  endfunction
