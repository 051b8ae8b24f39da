// Ref expressions: `<base>` followed by any number of `~N` (N-th first-parent
// ancestor) and `^N` (N-th parent) steps, as in git. N defaults to 1; `^0` is
// the commit itself. The base is a branch or tag name, or a commit id prefix.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"

namespace arbor {

struct RefExpression {
  struct Step {
    char op;  // '~' or '^'
    uint64_t n;
  };
  std::string base;
  std::vector<Step> steps;
};

// InvalidArgument with the offending text for anything malformed.
Result<RefExpression> ParseRefExpression(std::string_view text);

}  // namespace arbor
