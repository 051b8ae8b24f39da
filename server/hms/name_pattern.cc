#include "server/hms/name_pattern.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <locale>

namespace arbor::hms {

namespace {

bool IsRegexMeta(char c) {
  switch (c) {
    case '\\':
    case '^':
    case '$':
    case '.':
    case '|':
    case '?':
    case '*':
    case '+':
    case '(':
    case ')':
    case '[':
    case ']':
    case '{':
    case '}':
      return true;
    default:
      return false;
  }
}

// Java's '.' does not match line terminators, so a ".*" gap may not span one.
// For UTF-8 subjects those are \n, \r and the encodings of U+0085, U+2028 and
// U+2029.
bool HasLineTerminator(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '\n' || c == '\r') return true;
    if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x85) return true;
    if (c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
        (static_cast<unsigned char>(s[i + 2]) == 0xA8 ||
         static_cast<unsigned char>(s[i + 2]) == 0xA9)) {
      return true;
    }
  }
  return false;
}

char FoldAscii(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool SegmentAt(std::string_view s, size_t pos, std::string_view seg, bool fold) {
  if (pos + seg.size() > s.size()) return false;
  for (size_t i = 0; i < seg.size(); ++i) {
    const char a = s[pos + i];
    if (fold ? FoldAscii(a) != seg[i] : a != seg[i]) return false;
  }
  return true;
}

size_t FindSegment(std::string_view s, size_t from, std::string_view seg, bool fold) {
  if (!fold) return s.find(seg, from);
  for (size_t p = from; p + seg.size() <= s.size(); ++p) {
    if (SegmentAt(s, p, seg, fold)) return p;
  }
  return std::string_view::npos;
}

// Splits `pattern` into the literal segments around ".*" when it has no other
// regex syntax and no line terminator of its own (which would let a terminator
// in the subject be legitimately matched); otherwise returns false.
bool SplitSimplePattern(std::string_view pattern, std::vector<std::string>* segments) {
  if (HasLineTerminator(pattern)) return false;
  segments->assign(1, std::string());
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '.' && i + 1 < pattern.size() && pattern[i + 1] == '*') {
      segments->emplace_back();
      ++i;
    } else if (IsRegexMeta(c)) {
      return false;
    } else {
      segments->back().push_back(c);
    }
  }
  return true;
}

// Rewrites Java-only syntax std::regex lacks: \Q...\E quoting becomes escaped
// literals. (A leading "(?i)" is stripped by the caller.)
std::string TranslateQuoting(std::string_view pattern) {
  std::string out;
  out.reserve(pattern.size());
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\' && i + 1 < pattern.size()) {
      if (pattern[i + 1] != 'Q') {
        out.append(pattern.substr(i, 2));
        ++i;
        continue;
      }
      size_t end = pattern.find("\\E", i + 2);
      if (end == std::string_view::npos) end = pattern.size();  // Java: quote to the end
      for (char c : pattern.substr(i + 2, end - (i + 2))) {
        if (IsRegexMeta(c)) out.push_back('\\');
        out.push_back(c);
      }
      i = (end == pattern.size()) ? end : end + 1;
      continue;
    }
    out.push_back(pattern[i]);
  }
  return out;
}

// Bounds what libstdc++ would build from `pattern` (see kMaxRegex* in the
// header): nesting depth, and the element count after {n,m} expansion, which is
// multiplied through nested groups. Returns an empty string when acceptable.
std::string CheckRegexComplexity(std::string_view p) {
  if (p.size() > kMaxRegexLength) {
    return "longer than " + std::to_string(kMaxRegexLength) + " bytes";
  }
  struct Frame {
    size_t total = 0;  // expanded size of the group so far
    size_t last = 0;   // expanded size of the most recent element, for {n,m}
  };
  std::vector<Frame> stack(1);
  auto add = [&](size_t n) {
    stack.back().total += n;
    stack.back().last = n;
  };
  // libstdc++ reads the digits of a back reference (\\N) and of a repetition count
  // into an int without an overflow check: a long digit run is undefined behaviour
  // (found by fuzz_partition_filter). No real pattern needs more than a few digits.
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] != '\\' && p[i] != '{') continue;
    size_t run = 0;
    for (size_t j = i + 1; j < p.size(); ++j) {
      if (std::isdigit(static_cast<unsigned char>(p[j]))) {
        if (++run > kMaxRegexDigits) {
          return "a number longer than " + std::to_string(kMaxRegexDigits) + " digits";
        }
      } else if (p[i] == '{' && p[j] == ',') {
        run = 0;  // {n,m}: each count on its own
      } else {
        break;
      }
    }
    if (p[i] == '\\') ++i;  // skip the escaped character
  }
  for (size_t i = 0; i < p.size(); ++i) {
    const char c = p[i];
    if (c == '\\') {
      ++i;
      add(1);
    } else if (c == '[') {
      // A class is one element; find its end (']' right after '[' or '[^' is literal).
      size_t j = i + 1;
      if (j < p.size() && p[j] == '^') ++j;
      if (j < p.size() && p[j] == ']') ++j;
      while (j < p.size() && p[j] != ']')
        j += (p[j] == '\\') ? 2 : 1;
      i = j;
      add(1);
    } else if (c == '(') {
      if (static_cast<int>(stack.size()) > kMaxRegexNesting) {
        return "nested deeper than " + std::to_string(kMaxRegexNesting) + " groups";
      }
      stack.emplace_back();
    } else if (c == ')') {
      if (stack.size() == 1) continue;  // unbalanced: std::regex reports it
      const size_t group = stack.back().total + 1;
      stack.pop_back();
      add(group);
    } else if (c == '{') {
      size_t j = i + 1;
      uint64_t lo = 0, hi = 0;
      bool has_comma = false, has_hi = false;
      while (j < p.size() && j - i <= 12 &&
             (std::isdigit(static_cast<unsigned char>(p[j])) || p[j] == ',')) {
        if (p[j] == ',') {
          has_comma = true;
        } else if (has_comma) {
          hi = hi * 10 + static_cast<uint64_t>(p[j] - '0');
          has_hi = true;
        } else {
          lo = lo * 10 + static_cast<uint64_t>(p[j] - '0');
        }
        ++j;
      }
      if (j >= p.size() || p[j] != '}') continue;  // not a quantifier: std::regex decides
      const uint64_t copies = std::max<uint64_t>(has_hi ? hi : lo, 1) + (has_comma && !has_hi);
      if (copies > kMaxRegexExpandedSize) return "repetition count too large";
      stack.back().total += stack.back().last * (copies - 1);
      i = j;
    } else if (c == '*' || c == '+' || c == '?' || c == '|') {
      // Quantifiers and alternation add O(1) states.
    } else {
      add(1);
    }
    // Java's possessive quantifiers (a*+, a{2}+) never backtrack; libstdc++
    // would silently read them as two greedy ones and match differently.
    const bool ended_quantifier = c == '*' || c == '+' || c == '?' || (c == '{' && p[i] == '}');
    if (ended_quantifier && i + 1 < p.size() && p[i + 1] == '+') {
      return "possessive quantifiers are not supported";
    }
    if (stack.back().total > kMaxRegexExpandedSize) return "too complex";
  }
  return "";
}

}  // namespace

Result<JavaRegex> JavaRegex::Compile(std::string_view pattern, bool case_insensitive) {
  JavaRegex re;
  std::string_view body = pattern;
  if (body.substr(0, 4) == "(?i)") {
    body.remove_prefix(4);
    case_insensitive = true;
  }
  re.case_insensitive_ = case_insensitive;
  std::string translated = TranslateQuoting(body);
  if (SplitSimplePattern(translated, &re.segments_)) {
    if (case_insensitive) {
      for (std::string& seg : re.segments_) {
        std::transform(seg.begin(), seg.end(), seg.begin(), FoldAscii);
      }
    }
    return re;
  }
  auto invalid = [&](std::string_view why) {
    std::string shown(pattern.substr(0, 64));
    if (pattern.size() > 64) shown += "...";
    return Status::InvalidArgument("invalid regular expression \"" + shown +
                                   "\": " + std::string(why));
  };
  if (std::string why = CheckRegexComplexity(translated); !why.empty()) return invalid(why);
  auto flags = std::regex::ECMAScript;
  if (case_insensitive) flags |= std::regex::icase;
#if defined(__GLIBCXX__)
  // The linear-time (breadth-first) executor: the default backtracking one is
  // exponential on patterns like (a*)*b and recurses once per subject byte.
  flags |= std::regex_constants::__polynomial;
#endif
  re.use_regex_ = true;
  try {
    // Case folding must not depend on the process-wide locale.
    re.regex_.imbue(std::locale::classic());
    re.regex_.assign(translated, flags);
  } catch (const std::regex_error& e) {
    return invalid(e.what());
  }
  return re;
}

bool JavaRegex::FullMatch(std::string_view subject) const {
  if (use_regex_) return std::regex_match(subject.begin(), subject.end(), regex_);
  const bool fold = case_insensitive_;
  if (segments_.size() == 1) {
    return subject.size() == segments_[0].size() && SegmentAt(subject, 0, segments_[0], fold);
  }
  // Every subject byte lies in a segment or in a ".*" gap; segments hold no
  // line terminator and gaps may not, so a subject holding one cannot match.
  if (HasLineTerminator(subject)) return false;
  const std::string& first = segments_.front();
  const std::string& last = segments_.back();
  if (first.size() + last.size() > subject.size()) return false;
  if (!SegmentAt(subject, 0, first, fold)) return false;
  if (!SegmentAt(subject, subject.size() - last.size(), last, fold)) return false;
  // Inner segments: leftmost placement is optimal when gaps are unconstrained.
  size_t pos = first.size();
  const size_t end = subject.size() - last.size();
  for (size_t i = 1; i + 1 < segments_.size(); ++i) {
    const size_t at = FindSegment(subject.substr(0, end), pos, segments_[i], fold);
    if (at == std::string_view::npos) return false;
    pos = at + segments_[i].size();
  }
  return true;
}

Result<NamePattern> NamePattern::Parse(std::string_view pattern) {
  // Java's String.trim(): bytes <= 0x20 at either end.
  while (!pattern.empty() && static_cast<unsigned char>(pattern.front()) <= 0x20) {
    pattern.remove_prefix(1);
  }
  while (!pattern.empty() && static_cast<unsigned char>(pattern.back()) <= 0x20) {
    pattern.remove_suffix(1);
  }
  if (pattern.empty() || pattern == "*") return MatchAll();

  // Java's split("\\|") drops trailing empty parts (so "a|" is just "a", and
  // "|" has no parts and matches nothing); an empty inner part matches only "".
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t bar = pattern.find('|', start);
    parts.push_back(pattern.substr(start, bar == std::string_view::npos ? bar : bar - start));
    if (bar == std::string_view::npos) break;
    start = bar + 1;
  }
  while (!parts.empty() && parts.back().empty())
    parts.pop_back();

  NamePattern result;
  result.matches_all_ = false;
  for (std::string_view part : parts) {
    if (part == "*") return MatchAll();  // a part matching everything
    std::string regex;
    for (char c : part) {
      if (c == '*') {
        regex += ".*";  // Hive's replaceAll("\\*", ".*"): every '*', even in ".*"
      } else {
        regex.push_back(c);
      }
    }
    Result<JavaRegex> compiled = JavaRegex::Compile(regex, /*case_insensitive=*/true);
    if (!compiled.ok()) {
      return Status::InvalidArgument("invalid name pattern: " + compiled.status().message());
    }
    result.parts_.push_back(std::move(compiled).value());
  }
  return result;
}

bool NamePattern::Matches(std::string_view name) const {
  if (matches_all_) return true;
  for (const JavaRegex& part : parts_) {
    if (part.FullMatch(name)) return true;
  }
  return false;
}

}  // namespace arbor::hms
