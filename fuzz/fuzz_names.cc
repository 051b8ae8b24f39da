// Fuzzes the names every HMS call and admin route carries: database names with refs
// (server/hms/db_name.h), database patterns, ref expressions
// (versioning/ref_expression.h) and the name rules (versioning/names.h).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "server/hms/db_name.h"
#include "versioning/names.h"
#include "versioning/ref_expression.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (char separator : {'@', '#', ':'}) {
    auto name = arbor::hms::ParseDbName(text, separator);
    if (name.ok() && !name->ref.empty()) (void)arbor::ParseRefExpression(name->ref);
    (void)arbor::hms::ParseDbPattern(text, separator);
  }
  auto expr = arbor::ParseRefExpression(text);
  if (expr.ok()) (void)arbor::ValidateRefName(expr->base);
  (void)arbor::ValidateRefName(text);
  (void)arbor::ValidateObjectName(arbor::NormalizeIdentifier(text), "table");
  (void)arbor::ValidateFunctionName(text);
  (void)arbor::QuoteName(text);
  return 0;
}
