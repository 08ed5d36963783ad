#include "firmware/isa/word_memo.hpp"

#include <algorithm>

namespace tsp::isa {

std::optional<Instr> WordMemo::decode(uint64_t word, std::string* why) {
  Entry& e = slot(word);
  if (e.decoded && e.word == word) return e.instr;
  auto in = isa::decode(word, why);
  if (in) e = Entry{word, nullptr, 0, true, *in};
  return in;
}

std::optional<std::string> WordMemo::why_illegal(uint64_t word, const Config& cfg, uint16_t queue) {
  {
    const Entry& e = slot(word);
    if (e.decoded && e.word == word && e.legal_in == &cfg && e.legal_queue == queue) return std::nullopt;
  }
  std::string why;
  const auto in = decode(word, &why);
  if (!in) return why;
  if (auto bad = check_legal(*in, cfg, cfg.queue_table[queue])) return bad;
  Entry& e = slot(word);  // decode() filled it
  e.legal_in = &cfg;
  e.legal_queue = queue;
  return std::nullopt;
}

WordMemo& WordMemo::local() {
  thread_local WordMemo memo;
  return memo;
}

uint64_t hash_program(const Config& cfg, uint16_t queue, std::span<const uint64_t> words) {
  uint64_t h = reinterpret_cast<uintptr_t>(&cfg) ^ (uint64_t{queue} << 48) ^ words.size();
  for (uint64_t w : words) h = (h ^ w) * 0x9E3779B97F4A7C15ull + (h >> 29);
  return h;
}

bool LegalPrograms::known(const Config& cfg, uint16_t queue, std::span<const uint64_t> words) const {
  const auto range = programs_.equal_range(hash_program(cfg, queue, words));
  return std::any_of(range.first, range.second, [&](const auto& kv) {
    const Program& p = kv.second;
    return p.cfg == &cfg && p.queue == queue && std::ranges::equal(p.words, words);
  });
}

void LegalPrograms::add(const Config& cfg, uint16_t queue, std::span<const uint64_t> words) {
  if (words_ + words.size() > kMaxWords) return;  // full: later programs are checked word by word
  programs_.emplace(hash_program(cfg, queue, words), Program{&cfg, queue, {words.begin(), words.end()}});
  words_ += words.size();
}

LegalPrograms& LegalPrograms::local() {
  thread_local LegalPrograms programs;
  return programs;
}

}  // namespace tsp::isa
