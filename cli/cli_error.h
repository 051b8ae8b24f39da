// Exit codes and the errors that end a command (docs/architecture.md#admin-http-api-and-cli).
//
// Contract: commands report failure by throwing one of these; main.cc is the
// only place that catches them, prints `arbor: <message>` (plus any hint) to
// stderr and exits with the code. Nothing here does I/O.
//   * UsageError    -> exit 2: bad command line; main adds the usage line.
//   * TransportError -> exit 1: the server could not be reached or spoke no HTTP.
//   * CliError      -> exit 1 (or the code given): anything else, e.g. an API
//     error already turned into a message (api_client.h's ApiError derives
//     from it), or exit 3 for merge conflicts.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

namespace arbor::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitError = 1,
  kExitUsage = 2,
  kExitConflicts = 3,
};

class CliError : public std::runtime_error {
 public:
  explicit CliError(std::string message, std::string hint = "", int exit_code = kExitError)
      : std::runtime_error(std::move(message)), hint_(std::move(hint)), exit_code_(exit_code) {}

  const std::string& hint() const { return hint_; }
  int exit_code() const { return exit_code_; }

 private:
  std::string hint_;
  int exit_code_;
};

class UsageError : public CliError {
 public:
  explicit UsageError(std::string message) : CliError(std::move(message), "", kExitUsage) {}
};

class TransportError : public CliError {
 public:
  TransportError(std::string message, std::string hint)
      : CliError(std::move(message), std::move(hint), kExitError) {}
};

}  // namespace arbor::cli
