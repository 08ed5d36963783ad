// VXM decode facts taken from the generated ISA package (never restated):
// which opcodes are VXM ALU ops, their latencies and allowed types.
package tsp_vxm_pkg;
  import tsp_isa_pkg::*;

  // Latency of a VXM opcode (0 for anything else).
  function automatic int unsigned vxm_latency(logic [7:0] op);
    unique case (op)
      OpMov: return LatMov;
      OpAdd: return LatAdd;
      OpAdds: return LatAdds;
      OpSub: return LatSub;
      OpSubs: return LatSubs;
      OpMul: return LatMul;
      OpMuls: return LatMuls;
      OpMin: return LatMin;
      OpMax: return LatMax;
      OpAbs: return LatAbs;
      OpNeg: return LatNeg;
      OpRelu: return LatRelu;
      OpCmpeq: return LatCmpeq;
      OpCmplt: return LatCmplt;
      OpCmple: return LatCmple;
      OpSel: return LatSel;
      OpShl: return LatShl;
      OpShr: return LatShr;
      OpSra: return LatSra;
      OpShli: return LatShli;
      OpShri: return LatShri;
      OpSrai: return LatSrai;
      OpAnd: return LatAnd;
      OpOr: return LatOr;
      OpXor: return LatXor;
      OpNot: return LatNot;
      OpCvt: return LatCvt;
      OpCvts: return LatCvts;
      OpExp: return LatExp;
      OpRsqrt: return LatRsqrt;
      OpTanh: return LatTanh;
      default: return 0;
    endcase
  endfunction

  // The opcode is a VXM ALU op and allows `dtype` (isa.toml `types`).
  function automatic logic vxm_supports(logic [7:0] op, logic [2:0] dtype);
    int unsigned mask;
    unique case (op)
      OpMov: mask = TypesMov;
      OpAdd: mask = TypesAdd;
      OpAdds: mask = TypesAdds;
      OpSub: mask = TypesSub;
      OpSubs: mask = TypesSubs;
      OpMul: mask = TypesMul;
      OpMuls: mask = TypesMuls;
      OpMin: mask = TypesMin;
      OpMax: mask = TypesMax;
      OpAbs: mask = TypesAbs;
      OpNeg: mask = TypesNeg;
      OpRelu: mask = TypesRelu;
      OpCmpeq: mask = TypesCmpeq;
      OpCmplt: mask = TypesCmplt;
      OpCmple: mask = TypesCmple;
      OpSel: mask = TypesSel;
      OpShl: mask = TypesShl;
      OpShr: mask = TypesShr;
      OpSra: mask = TypesSra;
      OpShli: mask = TypesShli;
      OpShri: mask = TypesShri;
      OpSrai: mask = TypesSrai;
      OpAnd: mask = TypesAnd;
      OpOr: mask = TypesOr;
      OpXor: mask = TypesXor;
      OpNot: mask = TypesNot;
      OpCvt: mask = TypesCvt;
      OpCvts: mask = TypesCvts;
      OpExp: mask = TypesExp;
      OpRsqrt: mask = TypesRsqrt;
      OpTanh: mask = TypesTanh;
      default: mask = 0;
    endcase
    return mask[5'(dtype)] == 1'b1;
  endfunction

  // The deepest VXM pipeline: the length of every ALU's result delay line.
  function automatic int unsigned max_latency();
    int unsigned m = 0;
    for (int unsigned op = 0; op < 256; op++) begin
      if (vxm_latency(8'(op)) > m) m = vxm_latency(8'(op));
    end
    return m;
  endfunction
  localparam int unsigned MaxLat = max_latency();

  // The widest element type's stream group: bytes per lane on the ports.
  localparam int unsigned LaneBytes = DtF32Bytes > DtI32Bytes ? DtF32Bytes : DtI32Bytes;

endpackage
