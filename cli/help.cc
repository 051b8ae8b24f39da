// Help texts generated from the command specs; the contract is in cli/help.h.
#include "cli/help.h"

#include <algorithm>

#include "cli/global_options.h"

namespace arbor::cli {

namespace {

std::string OptionLabel(const OptionSpec& o) {
  std::string label = o.short_name != 0 ? "-" + std::string(1, o.short_name) + ", " : "    ";
  label += "--" + o.name;
  if (!o.value_name.empty()) label += " " + o.value_name;
  return label;
}

// "  label   help" lines with the help column aligned.
std::string Rows(const std::vector<std::pair<std::string, std::string>>& rows) {
  size_t width = 0;
  for (const auto& [label, help] : rows)
    width = std::max(width, label.size());
  std::string out;
  for (const auto& [label, help] : rows) {
    out += "  " + label + std::string(width - label.size() + 3, ' ') + help + "\n";
  }
  return out;
}

std::string OptionRows(const std::vector<OptionSpec>& options) {
  std::vector<std::pair<std::string, std::string>> rows;
  for (const auto& o : options) {
    rows.emplace_back(OptionLabel(o), o.help + (o.repeatable ? " (repeatable)" : ""));
  }
  return Rows(rows);
}

constexpr const char* kExitCodes =
    "exit codes:\n"
    "  0   success\n"
    "  1   error (server unreachable, API error, ...)\n"
    "  2   usage error\n"
    "  3   merge conflicts (merge, merge --dry-run, revert)\n";

}  // namespace

std::string CommandPath(const CommandSpec& command) {
  std::string out;
  for (const auto& p : command.path)
    out += (out.empty() ? "" : " ") + p;
  return out;
}

std::string UsageLine(const CommandSpec& command) {
  std::string line = "usage: arbor " + CommandPath(command);
  if (!command.synopsis.empty()) line += " " + command.synopsis;
  return line;
}

std::string CommandHelp(const CommandSpec& c) {
  std::string out =
      "arbor " + CommandPath(c) + ": " + c.summary + "\n\n" + UsageLine(c) + " [global options]\n";
  if (!c.description.empty()) out += "\n" + c.description + "\n";
  if (!c.positionals.empty()) {
    std::vector<std::pair<std::string, std::string>> rows;
    for (const auto& p : c.positionals) {
      rows.emplace_back(p.required ? p.name : "[" + p.name + "]", p.help);
    }
    out += "\narguments:\n" + Rows(rows);
  }
  if (!c.options.empty()) out += "\noptions:\n" + OptionRows(c.options);
  out += "\nglobal options (before or after the command):\n" + OptionRows(GlobalOptionSpecs());
  if (!c.examples.empty()) {
    out += "\nexamples:\n";
    for (const auto& e : c.examples)
      out += "  " + e + "\n";
  }
  return out;
}

std::string GroupHelp(const GroupSpec& group, const std::vector<CommandSpec>& commands) {
  std::string out = "arbor " + group.name + ": " + group.summary + "\n\nusage:\n";
  std::vector<std::pair<std::string, std::string>> rows;
  std::vector<std::string> examples;
  for (const auto& c : commands) {
    if (c.path.size() != 2 || c.path[0] != group.name) continue;
    out += "  " + UsageLine(c).substr(7) + "\n";
    rows.emplace_back(c.path[1], c.summary);
    if (!c.examples.empty()) examples.push_back(c.examples.front());
  }
  out += "\ncommands:\n" + Rows(rows);
  if (!group.default_subcommand.empty()) {
    out += "\n'arbor " + group.name + "' alone runs 'arbor " + group.name + " " +
           group.default_subcommand + "'.\n";
  }
  out += "\nglobal options (before or after the command):\n" + OptionRows(GlobalOptionSpecs());
  if (!examples.empty()) {
    out += "\nexamples:\n";
    for (const auto& e : examples)
      out += "  " + e + "\n";
  }
  out += "\nSee 'arbor " + group.name + " COMMAND --help' for a command's options.\n";
  return out;
}

std::string MainHelp(const std::vector<GroupSpec>& groups,
                     const std::vector<CommandSpec>& commands) {
  std::string out =
      "arbor: the admin CLI of Arbor, a versioned Hive metastore. It talks to arbord's admin\n"
      "HTTP API to branch, commit, diff, merge and browse the catalog.\n\n"
      "usage: arbor [global options] COMMAND [arguments] [options]\n\ncommands:\n";
  std::vector<std::pair<std::string, std::string>> rows;
  for (const auto& c : commands) {
    rows.emplace_back(CommandPath(c) + (c.synopsis.empty() ? "" : " " + c.synopsis), c.summary);
  }
  // Long synopses wrap the help onto the next line.
  for (const auto& [label, help] : rows) {
    if (label.size() > 38) {
      out += "  " + label + "\n" + std::string(43, ' ') + help + "\n";
    } else {
      out += "  " + label + std::string(41 - label.size(), ' ') + help + "\n";
    }
  }
  out += "\nglobal options (before or after the command):\n" + OptionRows(GlobalOptionSpecs());
  out += "\n";
  out += kExitCodes;
  out +=
      "\nrefs: a branch (main), a tag (v1), a commit id or a unique prefix of 8+ hex digits,\n"
      "each optionally followed by ~N (N-th first parent) or ^N (N-th parent).\n"
      "\nexamples:\n"
      "  arbor branch create dev --from main\n"
      "  arbor diff main dev\n"
      "  arbor commit dev -m \"load 2024-05 orders\" --meta job=nightly\n"
      "  arbor merge dev --into main --dry-run\n"
      "  arbor merge dev --into main -m \"publish May\"\n"
      "  arbor ls main sales orders\n"
      "  ARBOR_SERVER=https://arbor.internal:9084 arbor log main --limit 10 -o json\n"
      "\nSee 'arbor COMMAND --help' for the options of a command.\n";
  return out;
}

}  // namespace arbor::cli
