// Command-line parsing; the contract is in cli/args.h.
#include "cli/args.h"

#include <algorithm>
#include <charconv>

#include "cli/cli_error.h"

namespace arbor::cli {

namespace {

std::string Dashed(const OptionSpec& o) {
  return "--" + o.name;
}

const OptionSpec* FindLong(const std::vector<OptionSpec>& options, std::string_view name) {
  for (const auto& o : options) {
    if (o.name == name) return &o;
  }
  return nullptr;
}

const OptionSpec* FindShort(const std::vector<OptionSpec>& options, char c) {
  for (const auto& o : options) {
    if (o.short_name != 0 && o.short_name == c) return &o;
  }
  return nullptr;
}

}  // namespace

std::string ParsedArgs::Positional(size_t i) const {
  return i < positionals_.size() ? positionals_[i] : std::string();
}

bool ParsedArgs::Has(std::string_view option) const {
  return options_.find(option) != options_.end();
}

std::optional<std::string> ParsedArgs::Get(std::string_view option) const {
  auto it = options_.find(option);
  if (it == options_.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::string ParsedArgs::GetOr(std::string_view option, std::string_view fallback) const {
  auto v = Get(option);
  return v ? *v : std::string(fallback);
}

std::vector<std::string> ParsedArgs::All(std::string_view option) const {
  auto it = options_.find(option);
  return it == options_.end() ? std::vector<std::string>() : it->second;
}

void ParsedArgs::AddOption(const std::string& option, std::string value) {
  options_[option].push_back(std::move(value));
}

bool LooksLikeOption(std::string_view token) {
  return token.size() >= 2 && token[0] == '-' && token != "--";
}

bool ParseOption(const std::vector<std::string>& tokens, size_t* i,
                 const std::vector<OptionSpec>& options, ParsedArgs* out) {
  const std::string& token = tokens[*i];
  if (!LooksLikeOption(token)) return false;
  const OptionSpec* spec = nullptr;
  std::optional<std::string> inline_value;
  if (token.rfind("--", 0) == 0) {
    std::string_view body = std::string_view(token).substr(2);
    size_t eq = body.find('=');
    spec = FindLong(options, body.substr(0, eq));
    if (spec != nullptr && eq != std::string_view::npos)
      inline_value = std::string(body.substr(eq + 1));
  } else {
    spec = FindShort(options, token[1]);
    if (spec != nullptr && token.size() > 2) {
      if (spec->value_name.empty()) {
        throw UsageError("option -" + std::string(1, token[1]) + " takes no value (in '" + token +
                         "')");
      }
      inline_value = token.substr(2);
    }
  }
  if (spec == nullptr) return false;
  if (!spec->repeatable && out->Has(spec->name)) {
    throw UsageError("option " + Dashed(*spec) + " is given more than once");
  }
  if (spec->value_name.empty()) {
    if (inline_value) throw UsageError("option " + Dashed(*spec) + " takes no value");
    out->AddOption(spec->name, "");
    *i += 1;
    return true;
  }
  if (inline_value) {
    out->AddOption(spec->name, *inline_value);
    *i += 1;
    return true;
  }
  if (*i + 1 >= tokens.size()) {
    throw UsageError("option " + Dashed(*spec) + " needs a value (" + spec->value_name + ")");
  }
  out->AddOption(spec->name, tokens[*i + 1]);
  *i += 2;
  return true;
}

void ParseCommandLine(const std::vector<std::string>& tokens, size_t begin,
                      const std::vector<OptionSpec>& options, ParsedArgs* out) {
  bool options_done = false;
  for (size_t i = begin; i < tokens.size();) {
    const std::string& t = tokens[i];
    if (!options_done && t == "--") {
      options_done = true;
      ++i;
      continue;
    }
    if (!options_done && LooksLikeOption(t)) {
      if (!ParseOption(tokens, &i, options, out)) {
        std::string name = t.substr(0, t.find('='));
        throw UsageError("unknown option '" + name + "'");
      }
      continue;
    }
    out->AddPositional(t);
    ++i;
  }
}

void CheckPositionals(const ParsedArgs& args, const std::vector<PositionalSpec>& positionals) {
  size_t required = 0;
  for (const auto& p : positionals)
    required += p.required ? 1 : 0;
  const auto& got = args.positionals();
  if (got.size() < required) {
    throw UsageError("missing " + positionals[got.size()].name);
  }
  if (got.size() > positionals.size()) {
    throw UsageError("unexpected argument '" + got[positionals.size()] + "'");
  }
}

uint64_t ParsePositiveInt(std::string_view what, std::string_view text) {
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || v == 0) {
    throw UsageError(std::string(what) + " must be a positive integer, not '" + std::string(text) +
                     "'");
  }
  return v;
}

std::pair<std::string, std::string> ParseKeyValue(std::string_view what, std::string_view text) {
  size_t eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    throw UsageError(std::string(what) + " must be KEY=VALUE, not '" + std::string(text) + "'");
  }
  return {std::string(text.substr(0, eq)), std::string(text.substr(eq + 1))};
}

std::string ParseChoice(std::string_view what, std::string_view text,
                        const std::vector<std::string>& choices) {
  if (std::find(choices.begin(), choices.end(), text) != choices.end()) return std::string(text);
  std::string list;
  for (const auto& c : choices)
    list += (list.empty() ? "" : ", ") + c;
  throw UsageError(std::string(what) + " must be one of " + list + ", not '" + std::string(text) +
                   "'");
}

}  // namespace arbor::cli
