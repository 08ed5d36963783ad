// The field and code constants tsp_gf.svh needs, from isa.toml [c2c] through
// the generated tsp_isa_pkg; `include'd inside a module, before tsp_gf.svh.
localparam int unsigned SymBits   = tsp_isa_pkg::FecSymbolBits;
localparam int unsigned Order     = (1 << SymBits) - 1;  // non-zero elements; alpha^Order = 1
localparam int unsigned Parity    = tsp_isa_pkg::FecN - tsp_isa_pkg::FecK;  // 2t parity symbols
localparam int unsigned FirstRoot = tsp_isa_pkg::FecFirstRoot;
localparam logic [SymBits:0] Poly = (SymBits + 1)'(tsp_isa_pkg::FecPoly);
