#include "versioning/ref_expression.h"

#include "storage/object_id.h"
#include "versioning/names.h"

namespace arbor {

Result<RefExpression> ParseRefExpression(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("invalid ref '" + std::string(text.substr(0, 300)) +
                                   "': " + why);
  };
  size_t cut = text.find_first_of("~^");
  RefExpression expr;
  expr.base = std::string(text.substr(0, cut));
  if (expr.base.empty()) return bad("it names no branch, tag or commit");
  if (!IsHex(expr.base) || expr.base.size() > ObjectId::kHexSize) {
    Status s = ValidateRefName(expr.base);
    if (!s.ok()) return bad(s.message());
  }
  size_t pos = cut;
  while (pos != std::string_view::npos && pos < text.size()) {
    char op = text[pos++];
    if (op != '~' && op != '^') return bad("unexpected '" + std::string(1, op) + "'");
    uint64_t n = 0;
    size_t digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (n > (UINT64_MAX - 9) / 10) return bad("step count too large");
      n = n * 10 + static_cast<uint64_t>(text[pos++] - '0');
      ++digits;
    }
    if (digits == 0) n = 1;
    expr.steps.push_back({op, n});
  }
  return expr;
}

}  // namespace arbor
