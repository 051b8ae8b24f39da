// EnsureLocalDirectory: the directories of new objects' file: locations, made with
// their missing parents, and never an error (best effort, logged).
#include "server/hms/local_dirs.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace arbor::hms {
namespace {

namespace fs = std::filesystem;

class LocalDirsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "arbor-local-dirs-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
  }
  void TearDown() override { fs::remove_all(root_); }
  std::string root_;
};

TEST_F(LocalDirsTest, MakesMissingParentsAndReusesExistingOnes) {
  const std::string day = root_ + "/t/ds=2024-01-01";
  EnsureLocalDirectory("file:" + day + "/hr=0");
  EXPECT_TRUE(fs::is_directory(day + "/hr=0"));
  EnsureLocalDirectory("file://" + day + "/hr=1");            // parent exists now
  EnsureLocalDirectory("file://localhost" + day + "/hr=2/");  // trailing slash
  EXPECT_TRUE(fs::is_directory(day + "/hr=1"));
  EXPECT_TRUE(fs::is_directory(day + "/hr=2"));
  EnsureLocalDirectory("file:" + day + "/hr=1");  // exists: nothing to do
  EXPECT_TRUE(fs::is_directory(day + "/hr=1"));
}

TEST_F(LocalDirsTest, LeavesOtherSchemesAndBlockedPathsAlone) {
  EnsureLocalDirectory("s3a://bucket" + root_ + "/s3");
  EnsureLocalDirectory("file://otherhost" + root_ + "/remote");
  EXPECT_FALSE(fs::exists(root_ + "/s3"));
  EXPECT_FALSE(fs::exists(root_ + "/remote"));
  // A file where a directory should be: logged, not thrown, file untouched.
  std::ofstream(root_ + "/file") << "x";
  EnsureLocalDirectory("file:" + root_ + "/file");
  EnsureLocalDirectory("file:" + root_ + "/file/below");
  EXPECT_TRUE(fs::is_regular_file(root_ + "/file"));
}

}  // namespace
}  // namespace arbor::hms
