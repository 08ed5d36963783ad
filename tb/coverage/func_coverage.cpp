// Functional coverage bins (tb/coverage/func_coverage.hpp).
#include "tb/coverage/func_coverage.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "common/numerics/float_format.hpp"

namespace tsp::cov {
namespace {

constexpr std::string_view kFormat = "tsp-functional-coverage-1";
constexpr std::string_view kFloatCorners[] = {"+0", "-0", "subnormal", "normal", "max", "inf", "nan"};
constexpr std::string_view kSignedCorners[] = {"0", "-1", "min", "max", "other"};
constexpr std::string_view kUnsignedCorners[] = {"0", "max", "other"};
constexpr std::string_view kDeskew[] = {"first_epoch", "later_epoch", "on_epoch"};
constexpr std::string_view kFrames[] = {"clean", "corrected", "uncorrectable", "miscorrected"};

std::span<const std::string_view> corners_of(isa::DType t) {
  const auto& d = isa::dtype_desc(t);
  if (d.is_float) return kFloatCorners;
  if (d.is_signed) return kSignedCorners;
  return kUnsignedCorners;
}

const isa::FieldDesc* field(const isa::OpDesc& d, isa::FieldKind kind, bool not_dst = false) {
  for (const auto& f : d.fields)
    if (f.kind == kind && !(not_dst && f.name == "dst")) return &f;
  return nullptr;
}
bool typed(const isa::OpDesc& d) { return field(d, isa::FieldKind::Type) != nullptr; }
// Ops whose stream inputs are values of the op's type (a conversion's `type`
// is its result's, so its inputs are not classified).
bool typed_inputs(const isa::OpDesc& d) {
  return typed(d) && field(d, isa::FieldKind::Stream, true) != nullptr &&
         d.summary.find("convert") == std::string_view::npos;
}
// Ops whose output corners matter: the MXM's accumulator output and saturating VXM results.
bool typed_outputs(const isa::OpDesc& d) {
  return typed(d) && field(d, isa::FieldKind::Stream) != nullptr &&
         ((d.unit == isa::Unit::MXM && !typed_inputs(d)) ||
          (d.unit == isa::Unit::VXM && d.summary.find("saturating") != std::string_view::npos &&
           d.summary.find("convert") == std::string_view::npos));
}
std::string op_name(const isa::OpDesc& d) { return fmt::format("{}.{}", isa::unit_name(d.unit), d.mnemonic); }

}  // namespace

std::string_view corner(isa::DType type, uint32_t bits) {
  const auto& d = isa::dtype_desc(type);
  const unsigned w = 8u * d.bytes;
  const uint32_t mask = w == 32 ? 0xFFFFFFFFu : (1u << w) - 1;
  bits &= mask;
  if (d.is_float) {
    const num::FloatFormat& F = type == isa::DType::f16 ? num::kF16 : type == isa::DType::bf16 ? num::kBF16 : num::kF32;
    const uint32_t e = (bits >> F.frac_bits) & F.exp_all_ones(), f = bits & F.frac_mask();
    if (e == 0) return f == 0 ? (bits & F.sign_bit() ? "-0" : "+0") : "subnormal";
    if (e == F.exp_all_ones()) return f == 0 ? "inf" : "nan";
    if (e == F.exp_all_ones() - 1 && f == F.frac_mask()) return "max";
    return "normal";
  }
  if (d.is_signed) {
    if (bits == 0) return "0";
    if (bits == mask) return "-1";
    if (bits == (1u << (w - 1))) return "min";
    if (bits == (mask >> 1)) return "max";
    return "other";
  }
  return bits == 0 ? "0" : bits == mask ? "max" : "other";
}

std::vector<std::string> all_bins(const isa::Config& cfg) {
  std::vector<std::string> out;
  for (const auto& d : isa::kOps) {
    const std::string name = op_name(d);
    if (typed(d)) {
      for (const auto& t : isa::kDTypes) {
        if (!(d.type_mask >> static_cast<unsigned>(t.type) & 1u)) continue;
        const std::string base = fmt::format("{}.{}", name, t.name);
        out.push_back(base);
        if (typed_inputs(d))
          for (auto c : corners_of(t.type)) out.push_back(fmt::format("{}.in.{}", base, c));
        if (typed_outputs(d))
          for (auto c : corners_of(t.type)) out.push_back(fmt::format("{}.out.{}", base, c));
      }
    } else {
      out.push_back(name);
    }
    if (d.strided_field >= 0) out.push_back(fmt::format("ICU.REPEAT.{}", d.mnemonic));
    if (d.sram_access >= 0)
      for (uint32_t b = 0; b < cfg.mem_banks; ++b) out.push_back(fmt::format("{}.bank{}", name, b));
  }
  for (auto s : kDeskew) out.push_back(fmt::format("{}.{}", op_name(isa::op_desc(isa::Op::DESKEW)), s));
  out.push_back("MEM.read_and_write_same_cycle");
  out.push_back("MEM.ecc.corrected");
  for (auto s : kFrames) out.push_back(fmt::format("C2C.frame.{}", s));
  std::sort(out.begin(), out.end());
  return out;
}

void FunctionalCoverage::on_issue(uint16_t queue, uint32_t index, model::Cycle t, const isa::Instr& in) {
  const auto& d = in.desc();
  const auto last = last_index_.find(queue);
  if (last != last_index_.end() && index < last->second && d.strided_field >= 0)
    hit(fmt::format("ICU.REPEAT.{}", d.mnemonic));  // repetitions report the repeated instruction's index
  last_index_[queue] = index;
  if (in.op == isa::Op::DESKEW) {  // waits for the next HAC epoch: before the first one, or after one passed
    const std::string name = op_name(d);
    hit(fmt::format("{}.{}", name, t < cfg_.hac_period_cycles ? "first_epoch" : "later_epoch"));
    if (t % cfg_.hac_period_cycles == 0) hit(name + ".on_epoch");
  }
  // Unit ops are counted in on_unit_op, with their operands; the deskews are
  // C2C queue instructions the engine reports no unit op for.
  if (d.unit == isa::Unit::ICU || in.op == isa::Op::DESKEW || in.op == isa::Op::RDESKEW) hit(op_name(d));
}

void FunctionalCoverage::lanes(const std::string& prefix, isa::DType type, const std::vector<const model::Vec*>& group,
                               size_t first) {
  const unsigned b = isa::dtype_desc(type).bytes;
  uint32_t seen = 0;  // one bit per corner already hit by this operand: count each corner once per operand
  const auto corners = corners_of(type);
  for (uint32_t l = 0; l < cfg_.lanes; ++l) {
    uint32_t v = 0;
    for (unsigned k = 0; k < b; ++k) v |= uint32_t(group[first + k]->bytes[l]) << (8 * k);
    const auto c = corner(type, v);
    for (size_t i = 0; i < corners.size(); ++i)
      if (corners[i] == c && !(seen >> i & 1u)) {
        seen |= 1u << i;
        hit(fmt::format("{}.{}", prefix, c));
      }
  }
}

void FunctionalCoverage::on_unit_op(const model::UnitOp& op) {
  const auto& d = op.in.desc();
  const std::string name = op_name(d);
  if (const auto* tf = field(d, isa::FieldKind::Type)) {
    const auto type = static_cast<isa::DType>(op.in.get(tf->name));
    const std::string base = fmt::format("{}.{}", name, isa::dtype_desc(type).name);
    hit(base);
    const unsigned b = isa::dtype_desc(type).bytes;
    if (typed_inputs(d) && !op.inputs.empty() && op.inputs.size() % b == 0) {
      std::vector<const model::Vec*> g;
      for (const auto& x : op.inputs) g.push_back(&x.v);
      for (size_t j = 0; j < g.size(); j += b) lanes(base + ".in", type, g, j);
    }
    if (typed_outputs(d) && !op.outputs.empty() && op.outputs.size() % b == 0) {
      std::vector<const model::Vec*> g;
      for (const auto& x : op.outputs) g.push_back(x.v);
      for (size_t j = 0; j < g.size(); j += b) lanes(base + ".out", type, g, j);
    }
  } else {
    hit(name);
  }
  for (const auto& s : op.sram) {
    for (uint32_t bank = 0; bank < cfg_.mem_banks; ++bank)
      if (s.banks >> bank & 1u) hit(fmt::format("{}.bank{}", name, bank));
    auto [it, fresh] = last_access_.try_emplace(s.slice, s.at, s.write);
    if (!fresh) {
      if (it->second.first == s.at && it->second.second != s.write) hit("MEM.read_and_write_same_cycle");
      it->second = {s.at, s.write};
    }
  }
  if (engine_ && d.unit == isa::Unit::MEM && engine_->stats().ecc_corrected > ecc_seen_) {
    ecc_seen_ = engine_->stats().ecc_corrected;
    hit("MEM.ecc.corrected");
  }
}

void FunctionalCoverage::on_frame(const model::LinkFrameEvent& e) {
  hit(e.fec.uncorrectable           ? "C2C.frame.uncorrectable"
      : e.fec.miscorrected          ? "C2C.frame.miscorrected"
      : e.fec.corrected_symbols > 0 ? "C2C.frame.corrected"
                                    : "C2C.frame.clean");
}

void add(Bins& into, const Bins& from) {
  for (const auto& [k, v] : from) into[k] += v;
}

void save(const std::string& path, const std::string& config, const Bins& bins) {
  nlohmann::json j;
  j["format"] = kFormat;
  j["config"] = config;
  j["bins"] = bins;
  const auto dir = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!dir.empty()) std::filesystem::create_directories(dir, ec);  // a failure shows when writing
  std::ofstream out(path);
  out << j.dump(1) << "\n";
  if (!out) throw Error(fmt::format("cannot write functional coverage to {}", path));
}

Loaded load(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(fmt::format("{}: cannot read", path));
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw Error(fmt::format("{}: not JSON: {}", path, e.what()));
  }
  if (!j.is_object() || j.value("format", "") != kFormat || !j.contains("bins") || !j["bins"].is_object() ||
      !j.contains("config") || !j["config"].is_string())
    throw Error(fmt::format("{}: not a functional coverage file (format {})", path, kFormat));
  Loaded l;
  l.config = j["config"].get<std::string>();
  for (const auto& [k, v] : j["bins"].items()) {
    if (!v.is_number_unsigned()) throw Error(fmt::format("{}: bin {}: count is not an unsigned number", path, k));
    l.bins[k] = v.get<uint64_t>();
  }
  return l;
}

}  // namespace tsp::cov
