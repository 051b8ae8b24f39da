// Helpers shared by the command handlers; the contract is in cli/command.h.
#include "cli/command.h"

#include <google/protobuf/struct.pb.h>

namespace arbor::cli {

void PrintJson(Context& ctx, const google::protobuf::Message& message) {
  ctx.out << ToJson(message);
}

void PrintStatusJson(Context& ctx, const std::vector<std::pair<std::string, std::string>>& fields) {
  google::protobuf::Struct s;
  for (const auto& [k, v] : fields)
    (*s.mutable_fields())[k].set_string_value(v);
  PrintJson(ctx, s);
}

OptionSpec AuthorOption() {
  return {"author", 0, "NAME", false,
          "author recorded in the commit (default: the server's, \"admin\")"};
}

OptionSpec ExpectedHeadOption() {
  return {"expected-head", 0, "COMMIT", false,
          "fail unless the branch's head is still COMMIT (optimistic concurrency)"};
}

}  // namespace arbor::cli
