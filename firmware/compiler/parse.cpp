#include "firmware/compiler/parse.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

#include "common/error.hpp"
#include "common/numerics/dtype.hpp"
#include "common/numerics/float_format.hpp"
#include "firmware/compiler/layers.hpp"

namespace tsp::compiler {
namespace {

// Whitespace-separated words; `:[],=` are words of their own; `#` starts a comment.
std::vector<std::string> words(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    if (!cur.empty()) out.push_back(cur);
    cur.clear();
  };
  for (char c : line) {
    if (c == '#') break;
    if (std::isspace(static_cast<unsigned char>(c))) {
      flush();
    } else if (c == ':' || c == '[' || c == ']' || c == ',' || c == '=') {
      flush();
      out.emplace_back(1, c);
    } else {
      cur += c;
    }
  }
  flush();
  return out;
}

class Line {
 public:
  Line(std::vector<std::string> w, Where where) : w_(std::move(w)), where_(std::move(where)) {}
  bool done() const { return i_ >= w_.size(); }
  const std::string& peek() const {
    static const std::string kEnd;
    return done() ? kEnd : w_[i_];
  }
  std::string next(const char* what) {
    if (done()) throw error(fmt::format("expected {} at the end of the line", what));
    return w_[i_++];
  }
  void expect(const std::string& tok) {
    const std::string got = next(("'" + tok + "'").c_str());
    if (got != tok) throw error(fmt::format("expected '{}', found '{}'", tok, got));
  }
  uint64_t number(const char* what) {
    const std::string s = next(what);
    uint64_t v = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) throw error(fmt::format("{}: '{}' is not a number", what, s));
    return v;
  }
  Error error(const std::string& why) const { return Error(fmt::format("{}: error: {}", where_.str(), why)); }
  const Where& where() const { return where_; }

 private:
  std::vector<std::string> w_;
  size_t i_ = 0;
  Where where_;
};

isa::DType dtype(Line& l) {
  const std::string s = l.next("an element type");
  const isa::DTypeDesc* d = isa::find_dtype(s);
  if (!d) throw l.error(fmt::format("unknown element type '{}' (i8 u8 i16 i32 f16 bf16 f32)", s));
  return d->type;
}

// One value literal as element bits of `t`: integers must fit; floats round to nearest even.
uint32_t value(Line& l, isa::DType t) {
  const std::string s = l.next("a value");
  char* end = nullptr;
  if (num::is_float(t)) {
    const double d = std::strtod(s.c_str(), &end);
    if (end != s.c_str() + s.size() || s.empty()) throw l.error(fmt::format("'{}' is not a number", s));
    if (t == isa::DType::f16) return num::from_double<num::kF16>(d);
    if (t == isa::DType::bf16) return num::from_double<num::kBF16>(d);
    return num::from_double<num::kF32>(d);
  }
  const long long v = std::strtoll(s.c_str(), &end, 0);
  const auto it = num::int_type(t);
  if (end != s.c_str() + s.size() || s.empty()) throw l.error(fmt::format("'{}' is not an integer", s));
  if (v < it.min() || v > it.max())
    throw l.error(fmt::format("{} does not fit {} [{}, {}]", v, isa::dtype_desc(t).name, it.min(), it.max()));
  return static_cast<uint32_t>(v) & num::lane_mask(t);
}

void tensor_decl(Line& l, Graph& g, bool is_const, uint32_t chips) {
  const std::string name = l.next("a tensor name");
  l.expect(":");
  const isa::DType t = dtype(l);
  l.expect("[");
  std::vector<uint32_t> shape;
  for (;;) {
    const uint64_t d = l.number("a dimension");
    if (d == 0 || d > (1u << 24)) throw l.error(fmt::format("dimension {} out of range 1..{}", d, 1u << 24));
    shape.push_back(static_cast<uint32_t>(d));
    if (l.peek() == "]") break;
    l.expect(",");
  }
  l.expect("]");
  uint64_t n = 1;
  for (uint32_t d : shape) n *= d;
  // One chip: 2^24 elements (the compiler's guard). Several: a tensor split over them may hold 2^27 elements
  // a chip, about as many bytes as a chip's SRAM (a Llama-2-70B FFN weight's share is 8192 x 3584).
  if (n > (chips == 1 ? uint64_t(1) << 24 : (uint64_t(1) << 27) * chips))
    throw l.error(fmt::format("tensor '{}' has {} elements, more than {} holds", name, n,
                              chips == 1 ? std::string("any chip") : fmt::format("{} chips", chips)));
  LazyData data;  // random: made when first read (a system's weights may never be)
  const std::string how = l.next("'random SEED' or '= values'");
  if (how == "random") {
    data = random_lazy(t, n, l.number("a seed"));
  } else if (how == "=") {
    std::vector<uint32_t> given;
    while (!l.done()) given.push_back(value(l, t));
    data = std::move(given);
  } else {
    throw l.error(fmt::format("expected 'random SEED' or '= values', found '{}'", how));
  }
  if (!l.done()) throw l.error(fmt::format("unexpected '{}'", l.peek()));
  if (is_const)
    g.add_const(name, t, shape, std::move(data), l.where());
  else
    g.add_input(name, t, shape, std::move(data), l.where());
}

TensorId operand(Line& l, const Graph& g) {
  const std::string s = l.next("an operand");
  const auto id = g.find(s);
  if (!id) throw l.error(fmt::format("unknown tensor '{}'", s));
  return *id;
}

void node(Line& l, Graph& g, const std::string& out) {
  l.expect("=");
  const std::string opname = l.next("an op");
  const auto op = find_graph_op(opname);
  if (!op) throw l.error(fmt::format("node '{}': unsupported op '{}'", out, opname));
  if (*op == GraphOp::Transpose) {  // transpose x [perm]; no perm: reverse the dimensions
    const TensorId x = operand(l, g);
    std::vector<uint32_t> perm;
    if (!l.done()) {
      l.expect("[");
      for (;;) {
        perm.push_back(static_cast<uint32_t>(l.number("a dimension index")));
        if (l.peek() == "]") break;
        l.expect(",");
      }
      l.expect("]");
    }
    if (!l.done()) throw l.error(fmt::format("unexpected '{}'", l.peek()));
    g.add_transpose(out, x, std::move(perm), l.where());
    return;
  }
  if (*op == GraphOp::Gather) {  // gather data indices [axis N]
    const TensorId d = operand(l, g);
    const TensorId i = operand(l, g);
    int32_t axis = 0;
    if (!l.done()) {
      l.expect("axis");
      const std::string v = l.next("an axis");
      char* end = nullptr;
      axis = int32_t(std::strtol(v.c_str(), &end, 10));
      if (v.empty() || end != v.c_str() + v.size()) throw l.error(fmt::format("axis: '{}' is not a number", v));
    }
    if (!l.done()) throw l.error(fmt::format("unexpected '{}'", l.peek()));
    g.add_gather(out, d, i, axis, l.where());
    return;
  }
  std::optional<isa::DType> to;
  if (*op == GraphOp::Cast) to = dtype(l);
  std::vector<TensorId> in;
  Attrs a;
  // Signed numbers after an attribute keyword, `[`, `,` and `]` skipped.
  auto numbers = [&](const char* what) {
    std::vector<int64_t> v;
    while (!l.done()) {
      const std::string& w = l.peek();
      if (w == "[" || w == "," || w == "]") {
        l.next(what);
        continue;
      }
      char* end = nullptr;
      const long long x = std::strtoll(w.c_str(), &end, 10);
      if (w.empty() || end != w.c_str() + w.size()) break;
      v.push_back(x);
      l.next(what);
    }
    if (v.empty()) throw l.error(fmt::format("node '{}': {} needs a value", out, what));
    return v;
  };
  while (!l.done()) {
    const std::string& w = l.peek();
    if (w == "axes" || w == "axis") {
      l.next("axes");
      a.axes = numbers("axes");
    } else if (w == "keepdims") {
      l.next("keepdims");
      a.keepdims = numbers("keepdims").at(0) != 0;
    } else if (w == "shape") {
      l.next("shape");
      for (int64_t d : numbers("shape")) {
        if (d <= 0 || d > (1 << 24)) throw l.error(fmt::format("node '{}': dimension {} out of range", out, d));
        a.shape.push_back(uint32_t(d));
      }
    } else if (w == "part") {
      l.next("part");
      const std::string v = l.next("a part");
      if (v == "y")
        a.part = 0;
      else if (v == "mean")
        a.part = 1;
      else if (v == "invstddev")
        a.part = 2;
      else
        throw l.error(fmt::format("node '{}': part '{}' is not y, mean or invstddev", out, v));
    } else if (w == "approximate") {
      l.next("approximate");
      const std::string v = l.next("an approximation");
      if (v != "tanh" && v != "none")
        throw l.error(fmt::format("node '{}': approximate '{}' is not tanh or none", out, v));
      a.gelu_tanh = v == "tanh";
    } else if (w == "starts" || w == "ends" || w == "steps" || w == "pads") {  // slice, pad
      const std::string key = l.next("an attribute");
      auto& dst = key == "starts" ? a.starts : key == "ends" ? a.ends : key == "steps" ? a.steps : a.pads;
      dst = numbers(key == "starts" ? "starts" : key == "ends" ? "ends" : key == "steps" ? "steps" : "pads");
    } else if (w == "epsilon" || w == "value") {
      const bool eps = l.next("an attribute") == "epsilon";
      const std::string v = l.next("a value");
      char* end = nullptr;
      (eps ? a.epsilon : a.value) = std::strtod(v.c_str(), &end);
      if (v.empty() || end != v.c_str() + v.size()) throw l.error(fmt::format("'{}' is not a number", v));
    } else {
      in.push_back(operand(l, g));
    }
  }
  g.add(*op, out, std::move(in), l.where(), to, a);
}

// `layer decoder dim D heads H kv K ffn F cache T share N seed S` or `layer moe dim D ffn F
// experts E chunk C seed S input X` (layers.hpp): each attribute optional.
void layer(Line& l, Graph& g, bool any_size) {
  const std::string kind = l.next("a layer kind (decoder, moe)");
  if (kind != "decoder" && kind != "moe") throw l.error(fmt::format("unknown layer '{}' (decoder, moe)", kind));
  DecoderSpec d;
  d.any_size = any_size;
  MoeSpec m;
  while (!l.done()) {
    const std::string key = l.next("an attribute");
    const uint64_t v = l.number(key.c_str());
    if (v > (1u << 20)) throw l.error(fmt::format("{} {} out of range", key, v));
    const uint32_t v32 = uint32_t(v);
    if (key == "dim")
      d.dim = m.dim = v32;
    else if (key == "ffn")
      d.ffn = m.ffn = v32;
    else if (key == "seed")
      d.seed = m.seed = v;
    else if (key == "heads" && kind == "decoder")
      d.heads = v32;
    else if (key == "cache" && kind == "decoder")
      d.cache = v32;
    else if (key == "kv" && kind == "decoder")
      d.kv_heads = v32;
    else if (key == "share" && kind == "decoder")
      d.share = v32;
    else if (key == "experts" && kind == "moe")
      m.experts = v32;
    else if (key == "input" && kind == "moe")
      m.input_seed = v;
    else if (key == "chunk" && kind == "moe")
      m.chunk = v32;
    else
      throw l.error(
          fmt::format("unknown {} attribute '{}' ({})", kind, key,
                      kind == "decoder" ? "dim heads kv ffn cache share seed" : "dim ffn experts chunk seed input"));
  }
  if (kind == "decoder")
    add_decoder(g, d, l.where());
  else
    add_moe(g, m, l.where());
}

}  // namespace

Program parse_program(const std::string& text, const std::string& file, const ParseOptions& options) {
  Program p;
  std::istringstream in(text);
  std::string raw;
  uint32_t line_no = 0;
  while (std::getline(in, raw)) {
    Line l(words(raw), Where{file, ++line_no});
    if (l.done()) continue;
    const std::string head = l.next("a statement");
    if (head == "config") {
      p.config = l.next("a configuration name");
      if (!isa::find_config(*p.config)) throw l.error(fmt::format("unknown configuration '{}'", *p.config));
    } else if (head == "input" || head == "const") {
      tensor_decl(l, p.graph, head == "const", std::max<uint32_t>(options.chips, 1));
      continue;
    } else if (head == "layer") {
      layer(l, p.graph, options.any_size);
    } else if (head == "output") {
      if (l.done()) throw l.error("output names no tensor");
      while (!l.done()) p.graph.mark_output(operand(l, p.graph));
    } else if (l.peek() == "=") {
      node(l, p.graph, head);
      continue;
    } else {
      throw l.error(
          fmt::format("unknown statement '{}' (config, input, const, layer, output, or NAME = OP ...)", head));
    }
    if (!l.done()) throw l.error(fmt::format("unexpected '{}'", l.peek()));
  }
  if (p.graph.nodes().empty()) throw Error(fmt::format("{}: error: the program computes nothing (no node)", file));
  bool any_output = false;
  for (const Tensor& t : p.graph.tensors()) any_output |= t.output;
  if (!any_output) throw Error(fmt::format("{}: error: no `output` line names a result", file));
  return p;
}

Program load_program(const std::string& path, const ParseOptions& options) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw Error(fmt::format("{}: error: cannot open", path));
  std::stringstream ss;
  ss << f.rdbuf();
  return parse_program(ss.str(), path, options);
}

}  // namespace tsp::compiler
