#include "systemc/waves/wave_recorder.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "common/error.hpp"

namespace tsp::waves {

using model::Cycle;

// Turns one chip's engine events into changes of its variables.
class WaveRecorder::ChipObserver : public model::Observer {
 public:
  ChipObserver(WaveRecorder& rec, uint32_t chip) : rec_(rec), chip_(chip) {}

  void on_issue(uint16_t queue, uint32_t index, Cycle t, const isa::Instr& in) override {
    rec_.issued(chip_, t);
    rec_.record(t, {rec_.handle(chip_, queue, Role::Instr), Merge::Append, 0, isa::format(in)});
    rec_.record(t, {rec_.handle(chip_, queue, Role::Opcode), Merge::Set, static_cast<uint8_t>(in.op), {}});
    rec_.record(t, {rec_.handle(chip_, queue, Role::Index), Merge::Set, index, {}});
  }
  void on_stream_put(isa::StreamRef s, uint16_t /*position*/, Cycle at, uint16_t queue) override {
    // The engine puts at the producing queue's own position, so the queue names the position.
    rec_.record(
        at,
        {rec_.handle(chip_, queue, s.west ? Role::StreamsW : Role::StreamsE), Merge::Or, uint64_t{1} << s.index, {}});
  }
  void on_sram(uint16_t slice, uint32_t address, Cycle at, bool write) override {
    rec_.record(at, {rec_.handle(chip_, rec_.slice_queue_.at(slice), write ? Role::SramWr : Role::SramRd),
                     Merge::Set,
                     address,
                     {}});
  }

 private:
  WaveRecorder& rec_;
  uint32_t chip_;
};

WaveRecorder::WaveRecorder(const image::Image& img, const std::string& fst_path, WaveWindow window)
    : cfg_([&]() -> const isa::Config& {
        const isa::Config* cfg = isa::find_config(img.config);
        if (!cfg) throw Error(fmt::format("waves: unknown configuration '{}'", img.config));
        return *cfg;
      }()),
      window_(window),
      file_(fst_path),
      vars_(wave_layout(img, cfg_)),
      next_(window.from) {
  const size_t chips = img.chips.size();
  handles_.assign(chips, std::vector<std::array<FstFile::Handle, kQueueRoles>>(cfg_.queue_table.size()));
  cycle_.resize(chips);
  std::vector<std::string> open;  // scopes entered so far
  for (const WaveVar& v : vars_) {
    size_t common = 0;
    while (common < open.size() && common < v.scope.size() && open[common] == v.scope[common]) ++common;
    for (; open.size() > common; open.pop_back()) file_.pop_scope();
    for (; open.size() < v.scope.size(); open.push_back(v.scope[open.size()])) file_.push_scope(v.scope[open.size()]);
    // Every chip counts the same cycles: later chips alias chip 0's counter.
    const FstFile::Handle alias = v.role == Role::Cycle && v.chip > 0 ? cycle_[0] : 0;
    const FstFile::Handle h = v.width ? file_.bits(v.name, v.width, alias) : file_.text(v.name);
    if (v.role == Role::Cycle)
      cycle_[v.chip] = alias ? alias : h;
    else
      handles_[v.chip][v.queue][static_cast<size_t>(v.role)] = h;
    if (role_of_.size() <= h) role_of_.resize(h + 1, Role::Cycle);
    if (!alias) role_of_[h] = v.role;
  }
  for (; !open.empty(); open.pop_back()) file_.pop_scope();

  slice_queue_.resize(cfg_.mem_slices);
  for (uint16_t id = 0; id < cfg_.queue_table.size(); ++id)
    if (cfg_.queue_table[id].unit == isa::Unit::MEM) slice_queue_[isa::mem_slice_of(cfg_.queue_table[id], cfg_)] = id;
  // A chip without code never issues: it must not hold the others' changes back.
  horizon_.assign(chips, std::numeric_limits<Cycle>::max());
  for (size_t c = 0; c < chips; ++c)
    for (const auto& qp : img.chips[c].queues)
      if (!qp.words.empty()) horizon_[c] = 0;
  for (uint32_t c = 0; c < chips; ++c) observers_.push_back(std::make_unique<ChipObserver>(*this, c));
}

WaveRecorder::~WaveRecorder() = default;

model::Observer* WaveRecorder::observer(uint32_t chip) { return observers_.at(chip).get(); }

FstFile::Handle WaveRecorder::handle(uint32_t chip, uint16_t queue, Role role) const {
  return handles_[chip][queue][static_cast<size_t>(role)];
}

void WaveRecorder::record(Cycle at, Change change) {
  if (!change.handle || at < window_.from || at > window_.to) return;
  pending_[at].push_back(std::move(change));
}

void WaveRecorder::issued(uint32_t chip, Cycle t) {
  // Every change is at or after its instruction's issue, and issues come in cycle order.
  const bool was_min = horizon_[chip] == *std::min_element(horizon_.begin(), horizon_.end());
  horizon_[chip] = t;
  if (was_min) write_until(*std::min_element(horizon_.begin(), horizon_.end()));
}

void WaveRecorder::write_until(Cycle end) {
  if (window_.to != std::numeric_limits<Cycle>::max()) end = std::min(end, window_.to + 1);
  std::vector<Change> none;
  for (; next_ < end; ++next_) {
    auto it = pending_.begin();
    if (it != pending_.end() && it->first == next_) {
      write_cycle(next_, it->second);
      pending_.erase(it);
    } else {
      write_cycle(next_, none);
    }
  }
}

void WaveRecorder::write_cycle(Cycle c, std::vector<Change>& changes) {
  file_.time(cycle_ps(cfg_, c));
  if (c == window_.from)  // start from idle, not from GTKWave's x: as if everything had been busy before
    for (FstFile::Handle h = 1; h < role_of_.size(); ++h)
      if (role_of_[h] != Role::Cycle) active_.push_back(h);
  if (!cycle_.empty()) file_.set(cycle_[0], c);
  std::stable_sort(changes.begin(), changes.end(),
                   [](const Change& a, const Change& b) { return a.handle < b.handle; });
  std::vector<FstFile::Handle> now;
  for (size_t i = 0; i < changes.size();) {
    Change merged = changes[i];
    for (++i; i < changes.size() && changes[i].handle == merged.handle; ++i) {
      merged.value = merged.merge == Merge::Or ? merged.value | changes[i].value : changes[i].value;
      if (merged.merge == Merge::Append) merged.text += "; " + changes[i].text;  // e.g. REPEAT and its first repetition
    }
    if (merged.merge == Merge::Append)
      file_.set_text(merged.handle, merged.text);
    else
      file_.set(merged.handle, merged.value);
    now.push_back(merged.handle);
  }
  std::vector<FstFile::Handle> ended;
  std::set_difference(active_.begin(), active_.end(), now.begin(), now.end(), std::back_inserter(ended));
  for (FstFile::Handle h : ended) set_idle(h);
  active_ = std::move(now);
}

void WaveRecorder::set_idle(FstFile::Handle h) {
  switch (role_of_[h]) {
    case Role::Instr:
      file_.set_text(h, "-");
      break;
    case Role::StreamsE:
    case Role::StreamsW:
      file_.set(h, 0);
      break;
    default:
      file_.set_z(h);
  }
}

WaveWindow WaveRecorder::finish(Cycle cycles) {
  if (finished_) throw Error("waves: finish() called twice");
  finished_ = true;
  const Cycle end = pending_.empty() ? cycles : std::max(cycles, pending_.rbegin()->first + 1);
  write_until(end);
  WaveWindow written{1, 0};
  if (next_ > window_.from) {
    written = {window_.from, next_ - 1};
    file_.time(cycle_ps(cfg_, next_));  // the end of the last cycle, so it has a width on screen
    for (FstFile::Handle h : active_) set_idle(h);
  }
  file_.close();
  return written;
}

}  // namespace tsp::waves
