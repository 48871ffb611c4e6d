#include <gtest/gtest.h>
#include <tmpctl/tmpctl.hpp>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <utility>

#include "platform/platform.hpp"
#include "support/process.hpp"
#include "support/scratch_test.hpp"
#include "support/test_paths.hpp"

#ifdef _WIN32
#include <windows.h>
#else
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace tmpctl {
namespace {

namespace fs = std::filesystem;
using test::base_name;
using test::exists;
using test::fs_path;
using test::join;
using test::list_directory;

void write_bytes(NativeHandle handle, std::string_view bytes) {
#ifdef _WIN32
  DWORD written = 0;
  ASSERT_TRUE(WriteFile(handle, bytes.data(), static_cast<DWORD>(bytes.size()), &written, nullptr));
  ASSERT_EQ(written, bytes.size());
#else
  ASSERT_EQ(::write(handle, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
#endif
}

class TempFileTest : public test::ScratchDirectoryTest {};

TEST_F(TempFileTest, CreatesAnOpenFileWithAnAbsolutePathInTheDirectory) {
  auto file = TempFile::create({.directory = scratch()});
  ASSERT_TRUE(file) << to_string(file.error());
  EXPECT_TRUE(file->is_open());
  EXPECT_TRUE(fs_path(file->path()).is_absolute());
  EXPECT_EQ(test::utf8(fs_path(file->path()).parent_path()), scratch());
  EXPECT_TRUE(fs::is_regular_file(fs_path(file->path())));
  const std::string name = base_name(file->path());
  ASSERT_EQ(name.size(), 4u + default_random_length);
  EXPECT_TRUE(name.starts_with("tmp."));
  write_bytes(file->handle(), "hello");
  ASSERT_TRUE(file->close());
  EXPECT_FALSE(file->is_open());
  EXPECT_EQ(test::read_file(file->path()), "hello");
}

TEST_F(TempFileTest, DiscardClosesThenDeletesAndIsIdempotent) {
  auto file = TempFile::create({.directory = scratch()});
  ASSERT_TRUE(file);
  const std::string path = file->path();
  ASSERT_TRUE(file->discard());
  EXPECT_FALSE(exists(path));
  EXPECT_FALSE(file->is_open());
  EXPECT_TRUE(file->discard());
}

TEST_F(TempFileTest, DiscardOfAFileSomeoneElseRemovedSucceeds) {
  auto file = TempFile::create({.directory = scratch()});
  ASSERT_TRUE(file);
  ASSERT_TRUE(file->close());
  fs::remove(fs_path(file->path()));
  EXPECT_TRUE(file->discard());
}

TEST_F(TempFileTest, KeepLeavesTheFileAndTheDestructorThenLeavesItToo) {
  std::string path;
  {
    auto file = TempFile::create({.directory = scratch()});
    ASSERT_TRUE(file);
    path = file->path();
    ASSERT_TRUE(file->keep());
    EXPECT_FALSE(file->is_open());
  }
  EXPECT_TRUE(exists(path));
}

TEST_F(TempFileTest, DestructorDiscardsWhatWasNotKept) {
  std::string path;
  {
    auto file = TempFile::create({.directory = scratch()});
    ASSERT_TRUE(file);
    path = file->path();
    EXPECT_TRUE(exists(path));
  }
  EXPECT_FALSE(exists(path));
}

TEST_F(TempFileTest, MovingTransfersOwnershipOnce) {
  auto file = TempFile::create({.directory = scratch()});
  ASSERT_TRUE(file);
  const std::string path = file->path();
  {
    TempFile moved = std::move(*file);
    EXPECT_EQ(moved.path(), path);
    EXPECT_TRUE(moved.is_open());
    EXPECT_FALSE(file->is_open());
    ASSERT_TRUE(moved.keep());
  }
  // Neither the moved-to (kept) nor the moved-from object deletes it.
  file = TempFile::create({.directory = scratch()});  // moved-from is assignable
  EXPECT_TRUE(exists(path));
}

TEST_F(TempFileTest, MoveAssignmentDiscardsTheOldFile) {
  auto first = TempFile::create({.directory = scratch()});
  auto second = TempFile::create({.directory = scratch()});
  ASSERT_TRUE(first && second);
  const std::string old_path = first->path();
  *first = std::move(*second);
  EXPECT_FALSE(exists(old_path));
  EXPECT_TRUE(exists(first->path()));
}

TEST_F(TempFileTest, DeleteOnCloseRemovesTheFileAtClose) {
  auto file = TempFile::create({.directory = scratch(), .delete_on_close = true});
  ASSERT_TRUE(file) << to_string(file.error());
  const std::string path = file->path();
  EXPECT_TRUE(exists(path));
  auto kept = file->keep();
  ASSERT_FALSE(kept);
  EXPECT_EQ(kept.error().kind, ErrorKind::invalid_argument);
  ASSERT_TRUE(file->close());
  EXPECT_FALSE(exists(path));
  EXPECT_TRUE(list_directory(scratch()).empty());
}

TEST_F(TempFileTest, PrefixSuffixAndTemplateShapeTheName) {
  auto file = TempFile::create({.directory = scratch(), .prefix = "job-", .suffix = ".json"});
  ASSERT_TRUE(file);
  EXPECT_TRUE(base_name(file->path()).starts_with("job-"));
  EXPECT_TRUE(base_name(file->path()).ends_with(".json"));

  auto templated = TempFile::create({.directory = scratch(), .name_template = "r.XXXXXX.csv"});
  ASSERT_TRUE(templated);
  const std::string name = base_name(templated->path());
  ASSERT_EQ(name.size(), 2u + 6u + 4u);
  EXPECT_TRUE(name.starts_with("r.") && name.ends_with(".csv"));
  for (char c : name.substr(2, 6)) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)));
}

TEST_F(TempFileTest, TemplateWithADirectoryPartCreatesThere) {
  auto file = TempFile::create({.name_template = join(scratch(), "t.XXXX")});
  ASSERT_TRUE(file) << to_string(file.error());
  EXPECT_EQ(test::utf8(fs_path(file->path()).parent_path()), scratch());

  auto both = TempFile::create({.directory = scratch(), .name_template = join(scratch(), "XXX")});
  ASSERT_FALSE(both);
  EXPECT_EQ(both.error().kind, ErrorKind::invalid_argument);
}

TEST_F(TempFileTest, RelativeDirectoryGivesAnAbsolutePath) {
  const fs::path previous = fs::current_path();
  fs::current_path(fs_path(scratch()));
  auto file = TempFile::create({.directory = "."});
  fs::current_path(previous);
  ASSERT_TRUE(file) << to_string(file.error());
  EXPECT_TRUE(fs_path(file->path()).is_absolute());
  EXPECT_EQ(test::utf8(fs_path(file->path()).parent_path()), scratch());
}

TEST_F(TempFileTest, MissingDirectoryIsAnErrorNamingItAndCreatesNothing) {
  const std::string missing = join(scratch(), "missing");
  auto file = TempFile::create({.directory = missing});
  ASSERT_FALSE(file);
  EXPECT_EQ(file.error().kind, ErrorKind::not_found);
  EXPECT_EQ(file.error().path, missing);
  EXPECT_EQ(file.error().operation, "create file in");
  const std::string text = to_string(file.error());
  EXPECT_NE(text.find(missing), std::string::npos) << text;
#ifdef _WIN32
  EXPECT_NE(text.find("(WinError 3, ERROR_PATH_NOT_FOUND)"), std::string::npos) << text;
#else
  EXPECT_NE(text.find("(errno 2, ENOENT)"), std::string::npos) << text;
#endif
  EXPECT_TRUE(list_directory(scratch()).empty());
}

TEST_F(TempFileTest, DirectoryThatIsAFileIsAnError) {
  auto blocker = TempFile::create({.directory = scratch()});
  ASSERT_TRUE(blocker && blocker->close());
  auto file = TempFile::create({.directory = blocker->path()});
  ASSERT_FALSE(file);
  EXPECT_NE(file.error().native_code, 0);
  EXPECT_EQ(file.error().path, blocker->path());
  EXPECT_EQ(list_directory(scratch()).size(), 1u);
}

TEST_F(TempFileTest, CollisionsAreRetriedUntilAFreeNameIsFound) {
  // 3 X's give 238,328 names; 3,000 files make later draws collide often.
  std::vector<TempFile> files;
  for (int i = 0; i < 3000; ++i) {
    auto file = TempFile::create({.directory = scratch(), .name_template = "XXX"});
    ASSERT_TRUE(file) << to_string(file.error());
    ASSERT_TRUE(file->close());
    files.push_back(std::move(*file));
  }
  EXPECT_EQ(list_directory(scratch()).size(), 3000u);
}

TEST_F(TempFileTest, SystemTempDirectoryFollowsTheEnvironment) {
  const test::ScopedEnvironment temp_dir(test::temp_dir_variable, scratch().c_str());
  auto dir = system_temp_directory();
  auto file = TempFile::create();
  ASSERT_TRUE(dir && file);
  EXPECT_EQ(*dir, scratch());
  EXPECT_EQ(test::utf8(fs_path(file->path()).parent_path()), scratch());
}

#ifndef _WIN32
TEST_F(TempFileTest, EmptyTmpdirMeansSlashTmp) {
  const test::ScopedEnvironment temp_dir("TMPDIR", "");
  auto dir = system_temp_directory();
  ASSERT_TRUE(dir);
  EXPECT_EQ(*dir, "/tmp");
}

TEST_F(TempFileTest, FilesAre0600AndDirectories0700WhateverTheUmask) {
  const mode_t previous = ::umask(0);
  auto file = TempFile::create({.directory = scratch()});
  auto dir = TempDirectory::create({.directory = scratch()});
  ::umask(previous);
  ASSERT_TRUE(file && dir);
  struct stat st;
  ASSERT_EQ(::stat(file->path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  ASSERT_EQ(::stat(dir->path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
}

TEST_F(TempFileTest, HandleIsCloseOnExec) {
  auto file = TempFile::create({.directory = scratch()});
  ASSERT_TRUE(file);
  EXPECT_NE(::fcntl(file->handle(), F_GETFD) & FD_CLOEXEC, 0);
}

TEST_F(TempFileTest, ExclusiveCreateNeverFollowsASymlinkPlantedOnTheName) {
  // An attacker who guesses a name and plants a dangling symlink there must
  // cause a collision (and a retry), never the creation of the target.
  const std::string target = join(scratch(), "target");
  const std::string planted = join(scratch(), "planted");
  ASSERT_EQ(::symlink(target.c_str(), planted.c_str()), 0);
  auto created = platform::create_file_exclusive(planted, 0600, false);
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().kind, ErrorKind::already_exists);
  EXPECT_FALSE(exists(target));
}
#endif

class TempDirectoryTest : public TempFileTest {};

TEST_F(TempDirectoryTest, DiscardRemovesTheWholeTree) {
  auto dir = TempDirectory::create({.directory = scratch()});
  ASSERT_TRUE(dir) << to_string(dir.error());
  const fs::path root = fs_path(dir->path());
  fs::create_directories(root / "a" / "b" / "c");
  std::ofstream(root / "a" / "b" / "c" / "f.txt") << "x";
  std::ofstream(root / "top.txt") << "y";
  fs::permissions(root / "top.txt", fs::perms::owner_read, fs::perm_options::replace);
  ASSERT_TRUE(dir->discard());
  EXPECT_FALSE(fs::exists(root));
  EXPECT_TRUE(dir->discard());
}

TEST_F(TempDirectoryTest, KeepLeavesTheDirectory) {
  std::string path;
  {
    auto dir = TempDirectory::create({.directory = scratch(), .prefix = "kept."});
    ASSERT_TRUE(dir);
    path = dir->path();
    dir->keep();
  }
  EXPECT_TRUE(fs::is_directory(fs_path(path)));
}

TEST_F(TempDirectoryTest, MovingTransfersOwnership) {
  auto dir = TempDirectory::create({.directory = scratch()});
  ASSERT_TRUE(dir);
  const std::string path = dir->path();
  {
    TempDirectory moved = std::move(*dir);
    EXPECT_EQ(moved.path(), path);
  }  // the moved-to object discards it
  EXPECT_FALSE(exists(path));
  EXPECT_TRUE(dir->discard());  // the moved-from one owns nothing
}

TEST_F(TempDirectoryTest, DeleteOnCloseIsRejectedForDirectories) {
  auto dir = TempDirectory::create({.directory = scratch(), .delete_on_close = true});
  ASSERT_FALSE(dir);
  EXPECT_EQ(dir.error().kind, ErrorKind::invalid_argument);
  EXPECT_TRUE(list_directory(scratch()).empty());
}

#ifndef _WIN32
TEST_F(TempDirectoryTest, DiscardRemovesSymlinksButNeverTheirTargets) {
  auto outside = TempDirectory::create({.directory = scratch(), .prefix = "outside."});
  auto dir = TempDirectory::create({.directory = scratch(), .prefix = "inside."});
  ASSERT_TRUE(outside && dir);
  const fs::path keep_me = fs_path(outside->path()) / "precious.txt";
  std::ofstream(keep_me) << "do not delete";
  fs::create_directory_symlink(fs_path(outside->path()), fs_path(dir->path()) / "link-to-dir");
  fs::create_symlink(keep_me, fs_path(dir->path()) / "link-to-file");
  ASSERT_TRUE(dir->discard());
  EXPECT_FALSE(fs::exists(fs_path(dir->path())));
  EXPECT_TRUE(fs::exists(keep_me));
  EXPECT_EQ(test::read_file(test::utf8(keep_me)), "do not delete");
}
#endif

TEST_F(TempFileTest, ANameTakenByADirectoryIsACollisionNotAnError) {
  // Windows answers CREATE_NEW on a directory's name with ERROR_ACCESS_DENIED;
  // it must still count as "already exists", so that another name is tried.
  const std::string taken = join(scratch(), "taken");
  fs::create_directory(fs_path(taken));
  auto created = platform::create_file_exclusive(taken, 0600, false);
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().kind, ErrorKind::already_exists) << to_string(created.error());
}

TEST_F(TempFileTest, UnusedNameCreatesNothing) {
  auto name = unused_name({.directory = scratch()});
  ASSERT_TRUE(name);
  EXPECT_FALSE(exists(*name));
  EXPECT_TRUE(list_directory(scratch()).empty());
  EXPECT_TRUE(base_name(*name).starts_with("tmp."));
}

}  // namespace
}  // namespace tmpctl
