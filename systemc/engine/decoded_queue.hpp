#pragma once
// One queue's program as the engine runs it, decoded once and shared by every
// chip whose queue carries the same words and source lines. The chips of a
// large system run the same shapes: 576 chips held a gigabyte of identical
// decoded instructions, and each chip's copy missed the cache on every issue.
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "firmware/image/image.hpp"
#include "systemc/engine/types.hpp"

namespace tsp::model {

struct DecodedQueue {
  // Instruction i is *code[i]. Decoded forms are interned, one per distinct
  // word for the life of the process: the 576-chip Llama token's image holds
  // 46 M words but 55 k distinct ones, and a copy each took 48 bytes (2 GB).
  std::vector<const isa::Instr*> code;
  std::vector<image::SourceLoc> locs;  // a copy: the image need not outlive the run
  // With `sends` (C2C queues): to_send[i], the least cycles from instruction
  // i's issue to the next SEND's (kNever: none follows); size code.size() + 1.
  std::vector<Cycle> to_send;
  bool writes_sram = false;  // has a WRITE or SCATTER
  // REPEATs (by index) with an illegal repetition: the first one and why. The
  // program is static, so this is known before the run; it fails when issued.
  struct BadRepeat {
    uint32_t k;
    std::string why;
  };
  std::unordered_map<uint32_t, BadRepeat> bad_repeats;
};

// The decoded form of queue `qp.queue`'s program in `cfg`, from the process's
// cache when an equal program was decoded for the same queue before and is
// still in use. nullptr with *why set when a word does not decode (image
// validation rules that out).
std::shared_ptr<const DecodedQueue> decoded_queue(const image::QueueProgram& qp, const isa::Config& cfg,
                                                  std::string* why);

// The least cycles from each instruction's issue to the next SEND's (see to_send).
std::vector<Cycle> least_cycles_to_send(const std::vector<const isa::Instr*>& code);

}  // namespace tsp::model
