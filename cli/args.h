// Command-line parsing for `arbor`: option and positional specs, and a parser
// that checks a token list against them.
//
// Contract:
//  * Options are `--name value`, `--name=value`, `-x value` or `-xvalue`; a
//    flag takes no value. An option that takes a value always consumes the next
//    token, so `-m -x` is the message "-x". `--` ends options: every later
//    token is positional. A lone `-` is positional.
//  * Every problem (unknown option, missing value, a flag given a value, too
//    many or too few positionals, a malformed number or k=v) throws
//    UsageError (cli_error.h) with a one-line message; nothing is printed here.
//  * Pure: no I/O, no environment.
//
// Not CLI11: the CLI's grammar is git-like (groups with a default command,
// `arbor help CMD`, per-command help, exit codes 0/1/2/3 from cli_error.h),
// and an option always consumes the next token as its value, as `-m -x`
// needs (CLI11 reads a known option there). Expressing that in CLI11 takes
// more code than this parser.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace arbor::cli {

struct OptionSpec {
  std::string name;        // long name without dashes, e.g. "from"
  char short_name = 0;     // e.g. 'm'; 0 for none
  std::string value_name;  // e.g. "REF"; empty for a flag
  bool repeatable = false;
  std::string help;
};

struct PositionalSpec {
  std::string name;  // e.g. "NAME"
  bool required = true;
  std::string help;
};

// What a command line said. Options are keyed by their long name; a flag that
// was given has one empty value per occurrence.
class ParsedArgs {
 public:
  const std::vector<std::string>& positionals() const { return positionals_; }
  // The i-th positional, or "" when it was not given.
  std::string Positional(size_t i) const;
  bool Has(std::string_view option) const;
  // The last value of a value option, if given.
  std::optional<std::string> Get(std::string_view option) const;
  std::string GetOr(std::string_view option, std::string_view fallback) const;
  // Every value of a repeatable option, in order.
  std::vector<std::string> All(std::string_view option) const;

  void AddOption(const std::string& option, std::string value);
  void AddPositional(std::string value) { positionals_.push_back(std::move(value)); }

 private:
  std::vector<std::string> positionals_;
  std::map<std::string, std::vector<std::string>, std::less<>> options_;
};

// If tokens[*i] is one of `options`, parses it (and its value, advancing *i
// past what it consumed) into `out` and returns true. Returns false, leaving
// *i, for a token that is not an option or is an option not in `options`.
bool ParseOption(const std::vector<std::string>& tokens, size_t* i,
                 const std::vector<OptionSpec>& options, ParsedArgs* out);

// Is `token` option-shaped ("-x", "--name", not "-" or "--")?
bool LooksLikeOption(std::string_view token);

// Parses tokens[begin, end) against `options` into `out`: options, and every
// other token as a positional.
void ParseCommandLine(const std::vector<std::string>& tokens, size_t begin,
                      const std::vector<OptionSpec>& options, ParsedArgs* out);

// Checks the number of positionals in `args` against `positionals`.
void CheckPositionals(const ParsedArgs& args, const std::vector<PositionalSpec>& positionals);

// Value checks, each throwing UsageError that names `what`.
uint64_t ParsePositiveInt(std::string_view what, std::string_view text);
std::pair<std::string, std::string> ParseKeyValue(std::string_view what, std::string_view text);
// `text` must be one of `choices`.
std::string ParseChoice(std::string_view what, std::string_view text,
                        const std::vector<std::string>& choices);

}  // namespace arbor::cli
