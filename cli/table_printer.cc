// Aligned text output; the contract is in cli/table_printer.h.
#include "cli/table_printer.h"

#include <algorithm>

namespace arbor::cli {

namespace {

size_t DisplayWidth(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s)
    n += (c & 0xC0) != 0x80 ? 1 : 0;  // count non-continuation bytes
  return n;
}

void PrintRow(std::ostream& out, const std::vector<std::string>& cells,
              const std::vector<size_t>& widths) {
  std::string line;
  for (size_t i = 0; i < cells.size(); ++i) {
    line += cells[i];
    if (i + 1 < cells.size()) line += std::string(widths[i] - DisplayWidth(cells[i]) + 2, ' ');
  }
  while (!line.empty() && line.back() == ' ')
    line.pop_back();
  out << line << '\n';
}

}  // namespace

std::string OneLine(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return out;
}

void TablePrinter::AddRow(std::vector<std::string> cells) {
  cells.resize(std::max(cells.size(), headers_.size()));
  for (auto& c : cells)
    c = OneLine(c);
  rows_.push_back(std::move(cells));
}

void TablePrinter::Print(std::ostream& out) const {
  std::vector<size_t> widths(headers_.size(), 0);
  for (size_t i = 0; i < headers_.size(); ++i)
    widths[i] = DisplayWidth(headers_[i]);
  for (const auto& row : rows_) {
    if (row.size() > widths.size()) widths.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i)
      widths[i] = std::max(widths[i], DisplayWidth(row[i]));
  }
  PrintRow(out, headers_, widths);
  for (const auto& row : rows_)
    PrintRow(out, row, widths);
}

void PrintFields(std::ostream& out,
                 const std::vector<std::pair<std::string, std::string>>& fields) {
  size_t width = 0;
  for (const auto& [k, v] : fields)
    width = std::max(width, DisplayWidth(k));
  for (const auto& [k, v] : fields) {
    std::string line = k + ":" + std::string(width - DisplayWidth(k) + 1, ' ') + OneLine(v);
    while (!line.empty() && line.back() == ' ')
      line.pop_back();
    out << line << '\n';
  }
}

}  // namespace arbor::cli
