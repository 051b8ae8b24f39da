// arbor: the admin CLI of Arbor (docs/architecture.md#admin-http-api-and-cli). This file only
// dispatches: it finds the command in the command line, parses its options together with the global
// ones (accepted before or after the command), prints help, builds the HTTP client, runs the
// command's handler, and turns errors into `arbor: <message>` on stderr and the exit code
// (cli_error.h): 0 ok, 1 error, 2 usage, 3 merge conflicts.
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "cli/api_client.h"
#include "cli/cli_error.h"
#include "cli/command.h"
#include "cli/global_options.h"
#include "cli/help.h"
#include "cli/http_client.h"

namespace arbor::cli {
namespace {

constexpr const char* kVersion = "arbor 0.1.0";

std::vector<CommandSpec> AllCommands() {
  std::vector<CommandSpec> all;
  for (auto family : {BranchCommands, TagCommands, CommitCommands, HistoryCommands, DiffCommands,
                      MergeCommands, LsCommands, OpsCommands}) {
    for (auto& c : family())
      all.push_back(std::move(c));
  }
  return all;
}

std::vector<GroupSpec> AllGroups() {
  return {{"branch", "create, inspect, protect and delete branches", "list"},
          {"tag", "create and delete tags (read-only names for commits)", "list"}};
}

const CommandSpec* FindCommand(const std::vector<CommandSpec>& commands,
                               const std::vector<std::string>& path) {
  for (const auto& c : commands) {
    if (c.path == path) return &c;
  }
  return nullptr;
}

const GroupSpec* FindGroup(const std::vector<GroupSpec>& groups, const std::string& name) {
  for (const auto& g : groups) {
    if (g.name == name) return &g;
  }
  return nullptr;
}

// Where the command line stands once the command is known: what usage line
// and hint fit an error.
struct Resolution {
  const GroupSpec* group = nullptr;
  const CommandSpec* command = nullptr;
  bool help_command = false;  // `arbor help ...`
  bool defaulted = false;     // the group's default command: `arbor branch` alone
};

class Cli {
 public:
  Cli(const EnvLookup& env, std::ostream& out, std::ostream& err)
      : env_(env), out_(out), err_(err), commands_(AllCommands()), groups_(AllGroups()) {}

  int Run(const std::vector<std::string>& tokens) {
    Resolution where;
    try {
      return Dispatch(tokens, &where);
    } catch (const UsageError& e) {
      err_ << "arbor: " << e.what() << "\n";
      if (where.command != nullptr) {
        err_ << UsageLine(*where.command) << "\n"
             << "hint: see 'arbor " << CommandPath(*where.command) << " --help'\n";
      } else if (where.group != nullptr) {
        err_ << "usage: arbor " << where.group->name << " COMMAND ...\n"
             << "hint: see 'arbor " << where.group->name << " --help'\n";
      } else {
        err_ << "usage: arbor [global options] COMMAND [arguments] [options]\n"
             << "hint: see 'arbor --help'\n";
      }
      return kExitUsage;
    } catch (const CliError& e) {
      err_ << "arbor: " << e.what() << "\n";
      if (!e.hint().empty()) err_ << "hint: " << e.hint() << "\n";
      return e.exit_code();
    } catch (const std::exception& e) {
      err_ << "arbor: " << e.what() << "\n";
      return kExitError;
    }
  }

 private:
  int Dispatch(const std::vector<std::string>& tokens, Resolution* where) {
    const std::vector<OptionSpec> globals = GlobalOptionSpecs();
    ParsedArgs args;
    size_t i = 0;
    std::vector<std::string> help_path;
    // Find the command, taking global options on the way.
    while (i < tokens.size() && where->command == nullptr) {
      const std::string& t = tokens[i];
      if (LooksLikeOption(t)) {
        if (ParseOption(tokens, &i, globals, &args)) continue;
        if (where->group != nullptr) break;  // e.g. `arbor branch --from x`: the default's
        throw UsageError("unknown option '" + t.substr(0, t.find('=')) + "' before the command");
      }
      if (t == "--") throw UsageError("'--' before the command");
      if (where->help_command) {
        help_path.push_back(t);
        ++i;
        continue;
      }
      if (where->group == nullptr) {
        if (t == "help") {
          where->help_command = true;
        } else if (const GroupSpec* g = FindGroup(groups_, t)) {
          where->group = g;
        } else if (const CommandSpec* c = FindCommand(commands_, {t})) {
          where->command = c;
        } else {
          throw UsageError("unknown command '" + t + "'");
        }
        ++i;
        continue;
      }
      const CommandSpec* c = FindCommand(commands_, {where->group->name, t});
      if (c == nullptr) {
        throw UsageError("unknown command 'arbor " + where->group->name + " " + t + "'");
      }
      where->command = c;
      ++i;
    }
    if (where->help_command) return Help(help_path);

    if (where->command == nullptr && where->group != nullptr && !args.Has("help")) {
      where->command =
          FindCommand(commands_, {where->group->name, where->group->default_subcommand});
      where->defaulted = true;
    }
    if (where->command != nullptr) {
      std::vector<OptionSpec> options = where->command->options;
      options.insert(options.end(), globals.begin(), globals.end());
      ParseCommandLine(tokens, i, options, &args);
    }
    if (args.Has("version")) {
      out_ << kVersion << "\n";
      return kExitOk;
    }
    if (args.Has("help")) {
      if (where->command != nullptr && !where->defaulted) {
        out_ << CommandHelp(*where->command);
      } else if (where->group != nullptr) {
        out_ << GroupHelp(*where->group, commands_);
      } else {
        out_ << MainHelp(groups_, commands_);
      }
      return kExitOk;
    }
    if (where->command == nullptr) throw UsageError("no command given");
    CheckPositionals(args, where->command->positionals);
    GlobalOptions g = ResolveGlobalOptions(args, env_);

    HttpClientOptions http_options;
    http_options.ca_file = g.ca_file;
    http_options.insecure = g.insecure;
    http_options.cert_file = g.cert_file;
    http_options.key_file = g.key_file;
    http_options.timeout = g.timeout;
    HttpClient http(ParseServerUrl(g.server), http_options);
    ApiClient api(&http, g.token);
    Context ctx{api, g.format, out_, err_};
    int code = where->command->run(args, ctx);
    out_.flush();
    return code;
  }

  int Help(const std::vector<std::string>& path) {
    if (path.empty()) {
      out_ << MainHelp(groups_, commands_);
      return kExitOk;
    }
    if (const CommandSpec* c = FindCommand(commands_, path)) {
      out_ << CommandHelp(*c);
      return kExitOk;
    }
    if (path.size() == 1) {
      if (const GroupSpec* g = FindGroup(groups_, path[0])) {
        out_ << GroupHelp(*g, commands_);
        return kExitOk;
      }
    }
    std::string name;
    for (const auto& p : path)
      name += (name.empty() ? "" : " ") + p;
    throw UsageError("no help for unknown command '" + name + "'");
  }

  const EnvLookup& env_;
  std::ostream& out_;
  std::ostream& err_;
  const std::vector<CommandSpec> commands_;
  const std::vector<GroupSpec> groups_;
};

}  // namespace
}  // namespace arbor::cli

int main(int argc, char** argv) {
  std::vector<std::string> tokens(argv + 1, argv + argc);
  arbor::cli::EnvLookup env = [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
  arbor::cli::Cli cli(env, std::cout, std::cerr);
  return cli.Run(tokens);
}
