// What a subcommand of `arbor` is: its spec (name, arguments, options, help
// text, examples) and its handler, plus the context a handler runs in.
//
// Contract:
//  * Each commands_*.cc file returns the specs of one command family. The spec
//    is the single source of the command's parsing and of its --help text.
//  * A handler reads its ParsedArgs, talks to the server through ctx.api,
//    writes results to ctx.out (a table, or JSON when ctx.json()), notes to
//    ctx.err, and returns an exit code (cli_error.h). It throws CliError (or
//    a subclass) to fail. Handlers hold no state between calls.
#pragma once

#include <google/protobuf/message.h>

#include <functional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "cli/api_client.h"
#include "cli/args.h"

namespace arbor::cli {

enum class OutputFormat { kTable, kJson };

struct Context {
  const ApiClient& api;
  OutputFormat format;
  std::ostream& out;
  std::ostream& err;

  bool json() const { return format == OutputFormat::kJson; }
};

using Handler = std::function<int(const ParsedArgs&, Context&)>;

struct CommandSpec {
  std::vector<std::string> path;  // e.g. {"branch", "create"}
  std::string synopsis;           // after the path, e.g. "NAME [--from REF]"
  std::string summary;            // one line
  std::string description;        // paragraphs for --help; may be empty
  std::vector<PositionalSpec> positionals;
  std::vector<OptionSpec> options;  // the command's own; global ones are added
  std::vector<std::string> examples;
  Handler run;
};

// A command with subcommands, e.g. `branch`.
struct GroupSpec {
  std::string name;
  std::string summary;
  std::string default_subcommand;  // run when the group is given alone, e.g. "list"
};

// Prints `message` as JSON (api_client.h's ToJson) to ctx.out.
void PrintJson(Context& ctx, const google::protobuf::Message& message);
// Prints a flat JSON object of strings, for commands whose API answer has no
// body (e.g. deletes): {"status": "deleted", "branch": "dev"}.
void PrintStatusJson(Context& ctx, const std::vector<std::pair<std::string, std::string>>& fields);

// Options shared by the commands that write commits.
OptionSpec AuthorOption();        // --author NAME
OptionSpec ExpectedHeadOption();  // --expected-head COMMIT

std::vector<CommandSpec> BranchCommands();
std::vector<CommandSpec> TagCommands();
std::vector<CommandSpec> CommitCommands();   // commit, reset, revert
std::vector<CommandSpec> HistoryCommands();  // log, show
std::vector<CommandSpec> DiffCommands();     // diff
std::vector<CommandSpec> MergeCommands();    // merge
std::vector<CommandSpec> LsCommands();       // ls
std::vector<CommandSpec> OpsCommands();      // gc, backup

}  // namespace arbor::cli
