// Plain-text layout for `arbor`'s default (non-JSON) output.
//
// Contract:
//  * TablePrinter prints a header row and data rows in aligned columns,
//    separated by two spaces; the last column is not padded and no line has
//    trailing spaces. Widths count UTF-8 code points. Control characters in a
//    cell (newlines, tabs) print as spaces, so one row is one line.
//  * PrintFields prints "key: value" lines with the values aligned.
//  * Nothing is printed until Print; the output stream is the only side effect.
#pragma once

#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace arbor::cli {

class TablePrinter {
 public:
  explicit TablePrinter(std::vector<std::string> headers) : headers_(std::move(headers)) {}

  // A row with fewer cells than headers is padded with empty cells.
  void AddRow(std::vector<std::string> cells);
  size_t rows() const { return rows_.size(); }
  void Print(std::ostream& out) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

void PrintFields(std::ostream& out, const std::vector<std::pair<std::string, std::string>>& fields);

// `text` with control characters replaced by spaces.
std::string OneLine(std::string_view text);

}  // namespace arbor::cli
