// Bounding what an error message repeats of client input.
//
// A message that echoes a name must not grow with it: a client that sends a 100 MB
// database name gets an error of a few hundred bytes, not 100 MB. Every place that
// puts a client-supplied name into a Status message goes through Abbreviate (or
// QuoteName in versioning/names.h, which uses it).
//
// Contract: the result keeps at most `max_bytes` bytes of `text`, cut at a UTF-8
// character boundary (so JSON rendering never sees a split character), and ends
// with TruncationMarker(text.size()) whenever anything was cut.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace arbor {

// How much of a name error messages repeat.
inline constexpr size_t kMaxEchoBytes = 256;

// How many leading bytes of `text` an abbreviation keeps: all of them when
// text.size() <= max_bytes.
size_t AbbreviatedLength(std::string_view text, size_t max_bytes = kMaxEchoBytes);

// "...[<total_bytes> bytes, truncated]": appended where an echo was cut.
std::string TruncationMarker(size_t total_bytes);

// `text`, or its first AbbreviatedLength() bytes followed by the marker.
std::string Abbreviate(std::string_view text, size_t max_bytes = kMaxEchoBytes);

}  // namespace arbor
