#include "server/hms/partition_filter.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <utility>

namespace arbor::hms {

namespace {

char LowerAscii(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (LowerAscii(a[i]) != LowerAscii(b[i])) return false;
  }
  return true;
}

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}
bool IsIdentChar(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

// --- Value parsing, shared by literals and stored values. ---

// -?[0-9]+ (Java's Long.parseLong also takes a leading '+') within int64.
bool ParseInteger(std::string_view s, int64_t* out) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  if (s.empty() || (s[0] == '-' && s.size() == 1)) return false;
  for (size_t i = (s[0] == '-') ? 1 : 0; i < s.size(); ++i) {
    if (!IsDigit(s[i])) return false;
  }
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

bool IsLeapYear(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

// Reads 1..max_digits digits at s[*i].
bool ReadDigits(std::string_view s, size_t* i, size_t min_digits, size_t max_digits, int64_t* out) {
  size_t n = 0;
  *out = 0;
  while (*i < s.size() && n < max_digits && IsDigit(s[*i])) {
    *out = *out * 10 + (s[*i] - '0');
    ++*i;
    ++n;
  }
  return n >= min_digits;
}

// yyyy-m[m]-d[d] starting at s[*i], a real calendar date. Stores yyyymmdd.
bool ReadDate(std::string_view s, size_t* i, int64_t* out) {
  int64_t y, m, d;
  if (!ReadDigits(s, i, 4, 4, &y) || *i >= s.size() || s[*i] != '-') return false;
  ++*i;
  if (!ReadDigits(s, i, 1, 2, &m) || *i >= s.size() || s[*i] != '-') return false;
  ++*i;
  if (!ReadDigits(s, i, 1, 2, &d)) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1) return false;
  if (d > kDays[m - 1] + ((m == 2 && IsLeapYear(y)) ? 1 : 0)) return false;
  *out = y * 10000 + m * 100 + d;
  return true;
}

bool ParseDate(std::string_view s, int64_t* out) {
  size_t i = 0;
  return ReadDate(s, &i, out) && i == s.size();
}

// A date, optionally followed by ' ' or 'T', hh:mm[:ss[.f{1,9}]]; a bare date
// is midnight.
bool ParseTimestamp(std::string_view s, int64_t* date, int64_t* nanos) {
  size_t i = 0;
  if (!ReadDate(s, &i, date)) return false;
  *nanos = 0;
  if (i == s.size()) return true;
  if (s[i] != ' ' && s[i] != 'T') return false;
  ++i;
  int64_t h, m, sec = 0, frac = 0;
  if (!ReadDigits(s, &i, 2, 2, &h) || i >= s.size() || s[i] != ':') return false;
  ++i;
  if (!ReadDigits(s, &i, 2, 2, &m)) return false;
  if (i < s.size() && s[i] == ':') {
    ++i;
    if (!ReadDigits(s, &i, 2, 2, &sec)) return false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      const size_t start = i;
      if (!ReadDigits(s, &i, 1, 9, &frac)) return false;
      for (size_t n = i - start; n < 9; ++n)
        frac *= 10;
    }
  }
  if (i != s.size() || h > 23 || m > 59 || sec > 59) return false;
  *nanos = ((h * 60 + m) * 60 + sec) * 1000000000 + frac;
  return true;
}

std::string FormatDate(int64_t yyyymmdd) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d", static_cast<int>(yyyymmdd / 10000),
                static_cast<int>(yyyymmdd / 100 % 100), static_cast<int>(yyyymmdd % 100));
  return buf;
}

std::string FormatTimestamp(int64_t date, int64_t nanos) {
  const int64_t secs = nanos / 1000000000;
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%s %02d:%02d:%02d", FormatDate(date).c_str(),
                static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
                static_cast<int>(secs % 60));
  std::string out = buf;
  if (int64_t frac = nanos % 1000000000; frac != 0) {
    std::snprintf(buf, sizeof(buf), ".%09d", static_cast<int>(frac));
    std::string f = buf;
    while (f.back() == '0')
      f.pop_back();
    out += f;
  }
  return out;
}

// For error messages: at most 40 bytes of `s`, printable ASCII kept and the
// rest as \xNN, so a message never carries raw control bytes.
std::string Snippet(std::string_view s) {
  std::string out;
  const size_t n = std::min<size_t>(s.size(), 40);
  for (size_t i = 0; i < n; ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f) {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out += buf;
    }
  }
  if (s.size() > n) out += "...";
  return out;
}

std::string_view OpName(FilterOp op) {
  switch (op) {
    case FilterOp::kEq:
      return "=";
    case FilterOp::kNe:
      return "<>";
    case FilterOp::kLt:
      return "<";
    case FilterOp::kLe:
      return "<=";
    case FilterOp::kGt:
      return ">";
    case FilterOp::kGe:
      return ">=";
    case FilterOp::kLike:
      return "like";
  }
  return "?";
}

// `lit op key` is `key Mirror(op) lit`.
FilterOp Mirror(FilterOp op) {
  switch (op) {
    case FilterOp::kLt:
      return FilterOp::kGt;
    case FilterOp::kLe:
      return FilterOp::kGe;
    case FilterOp::kGt:
      return FilterOp::kLt;
    case FilterOp::kGe:
      return FilterOp::kLe;
    default:
      return op;
  }
}

bool ApplyOp(FilterOp op, int cmp) {
  switch (op) {
    case FilterOp::kEq:
      return cmp == 0;
    case FilterOp::kNe:
      return cmp != 0;
    case FilterOp::kLt:
      return cmp < 0;
    case FilterOp::kLe:
      return cmp <= 0;
    case FilterOp::kGt:
      return cmp > 0;
    case FilterOp::kGe:
      return cmp >= 0;
    case FilterOp::kLike:
      return false;  // handled by the caller
  }
  return false;
}

template <typename T>
int Compare(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

enum class Tok : uint8_t {
  kEnd,
  kLParen,
  kRParen,
  kComma,
  kOp,
  kAnd,
  kOr,
  kNot,
  kBetween,
  kIn,
  kWord,  // identifier, or a contextual keyword (STRUCT, CONST)
  kString,
  kInteger,
  kDate,
  kTimestamp,
};

struct Token {
  Tok type = Tok::kEnd;
  size_t pos = 0;        // byte offset in the filter
  std::string_view src;  // the token's source text
  FilterOp op = FilterOp::kEq;
  std::string text;    // kWord: the word; kString: the bytes between the quotes
  int64_t number = 0;  // kInteger: value; kDate, kTimestamp: yyyymmdd
  int64_t nanos = 0;   // kTimestamp
};

bool IsLiteral(const Token& t) {
  return t.type == Tok::kString || t.type == Tok::kInteger || t.type == Tok::kDate ||
         t.type == Tok::kTimestamp;
}

}  // namespace

PartitionKeyKind ClassifyPartitionKeyType(std::string_view hive_type) {
  while (!hive_type.empty() && IsSpace(hive_type.front()))
    hive_type.remove_prefix(1);
  while (!hive_type.empty() && IsSpace(hive_type.back()))
    hive_type.remove_suffix(1);
  std::string t;
  for (char c : hive_type) {
    if (c == '(') break;  // varchar(10), char(5)
    t.push_back(LowerAscii(c));
  }
  while (!t.empty() && IsSpace(t.back()))
    t.pop_back();
  if (t.empty() || t == "string" || t == "varchar" || t == "char") {
    return PartitionKeyKind::kString;
  }
  if (t == "tinyint" || t == "smallint" || t == "int" || t == "integer" || t == "bigint") {
    return PartitionKeyKind::kIntegral;
  }
  if (t == "date") return PartitionKeyKind::kDate;
  if (t == "timestamp") return PartitionKeyKind::kTimestamp;
  return PartitionKeyKind::kOther;
}

// Lexes the whole filter, then parses by recursive descent. Recursion happens
// only at '(' and is bounded by kMaxPartitionFilterDepth.
class PartitionFilterParser {
 public:
  PartitionFilterParser(std::string_view src, const std::vector<PartitionKeyInfo>& keys,
                        PartitionFilter* out)
      : src_(src), keys_(keys), out_(out) {}

  Status Run() {
    for (const PartitionKeyInfo& key : keys_) {
      out_->key_names_.push_back(key.name);
      out_->key_kinds_.push_back(ClassifyPartitionKeyType(key.type));
    }
    if (src_.size() > kMaxPartitionFilterLength) {
      return Status::InvalidArgument(
          "Error parsing partition filter: the filter is " + std::to_string(src_.size()) +
          " bytes, longer than the limit of " + std::to_string(kMaxPartitionFilterLength));
    }
    ARBOR_RETURN_IF_ERROR(Lex());
    if (toks_.size() == 1) return Status::OK();  // only kEnd: the empty filter
    ARBOR_ASSIGN_OR_RETURN(uint32_t root, ParseOr(0));
    if (Peek().type != Tok::kEnd) {
      return SyntaxError(
          Peek(), Peek().type == Tok::kRParen ? "unbalanced ')'" : "expected AND, OR or the end");
    }
    out_->root_ = static_cast<int32_t>(root);
    return Status::OK();
  }

 private:
  // --- Errors ---

  static Status Error(size_t pos, std::string_view what) {
    return Status::InvalidArgument("Error parsing partition filter at position " +
                                   std::to_string(pos) + ": " + std::string(what));
  }

  static std::string Describe(const Token& t) {
    if (t.type == Tok::kEnd) return "the end of the filter";
    if (t.type == Tok::kString) return Snippet(t.src);  // already quoted
    return "'" + Snippet(t.src) + "'";
  }

  static Status SyntaxError(const Token& t, std::string_view expected) {
    return Error(t.pos, std::string(expected) + ", found " + Describe(t));
  }

  // --- Lexer ---

  Status Lex() {
    size_t i = 0;
    while (true) {
      while (i < src_.size() && IsSpace(src_[i]))
        ++i;
      if (i == src_.size()) break;
      ARBOR_RETURN_IF_ERROR(LexOne(&i));
    }
    Token end;
    end.type = Tok::kEnd;
    end.pos = src_.size();
    toks_.push_back(std::move(end));
    return Status::OK();
  }

  // Reads a quoted string at src_[*i]: the bytes between the quotes, verbatim.
  Status LexQuoted(size_t* i, std::string* text) {
    const size_t start = *i;
    const char quote = src_[start];
    size_t j = start + 1;
    while (j < src_.size() && src_[j] != quote)
      j += (src_[j] == '\\') ? 2 : 1;
    if (j >= src_.size()) return Error(start, "unterminated string literal");
    *text = std::string(src_.substr(start + 1, j - start - 1));
    *i = j + 1;
    return Status::OK();
  }

  Status LexOne(size_t* pi) {
    size_t& i = *pi;
    Token t;
    t.pos = i;
    const char c = src_[i];
    auto two = [&](char next) { return i + 1 < src_.size() && src_[i + 1] == next; };
    if (c == '(' || c == ')' || c == ',') {
      t.type = c == '(' ? Tok::kLParen : (c == ')' ? Tok::kRParen : Tok::kComma);
      ++i;
    } else if (c == '=') {
      t.type = Tok::kOp, t.op = FilterOp::kEq, ++i;
    } else if (c == '<') {
      t.type = Tok::kOp;
      if (two('>')) {
        t.op = FilterOp::kNe, i += 2;
      } else if (two('=')) {
        t.op = FilterOp::kLe, i += 2;
      } else {
        t.op = FilterOp::kLt, ++i;
      }
    } else if (c == '>') {
      t.type = Tok::kOp;
      if (two('=')) {
        t.op = FilterOp::kGe, i += 2;
      } else {
        t.op = FilterOp::kGt, ++i;
      }
    } else if (c == '!' && two('=')) {
      t.type = Tok::kOp, t.op = FilterOp::kNe, i += 2;
    } else if (c == '\'' || c == '"') {
      t.type = Tok::kString;
      ARBOR_RETURN_IF_ERROR(LexQuoted(&i, &t.text));
    } else if (IsDigit(c) || (c == '-' && i + 1 < src_.size() && IsDigit(src_[i + 1]))) {
      ARBOR_RETURN_IF_ERROR(LexNumberOrWord(&i, &t));
    } else if (IsIdentChar(c)) {
      ARBOR_RETURN_IF_ERROR(LexWord(&i, &t));
    } else {
      return Error(i, "unexpected character '" + Snippet(src_.substr(i, 1)) + "'");
    }
    t.src = src_.substr(t.pos, i - t.pos);
    toks_.push_back(std::move(t));
    return Status::OK();
  }

  // A bare date (yyyy-mm-dd), an integer, or a word that starts with a digit;
  // like ANTLR's lexer, the longest of these wins.
  Status LexNumberOrWord(size_t* pi, Token* t) {
    size_t& i = *pi;
    const size_t start = i;
    size_t j = (src_[i] == '-') ? i + 1 : i;
    while (j < src_.size() && IsDigit(src_[j]))
      ++j;
    auto digit_at = [&](size_t k) { return k < src_.size() && IsDigit(src_[k]); };
    if (src_[start] != '-' && j - start == 4 && j < src_.size() && src_[j] == '-' &&
        digit_at(j + 1) && digit_at(j + 2) && j + 3 < src_.size() && src_[j + 3] == '-' &&
        digit_at(j + 4) && digit_at(j + 5)) {
      const std::string_view text = src_.substr(start, 10);
      if (!ParseDate(text, &t->number)) {
        return Error(start, "invalid date '" + Snippet(text) + "'");
      }
      t->type = Tok::kDate;
      i = start + 10;
      return Status::OK();
    }
    if (src_[start] != '-' && j < src_.size() && IsIdentChar(src_[j])) return LexWord(pi, t);
    const std::string_view text = src_.substr(start, j - start);
    if (!ParseInteger(text, &t->number)) {
      return Error(start, "integer '" + Snippet(text) + "' is out of range");
    }
    t->type = Tok::kInteger;
    i = j;
    return Status::OK();
  }

  Status LexWord(size_t* pi, Token* t) {
    size_t& i = *pi;
    const size_t start = i;
    while (i < src_.size() && IsIdentChar(src_[i]))
      ++i;
    const std::string_view word = src_.substr(start, i - start);
    t->type = Tok::kWord;
    t->text = std::string(word);
    if (EqualsIgnoreCase(word, "and")) t->type = Tok::kAnd;
    if (EqualsIgnoreCase(word, "or")) t->type = Tok::kOr;
    if (EqualsIgnoreCase(word, "not")) t->type = Tok::kNot;
    if (EqualsIgnoreCase(word, "between")) t->type = Tok::kBetween;
    if (EqualsIgnoreCase(word, "in")) t->type = Tok::kIn;
    if (EqualsIgnoreCase(word, "like")) t->type = Tok::kOp, t->op = FilterOp::kLike;
    const bool is_date = EqualsIgnoreCase(word, "date");
    if (!is_date && !EqualsIgnoreCase(word, "timestamp")) return Status::OK();
    // DATE 'yyyy-mm-dd' / TIMESTAMP '...': a typed literal only when a quote
    // follows, so a key named "date" can still be referenced.
    size_t q = i;
    while (q < src_.size() && IsSpace(src_[q]))
      ++q;
    if (q >= src_.size() || (src_[q] != '\'' && src_[q] != '"')) return Status::OK();
    std::string body;
    ARBOR_RETURN_IF_ERROR(LexQuoted(&q, &body));
    i = q;
    const bool ok = is_date ? (body.size() == 10 && ParseDate(body, &t->number))
                            : ParseTimestamp(body, &t->number, &t->nanos);
    if (!ok) {
      return Error(start, std::string(is_date ? "invalid date '" : "invalid timestamp '") +
                              Snippet(body) + "'");
    }
    t->type = is_date ? Tok::kDate : Tok::kTimestamp;
    return Status::OK();
  }

  // --- Parser ---

  const Token& Peek(size_t ahead = 0) const {
    return toks_[std::min(pos_ + ahead, toks_.size() - 1)];
  }
  const Token& Next() {
    const Token& t = Peek();
    if (pos_ + 1 < toks_.size()) ++pos_;
    return t;
  }
  bool IsWord(const Token& t, std::string_view word) const {
    return t.type == Tok::kWord && EqualsIgnoreCase(t.text, word);
  }
  Status Expect(Tok type, std::string_view what) {
    if (Peek().type != type) return SyntaxError(Peek(), "expected " + std::string(what));
    Next();
    return Status::OK();
  }

  Result<uint32_t> ExpectKey() {
    const Token& t = Peek();
    if (t.type != Tok::kWord) return SyntaxError(t, "expected a partition key");
    for (uint32_t k = 0; k < keys_.size(); ++k) {
      if (EqualsIgnoreCase(keys_[k].name, t.text)) {
        Next();
        return k;
      }
    }
    return Error(t.pos, "unknown partition key '" + Snippet(t.text) + "'");
  }

  Result<Token> ExpectLiteral() {
    if (!IsLiteral(Peek())) return SyntaxError(Peek(), "expected a literal");
    return Next();
  }

  Result<uint32_t> ParseOr(int depth) {
    std::vector<uint32_t> terms;
    ARBOR_ASSIGN_OR_RETURN(uint32_t first, ParseAnd(depth));
    terms.push_back(first);
    while (Peek().type == Tok::kOr) {
      Next();
      ARBOR_ASSIGN_OR_RETURN(uint32_t next, ParseAnd(depth));
      terms.push_back(next);
    }
    return AddLogic(FilterNode::Kind::kOr, std::move(terms));
  }

  Result<uint32_t> ParseAnd(int depth) {
    std::vector<uint32_t> terms;
    ARBOR_ASSIGN_OR_RETURN(uint32_t first, ParseExpr(depth));
    terms.push_back(first);
    while (Peek().type == Tok::kAnd) {
      Next();
      ARBOR_ASSIGN_OR_RETURN(uint32_t next, ParseExpr(depth));
      terms.push_back(next);
    }
    return AddLogic(FilterNode::Kind::kAnd, std::move(terms));
  }

  Result<uint32_t> ParseExpr(int depth) {
    const Token& t = Peek();
    if (t.type == Tok::kLParen) {
      if (IsWord(Peek(1), "struct") && Peek(2).type == Tok::kLParen) return ParseMultiColumnIn();
      // "(key) [NOT] IN (...)": Filter.g's shape for IN.
      if (Peek(1).type == Tok::kWord && Peek(2).type == Tok::kRParen &&
          (Peek(3).type == Tok::kNot || Peek(3).type == Tok::kIn)) {
        Next();
        ARBOR_ASSIGN_OR_RETURN(uint32_t key, ExpectKey());
        Next();  // ')'
        return ParseKeyTail(key);
      }
      if (depth >= kMaxPartitionFilterDepth) {
        return Error(t.pos, "parentheses nested deeper than " +
                                std::to_string(kMaxPartitionFilterDepth) + " levels");
      }
      Next();
      ARBOR_ASSIGN_OR_RETURN(uint32_t inner, ParseOr(depth + 1));
      ARBOR_RETURN_IF_ERROR(Expect(Tok::kRParen, "')'"));
      return inner;
    }
    if (t.type == Tok::kWord) {
      ARBOR_ASSIGN_OR_RETURN(uint32_t key, ExpectKey());
      return ParseKeyTail(key);
    }
    if (IsLiteral(t)) {
      Token lit = Next();
      if (Peek().type != Tok::kOp) return SyntaxError(Peek(), "expected a comparison operator");
      const Token& op = Next();
      if (op.op == FilterOp::kLike) {
        return Error(op.pos, "LIKE needs the partition key on its left");
      }
      ARBOR_ASSIGN_OR_RETURN(uint32_t key, ExpectKey());
      return AddCompare(key, Mirror(op.op), lit);
    }
    return SyntaxError(t, "expected a partition key, a literal or '('");
  }

  // After a key: op lit | [NOT] BETWEEN lit AND lit | [NOT] IN (lit, ...).
  Result<uint32_t> ParseKeyTail(uint32_t key) {
    bool negated = false;
    if (Peek().type == Tok::kNot) {
      Next();
      negated = true;
      if (Peek().type != Tok::kBetween && Peek().type != Tok::kIn) {
        return SyntaxError(Peek(), "expected BETWEEN or IN after NOT");
      }
    }
    if (Peek().type == Tok::kBetween) {
      Next();
      ARBOR_ASSIGN_OR_RETURN(Token low, ExpectLiteral());
      ARBOR_RETURN_IF_ERROR(Expect(Tok::kAnd, "AND"));
      ARBOR_ASSIGN_OR_RETURN(Token high, ExpectLiteral());
      ARBOR_ASSIGN_OR_RETURN(uint32_t lo,
                             AddCompare(key, negated ? FilterOp::kLt : FilterOp::kGe, low));
      ARBOR_ASSIGN_OR_RETURN(uint32_t hi,
                             AddCompare(key, negated ? FilterOp::kGt : FilterOp::kLe, high));
      return AddLogic(negated ? FilterNode::Kind::kOr : FilterNode::Kind::kAnd, {lo, hi});
    }
    if (Peek().type == Tok::kIn) {
      Next();
      ARBOR_RETURN_IF_ERROR(Expect(Tok::kLParen, "'(' after IN"));
      std::vector<uint32_t> terms;
      do {
        ARBOR_ASSIGN_OR_RETURN(Token lit, ExpectLiteral());
        ARBOR_ASSIGN_OR_RETURN(uint32_t term,
                               AddCompare(key, negated ? FilterOp::kNe : FilterOp::kEq, lit));
        terms.push_back(term);
      } while (Peek().type == Tok::kComma && (Next(), true));
      ARBOR_RETURN_IF_ERROR(Expect(Tok::kRParen, "',' or ')'"));
      return AddLogic(negated ? FilterNode::Kind::kAnd : FilterNode::Kind::kOr, std::move(terms));
    }
    if (Peek().type != Tok::kOp) {
      return SyntaxError(
          Peek(), "expected an operator after partition key '" + Snippet(keys_[key].name) + "'");
    }
    const FilterOp op = Next().op;
    ARBOR_ASSIGN_OR_RETURN(Token lit, ExpectLiteral());
    return AddCompare(key, op, lit);
  }

  // (STRUCT(k1, k2, ...)) [NOT] IN (CONST STRUCT(v1, v2, ...), ...)
  Result<uint32_t> ParseMultiColumnIn() {
    Next();  // '('
    Next();  // STRUCT
    Next();  // '('
    std::vector<uint32_t> keys;
    do {
      ARBOR_ASSIGN_OR_RETURN(uint32_t key, ExpectKey());
      keys.push_back(key);
    } while (Peek().type == Tok::kComma && (Next(), true));
    ARBOR_RETURN_IF_ERROR(Expect(Tok::kRParen, "',' or ')'"));
    ARBOR_RETURN_IF_ERROR(Expect(Tok::kRParen, "')'"));
    bool negated = false;
    if (Peek().type == Tok::kNot) {
      Next();
      negated = true;
    }
    ARBOR_RETURN_IF_ERROR(Expect(Tok::kIn, "IN"));
    ARBOR_RETURN_IF_ERROR(Expect(Tok::kLParen, "'(' after IN"));
    std::vector<uint32_t> rows;
    do {
      if (IsWord(Peek(), "const")) Next();  // Hive requires CONST; be lenient
      if (!IsWord(Peek(), "struct")) return SyntaxError(Peek(), "expected CONST STRUCT");
      Next();
      const Token& open = Peek();
      ARBOR_RETURN_IF_ERROR(Expect(Tok::kLParen, "'(' after STRUCT"));
      const size_t open_pos = open.pos;
      std::vector<uint32_t> terms;
      do {
        ARBOR_ASSIGN_OR_RETURN(Token lit, ExpectLiteral());
        if (terms.size() == keys.size()) {
          return Error(lit.pos, "a struct has more values than the " + std::to_string(keys.size()) +
                                    " partition keys listed");
        }
        ARBOR_ASSIGN_OR_RETURN(
            uint32_t term,
            AddCompare(keys[terms.size()], negated ? FilterOp::kNe : FilterOp::kEq, lit));
        terms.push_back(term);
      } while (Peek().type == Tok::kComma && (Next(), true));
      ARBOR_RETURN_IF_ERROR(Expect(Tok::kRParen, "',' or ')'"));
      if (terms.size() != keys.size()) {
        return Error(open_pos, "a struct has " + std::to_string(terms.size()) + " values for " +
                                   std::to_string(keys.size()) + " partition keys");
      }
      ARBOR_ASSIGN_OR_RETURN(
          uint32_t row,
          AddLogic(negated ? FilterNode::Kind::kOr : FilterNode::Kind::kAnd, std::move(terms)));
      rows.push_back(row);
    } while (Peek().type == Tok::kComma && (Next(), true));
    ARBOR_RETURN_IF_ERROR(Expect(Tok::kRParen, "',' or ')'"));
    return AddLogic(negated ? FilterNode::Kind::kAnd : FilterNode::Kind::kOr, std::move(rows));
  }

  // --- Tree building and type checking ---

  // An AND/OR of `terms`; nested nodes of the same kind are flattened and a
  // single term stands for itself, which keeps the tree shallow.
  Result<uint32_t> AddLogic(FilterNode::Kind kind, std::vector<uint32_t> terms) {
    if (terms.size() == 1) return terms[0];
    FilterNode node;
    node.kind = kind;
    for (uint32_t term : terms) {
      const FilterNode& child = out_->nodes_[term];
      if (child.kind == kind) {
        node.children.insert(node.children.end(), child.children.begin(), child.children.end());
      } else {
        node.children.push_back(term);
      }
    }
    out_->nodes_.push_back(std::move(node));
    return static_cast<uint32_t>(out_->nodes_.size() - 1);
  }

  Result<uint32_t> AddCompare(uint32_t key, FilterOp op, const Token& lit) {
    FilterNode node;
    node.kind = FilterNode::Kind::kCompare;
    node.key = key;
    node.op = op;
    const PartitionKeyKind kind = out_->key_kinds_[key];
    const std::string key_desc =
        "partition key '" + Snippet(keys_[key].name) + "' of type " + Snippet(keys_[key].type);
    auto mismatch = [&]() {
      return Error(lit.pos, "cannot compare " + key_desc + " with " + Describe(lit));
    };
    if (op == FilterOp::kLike) {
      if (lit.type != Tok::kString) return Error(lit.pos, "LIKE needs a quoted pattern");
      Result<JavaRegex> regex = JavaRegex::Compile(lit.text);
      if (!regex.ok()) return Error(lit.pos, "bad LIKE pattern: " + regex.status().message());
      node.text = lit.text;
      node.regex = static_cast<int32_t>(out_->regexes_.size());
      out_->regexes_.push_back(std::move(regex).value());
    } else {
      switch (kind) {
        case PartitionKeyKind::kString:
          switch (lit.type) {
            case Tok::kString:
              node.text = lit.text;
              break;
            case Tok::kInteger:
              node.text = std::to_string(lit.number);
              break;
            case Tok::kDate:
              node.text = FormatDate(lit.number);
              break;
            default:
              node.text = FormatTimestamp(lit.number, lit.nanos);
              break;
          }
          break;
        case PartitionKeyKind::kIntegral:
          if (lit.type == Tok::kInteger) {
            node.number = lit.number;
          } else if (lit.type != Tok::kString || !ParseInteger(lit.text, &node.number)) {
            return mismatch();
          }
          break;
        case PartitionKeyKind::kDate:
          if (lit.type == Tok::kDate) {
            node.number = lit.number;
          } else if (lit.type != Tok::kString || !ParseDate(lit.text, &node.number)) {
            return mismatch();
          }
          break;
        case PartitionKeyKind::kTimestamp:
          if (lit.type == Tok::kTimestamp || lit.type == Tok::kDate) {
            node.number = lit.number;
            node.nanos = lit.nanos;
          } else if (lit.type != Tok::kString ||
                     !ParseTimestamp(lit.text, &node.number, &node.nanos)) {
            return mismatch();
          }
          break;
        case PartitionKeyKind::kOther:
          return Error(lit.pos, "filtering on " + key_desc +
                                    " is not supported (only string, integral, date and "
                                    "timestamp keys; LIKE works on any key)");
      }
    }
    out_->nodes_.push_back(std::move(node));
    return static_cast<uint32_t>(out_->nodes_.size() - 1);
  }

  std::string_view src_;
  const std::vector<PartitionKeyInfo>& keys_;
  PartitionFilter* out_;
  std::vector<Token> toks_;
  size_t pos_ = 0;
};

Result<PartitionFilter> PartitionFilter::Parse(std::string_view filter,
                                               const std::vector<PartitionKeyInfo>& keys) {
  PartitionFilter result;
  PartitionFilterParser parser(filter, keys, &result);
  ARBOR_RETURN_IF_ERROR(parser.Run());
  return result;
}

bool PartitionFilter::Matches(const std::vector<std::string>& values) const {
  return root_ < 0 || Eval(static_cast<uint32_t>(root_), values);
}

bool PartitionFilter::Eval(uint32_t index, const std::vector<std::string>& values) const {
  const FilterNode& node = nodes_[index];
  switch (node.kind) {
    case FilterNode::Kind::kAnd:
      for (uint32_t child : node.children) {
        if (!Eval(child, values)) return false;
      }
      return true;
    case FilterNode::Kind::kOr:
      for (uint32_t child : node.children) {
        if (Eval(child, values)) return true;
      }
      return false;
    case FilterNode::Kind::kCompare:
      return EvalCompare(node, values);
  }
  return false;
}

bool PartitionFilter::EvalCompare(const FilterNode& node,
                                  const std::vector<std::string>& values) const {
  if (node.key >= values.size()) return false;
  const std::string_view value = values[node.key];
  if (value == kHiveDefaultPartitionValue) return false;
  if (node.op == FilterOp::kLike) return regexes_[node.regex].FullMatch(value);
  int cmp = 0;
  switch (key_kinds_[node.key]) {
    case PartitionKeyKind::kString:
      cmp = value.compare(node.text);  // char_traits<char> compares as unsigned bytes
      break;
    case PartitionKeyKind::kIntegral: {
      int64_t v;
      if (!ParseInteger(value, &v)) return false;
      cmp = Compare(v, node.number);
      break;
    }
    case PartitionKeyKind::kDate: {
      int64_t v;
      if (!ParseDate(value, &v)) return false;
      cmp = Compare(v, node.number);
      break;
    }
    case PartitionKeyKind::kTimestamp: {
      int64_t date, nanos;
      if (!ParseTimestamp(value, &date, &nanos)) return false;
      cmp = Compare(std::pair(date, nanos), std::pair(node.number, node.nanos));
      break;
    }
    case PartitionKeyKind::kOther:
      return false;  // rejected by Parse
  }
  return ApplyOp(node.op, cmp);
}

namespace {

// The intersection of boxes a and b into *out; false if it is empty.
bool Intersect(const KeyBox& a, const KeyBox& b, KeyBox* out) {
  *out = a;
  if (out->size() < b.size()) out->resize(b.size());
  for (size_t i = 0; i < b.size(); ++i) {
    KeyInterval& o = (*out)[i];
    if (b[i].lower && (!o.lower || *b[i].lower > *o.lower)) o.lower = b[i].lower;
    if (b[i].upper && (!o.upper || *b[i].upper < *o.upper)) o.upper = b[i].upper;
    if (o.lower && o.upper && *o.lower > *o.upper) return false;
  }
  return true;
}

// One box holding every box of a non-empty list.
std::vector<KeyBox> Hull(const std::vector<KeyBox>& boxes) {
  KeyBox hull = boxes.front();
  for (const KeyBox& box : boxes) {
    if (box.size() < hull.size()) hull.resize(box.size());  // a key past a box's size is free
    for (size_t i = 0; i < hull.size(); ++i) {
      KeyInterval& h = hull[i];
      if (!box[i].lower) {
        h.lower.reset();
      } else if (h.lower && *box[i].lower < *h.lower) {
        h.lower = box[i].lower;
      }
      if (!box[i].upper) {
        h.upper.reset();
      } else if (h.upper && *box[i].upper > *h.upper) {
        h.upper = box[i].upper;
      }
    }
  }
  return {std::move(hull)};
}

}  // namespace

std::optional<std::vector<KeyBox>> PartitionFilter::Bounds() const {
  if (root_ < 0) return std::nullopt;
  return BoundsOf(static_cast<uint32_t>(root_));
}

std::optional<std::vector<KeyBox>> PartitionFilter::BoundsOf(uint32_t index) const {
  const FilterNode& node = nodes_[index];
  switch (node.kind) {
    case FilterNode::Kind::kCompare: {
      if (key_kinds_[node.key] != PartitionKeyKind::kString) return std::nullopt;
      KeyBox box(node.key + 1);
      KeyInterval& iv = box.back();
      switch (node.op) {
        case FilterOp::kEq:
          iv.lower = iv.upper = node.text;
          break;
        case FilterOp::kLt:
        case FilterOp::kLe:
          iv.upper = node.text;
          break;
        case FilterOp::kGt:
        case FilterOp::kGe:
          iv.lower = node.text;
          break;
        case FilterOp::kNe:
        case FilterOp::kLike:
          return std::nullopt;
      }
      return std::vector<KeyBox>{std::move(box)};
    }
    case FilterNode::Kind::kOr: {
      std::vector<KeyBox> out;
      for (uint32_t child : node.children) {
        auto boxes = BoundsOf(child);
        if (!boxes) return std::nullopt;
        for (KeyBox& box : *boxes)
          out.push_back(std::move(box));
        if (out.size() > kMaxFilterBoxes) out = Hull(out);
      }
      return out;
    }
    case FilterNode::Kind::kAnd: {
      std::optional<std::vector<KeyBox>> acc;
      for (uint32_t child : node.children) {
        auto boxes = BoundsOf(child);
        if (!boxes) continue;
        if (!acc) {
          acc = std::move(boxes);
          continue;
        }
        if (acc->size() * boxes->size() > kMaxFilterBoxes) {
          if (!acc->empty()) acc = Hull(*acc);
          if (boxes->size() > kMaxFilterBoxes) boxes = Hull(*boxes);
        }
        std::vector<KeyBox> product;
        KeyBox both;
        for (const KeyBox& a : *acc) {
          for (const KeyBox& b : *boxes) {
            if (Intersect(a, b, &both)) product.push_back(both);
          }
        }
        acc = std::move(product);
      }
      return acc;
    }
  }
  return std::nullopt;
}

std::string PartitionFilter::DebugString() const {
  if (root_ < 0) return "(true)";
  std::string out;
  Render(static_cast<uint32_t>(root_), &out);
  return out;
}

void PartitionFilter::Render(uint32_t index, std::string* out) const {
  const FilterNode& node = nodes_[index];
  if (node.kind != FilterNode::Kind::kCompare) {
    *out += node.kind == FilterNode::Kind::kAnd ? "(and" : "(or";
    for (uint32_t child : node.children) {
      out->push_back(' ');
      Render(child, out);
    }
    out->push_back(')');
    return;
  }
  *out += "(";
  *out += OpName(node.op);
  *out += " " + key_names_[node.key] + " ";
  if (node.op == FilterOp::kLike) {
    *out += "\"" + Snippet(node.text) + "\")";
    return;
  }
  switch (key_kinds_[node.key]) {
    case PartitionKeyKind::kIntegral:
      *out += std::to_string(node.number);
      break;
    case PartitionKeyKind::kDate:
      *out += "DATE'" + FormatDate(node.number) + "'";
      break;
    case PartitionKeyKind::kTimestamp:
      *out += "TIMESTAMP'" + FormatTimestamp(node.number, node.nanos) + "'";
      break;
    default:
      *out += "\"" + Snippet(node.text) + "\"";
      break;
  }
  out->push_back(')');
}

}  // namespace arbor::hms
