#!/usr/bin/env python3
"""Generate the C++ header and SystemVerilog packages from firmware/isa/isa.toml.

The TOML is the one source of truth for the ISA, latencies and geometry. Every
number downstream comes from what this script writes; nothing is copied by hand.
Usage: isagen.py ISA_TOML OUT_DIR   (writes OUT_DIR/include/tsp/*.hpp, OUT_DIR/rtl/*.sv)
Exits non-zero with `file: error: ...` when the table is inconsistent.
"""
import sys
import tomllib
from pathlib import Path

FIELD_KINDS = {"uimm": "Uimm", "simm": "Simm", "stream": "Stream", "addr": "Addr", "type": "Type", "enum": "Enum"}
CONFIG_KEYS = [
    "clock_mhz", "superlanes", "lanes_per_superlane", "streams_per_direction",
    "mem_slices_per_hemisphere", "mem_addresses", "mem_banks", "mxm_planes_per_hemisphere",
    "mxm_queues_per_plane", "mxm_acc_slots", "mxm_float_cycles", "sxm_queues_per_hemisphere", "vxm_alus_per_lane",
    "c2c_links", "c2c_lanes_per_link", "c2c_mbps_per_lane", "c2c_hop_latency_cycles",
    "hac_period_cycles", "host_mbytes_per_s", "host_latency_ns",
]
STREAM_DIR_BIT = 5
STREAM_INDEX_BITS = 5


class TableError(Exception):
    pass


def camel(name):
    return "".join(p[:1].upper() + p[1:].lower() for p in name.replace(".", "_").split("_") if p)


def check(cond, msg):
    if not cond:
        raise TableError(msg)


def derive(name, c, c2c):
    """Geometry that follows from the configuration's independent numbers."""
    for k in CONFIG_KEYS:
        check(isinstance(c.get(k), int) and c[k] > 0, f"config {name}: `{k}` must be a positive integer")
    check(c["streams_per_direction"] <= 1 << STREAM_INDEX_BITS, f"config {name}: too many streams for the encoding")
    check(c["mem_addresses"] & (c["mem_addresses"] - 1) == 0, f"config {name}: mem_addresses must be a power of two")
    check(c["c2c_links"] % 2 == 0, f"config {name}: c2c_links must be even (half per chip edge)")
    d = dict(c)
    d["name"] = name
    d["lanes"] = c["superlanes"] * c["lanes_per_superlane"]
    d["vector_bytes"] = d["lanes"]
    d["mem_slices"] = 2 * c["mem_slices_per_hemisphere"]
    d["mem_slice_bytes"] = c["mem_addresses"] * d["vector_bytes"]
    d["sram_bytes"] = d["mem_slices"] * d["mem_slice_bytes"]
    d["mxm_planes"] = 2 * c["mxm_planes_per_hemisphere"]
    d["mxm_dim"] = d["lanes"]
    d["macs"] = d["mxm_planes"] * d["mxm_dim"] ** 2
    d["mxm_queues"] = d["mxm_planes"] * c["mxm_queues_per_plane"]
    d["sxm_queues"] = 2 * c["sxm_queues_per_hemisphere"]
    d["vxm_queues"] = c["vxm_alus_per_lane"]
    d["vxm_alus"] = c["vxm_alus_per_lane"] * d["lanes"]
    d["compute_queues"] = d["mxm_queues"] + d["sxm_queues"] + d["mem_slices"] + d["vxm_queues"]
    d["c2c_queues"] = c["c2c_links"]
    d["queues"] = d["compute_queues"] + d["c2c_queues"]
    # Cycles to serialise one vector onto a link (payload only), rounded up: a
    # vector cannot be complete at the far end before its last bit left.
    link_mbps = c["c2c_lanes_per_link"] * c["c2c_mbps_per_lane"]
    bits = d["vector_bytes"] * 8
    d["c2c_serialize_cycles"] = -(-bits * c["clock_mhz"] // link_mbps)
    d["c2c_link_mbytes_per_s"] = link_mbps // 8
    derive_link_frame(name, c, d, c2c, link_mbps)
    queues, pos = [], 0

    def add(qname, unit, hemi, index, position):
        queues.append((qname, unit, hemi, index, position))

    half = c["c2c_links"] // 2
    planes, mems = c["mxm_planes_per_hemisphere"], c["mem_slices_per_hemisphere"]
    qpp = c["mxm_queues_per_plane"]
    # West hemisphere, listed west to east: C2C edge, MXM planes, SXM, MEM slices.
    pos_c2c_w = 0
    pos_mxm_w = [1 + (planes - 1 - p) for p in range(planes)]
    pos_sxm_w = 1 + planes
    pos_mem_w = [pos_sxm_w + 1 + (mems - 1 - i) for i in range(mems)]
    pos_vxm = pos_sxm_w + 1 + mems
    pos_mem_e = [pos_vxm + 1 + i for i in range(mems)]
    pos_sxm_e = pos_vxm + 1 + mems
    pos_mxm_e = [pos_sxm_e + 1 + p for p in range(planes)]
    pos_c2c_e = pos_sxm_e + 1 + planes
    d["positions"] = pos_c2c_e + 1
    d["vxm_position"] = pos_vxm
    for hemi, hname, pmxm, psxm, pmem in ((0, "W", pos_mxm_w, pos_sxm_w, pos_mem_w),
                                         (1, "E", pos_mxm_e, pos_sxm_e, pos_mem_e)):
        units = [("MXM", [(f"MXM.{hname}.{q}", q, pmxm[q // qpp]) for q in range(planes * qpp)]),
                 ("SXM", [(f"SXM.{hname}.{q}", q, psxm) for q in range(c["sxm_queues_per_hemisphere"])]),
                 ("MEM", [(f"MEM.{hname}.{i}", i, pmem[i]) for i in range(mems)])]
        if hemi == 1:
            units.reverse()
        for unit, qs in units:
            for qname, idx, p in qs:
                add(qname, unit, hemi, idx, p)
        if hemi == 0:
            for k in range(c["vxm_alus_per_lane"]):
                add(f"VXM.{k}", "VXM", 2, k, pos_vxm)
    for k in range(c["c2c_links"]):
        add(f"C2C.{k}", "C2C", 0 if k < half else 1, k, pos_c2c_w if k < half else pos_c2c_e)
    check(len(queues) == d["queues"], f"config {name}: queue table size mismatch")
    d["queue_table"] = queues
    return d


def derive_link_frame(name, c, d, c2c, link_mbps):
    """A link frame: the vector in FEC symbols plus parity; its time on the wire; the fixed pipeline."""
    sb = c2c["fec_symbol_bits"]
    d["c2c_data_symbols"] = -(-d["vector_bytes"] * 8 // sb)
    d["c2c_frame_symbols"] = d["c2c_data_symbols"] + c2c["fec_n"] - c2c["fec_k"]
    check(d["c2c_frame_symbols"] <= c2c["fec_n"], f"config {name}: a vector does not fit one FEC codeword")
    d["c2c_frame_bits"] = d["c2c_frame_symbols"] * sb
    d["c2c_frame_cycles"] = -(-d["c2c_frame_bits"] * c["clock_mhz"] // link_mbps)
    d["c2c_receive_window_cycles"] = c2c["receive_window_cycles"]
    # SEND to arrival = frame on the wire + fixed pipeline (SerDes, PCS, FEC) + cable; the
    # default cable's arrival lands half a receive window before the table's hop.
    wire = wire_cycles(c, c2c["cable"][c2c["default_cable"]])
    d["c2c_fixed_cycles"] = c["c2c_hop_latency_cycles"] - c2c["receive_window_cycles"] // 2 - d["c2c_frame_cycles"] - wire
    check(d["c2c_fixed_cycles"] >= 0, f"config {name}: the hop latency is shorter than frame, cable and window")


def wire_cycles(c, cable):
    return -(-cable["wire_ps"] * c["clock_mhz"] // 1_000_000)


def load_c2c(t):
    c2c = t["c2c"]
    for k in ("fec_symbol_bits", "fec_n", "fec_k", "fec_poly", "receive_window_cycles", "jitter_sigma_centicycles"):
        check(isinstance(c2c.get(k), int) and c2c[k] > 0, f"c2c: `{k}` must be a positive integer")
    check(c2c["fec_n"] < 1 << c2c["fec_symbol_bits"], "c2c: a Reed-Solomon code is at most 2^m - 1 symbols long")
    check((c2c["fec_n"] - c2c["fec_k"]) % 2 == 0, "c2c: n - k must be even (t = (n - k) / 2)")
    check(c2c["fec_poly"] >> c2c["fec_symbol_bits"] == 1, "c2c: fec_poly must have degree fec_symbol_bits")
    check(c2c["default_cable"] in c2c["cable"], f"c2c: default_cable {c2c['default_cable']} is not a cable class")
    for n, cab in c2c["cable"].items():
        check(isinstance(cab.get("wire_ps"), int) and cab["wire_ps"] >= 0, f"c2c.cable.{n}: wire_ps must be >= 0")
    return c2c


def load(path):
    with open(path, "rb") as f:
        t = tomllib.load(f)
    fmt = t["format"]
    check(fmt["word_bits"] == 64 and fmt["opcode_lsb"] + fmt["opcode_bits"] == 64, "format: opcode must sit at the top of a 64-bit word")
    types = t["types"]
    codes = sorted(v["code"] for v in types.values())
    check(codes == list(range(len(codes))), "types: codes must be 0..N-1 without gaps")
    fields = t["fields"]
    for fname, f in fields.items():
        check(f["kind"] in FIELD_KINDS, f"field {fname}: unknown kind {f['kind']}")
        if f["kind"] == "stream":
            check(f["bits"] == STREAM_INDEX_BITS + 1, f"field {fname}: stream fields are 6 bits")
        if f["kind"] == "type":
            check(1 << f["bits"] >= len(types), f"field {fname}: too narrow for every type")
        if f["kind"] == "enum":
            check(1 << f["bits"] >= len(f["values"]), f"field {fname}: too narrow for its values")
        if "carries" in f:
            check(f["kind"] == "stream", f"field {fname}: only stream fields carry a fixed type")
            check(f["carries"] in types, f"field {fname}: unknown type {f['carries']}")
    units = list(t["units"].keys())
    check(units[0] == "ICU", "units: ICU must come first")
    ops, seen = [], {}
    for mnem, o in t["op"].items():
        code = o["code"]
        check(0 < code < 1 << fmt["opcode_bits"], f"op {mnem}: code 0x{code:02x} out of range (0 is reserved)")
        check(code not in seen, f"op {mnem}: code 0x{code:02x} already used by {seen.get(code)}")
        seen[code] = mnem
        check(o["unit"] in units, f"op {mnem}: unknown unit {o['unit']}")
        lsb, flist = 0, []
        for fname in o["fields"]:
            check(fname in fields, f"op {mnem}: unknown field {fname}")
            f = fields[fname]
            carries = types[f["carries"]]["code"] if "carries" in f else -1
            flist.append({"name": fname, "kind": f["kind"], "lsb": lsb, "width": f["bits"], "values": f.get("values", []),
                          "carries": carries})
            lsb += f["bits"]
        check(lsb <= fmt["opcode_lsb"], f"op {mnem}: operands need {lsb} bits, only {fmt['opcode_lsb']} free")
        has_type = any(f["kind"] == "type" for f in flist)
        tlist = o.get("types", [])
        check(has_type == bool(tlist), f"op {mnem}: `types` must be given exactly when the op has a type field")
        for ty in tlist:
            check(ty in types, f"op {mnem}: unknown type {ty}")
        names = [f["name"] for f in flist]
        strided = o.get("strided")
        check(strided is None or strided in names, f"op {mnem}: strided field {strided} is not an operand")
        dur = o.get("duration", "")
        dparts = dur.split("*") if dur else []
        check(len(dparts) <= 2 and all(p in names for p in dparts), f"op {mnem}: bad duration {dur!r}")
        check(isinstance(o.get("latency"), int) and o["latency"] >= 0, f"op {mnem}: latency must be a non-negative integer")
        check(("sram" in o) == (o["unit"] == "MEM"), f"op {mnem}: `sram` is given exactly for MEM ops")
        ops.append({"mnemonic": mnem, "code": code, "unit": o["unit"], "fields": flist, "types": tlist,
                    "strided": names.index(strided) if strided else -1,
                    "dur": [names.index(p) for p in dparts] + [-1] * (2 - len(dparts)),
                    "latency": o["latency"], "sram": o.get("sram", -1), "summary": o["summary"]})
    c2c = load_c2c(t)
    configs = [derive(n, c, c2c) for n, c in t["config"].items()]
    return {"format": fmt, "types": types, "fields": fields, "units": units, "unit_summaries": t["units"],
            "ops": ops, "configs": configs, "c2c": c2c}


def cstr(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


CFG_U64 = ["sram_bytes", "mem_slice_bytes", "macs"]
CFG_FIELDS = ["clock_mhz", "superlanes", "lanes_per_superlane", "lanes", "vector_bytes", "streams_per_direction",
              "mem_slices_per_hemisphere", "mem_slices", "mem_addresses", "mem_banks", "mxm_planes_per_hemisphere",
              "mxm_planes", "mxm_dim", "mxm_queues_per_plane", "mxm_queues", "mxm_acc_slots", "mxm_float_cycles",
              "sxm_queues_per_hemisphere", "sxm_queues", "vxm_alus_per_lane", "vxm_alus", "vxm_queues",
              "compute_queues", "c2c_links", "c2c_queues", "queues", "c2c_lanes_per_link", "c2c_mbps_per_lane",
              "c2c_link_mbytes_per_s", "c2c_serialize_cycles", "c2c_hop_latency_cycles", "hac_period_cycles",
              "c2c_data_symbols", "c2c_frame_symbols", "c2c_frame_bits", "c2c_frame_cycles", "c2c_fixed_cycles",
              "c2c_receive_window_cycles",
              "host_mbytes_per_s", "host_latency_ns", "positions", "vxm_position"]


def gen_cpp(isa):
    o = []
    w = o.append
    w("// GENERATED from firmware/isa/isa.toml by firmware/isa/isagen.py. Do not edit.")
    w("#pragma once\n#include <array>\n#include <cstdint>\n#include <span>\n#include <string_view>\n")
    w("namespace tsp::isa {\n")
    fmt = isa["format"]
    w(f"inline constexpr unsigned kFormatVersion = {fmt['version']};")
    w(f"inline constexpr unsigned kWordBits = {fmt['word_bits']};")
    w(f"inline constexpr unsigned kOpcodeLsb = {fmt['opcode_lsb']};")
    w(f"inline constexpr unsigned kOpcodeBits = {fmt['opcode_bits']};")
    w(f"inline constexpr unsigned kStreamDirBit = {STREAM_DIR_BIT};")
    w(f"inline constexpr unsigned kStreamIndexBits = {STREAM_INDEX_BITS};")
    w(f"inline constexpr unsigned kDurationBits = {duration_bits(isa)};  // holds any op's queue occupancy\n")
    gen_cpp_c2c(isa["c2c"], w)
    w("enum class Unit : uint8_t { " + ", ".join(isa["units"]) + " };")
    w(f"inline constexpr unsigned kUnitCount = {len(isa['units'])};")
    w("inline constexpr std::array<std::string_view, kUnitCount> kUnitNames = {" + ", ".join(cstr(u) for u in isa["units"]) + "};")
    w("inline constexpr std::array<std::string_view, kUnitCount> kUnitSummaries = {" +
      ", ".join(cstr(isa["unit_summaries"][u]["summary"]) for u in isa["units"]) + "};\n")
    types = sorted(isa["types"].items(), key=lambda kv: kv[1]["code"])
    w("enum class DType : uint8_t { " + ", ".join(f"{n} = {v['code']}" for n, v in types) + " };")
    w("struct DTypeDesc {\n  DType type;\n  std::string_view name;\n  uint8_t bytes;\n  bool is_float;\n  bool is_signed;\n};")
    w(f"inline constexpr std::array<DTypeDesc, {len(types)}> kDTypes = {{{{")
    for n, v in types:
        w(f"    {{DType::{n}, {cstr(n)}, {v['bytes']}, {str(v['kind'] == 'float').lower()}, {str(v['signed']).lower()}}},")
    w("}};\n")
    w("enum class FieldKind : uint8_t { " + ", ".join(FIELD_KINDS.values()) + " };")
    w("struct FieldDesc {\n  std::string_view name;\n  FieldKind kind;\n  uint8_t lsb;\n  uint8_t width;\n"
      "  std::span<const std::string_view> enum_values;\n"
      "  int8_t carries;  // stream fields of a fixed element type (table: `carries`): its DType code, else -1\n};\n")
    for fname, f in isa["fields"].items():
        if f["kind"] == "enum":
            w(f"inline constexpr std::string_view kEnum_{fname}[] = {{" + ", ".join(cstr(v) for v in f["values"]) + "};")
    w("")
    w("enum class Op : uint8_t {")
    for op in isa["ops"]:
        w(f"  {op['mnemonic']} = 0x{op['code']:02x},")
    w("};\n")
    w("struct OpDesc {\n  Op op;\n  std::string_view mnemonic;\n  Unit unit;\n  uint8_t latency;\n"
      "  std::span<const FieldDesc> fields;\n  uint32_t type_mask;  // bit per DType code allowed in the `type` field\n"
      "  int8_t strided_field;  // operand that Repeat's stride advances, or -1\n"
      "  std::array<int8_t, 2> duration_fields;  // queue occupancy = product of these operands (-1: factor 1)\n"
      "  int8_t sram_access;  // MEM ops: cycle after issue at which the SRAM array is accessed; else -1\n"
      "  std::string_view summary;\n};\n")
    for op in isa["ops"]:
        if op["fields"]:
            rows = []
            for f in op["fields"]:
                ev = f"kEnum_{f['name']}" if f["kind"] == "enum" else "{}"
                rows.append(f"{{{cstr(f['name'])}, FieldKind::{FIELD_KINDS[f['kind']]}, {f['lsb']}, {f['width']}, {ev}, {f['carries']}}}")
            w(f"inline constexpr FieldDesc kFields_{op['mnemonic']}[] = {{" + ", ".join(rows) + "};")
    w(f"\ninline constexpr std::array<OpDesc, {len(isa['ops'])}> kOps = {{{{")
    for op in isa["ops"]:
        mask = type_mask(isa, op)
        fl = f"kFields_{op['mnemonic']}" if op["fields"] else "{}"
        w(f"    {{Op::{op['mnemonic']}, {cstr(op['mnemonic'])}, Unit::{op['unit']}, {op['latency']}, {fl}, 0x{mask:x}, "
          f"{op['strided']}, {{{op['dur'][0]}, {op['dur'][1]}}}, {op['sram']}, {cstr(op['summary'])}}},")
    w("}};\n")
    w("struct QueueDesc {\n  std::string_view name;\n  Unit unit;\n  uint8_t hemisphere;  // 0 west, 1 east, 2 centre (VXM)\n"
      "  uint16_t index;      // within its unit and hemisphere\n  uint16_t position;   // floorplan position, west = 0\n};\n")
    w("struct Config {\n  std::string_view name;\n  std::string_view description;\n  std::string_view host_link;")
    for k in CFG_FIELDS:
        w(f"  uint32_t {k};")
    for k in CFG_U64:
        w(f"  uint64_t {k};")
    w("  std::span<const QueueDesc> queue_table;\n};\n")
    for c in isa["configs"]:
        w(f"inline constexpr QueueDesc kQueues_{c['name']}[] = {{")
        for qname, unit, hemi, idx, pos in c["queue_table"]:
            w(f"    {{{cstr(qname)}, Unit::{unit}, {hemi}, {idx}, {pos}}},")
        w("};")
    w(f"\n// Largest of any configuration / opcode: fixed-size buffers in the model.")
    w(f"inline constexpr unsigned kMaxLanes = {max(c['lanes'] for c in isa['configs'])};")
    w(f"inline constexpr unsigned kMaxPositions = {max(c['positions'] for c in isa['configs'])};")
    w(f"inline constexpr unsigned kMaxLatency = {max(op['latency'] for op in isa['ops'])};")
    w(f"inline constexpr unsigned kMaxStreams = {1 << STREAM_INDEX_BITS};")
    w(f"inline constexpr unsigned kMaxTypeBytes = {max(v['bytes'] for v in isa['types'].values())};")
    w(f"\ninline constexpr std::array<Config, {len(isa['configs'])}> kConfigs = {{{{")
    for c in isa["configs"]:
        vals = [cstr(c["name"]), cstr(c["description"]), cstr(c["host_link"])]
        vals += [str(c[k]) for k in CFG_FIELDS] + [f"{c[k]}ull" for k in CFG_U64] + [f"kQueues_{c['name']}"]
        w("    {" + ", ".join(vals) + "},")
    w("}};\n")
    w("}  // namespace tsp::isa")
    return "\n".join(o) + "\n"


C2C_CONSTS = [("FecSymbolBits", "fec_symbol_bits"), ("FecN", "fec_n"), ("FecK", "fec_k"), ("FecT", None),
              ("FecPoly", "fec_poly"), ("FecFirstRoot", "fec_first_root"),
              ("JitterSigmaCenticycles", "jitter_sigma_centicycles"), ("ReceiveWindowCycles", "receive_window_cycles")]


def c2c_value(c2c, key):
    return (c2c["fec_n"] - c2c["fec_k"]) // 2 if key is None else c2c[key]


def gen_cpp_c2c(c2c, w):
    """Link and FEC constants, and the cable classes a topology may name."""
    w("// Chip-to-chip links: the FEC code and the receive window (isa.toml [c2c]).")
    w(f"inline constexpr std::string_view kFecName = {cstr(c2c['fec_name'])};")
    for cname, key in C2C_CONSTS:
        w(f"inline constexpr unsigned k{cname} = {c2c_value(c2c, key)};")
    w("struct CableDesc {\n  std::string_view name;\n  uint32_t wire_ps;  // one-way propagation\n"
      "  std::string_view summary;\n};")
    cables = list(c2c["cable"].items())
    w(f"inline constexpr std::array<CableDesc, {len(cables)}> kCables = {{{{")
    for n, cab in cables:
        w(f"    {{{cstr(n)}, {cab['wire_ps']}, {cstr(cab['summary'])}}},")
    w("}};")
    w(f"inline constexpr unsigned kDefaultCable = {[n for n, _ in cables].index(c2c['default_cable'])};\n")


def type_mask(isa, op):
    mask = 0
    for ty in op["types"]:
        mask |= 1 << isa["types"][ty]["code"]
    return mask


def sv_name(op):
    return camel(op["mnemonic"])


def gen_sv_isa(isa):
    o = []
    w = o.append
    fmt = isa["format"]
    w("// GENERATED from firmware/isa/isa.toml by firmware/isa/isagen.py. Do not edit.")
    w("package tsp_isa_pkg;\n")
    w(f"  localparam int unsigned FormatVersion = {fmt['version']};")
    w(f"  localparam int unsigned WordBits = {fmt['word_bits']};")
    w(f"  localparam int unsigned OpcodeLsb = {fmt['opcode_lsb']};")
    w(f"  localparam int unsigned OpcodeBits = {fmt['opcode_bits']};")
    w(f"  localparam int unsigned StreamDirBit = {STREAM_DIR_BIT};")
    w(f"  localparam int unsigned StreamIndexBits = {STREAM_INDEX_BITS};\n")
    for cname, key in C2C_CONSTS:
        w(f"  localparam int unsigned {cname} = {c2c_value(isa['c2c'], key)};")
    w("")
    w(f"  typedef enum logic [{fmt['opcode_bits'] - 1}:0] {{")
    w(",\n".join(f"    Op{sv_name(op)} = {fmt['opcode_bits']}'h{op['code']:02x}" for op in isa["ops"]))
    w("  } opcode_e;\n")
    types = sorted(isa["types"].items(), key=lambda kv: kv[1]["code"])
    tbits = max(f["bits"] for f in isa["fields"].values() if f["kind"] == "type")
    w(f"  typedef enum logic [{tbits - 1}:0] {{")
    w(",\n".join(f"    Dt{camel(n)} = {tbits}'d{v['code']}" for n, v in types))
    w("  } dtype_e;\n")
    for n, v in types:
        w(f"  localparam int unsigned Dt{camel(n)}Bytes = {v['bytes']};")
    w("")
    for op in isa["ops"]:
        w(f"  localparam int unsigned Lat{sv_name(op)} = {op['latency']};")
        if op["sram"] >= 0:
            w(f"  localparam int unsigned Sram{sv_name(op)} = {op['sram']};")
        if op["types"]:  # bit per dtype code allowed in the `type` field
            w(f"  localparam int unsigned Types{sv_name(op)} = 32'h{type_mask(isa, op):x};")
        for f in op["fields"]:
            w(f"  localparam int unsigned {sv_name(op)}{camel(f['name'])}Lsb = {f['lsb']};")
            w(f"  localparam int unsigned {sv_name(op)}{camel(f['name'])}Width = {f['width']};")
    gen_sv_op_functions(isa, w)
    w("\nendpackage")
    return "\n".join(o) + "\n"


def duration_bits(isa):
    """Width that holds every op's queue occupancy: the widest product of its duration fields."""
    return max(sum(op["fields"][i]["width"] for i in op["dur"] if i >= 0) for op in isa["ops"])


def gen_sv_op_functions(isa, w):
    """Per-opcode lookups the ICU sequencer needs: unit, Repeat's strided field, duration."""
    fmt = isa["format"]
    units = isa["units"]
    ubits = max(1, (len(units) - 1).bit_length())
    w("")
    w(f"  typedef enum logic [{ubits - 1}:0] {{")
    w(",\n".join(f"    Unit{camel(u.lower())} = {ubits}'d{k}" for k, u in enumerate(units)))
    w("  } unit_e;\n")
    w(f"  localparam int unsigned DurationBits = {duration_bits(isa)};\n")
    # Derived here, not in the RTL: Yosys 0.23 lets no package use another
    # package's constants, so a unit package could not compute them itself.
    w("  // The widest element type, and each unit's deepest pipeline.")
    w(f"  localparam int unsigned WidestTypeBytes = {max(v['bytes'] for v in isa['types'].values())};")
    for u in units:
        lat = max([op["latency"] for op in isa["ops"] if op["unit"] == u], default=0)
        w(f"  localparam int unsigned {camel(u.lower())}MaxLatency = {lat};")
    w("")
    # Names inside the functions are written out in full (tsp_isa_pkg::...):
    # Yosys 0.23 expands a package function where it is called and resolves
    # its unqualified names there, in the calling module.
    Q = "tsp_isa_pkg::"
    w("  // The unit that executes an opcode (ICU ops are the queue's own).")
    w(f"  function automatic {Q}unit_e op_unit(logic [{Q}OpcodeBits-1:0] op);")
    w("    unique case (op)")
    for op in isa["ops"]:
        w(f"      {Q}Op{sv_name(op)}: op_unit = {Q}Unit{camel(op['unit'].lower())};")
    w(f"      default: op_unit = {Q}UnitIcu;")
    w("    endcase")
    w("  endfunction\n")
    w("  // Latency of an opcode (isa.toml `latency`; 0 for an unknown opcode).")
    w(f"  function automatic int unsigned op_latency(logic [{Q}OpcodeBits-1:0] op);")
    w("    unique case (op)")
    for op in isa["ops"]:
        w(f"      {Q}Op{sv_name(op)}: op_latency = {Q}Lat{sv_name(op)};")
    w("      default: op_latency = 0;")
    w("    endcase")
    w("  endfunction\n")
    w("  // Element types an opcode allows: bit `code` per dtype (0 for none).")
    w(f"  function automatic logic [31:0] op_types(logic [{Q}OpcodeBits-1:0] op);")
    w("    unique case (op)")
    for op in isa["ops"]:
        if op["types"]:
            w(f"      {Q}Op{sv_name(op)}: op_types = {Q}Types{sv_name(op)};")
    w("      default: op_types = 32'h0;")
    w("    endcase")
    w("  endfunction\n")
    strided = [op for op in isa["ops"] if op["strided"] >= 0]
    w("  // Repeat's strided field of an opcode: present, least significant bit, width (0: none).")
    w(f"  function automatic logic op_has_strided(logic [{Q}OpcodeBits-1:0] op);")
    w("    unique case (op)")
    w("      " + ", ".join(f"{Q}Op{sv_name(op)}" for op in strided) + ": op_has_strided = 1'b1;")
    w("      default: op_has_strided = 1'b0;")
    w("    endcase")
    w("  endfunction\n")
    for what in ("lsb", "width"):
        w(f"  function automatic int unsigned op_strided_{what}(logic [{Q}OpcodeBits-1:0] op);")
        w("    unique case (op)")
        for op in strided:
            w(f"      {Q}Op{sv_name(op)}: op_strided_{what} = {op['fields'][op['strided']][what]};")
        w(f"      default: op_strided_{what} = 0;")
        w("    endcase")
        w("  endfunction\n")
    dbits = duration_bits(isa)
    w("  // Cycles an instruction occupies its queue: the product of its duration")
    w("  // fields, 1 without any (REPEAT's count*interval, DESKEW's wait are the")
    w("  // sequencer's own business).")
    dops = max(f["lsb"] + f["width"] for op in isa["ops"] for i in op["dur"] if i >= 0 for f in [op["fields"][i]])
    w(f"  localparam int unsigned DurationOperandBits = {dops};  // the low operand bits durations read")
    w(f"  function automatic logic [{Q}DurationBits-1:0] op_duration(logic [{Q}OpcodeBits-1:0] op,")
    w(f"                                                         logic [{Q}DurationOperandBits-1:0] word);")
    w("    unique case (op)")
    for op in isa["ops"]:
        parts = [op["fields"][i] for i in op["dur"] if i >= 0]
        if not parts:
            continue
        terms = [f"{Q}DurationBits'(word[{f['lsb']}+:{f['width']}])" for f in parts]
        expr = terms[0] if len(terms) == 1 else f"{Q}DurationBits'({' * '.join(terms)})"
        w(f"      {Q}Op{sv_name(op)}: op_duration = {expr};")
    w(f"      default: op_duration = {Q}DurationBits'(1);")
    w("    endcase")
    w("  endfunction")


def gen_sv_cfg(c):
    o = [f"// GENERATED from firmware/isa/isa.toml by firmware/isa/isagen.py. Do not edit.",
         f"package tsp_cfg_{c['name']}_pkg;"]
    for k in CFG_FIELDS + CFG_U64:
        ty = "longint unsigned" if k in CFG_U64 else "int unsigned"
        o.append(f"  localparam {ty} {camel(k)} = {c[k]};")
    o.append("endpackage")
    return "\n".join(o) + "\n"


def probe_entries(isa):
    """(SV expression, C++ expression) pairs: each side reads its own language's constant."""
    e = [(f"tsp_isa_pkg::{sv}", cpp, sv) for sv, cpp in (
        ("FormatVersion", "kFormatVersion"), ("WordBits", "kWordBits"), ("OpcodeLsb", "kOpcodeLsb"),
        ("OpcodeBits", "kOpcodeBits"), ("StreamDirBit", "kStreamDirBit"), ("StreamIndexBits", "kStreamIndexBits"),
        ("DurationBits", "kDurationBits"), ("WidestTypeBytes", "kMaxTypeBytes"))]
    # Each unit's deepest pipeline: C++ takes the maximum over kOps itself.
    for u in isa["units"]:
        e.append((f"tsp_isa_pkg::{camel(u.lower())}MaxLatency",
                  f"[] {{ unsigned m = 0; for (const auto& d : kOps) if (d.unit == Unit::{u} && d.latency > m) "
                  f"m = d.latency; return m; }}()", f"{camel(u.lower())}MaxLatency"))
    e += [(f"tsp_isa_pkg::{cname}", f"k{cname}", cname) for cname, _ in C2C_CONSTS]
    for k, op in enumerate(isa["ops"]):
        m = op["mnemonic"]
        e.append((f"tsp_isa_pkg::Op{sv_name(op)}", f"uint64_t(Op::{m})", f"Op{sv_name(op)}"))
        e.append((f"tsp_isa_pkg::Lat{sv_name(op)}", f"kOps[{k}].latency", f"Lat{sv_name(op)}"))
        if op["sram"] >= 0:
            e.append((f"tsp_isa_pkg::Sram{sv_name(op)}", f"kOps[{k}].sram_access", f"Sram{sv_name(op)}"))
        fn = f"tsp_isa_pkg::op_{{}}(tsp_isa_pkg::Op{sv_name(op)})"
        e.append((fn.format("unit"), f"uint64_t(kOps[{k}].unit)", f"op_unit(Op{sv_name(op)})"))
        e.append((fn.format("has_strided"), f"kOps[{k}].strided_field >= 0", f"op_has_strided(Op{sv_name(op)})"))
        e.append((fn.format("latency"), f"kOps[{k}].latency", f"op_latency(Op{sv_name(op)})"))
        e.append((fn.format("types"), f"kOps[{k}].type_mask", f"op_types(Op{sv_name(op)})"))
        if op["strided"] >= 0:
            for what in ("lsb", "width"):
                e.append((fn.format(f"strided_{what}"), f"kOps[{k}].fields[{op['strided']}].{what}",
                          f"op_strided_{what}(Op{sv_name(op)})"))
        if op["types"]:
            e.append((f"tsp_isa_pkg::Types{sv_name(op)}", f"kOps[{k}].type_mask", f"Types{sv_name(op)}"))
        for i, f in enumerate(op["fields"]):
            base = f"{sv_name(op)}{camel(f['name'])}"
            e.append((f"tsp_isa_pkg::{base}Lsb", f"kOps[{k}].fields[{i}].lsb", f"{base}Lsb"))
            e.append((f"tsp_isa_pkg::{base}Width", f"kOps[{k}].fields[{i}].width", f"{base}Width"))
    for n, v in sorted(isa["types"].items(), key=lambda kv: kv[1]["code"]):
        e.append((f"tsp_isa_pkg::Dt{camel(n)}", f"uint64_t(DType::{n})", f"Dt{camel(n)}"))
        e.append((f"tsp_isa_pkg::Dt{camel(n)}Bytes", f"kDTypes[{v['code']}].bytes", f"Dt{camel(n)}Bytes"))
    for ci, c in enumerate(isa["configs"]):
        for k in CFG_FIELDS + CFG_U64:
            e.append((f"tsp_cfg_{c['name']}_pkg::{camel(k)}", f"kConfigs[{ci}].{k}", f"{c['name']}.{camel(k)}"))
    return e


def gen_sv_probe(entries):
    o = ["// GENERATED from firmware/isa/isa.toml by firmware/isa/isagen.py. Do not edit.",
         "// Reads back every generated SV constant by index so a test can compare it with C++.",
         "module tsp_isa_probe (",
         "  input  logic [15:0] idx_i,",
         "  output logic [63:0] value_o",
         ");",
         "  always_comb begin",
         "    unique case (idx_i)"]
    for i, (sv, _, _) in enumerate(entries):
        o.append(f"      16'd{i}: value_o = 64'({sv});")
    o += ["      default: value_o = '1;", "    endcase", "  end", "endmodule"]
    return "\n".join(o) + "\n"


def gen_cpp_probe(entries):
    o = ["// GENERATED from firmware/isa/isa.toml by firmware/isa/isagen.py. Do not edit.",
         "#pragma once", "#include <cstdint>", "#include <string_view>", '#include "firmware/isa/isa.hpp"', "",
         "namespace tsp::isa::probe {", "struct Entry {", "  std::string_view name;", "  uint64_t value;", "};",
         "inline constexpr Entry kEntries[] = {"]
    for _, cpp, name in entries:
        o.append(f"    {{{cstr(name)}, uint64_t({cpp})}},")
    o += ["};", "}  // namespace tsp::isa::probe"]
    return "\n".join(o) + "\n"


def write_if_changed(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


def main(argv):
    if len(argv) != 3:
        print("usage: isagen.py ISA_TOML OUT_DIR", file=sys.stderr)
        return 2
    src, out = Path(argv[1]), Path(argv[2])
    try:
        isa = load(src)
    except (TableError, KeyError, tomllib.TOMLDecodeError) as e:
        print(f"{src}: error: {e}", file=sys.stderr)
        return 1
    entries = probe_entries(isa)
    write_if_changed(out / "include/tsp/isa_gen.hpp", gen_cpp(isa))
    write_if_changed(out / "include/tsp/isa_probe_gen.hpp", gen_cpp_probe(entries))
    write_if_changed(out / "rtl/tsp_isa_pkg.sv", gen_sv_isa(isa))
    for c in isa["configs"]:
        write_if_changed(out / f"rtl/tsp_cfg_{c['name']}_pkg.sv", gen_sv_cfg(c))
    write_if_changed(out / "rtl/tsp_isa_probe.sv", gen_sv_probe(entries))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
