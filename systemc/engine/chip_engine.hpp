#pragma once
// The cycle-exact engine of one chip. Event driven: each queue has its next
// issue cycle in a heap, stream values are located arithmetically
// (StreamFabric), so cost grows with instructions and bytes moved, never with
// cycles x units. Timing rules: docs/timing.md. The SystemC module
// (systemc/chip/) wraps this for hierarchy, host access and multi-chip time.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <queue>
#include <span>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "firmware/image/image.hpp"
#include "systemc/engine/chip_clock.hpp"
#include "systemc/engine/decoded_queue.hpp"
#include "systemc/engine/link.hpp"
#include "systemc/engine/mxm_plane.hpp"
#include "systemc/engine/observer.hpp"
#include "systemc/engine/stream_fabric.hpp"
#include "systemc/engine/types.hpp"
#include "systemc/mem/mem_slice.hpp"

namespace tsp::model {

// A program that breaks the machine's rules (stream conflict, empty read, bank
// conflict, uncorrectable ECC error, ...). The message names file:line, chip,
// queue, instruction, cycle and the reason.
class ScheduleError : public Error {
 public:
  using Error::Error;
};

struct RunStats {
  std::array<uint64_t, isa::kUnitCount> instructions{};  // issued per unit (repetitions count, ICU ops under ICU)
  uint64_t ecc_corrected = 0;
  uint64_t sram_bytes = 0;  // read + written
  uint64_t stream_values = 0;
  uint64_t macs = 0;
};

// An injected SRAM bit flip, applied at the start of cycle `at`.
struct Flip {
  Cycle at = 0;
  uint16_t slice = 0;
  uint32_t address = 0;
  uint32_t superlane = 0;
  uint32_t bit = 0;  // secded bit numbering: 0..127 data, 128..136 check bits
};

class ChipEngine {
 public:
  // An idle chip with zeroed SRAM.
  ChipEngine(const isa::Config& cfg, uint32_t chip);
  // Loads this chip's part of a validated image (same configuration): decodes
  // every queue, writes its SRAM segments, resets time and statistics.
  void load(const image::Image& img);
  // Shorthand: a chip of `img`'s configuration with `img` loaded.
  ChipEngine(const image::Image& img, uint32_t chip);

  // Processes every event before cycle `limit`. Returns true when the program
  // has finished (every queue ran out of instructions).
  bool run_until(Cycle limit);
  bool done() const { return events_.empty() && next_cycle_.empty(); }
  // The cycle of the next pending event (an issue, a release, an arrival's
  // check); kNever when done().
  Cycle next_event() const {
    if (!next_cycle_.empty()) return now_ + 1;
    return events_.empty() ? kNever : events_.top().at;
  }
  // Program length: the cycle after the last queue slot or result, plus the
  // superlane stagger (superlane k runs k cycles after superlane 0). In this
  // chip's own cycles; program_cycles() takes off the drift corrections.
  Cycle end_cycle() const;
  // The program's length in the schedule's cycles (what the compiler
  // predicts): end_cycle() less the cycles RDESKEW added to absorb drift.
  Cycle program_cycles() const { return static_cast<Cycle>(int64_t(end_cycle()) - drift_shift_); }
  // Cycles RDESKEWs stalled beyond their counts so far (negative: fewer).
  int64_t drift_shift() const { return drift_shift_; }
  // This chip's clock against the system's (structure: survives load()).
  void set_clock(const ChipClock& clock) { clock_ = clock; }
  const ChipClock& clock() const { return clock_; }

  void add_flip(const Flip& flip);
  // Attach (or detach with nullptr) an observer; not owned.
  void set_observer(Observer* observer) {
    observer_ = observer;
    recording_ = observer && observer->wants_unit_ops() ? &unit_op_ : nullptr;
  }
  // Exact shortcuts (a WRITE of a READ's by-reference value copies late, in
  // blocks: MemSlice::write_later) are on by default; tests turn them off to
  // check that nothing observable changes.
  void set_fast_paths(bool on) { fast_paths_ = on; }
  // Timing only (docs/timing-only.md): every schedule rule is checked and
  // every cycle and counter produced, but no value is computed: results are
  // a shared zero vector, SRAM is neither read nor written for data (ECC
  // decisions still come from injected flips: SECDED's syndrome depends on
  // the error pattern alone), MXM weights and sums are not kept, SENDs carry
  // a zero payload. GATHER/SCATTER, whose SRAM addresses are data, are an
  // error. Structure: survives load().
  void set_timing_only(bool on) { timing_only_ = on; }
  bool timing_only() const { return timing_only_; }
  // SRAM belongs to the host between run_until calls, so by default each call
  // ends by settling: stream references become copies and late WRITEs land. A
  // caller that keeps SRAM to itself between calls (TspChip within a run,
  // where every outside access goes through settle() first and DMI is refused)
  // may defer that; settle() is cheap when nothing is pending.
  void set_settle_on_return(bool on) { settle_on_return_ = on; }
  bool settles_on_return() const { return settle_on_return_; }
  void settle();
  MemSlice& slice(uint16_t i) { return slices_.at(i); }
  const StreamFabric& streams() const { return fabric_; }
  const isa::Config& config() const { return cfg_; }
  const RunStats& stats() const { return stats_; }
  // Bytes of SRAM the model holds (pages written or materialised; generated
  // and never-written SRAM take none).
  uint64_t stored_sram_bytes() const;
  uint32_t chip() const { return chip_; }
  // Queue `queue`'s program as loaded (nullptr: the image gives it none) and,
  // once the run is over, the cycle after its last occupied slot: what the
  // ICU's cosim adapter loads into and checks its RTL sequencers against.
  const std::vector<const isa::Instr*>* queue_code(uint16_t queue) const;
  Cycle queue_end(uint16_t queue) const;
  // Instructions queue `queue` has issued so far (REPEAT repetitions and ICU ops count).
  uint64_t queue_issued(uint16_t queue) const;
  // The earliest cycle in which a SEND on a link with `links[link]` set can
  // still issue (kNever: none can): a lower bound from each C2C queue's
  // position and the least time its instructions up to its next SEND take.
  // SYNC, DESKEW and RDESKEW count as one cycle, since their end depends on
  // other queues or the clock. What lets distributed windows grow past
  // stretches without link traffic (docs/distributed.md).
  static constexpr Cycle kNever = model::kNever;
  Cycle next_send_bound(const std::vector<uint8_t>& links) const;

  // C2C attachment points. `tx` (not owned, nullptr: none) carries what this
  // chip's SENDs on `link` put out; `receives` says something can deliver on
  // it. Attachments are structure: they survive load().
  void attach_link(uint16_t link, LinkSink* tx, bool receives);
  // A vector arriving on `link` in cycle `at` (this chip's clock) into the
  // link's receive buffer: a RECV in cycle r takes the oldest one that arrived
  // in r - receive window .. r. `at` must lie at or beyond horizon(): a link
  // faster than the synchronisation quantum would deliver into the past, and
  // that is an Error, never a silent change.
  void deliver(uint16_t link, Cycle at, LinkFrame frame);
  // Every cycle before this has been run (run_until's latest limit).
  Cycle horizon() const { return horizon_; }
  // The cycle being (or last) processed: where an error run_until threw happened.
  Cycle now() const { return now_; }

 private:
  // Hot fields first: a repetition (repeat_next, exec_*) touches only the
  // first two cache lines, which matters with a hundred queues issuing per cycle.
  struct alignas(64) QueueRun {
    // A REPEAT in progress: repetition `rep_k` of instruction `rep_src` is next.
    isa::Instr rep_in;                      // the repetition being issued: rep_src with its strided field advanced
    const isa::OpDesc* rep_desc = nullptr;  // rep_in.desc()
    const isa::QueueDesc* desc = nullptr;
    int64_t rep_stride = 0;
    int64_t rep_base = 0;  // rep_src's strided field
    Cycle end = 0;
    uint64_t issued = 0;
    uint32_t pc = 0;
    uint32_t rep_left = 0, rep_k = 0, rep_src = 0, rep_interval = 0;
    uint32_t rep_bad_k = 0;  // first illegal repetition (0: none), found once per REPEAT
    uint16_t id = 0;
    uint16_t slice = 0;     // MEM queues: their slice, resolved once
    int8_t rep_field = -1;  // index of the strided field, -1: none
    bool parked = false;    // waiting on SYNC
    // Cold.
    std::shared_ptr<const DecodedQueue> prog;  // shared with other chips that run the same program
    std::span<const isa::Instr* const> code;   // prog->code
    std::string rep_bad_why;
    Cycle parked_at = 0;
    uint32_t parked_instr = 0;
  };
  static_assert(offsetof(QueueRun, parked) < 128);
  // What is executing: for operand access and error reports.
  struct Exec {
    QueueRun& q;
    uint32_t index;  // instruction index in the queue
    Cycle t;         // issue cycle
    const isa::Instr& in;
    const isa::OpDesc& d;  // in.desc(), looked up once
  };
  struct Event {
    Cycle at;
    // 0: release SYNC-parked queues; kLinkCheck + link: a vector's cycle has passed; else queue index + 1.
    uint32_t key;
    bool operator>(const Event& o) const { return at != o.at ? at > o.at : key > o.key; }
  };
  struct Arrival {
    Cycle at;
    LinkFrame frame;
  };
  struct LinkEnd {
    LinkSink* tx = nullptr;
    bool receives = false;
    std::deque<Arrival> arrivals;  // by cycle: what no RECV has taken yet
  };
  static constexpr uint32_t kLinkCheck = 1u << 31;  // Event key: kLinkCheck + link
  struct PortUse {
    Cycle cycle = ~Cycle{0};
    uint32_t banks = 0;
    Origin origin;
  };

  // The common case inline: the queue issues again in the next cycle.
  void schedule(QueueRun& q, Cycle at) {
    q.end = at;
    if (at == now_ + 1 && started_)
      next_cycle_.push_back(index_of(q));  // no heap traffic
    else
      schedule_later(q, at);
  }
  void schedule_later(QueueRun& q, Cycle at);
  const QueueRun* run_of(uint16_t queue) const;  // nullptr: the image gives the queue no program
  uint32_t index_of(const QueueRun& q) const { return static_cast<uint32_t>(&q - queues_.data()); }
  void issue(QueueRun& q, Cycle t);
  void repeat_next(QueueRun& q, Cycle t);
  // Cache hints for the stream slots that `in`, issuing in cycle `issue`, will
  // fill (READ) or take (LW, ABC): a large system has evicted them by then,
  // and the queue's next instruction or repetition is known a NOP early.
  void prefetch_streams(const QueueRun& q, const isa::Instr& in, Cycle issue) const;
  [[noreturn]] void fail_repetition(const QueueRun& q, Cycle t) const;
  void execute(const Exec& x);
  void execute_observed(const Exec& x);  // execute() with an observer attached
  void dispatch(const Exec& x);          // the unit's semantics
  void apply_flips(Cycle now);
  void check_arrivals(uint16_t link, Cycle now) const;  // none left behind by `now`
  std::string next_recv(uint16_t link) const;           // ", RECV in cycle Y" if the link's queue waits for one
  Cycle rdeskew_end(const QueueRun& q, uint32_t index, Cycle t, uint64_t count);
  std::string link_name(uint16_t link) const;

  // Unit semantics, one file each (exec_*.cpp).
  void exec_mem(const Exec& x);
  void exec_read(const Exec& x);
  void exec_write(const Exec& x);
  [[gnu::noinline]] void exec_gather_scatter(const Exec& x);
  uint32_t bank_of(uint32_t address) const;                   // the SRAM bank of a MEM address
  static uint32_t next_address(const Exec& x, size_t field);  // a REPEAT's address ahead, for cache hints
  void check_ecc(const Exec& x, uint16_t slice, const MemSlice::ReadResult& r, uint32_t address);
  void exec_sxm(const Exec& x);
  void exec_vxm(const Exec& x);
  void exec_mxm(const Exec& x);
  void exec_c2c(const Exec& x);
  MxmPlane& plane_of(const Exec& x);  // the plane of an MXM queue, with any finished IW applied

  // Operands: `width` consecutive streams from `base` at the queue's position.
  // The hot ones are inline (engine_hot.hpp); their error paths are not.
  // `*ref` (width 1): the value is a reference to SRAM nobody writes in this run.
  inline void read_streams(const Exec& x, isa::StreamRef base, unsigned width, const Vec** out,
                           bool* ref = nullptr) const;
  void write_streams(const Exec& x, isa::StreamRef base, unsigned width, const Vec* values);
  // Timing only: `width` result streams from `base` occupied, holding no value (the shared zero vector).
  inline void no_results(const Exec& x, isa::StreamRef base, unsigned width);
  static constexpr Vec kNoValue{};  // never written: a reference to it outlives every run
  // One result stream's storage, to be filled by the caller (no copy).
  inline Vec& result_stream(const Exec& x, isa::StreamRef s);
  // The same for a value the stream refers to instead of copying (see by_ref_).
  inline void result_ref(const Exec& x, isa::StreamRef s, const Vec* value);
  // Port and bank rules of one SRAM access; `address` (superlane 0's for
  // GATHER/SCATTER) is for observers.
  inline void sram_access(const Exec& x, uint16_t slice, bool write, uint32_t banks, uint32_t address);
  void note_result(const Exec& x) { last_activity_ = std::max(last_activity_, x.t + x.d.latency + 1); }
  [[noreturn]] void fail_empty(const Exec& x, isa::StreamRef s) const;
  [[noreturn]] void fail_taken(const Exec& x, isa::StreamRef s, Cycle at, const Origin& other) const;
  [[noreturn]] void fail_port(const Exec& x, uint16_t slice, bool write, uint32_t banks, Cycle at) const;

  std::string where(const QueueRun& q, uint32_t index, Cycle t, const isa::Instr& in) const;  // an error's prefix
  std::string instr_text(const QueueRun& q, uint32_t index, Cycle t, const isa::Instr& in) const;
  std::string source_of(const QueueRun& q, uint32_t index) const;  // "file:line", or empty
  [[noreturn]] void fail(const Exec& x, const std::string& why) const;
  [[noreturn]] void fail(const QueueRun& q, uint32_t index, Cycle t, const std::string& why) const;
  std::string origin_text(const Origin& o) const;

  std::vector<std::string> files_;  // source names for error locations
  const isa::Config& cfg_;
  uint32_t chip_;
  std::vector<QueueRun> queues_;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> events_;  // issues beyond the next cycle
  std::vector<uint32_t> next_cycle_;                                       // queues issuing in cycle now_ + 1
  std::vector<uint32_t> batch_;  // queues issuing in the cycle being processed
  Cycle now_ = 0;
  Cycle horizon_ = 0;
  bool started_ = false;  // before the first run_until, everything goes through the heap
  StreamFabric fabric_;
  std::vector<MemSlice> slices_;
  // Per slice: nothing writes it while the engine runs (no WRITE or SCATTER in
  // its program), so a READ can put a reference to the SRAM vector on its
  // stream instead of a copy. The host writes SRAM only between run_until
  // calls, and run_until copies every reference before it returns. Injected
  // flips are kept beside the data (MemSlice), never in it; a READ of a slice
  // with flips copies through the SECDED decoder.
  std::vector<uint8_t> by_ref_;
  bool fast_paths_ = true;
  bool timing_only_ = false;
  bool settle_on_return_ = true;
  // Per slice: the last SRAM access of each port, both checked by every access (one cache line).
  struct alignas(64) Ports {
    PortUse read, write;
    PortUse& of(bool w) { return w ? write : read; }
    const PortUse& of(bool w) const { return w ? write : read; }
  };
  std::vector<Ports> ports_;
  std::vector<Flip> flips_;  // pending, sorted by cycle, latest last
  std::vector<MxmPlane> planes_;
  std::vector<LinkEnd> links_;
  ChipClock clock_;
  int64_t drift_shift_ = 0;
  Cycle last_activity_ = 0;  // cycle after the last result landed
  bool any_issued_ = false;
  RunStats stats_;
  Observer* observer_ = nullptr;
  UnitOp unit_op_;                       // the instruction being recorded for on_unit_op
  mutable UnitOp* recording_ = nullptr;  // &unit_op_ when the observer wants unit ops
};

}  // namespace tsp::model
