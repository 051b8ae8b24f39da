#include "clients/duckdb/extension/type_mapping.h"

#include <cctype>

namespace duckdb {
namespace {

class HiveTypeParser {
 public:
  HiveTypeParser(const std::string& text, const std::string& column) : s_(text), column_(column) {}

  LogicalType ParseAll() {
    LogicalType t = Parse();
    Skip();
    if (pos_ != s_.size()) Fail();
    return t;
  }

 private:
  [[noreturn]] void Fail() {
    throw BinderException("column \"%s\": unsupported Hive type \"%s\"", column_, s_);
  }
  void Skip() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_])))
      pos_++;
  }
  bool Eat(char c) {
    Skip();
    if (pos_ < s_.size() && s_[pos_] == c) {
      pos_++;
      return true;
    }
    return false;
  }
  void Expect(char c) {
    if (!Eat(c)) Fail();
  }
  std::string Word() {
    Skip();
    size_t start = pos_;
    while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) ||
                                s_[pos_] == '_' || s_[pos_] == '$')) {
      pos_++;
    }
    if (start == pos_) Fail();
    return s_.substr(start, pos_ - start);
  }
  int Number() {
    std::string w = Word();
    for (char c : w) {
      if (!std::isdigit(static_cast<unsigned char>(c))) Fail();
    }
    return std::stoi(w);
  }

  LogicalType Parse() {
    std::string name = StringUtil::Lower(Word());
    if (name == "boolean") return LogicalType::BOOLEAN;
    if (name == "tinyint") return LogicalType::TINYINT;
    if (name == "smallint") return LogicalType::SMALLINT;
    if (name == "int" || name == "integer") return LogicalType::INTEGER;
    if (name == "bigint") return LogicalType::BIGINT;
    if (name == "float") return LogicalType::FLOAT;
    if (name == "double") return LogicalType::DOUBLE;
    if (name == "string") return LogicalType::VARCHAR;
    if (name == "binary") return LogicalType::BLOB;
    if (name == "date") return LogicalType::DATE;
    if (name == "timestamp") return LogicalType::TIMESTAMP;
    if (name == "varchar" || name == "char") {
      if (Eat('(')) {
        Number();
        Expect(')');
      }
      return LogicalType::VARCHAR;
    }
    if (name == "decimal" || name == "numeric") {
      int width = 10, scale = 0;
      if (Eat('(')) {
        width = Number();
        if (Eat(',')) scale = Number();
        Expect(')');
      }
      if (width < 1 || width > 38 || scale > width) Fail();
      return LogicalType::DECIMAL(width, scale);
    }
    if (name == "array") {
      Expect('<');
      LogicalType child = Parse();
      Expect('>');
      return LogicalType::LIST(child);
    }
    if (name == "map") {
      Expect('<');
      LogicalType key = Parse();
      Expect(',');
      LogicalType value = Parse();
      Expect('>');
      return LogicalType::MAP(key, value);
    }
    if (name == "struct") {
      Expect('<');
      child_list_t<LogicalType> children;
      do {
        std::string field = Word();
        Expect(':');
        children.emplace_back(Identifier(field), Parse());
      } while (Eat(','));
      Expect('>');
      return LogicalType::STRUCT(children);
    }
    Fail();
  }

  const std::string& s_;
  const std::string& column_;
  size_t pos_ = 0;
};

}  // namespace

LogicalType HiveToDuckDB(const std::string& hive_type, const std::string& column) {
  return HiveTypeParser(hive_type, column).ParseAll();
}

std::string DuckDBToHive(const LogicalType& type, const std::string& column) {
  switch (type.id()) {
    case LogicalTypeId::BOOLEAN:
      return "boolean";
    case LogicalTypeId::TINYINT:
      return "tinyint";
    case LogicalTypeId::SMALLINT:
      return "smallint";
    case LogicalTypeId::INTEGER:
      return "int";
    case LogicalTypeId::BIGINT:
      return "bigint";
    case LogicalTypeId::FLOAT:
      return "float";
    case LogicalTypeId::DOUBLE:
      return "double";
    case LogicalTypeId::VARCHAR:
      return "string";
    case LogicalTypeId::BLOB:
      return "binary";
    case LogicalTypeId::DATE:
      return "date";
    case LogicalTypeId::TIMESTAMP:
      return "timestamp";
    case LogicalTypeId::DECIMAL:
      return "decimal(" + std::to_string(DecimalType::GetWidth(type)) + "," +
             std::to_string(DecimalType::GetScale(type)) + ")";
    case LogicalTypeId::LIST:
      return "array<" + DuckDBToHive(ListType::GetChildType(type), column) + ">";
    case LogicalTypeId::MAP:
      return "map<" + DuckDBToHive(MapType::KeyType(type), column) + "," +
             DuckDBToHive(MapType::ValueType(type), column) + ">";
    case LogicalTypeId::STRUCT: {
      std::string out = "struct<";
      auto& children = StructType::GetChildTypes(type);
      for (idx_t i = 0; i < children.size(); i++) {
        out += (i ? "," : "") + children[i].first.GetIdentifierName() + ":" +
               DuckDBToHive(children[i].second, column);
      }
      return out + ">";
    }
    default:
      throw BinderException("column \"%s\": type %s has no Hive equivalent", column,
                            type.ToString());
  }
}

}  // namespace duckdb
