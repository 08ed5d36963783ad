#include "firmware/isa/word_memo.hpp"

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

}  // namespace tsp::isa
