// GlueExpression: the rendering of partition predicates into Glue's GetPartitions
// Expression syntax (what moto's grammar and Glue's documentation accept), and the
// terms it must leave to local pruning.
#include "clients/duckdb/providers/glue/glue_provider.h"

#include <gtest/gtest.h>

namespace arbor::metastore {
namespace {

using Op = PartitionTerm::Op;

PartitionTerm Term(std::string column, Op op, std::vector<std::string> literals,
                   bool numeric = false) {
  return PartitionTerm{std::move(column), op, std::move(literals), numeric};
}

std::string Render(std::vector<PartitionTerm> terms, bool* complete) {
  PartitionPredicate p;
  p.terms = std::move(terms);
  return GlueExpression(p, {}, complete);
}

TEST(GlueExpressionTest, ComparisonsQuoteStringsAndLeaveIntegersBare) {
  bool complete = false;
  EXPECT_EQ(Render({Term("dt", Op::kEq, {"2024-01-02"}), Term("h", Op::kGe, {"7"}, true),
                    Term("h", Op::kLt, {"12"}, true), Term("region", Op::kNe, {"eu"})},
                   &complete),
            "(dt = '2024-01-02') AND (h >= 7) AND (h < 12) AND (region <> 'eu')");
  EXPECT_TRUE(complete);
}

TEST(GlueExpressionTest, InListsAndQuotesInsideStrings) {
  bool complete = false;
  EXPECT_EQ(
      Render({Term("c", Op::kIn, {"a", "o'b"}), Term("n", Op::kIn, {"1", "2"}, true)}, &complete),
      "(c IN ('a', 'o''b')) AND (n IN (1, 2))");
  EXPECT_TRUE(complete);
}

TEST(GlueExpressionTest, NullTestsOddNamesAndBadNumbersStayLocal) {
  bool complete = true;
  EXPECT_EQ(Render({Term("dt", Op::kIsNull, {}), Term("dt", Op::kEq, {"x"})}, &complete),
            "(dt = 'x')");
  EXPECT_FALSE(complete);
  complete = true;
  EXPECT_EQ(Render({Term("we ird", Op::kEq, {"x"})}, &complete), "");
  EXPECT_FALSE(complete);
  complete = true;
  EXPECT_EQ(Render({Term("h", Op::kEq, {"7 OR 1=1"}, true)}, &complete), "");
  EXPECT_FALSE(complete);
}

TEST(GlueExpressionTest, EmptyPredicateRendersNothing) {
  bool complete = false;
  EXPECT_EQ(Render({}, &complete), "");
  EXPECT_TRUE(complete);
}

}  // namespace
}  // namespace arbor::metastore
