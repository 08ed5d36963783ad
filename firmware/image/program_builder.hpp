#pragma once
// Builds images instruction by instruction from C++ (model tests, benchmarks),
// without going through the assembler.
#include <initializer_list>
#include <string>
#include <vector>

#include "firmware/image/image.hpp"

namespace tsp::image {

class ProgramBuilder {
 public:
  explicit ProgramBuilder(const std::string& config, uint32_t chips = 1) : cfg_(*isa::find_config(config)) {
    img_.config = config;
    img_.chips.resize(chips);
  }
  // Appends an instruction to queue `queue` (e.g. "MEM.W.0") of chip `chip`.
  ProgramBuilder& op(const std::string& queue, isa::Op op, std::initializer_list<int64_t> operands, uint32_t chip = 0) {
    isa::Instr in{op, {}};
    size_t i = 0;
    for (int64_t v : operands) in.operand[i++] = v;
    program(queue, chip).words.push_back(isa::encode(in));
    return *this;
  }
  // Appends an already built instruction (generators that set fields by name).
  ProgramBuilder& instr(const std::string& queue, const isa::Instr& in, uint32_t chip = 0) {
    program(queue, chip).words.push_back(isa::encode(in));
    return *this;
  }
  ProgramBuilder& sram(const std::string& slice_queue, uint32_t address, std::vector<uint8_t> bytes,
                       uint32_t chip = 0) {
    const auto& q = cfg_.queue_table[*isa::find_queue(cfg_, slice_queue)];
    bytes.resize((bytes.size() + cfg_.vector_bytes - 1) / cfg_.vector_bytes * cfg_.vector_bytes);
    img_.chips[chip].sram.push_back({isa::mem_slice_of(q, cfg_), address, std::move(bytes)});
    return *this;
  }
  const Image& image() const { return img_; }
  const isa::Config& config() const { return cfg_; }
  uint16_t slice(const std::string& name) const {
    return isa::mem_slice_of(cfg_.queue_table[*isa::find_queue(cfg_, name)], cfg_);
  }
  uint16_t position(const std::string& name) const { return cfg_.queue_table[*isa::find_queue(cfg_, name)].position; }

 private:
  QueueProgram& program(const std::string& queue, uint32_t chip) {
    const uint16_t id = *isa::find_queue(cfg_, queue);
    // Kept sorted by queue id, as image validation requires of real images
    // (the engine issues same-cycle instructions in this order).
    auto& qs = img_.chips[chip].queues;
    auto it = qs.begin();
    while (it != qs.end() && it->queue < id) ++it;
    if (it != qs.end() && it->queue == id) return *it;
    return *qs.insert(it, {id, {}, {}});
  }
  const isa::Config& cfg_;
  Image img_;
};

inline int64_t east(unsigned s) { return isa::StreamRef{static_cast<uint8_t>(s), false}.code(); }
inline int64_t west(unsigned s) { return isa::StreamRef{static_cast<uint8_t>(s), true}.code(); }

}  // namespace tsp::image
