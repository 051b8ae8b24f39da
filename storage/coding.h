// Byte-level encoding helpers shared by every on-disk format in storage/.
//
// Varints are LEB128 (7 bits per byte, low groups first). Decoders consume from the
// front of a string_view and return false on truncated or overlong input; they never
// read past the view. Only the shortest encoding of a number decodes, so every encoded
// structure has exactly one byte form.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace arbor {

void PutVarint64(std::string* dst, uint64_t v);
bool GetVarint64(std::string_view* input, uint64_t* v);

// A varint length followed by that many bytes.
void PutLengthPrefixed(std::string* dst, std::string_view bytes);
bool GetLengthPrefixed(std::string_view* input, std::string_view* bytes);

// Fixed-width big-endian, so encoded integers sort like the numbers.
void PutFixed64BE(std::string* dst, uint64_t v);
bool GetFixed64BE(std::string_view* input, uint64_t* v);

// Takes exactly n bytes from the front of input.
bool GetBytes(std::string_view* input, size_t n, std::string_view* out);

}  // namespace arbor
