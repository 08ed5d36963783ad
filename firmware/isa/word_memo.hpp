#pragma once
// A memo of decode() and check_legal() for loaders that see the same
// instruction words again and again: every chip of a large system carries the
// same program shapes, and each word is checked when the image is parsed and
// again when a chip parses its staged copy (the engine interns its decoded
// words itself: decoded_queue.hpp). Direct-mapped and fixed in size, 2^17
// entries: the 576-chip Llama token's 55 k distinct words missed 2^15 often. Only
// successes are kept, so every error is computed afresh, with decode's or
// check_legal's own message.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "firmware/isa/isa.hpp"

namespace tsp::isa {

class WordMemo {
 public:
  // decode(word, why), from the memo when the word decoded before.
  std::optional<Instr> decode(uint64_t word, std::string* why);
  // Why the word is not a legal instruction of `queue` in `cfg` (decode's or
  // check_legal's reason), or nullopt when it is one.
  std::optional<std::string> why_illegal(uint64_t word, const Config& cfg, uint16_t queue);

  // One per thread: configurations are static tables, so a (word, config,
  // queue) key means the same thing for the life of the process.
  static WordMemo& local();

 private:
  struct Entry {
    uint64_t word = 0;
    const Config* legal_in = nullptr;  // the config of `legal_queue`, nullptr when no legality is known
    uint16_t legal_queue = 0;
    bool decoded = false;
    Instr instr;
  };
  static constexpr unsigned kBits = 17;
  Entry& slot(uint64_t word) { return entries_[(word * 0x9E3779B97F4A7C15ull) >> (64 - kBits)]; }
  std::unique_ptr<Entry[]> entries_ = std::make_unique<Entry[]>(size_t{1} << kBits);
};

// A hash of a queue's program in a configuration (configurations are static
// tables, so their address names them); for caches that then compare the words.
uint64_t hash_program(const Config& cfg, uint16_t queue, std::span<const uint64_t> words);

// Whole word sequences already proven legal for (config, queue): a large
// system's chips carry the same queue programs, and a per-word memo lookup
// missed the cache about as often as checking the word did. Keeps the words
// themselves (no trust in a hash), at most kMaxWords of them in all.
class LegalPrograms {
 public:
  bool known(const Config& cfg, uint16_t queue, std::span<const uint64_t> words) const;
  void add(const Config& cfg, uint16_t queue, std::span<const uint64_t> words);
  static LegalPrograms& local();  // one per thread, like WordMemo

 private:
  static constexpr size_t kMaxWords = size_t{1} << 23;  // the 576-chip stand-in: 4.8 M words in 7,988 programs
  struct Program {
    const Config* cfg;
    uint16_t queue;
    std::vector<uint64_t> words;
  };
  std::unordered_multimap<uint64_t, Program> programs_;
  size_t words_ = 0;
};

}  // namespace tsp::isa
