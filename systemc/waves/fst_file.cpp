#include "systemc/waves/fst_file.hpp"

#include <fmt/format.h>
#include <fstapi.h>

#include "common/error.hpp"

namespace tsp::waves {

FstFile::FstFile(const std::string& path) : ctx_(fstWriterCreate(path.c_str(), 1)) {
  if (!ctx_) throw Error(fmt::format("cannot create wave file {}", path));
  fstWriterSetTimescale(ctx_, -12);
  fstWriterSetPackType(ctx_, FST_WR_PT_LZ4);
  fstWriterSetVersion(ctx_, "tsp-cosim");
  width_.push_back(0);  // handles start at 1
}

FstFile::~FstFile() { close(); }

void FstFile::close() {
  if (ctx_) fstWriterClose(ctx_);
  ctx_ = nullptr;
}

void FstFile::push_scope(const std::string& name) { fstWriterSetScope(ctx_, FST_ST_VCD_MODULE, name.c_str(), nullptr); }

void FstFile::pop_scope() { fstWriterSetUpscope(ctx_); }

FstFile::Handle FstFile::bits(const std::string& name, uint32_t width, Handle alias) {
  const Handle h = fstWriterCreateVar(ctx_, FST_VT_VCD_WIRE, FST_VD_IMPLICIT, width, name.c_str(), alias);
  if (h >= width_.size()) width_.resize(h + 1);
  width_[h] = width;
  return h;
}

FstFile::Handle FstFile::text(const std::string& name) {
  const Handle h = fstWriterCreateVar(ctx_, FST_VT_GEN_STRING, FST_VD_IMPLICIT, 0, name.c_str(), 0);
  if (h >= width_.size()) width_.resize(h + 1);
  return h;
}

void FstFile::time(uint64_t ps) { fstWriterEmitTimeChange(ctx_, ps); }

void FstFile::set(Handle h, uint64_t value) { fstWriterEmitValueChange64(ctx_, h, width_[h], value); }

void FstFile::set_z(Handle h) {
  scratch_.assign(width_[h], 'z');
  fstWriterEmitValueChange(ctx_, h, scratch_.data());
}

void FstFile::set_text(Handle h, std::string_view value) {
  fstWriterEmitVariableLengthValueChange(ctx_, h, value.data(), static_cast<uint32_t>(value.size()));
}

}  // namespace tsp::waves
