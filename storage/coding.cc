#include "storage/coding.h"

namespace arbor {

void PutVarint64(std::string* dst, uint64_t v) {
  while (v >= 0x80) {
    dst->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  dst->push_back(static_cast<char>(v));
}

bool GetVarint64(std::string_view* input, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0, i = 0; shift <= 63 && i < static_cast<int>(input->size()); shift += 7, ++i) {
    uint64_t byte = static_cast<unsigned char>((*input)[i]);
    if (shift == 63 && byte > 1) return false;  // would overflow 64 bits
    result |= (byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      if (byte == 0 && i > 0) return false;  // overlong: only canonical encodings decode
      input->remove_prefix(i + 1);
      *v = result;
      return true;
    }
  }
  return false;
}

void PutLengthPrefixed(std::string* dst, std::string_view bytes) {
  PutVarint64(dst, bytes.size());
  dst->append(bytes);
}

bool GetLengthPrefixed(std::string_view* input, std::string_view* bytes) {
  uint64_t len = 0;
  std::string_view in = *input;
  if (!GetVarint64(&in, &len) || len > in.size()) return false;
  *bytes = in.substr(0, len);
  in.remove_prefix(len);
  *input = in;
  return true;
}

void PutFixed64BE(std::string* dst, uint64_t v) {
  for (int i = 7; i >= 0; --i)
    dst->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

bool GetFixed64BE(std::string_view* input, uint64_t* v) {
  if (input->size() < 8) return false;
  uint64_t r = 0;
  for (int i = 0; i < 8; ++i)
    r = (r << 8) | static_cast<unsigned char>((*input)[i]);
  input->remove_prefix(8);
  *v = r;
  return true;
}

bool GetBytes(std::string_view* input, size_t n, std::string_view* out) {
  if (input->size() < n) return false;
  *out = input->substr(0, n);
  input->remove_prefix(n);
  return true;
}

}  // namespace arbor
