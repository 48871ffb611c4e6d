// Black-box tests of `tmpctl remove` and `tmpctl diagnose`, with real holders:
// tests/helpers/hold_file opens a file as Python's mkstemp does.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <tmpctl/tmpctl.hpp>

#include <filesystem>
#include <fstream>
#include <thread>

#include "support/process.hpp"
#include "support/scratch_test.hpp"
#include "support/test_paths.hpp"

#ifdef _WIN32
#include <windows.h>

#include "platform/win32/unicode.hpp"
#else
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace tmpctl {
namespace {

namespace fs = std::filesystem;
using test::contains;
using test::fs_path;
using test::HeldFile;
using test::join;
using test::list_directory;
using test::run_tmpctl;
using test::running_under_wine;
using test::split;

class RemoveCli : public test::ScratchDirectoryTest {
protected:
  std::string make_file(const std::string& name, const std::string& text = "x") {
    const std::string path = join(scratch(), name);
    std::ofstream(fs_path(path)) << text;
    return path;
  }
};

TEST_F(RemoveCli, RemovesQuietlyAndVerboselyNamesWhatWentToStdout) {
  const std::string a = make_file("a");
  const std::string b = make_file("b");
  auto quiet = run_tmpctl({"remove", a});
  EXPECT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ(quiet.out, "");
  EXPECT_EQ(quiet.err, "");
  auto verbose = run_tmpctl({"remove", "-v", b});
  EXPECT_EQ(verbose.exit_code, 0) << verbose.err;
  EXPECT_EQ(verbose.out, "removed '" + b + "'\n");
  EXPECT_TRUE(list_directory(scratch()).empty());
}

TEST_F(RemoveCli, MissingPathIsNotFoundWithTheOsErrorNumber) {
  const std::string missing = join(scratch(), "missing");
  auto result = run_tmpctl({"remove", missing});
  EXPECT_EQ(result.exit_code, 4) << result.err;
  EXPECT_TRUE(contains(result.err, "cannot remove '" + missing + "'")) << result.err;
#ifdef _WIN32
  EXPECT_TRUE(contains(result.err, "(WinError 2, ERROR_FILE_NOT_FOUND)")) << result.err;
#else
  EXPECT_TRUE(contains(result.err, "(errno 2, ENOENT)")) << result.err;
#endif
}

TEST_F(RemoveCli, EmptyPathAndDirectoryWithoutRecursiveAreRefusedWithAHint) {
  auto empty = run_tmpctl({"remove", ""});
  EXPECT_EQ(empty.exit_code, 1);
  EXPECT_TRUE(contains(empty.err, "the path is empty")) << empty.err;

  const std::string dir = join(scratch(), "dir");
  fs::create_directory(fs_path(dir));
  auto refused = run_tmpctl({"remove", dir});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_TRUE(contains(refused.err, "hint: it is a directory: use -r")) << refused.err;
  EXPECT_TRUE(fs::is_directory(fs_path(dir)));
  // In JSON, each hint's remedy by its name too, for a script to test.
  auto json = run_tmpctl({"remove", "--json", dir});
  EXPECT_EQ(json.exit_code, 1);
  const auto object = nlohmann::json::parse(split(json.out).at(0));
  EXPECT_EQ(object.at("hints"),
            nlohmann::json::array({"it is a directory: use -r to remove it and its contents"}))
      << json.out;
  EXPECT_EQ(object.at("remedies"), nlohmann::json::array({"remove_recursively"})) << json.out;
  auto recursive = run_tmpctl({"remove", "-r", dir});
  EXPECT_EQ(recursive.exit_code, 0) << recursive.err;
  EXPECT_FALSE(fs::exists(fs_path(dir)));
}

TEST_F(RemoveCli, CarriesOnPastFailuresAndTheWorstExitCodeWins) {
  const std::string file = make_file("file");
  const std::string dir = join(scratch(), "dir");
  fs::create_directory(fs_path(dir));
  auto result = run_tmpctl({"remove", join(scratch(), "missing"), file, dir, "--json"});
  EXPECT_EQ(result.exit_code, 1);  // 1 (a directory without -r) beats 4 (not found)
  const auto lines = split(result.out);
  ASSERT_EQ(lines.size(), 3u) << result.out;
  EXPECT_EQ(nlohmann::json::parse(lines[0]).at("outcome"), "not_found");
  EXPECT_EQ(nlohmann::json::parse(lines[1]).at("outcome"), "removed");
  EXPECT_EQ(nlohmann::json::parse(lines[2]).at("outcome"), "is_a_directory");
  EXPECT_FALSE(fs::exists(fs_path(file)));

  auto only_missing = run_tmpctl({"remove", join(scratch(), "gone"), join(scratch(), "dir")});
  EXPECT_EQ(only_missing.exit_code, 1);
  auto missing_only = run_tmpctl({"remove", join(scratch(), "gone")});
  EXPECT_EQ(missing_only.exit_code, 4);
}

TEST_F(RemoveCli, JsonReportsTheErrorStructurally) {
  const std::string missing = join(scratch(), "missing");
  auto result = run_tmpctl({"remove", "--json", missing});
  const auto object = nlohmann::json::parse(split(result.out).at(0));
  EXPECT_EQ(object.at("path"), missing);
  EXPECT_EQ(object.at("outcome"), "not_found");
  EXPECT_EQ(object.at("cause"), "not_found");
  EXPECT_EQ(object.at("error").at("code"), 2);
#ifdef _WIN32
  EXPECT_EQ(object.at("error").at("domain"), "win32");
  EXPECT_EQ(object.at("error").at("name"), "ERROR_FILE_NOT_FOUND");
#else
  EXPECT_EQ(object.at("error").at("domain"), "errno");
  EXPECT_EQ(object.at("error").at("name"), "ENOENT");
#endif
  EXPECT_EQ(object.at("attempts"), 0);
  EXPECT_TRUE(object.at("holders").is_array());
}

TEST_F(RemoveCli, AThousandPathsInOneCall) {
  // Relative names from inside the directory: a Windows command line holds
  // at most 32,767 characters, too few for 1,000 absolute temp paths.
  std::vector<std::string> arguments{"remove"};
  for (int i = 0; i < 1000; ++i) arguments.push_back(std::to_string(i) + ".tmp");
  for (std::size_t i = 1; i < arguments.size(); ++i) make_file(arguments[i]);
  ASSERT_EQ(list_directory(scratch()).size(), 1000u);
  const fs::path previous = fs::current_path();
  fs::current_path(fs_path(scratch()));
  auto removed = run_tmpctl(arguments);
  fs::current_path(previous);
  EXPECT_EQ(removed.exit_code, 0) << removed.err;
  EXPECT_TRUE(list_directory(scratch()).empty());
}

TEST_F(RemoveCli, RecursiveRemovesLinksNeverTheirTargets) {
  auto outside = TempDirectory::create({.directory = scratch(), .prefix = "outside."});
  ASSERT_TRUE(outside);
  const fs::path precious = fs_path(outside->path()) / "precious.txt";
  std::ofstream(precious) << "keep";
  const fs::path tree = fs_path(join(scratch(), "tree"));
  fs::create_directories(tree / "a" / "b");
  std::ofstream(tree / "a" / "b" / "f") << "x";
  std::error_code link_error;
  fs::create_directory_symlink(fs_path(outside->path()), tree / "a" / "link", link_error);
#ifndef _WIN32
  ASSERT_FALSE(link_error) << link_error.message();
#endif
  auto result = run_tmpctl({"remove", "-r", test::utf8(tree)});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_FALSE(fs::exists(tree));
  EXPECT_TRUE(fs::exists(precious));
  // Wine 8 cannot create reparse points (CreateSymbolicLinkW returns TRUE and
  // creates nothing; FSCTL_SET_REPARSE_POINT fails with 50), so under Wine
  // the links part of this test cannot run: see docs/platforms.md.
  if (link_error)
    GTEST_SKIP() << "cannot create a directory symlink here: " << link_error.message();
}

#ifdef _WIN32

std::wstring platform_path(const std::string& path) {
  return platform::win32::native_path(path).value();
}

// The motivating case: Python's mkstemp leaves a handle without
// FILE_SHARE_DELETE, and the delete fails with 32.
TEST_F(RemoveCli, AMkstempStyleHolderIsNamedWithWinError32AndAHint) {
  const std::string path = make_file("held.tmp");
  HeldFile holder(path, scratch());
  auto result = run_tmpctl({"remove", path});
  EXPECT_EQ(result.exit_code, 3) << result.err;
  EXPECT_TRUE(contains(result.err, "cannot remove '" + path + "'")) << result.err;
  EXPECT_TRUE(contains(result.err, "(WinError 32, ERROR_SHARING_VIOLATION)")) << result.err;
  EXPECT_TRUE(
      contains(result.err, "held by process " + std::to_string(holder.pid()) + " (hold_file.exe)"))
      << result.err;
  EXPECT_TRUE(contains(
      result.err, "hint: process " + std::to_string(holder.pid()) + " (hold_file.exe) holds it"))
      << result.err;
  EXPECT_TRUE(fs::exists(fs_path(path)));

  auto diagnosis = run_tmpctl({"diagnose", path});
  EXPECT_EQ(diagnosis.exit_code, 3) << diagnosis.out;
  EXPECT_TRUE(contains(diagnosis.out, "a delete would fail")) << diagnosis.out;
  EXPECT_TRUE(contains(diagnosis.out, "WinError 32")) << diagnosis.out;
  EXPECT_TRUE(contains(diagnosis.out, std::to_string(holder.pid()))) << diagnosis.out;
  EXPECT_TRUE(fs::exists(fs_path(path)));  // diagnose deleted nothing

  holder.release();
  auto after = run_tmpctl({"remove", path});
  EXPECT_EQ(after.exit_code, 0) << after.err;
  EXPECT_FALSE(fs::exists(fs_path(path)));
}

TEST_F(RemoveCli, RetryWaitsOutAHolderThatLetsGo) {
  const std::string path = make_file("briefly-held.tmp");
  HeldFile holder(path, scratch());
  const std::string out = join(scratch(), "remove.out");
  test::ChildProcess remover =
      test::ChildProcess::start({test::tmpctl_path(), "remove", "--json", "--retry", "12", path},
                                out, join(scratch(), "remove.err"));
  // Long enough for tmpctl to have started and met the holder (a first Wine
  // start can take more than a second); its 12 retries wait 10.5 s in all.
  std::this_thread::sleep_for(std::chrono::milliseconds(2000));
  holder.release();
  EXPECT_EQ(remover.wait(), 0) << test::read_file(out);
  const auto object = nlohmann::json::parse(split(test::read_file(out)).at(0));
  EXPECT_EQ(object.at("outcome"), "removed");
  EXPECT_GT(object.at("attempts").get<int>(), 1);
  EXPECT_FALSE(fs::exists(fs_path(path)));
}

TEST_F(RemoveCli, ReadOnlyIsExplainedAndForceRemovesIt) {
  const std::string path = make_file("read-only.txt");
  ASSERT_TRUE(SetFileAttributesW(platform_path(path).c_str(), FILE_ATTRIBUTE_READONLY));
  auto refused = run_tmpctl({"remove", "--json", path});
  EXPECT_EQ(refused.exit_code, 5) << refused.out;
  const auto object = nlohmann::json::parse(split(refused.out).at(0));
  EXPECT_EQ(object.at("outcome"), "read_only");
  EXPECT_EQ(object.at("cause"), "read_only_attribute");
  EXPECT_EQ(object.at("error").at("code"), 5);
  EXPECT_TRUE(contains(object.at("hints").dump(), "--force")) << object.dump();
  auto diagnosis = run_tmpctl({"diagnose", path});
  EXPECT_EQ(diagnosis.exit_code, 5) << diagnosis.out;

  auto forced = run_tmpctl({"remove", "--force", path});
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_FALSE(fs::exists(fs_path(path)));
}

TEST_F(RemoveCli, PosixDeleteFallsBackWhereUnsupported) {
  const std::string path = make_file("posix-delete.txt");
  auto result = run_tmpctl({"remove", "--json", "--posix-delete", path});
  EXPECT_EQ(result.exit_code, 0) << result.out;
  EXPECT_FALSE(fs::exists(fs_path(path)));
  const auto notes = nlohmann::json::parse(split(result.out).at(0)).at("notes");
  if (running_under_wine()) {
    // Wine answers FileDispositionInfoEx with 87: the classic delete ran.
    ASSERT_EQ(notes.size(), 1u) << notes.dump();
    EXPECT_TRUE(contains(notes[0], "not supported here: "));
    EXPECT_TRUE(contains(notes[0], "(WinError 87, ERROR_INVALID_PARAMETER); used a classic delete"))
        << notes.dump();
  }
}

TEST_F(RemoveCli, OnRebootSchedulesWhatCannotBeDeletedNow) {
  const std::string path = make_file("locked-until-reboot.tmp");
  HeldFile holder(path, scratch());
  auto result = run_tmpctl({"remove", "--on-reboot", path});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(contains(result.out, "scheduled '" + path + "'")) << result.out;
}

TEST_F(RemoveCli, RenameAsideFreesTheNameOfAFileHeldWithSharedDelete) {
  const std::string path = make_file("shared-delete.tmp");
  // A holder that shares delete (as tmpctl's own handles do): the delete is
  // accepted but the name stays until it closes, unless renamed aside first.
  const HANDLE holder = CreateFileW(platform_path(path).c_str(), GENERIC_READ,
                                    FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                                    OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
  ASSERT_NE(holder, INVALID_HANDLE_VALUE);
  auto result = run_tmpctl({"remove", "--rename-aside", path});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_FALSE(fs::exists(fs_path(path)));  // the name is free at once
  CloseHandle(holder);
}

TEST_F(RemoveCli, LongAndNonAsciiPaths) {
  std::string deepest = scratch();
  while (deepest.size() < 300) {
    auto dir = TempDirectory::create({.directory = deepest, .prefix = "long-directory-name."});
    ASSERT_TRUE(dir);
    deepest = dir->path();
    dir->keep();
  }
  auto file = TempFile::create({.directory = deepest, .prefix = "\xC3\xA9t\xC3\xA9-"});
  ASSERT_TRUE(file && file->keep());
  auto result = run_tmpctl({"remove", file->path()});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(GetFileAttributesW(platform_path(file->path()).c_str()), INVALID_FILE_ATTRIBUTES);
}

TEST_F(RemoveCli, AHeldFileInsideATreeIsNamedWithItsHolder) {
  const std::string tree = join(scratch(), "tree");
  fs::create_directories(fs_path(join(tree, "sub")));
  const std::string held = join(join(tree, "sub"), "held.tmp");
  HeldFile holder(held, scratch());
  auto result = run_tmpctl({"remove", "-r", tree});
  EXPECT_EQ(result.exit_code, 3) << result.err;
  EXPECT_TRUE(contains(result.err, "cannot remove '" + held + "'")) << result.err;
  EXPECT_TRUE(contains(result.err, "held by process " + std::to_string(holder.pid())))
      << result.err;
  EXPECT_TRUE(fs::exists(fs_path(held)));
}

TEST_F(RemoveCli, ReadOnlyWithRenameAsideOrPosixDeleteIsHandledCleanly) {
  const std::string aside = make_file("aside.txt");
  ASSERT_TRUE(SetFileAttributesW(platform_path(aside).c_str(), FILE_ATTRIBUTE_READONLY));
  auto refused = run_tmpctl({"remove", "--rename-aside", aside});
  EXPECT_EQ(refused.exit_code, 5) << refused.err;
  EXPECT_TRUE(contains(refused.err, "--force")) << refused.err;
  // Refused before renaming: nothing left under another name.
  EXPECT_EQ(list_directory(scratch()), std::vector<std::string>{"aside.txt"});
  auto forced = run_tmpctl({"remove", "--rename-aside", "--force", aside});
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_TRUE(list_directory(scratch()).empty());

  const std::string posix = make_file("posix.txt");
  ASSERT_TRUE(SetFileAttributesW(platform_path(posix).c_str(), FILE_ATTRIBUTE_READONLY));
  auto posix_forced = run_tmpctl({"remove", "--posix-delete", "--force", posix});
  EXPECT_EQ(posix_forced.exit_code, 0) << posix_forced.err;
  EXPECT_FALSE(fs::exists(fs_path(posix)));
}

// Issue 12 item 13: an 8.3 short name ("A-RA~22R.TEX") names the same file
// as its long name; it is no link, and is removed (diagnosed, removed with
// -r) like the long name is.
TEST_F(RemoveCli, AnEntrySpelledByItsShortNameIsRemoved) {
  const auto short_name_of = [](const std::string& path) {
    std::wstring buffer(1024, L'\0');
    const DWORD size = GetShortPathNameW(platform_path(path).c_str(), buffer.data(),
                                         static_cast<DWORD>(buffer.size()));
    buffer.resize(size);
    return platform::win32::display_path(buffer);
  };
  const std::string file = make_file("a-rather-long-file-name.text");
  const std::string tree = join(scratch(), "a rather long directory name");
  fs::create_directory(fs_path(tree));
  std::ofstream(fs_path(join(tree, "inside"))) << "x";
  const std::string short_file = short_name_of(file);
  const std::string short_tree = short_name_of(tree);
  if (short_file.empty() || short_file == file || short_tree == tree)
    GTEST_SKIP() << "this volume gives no 8.3 names ('" << short_file << "')";

  auto diagnosed = run_tmpctl({"diagnose", short_file});
  EXPECT_EQ(diagnosed.exit_code, 0) << diagnosed.out << diagnosed.err;
  auto removed = run_tmpctl({"remove", short_file});
  EXPECT_EQ(removed.exit_code, 0) << removed.err;
  EXPECT_FALSE(fs::exists(fs_path(file)));
  auto recursive = run_tmpctl({"remove", "-r", short_tree});
  EXPECT_EQ(recursive.exit_code, 0) << recursive.err;
  EXPECT_FALSE(fs::exists(fs_path(tree)));
}

// Issue 12 item 13: Win32 takes a reserved device name ("NUL", "con.txt",
// "lpt1.log") as the device, wherever it stands. A file so named is left
// alone with the cause named, and the hint's "\\?\" form removes it.
TEST_F(RemoveCli, AReservedDeviceNameIsExplainedAndItsVerbatimFormRemovesIt) {
  const std::string directory = join(scratch(), "sub");
  fs::create_directory(fs_path(directory));
  for (const std::string name : {"NUL", "con.txt", "Lpt1.log", "com1"}) {
    const std::string path = join(directory, name);
    const std::wstring verbatim =
        platform_path(directory) + L"\\" + platform::win32::widen(name).value();
    const std::string verbatim_path = platform::win32::narrow(verbatim);
    ASSERT_TRUE(verbatim_path.starts_with(R"(\\?\)")) << verbatim_path;
    const HANDLE created = CreateFileW(verbatim.c_str(), GENERIC_WRITE, 0, nullptr, CREATE_NEW,
                                       FILE_ATTRIBUTE_NORMAL, nullptr);
    ASSERT_NE(created, INVALID_HANDLE_VALUE) << verbatim_path;
    CloseHandle(created);
    const auto still_there = [&] {
      return GetFileAttributesW(verbatim.c_str()) != INVALID_FILE_ATTRIBUTES;
    };

    auto json = run_tmpctl({"remove", "--json", path});
    EXPECT_EQ(json.exit_code, 1) << name << ": " << json.out << json.err;
    const auto object = nlohmann::json::parse(split(json.out).at(0));
    EXPECT_EQ(object.at("outcome"), "invalid") << object.dump();
    EXPECT_EQ(object.at("cause"), "reserved_name") << object.dump();
    const std::string hint = "'" + name +
                             "' is a reserved device name on Windows: to remove a "
                             "file really named so, use '" +
                             verbatim_path + "'";
    EXPECT_EQ(object.at("hints"), nlohmann::json::array({hint})) << object.dump();
    EXPECT_TRUE(still_there()) << name;

    auto text = run_tmpctl({"remove", path});
    EXPECT_EQ(text.exit_code, 1) << text.err;
    EXPECT_TRUE(contains(text.err, "hint: " + hint)) << text.err;
    auto diagnosed = run_tmpctl({"diagnose", "--json", path});
    EXPECT_EQ(nlohmann::json::parse(split(diagnosed.out).at(0)).at("cause"), "reserved_name")
        << diagnosed.out;

    auto removed = run_tmpctl({"remove", verbatim_path});
    EXPECT_EQ(removed.exit_code, 0) << name << ": " << removed.err;
    EXPECT_FALSE(still_there()) << name;
  }
}

#else  // POSIX

TEST_F(RemoveCli, ALinkIsRemovedAsALinkEvenWithATrailingSlash) {
  auto outside = TempDirectory::create({.directory = scratch(), .prefix = "outside."});
  ASSERT_TRUE(outside);
  const std::string precious = join(outside->path(), "precious.txt");
  std::ofstream(fs_path(precious)) << "keep";
  for (const char* name : {"plain-link", "slash-link", "recursive-link"})
    fs::create_directory_symlink(fs_path(outside->path()), fs_path(join(scratch(), name)));
  EXPECT_EQ(run_tmpctl({"remove", join(scratch(), "plain-link")}).exit_code, 0);
  auto slash = run_tmpctl({"remove", join(scratch(), "slash-link") + "/"});
  EXPECT_EQ(slash.exit_code, 0) << slash.err;
  auto recursive = run_tmpctl({"remove", "-r", join(scratch(), "recursive-link") + "//"});
  EXPECT_EQ(recursive.exit_code, 0) << recursive.err;
  EXPECT_FALSE(fs::exists(fs::symlink_status(fs_path(join(scratch(), "slash-link")))));
  EXPECT_FALSE(fs::exists(fs::symlink_status(fs_path(join(scratch(), "recursive-link")))));
  EXPECT_EQ(test::read_file(precious), "keep");
}

TEST_F(RemoveCli, RemovingAnOpenFileSucceedsAndNamesWhoKeepsItsSpace) {
  const std::string path = make_file("held");
  HeldFile holder(path, scratch());
  auto diagnosis = run_tmpctl({"diagnose", path});
  EXPECT_EQ(diagnosis.exit_code, 0) << diagnosis.out;
  EXPECT_TRUE(contains(diagnosis.out, "a delete would succeed now")) << diagnosis.out;
  EXPECT_TRUE(
      contains(diagnosis.out, "held by process " + std::to_string(holder.pid()) + " (hold_file)"))
      << diagnosis.out;

  auto result = run_tmpctl({"remove", path});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_FALSE(fs::exists(fs_path(path)));
  EXPECT_TRUE(contains(result.err, "process " + std::to_string(holder.pid()) + " (hold_file)"))
      << result.err;
  EXPECT_TRUE(contains(result.err, "its space is freed only when that process closes it"))
      << result.err;
}

using test::run_tmpctl_unprivileged;

TEST_F(RemoveCli, StickyAndUnwritableDirectoriesAreExplained) {
  if (::geteuid() != 0 || !fs::exists("/usr/bin/setpriv"))
    GTEST_SKIP() << "needs root (to own files nobody may not remove) and setpriv";
  fs::permissions(fs_path(scratch()), fs::perms::all, fs::perm_options::replace);
  // Sticky, world-writable, like /tmp: nobody may not remove root's file.
  const std::string sticky = join(scratch(), "sticky");
  fs::create_directory(fs_path(sticky));
  fs::permissions(fs_path(sticky), fs::perms::all | fs::perms::sticky_bit,
                  fs::perm_options::replace);
  const std::string roots = join(sticky, "roots-file");
  std::ofstream(fs_path(roots)) << "x";
  auto refused = run_tmpctl_unprivileged({"remove", "--json", roots});
  EXPECT_EQ(refused.exit_code, 5) << refused.out << refused.err;
  auto object = nlohmann::json::parse(split(refused.out).at(0));
  EXPECT_EQ(object.at("cause"), "sticky_directory") << object.dump();
  EXPECT_EQ(object.at("error").at("name"), "EPERM") << object.dump();
  EXPECT_TRUE(fs::exists(fs_path(roots)));

  // Not writable at all.
  const std::string locked = join(scratch(), "locked");
  fs::create_directory(fs_path(locked));
  const std::string inside = join(locked, "file");
  std::ofstream(fs_path(inside)) << "x";
  fs::permissions(fs_path(locked),
                  fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                      fs::perms::others_read | fs::perms::others_exec,
                  fs::perm_options::replace);
  auto denied = run_tmpctl_unprivileged({"remove", inside});
  EXPECT_EQ(denied.exit_code, 5) << denied.err;
  EXPECT_TRUE(contains(denied.err, "(errno 13, EACCES)")) << denied.err;
  EXPECT_TRUE(contains(denied.err, "may not write to that directory")) << denied.err;
  auto diagnosis = run_tmpctl_unprivileged({"diagnose", "--json", inside + "/"});
  EXPECT_EQ(diagnosis.exit_code, 5) << diagnosis.out;
  EXPECT_EQ(nlohmann::json::parse(split(diagnosis.out).at(0)).at("cause"),
            "directory_not_writable");
  EXPECT_TRUE(fs::exists(fs_path(inside)));

  // A tree nobody owns, in a directory nobody may not write to: remove -r
  // must refuse before emptying it, not leave it half-removed.
  const std::string tree = join(locked, "nobodys-tree");
  fs::create_directory(fs_path(tree));
  std::ofstream(fs_path(join(tree, "file"))) << "x";
  ASSERT_EQ(::chown(tree.c_str(), 65534, 65534), 0);
  ASSERT_EQ(::chown(join(tree, "file").c_str(), 65534, 65534), 0);
  auto half = run_tmpctl_unprivileged({"remove", "-r", tree});
  EXPECT_EQ(half.exit_code, 5) << half.err;
  EXPECT_TRUE(fs::exists(fs_path(join(tree, "file")))) << "emptied a tree it could not remove";
}

#endif

TEST_F(RemoveCli, DiagnoseDeletesNothingAndSaysADeleteWouldSucceed) {
  const std::string path = make_file("idle");
  auto result = run_tmpctl({"diagnose", "--json", path});
  EXPECT_EQ(result.exit_code, 0) << result.out;
  const auto object = nlohmann::json::parse(split(result.out).at(0));
  EXPECT_EQ(object.at("would_succeed"), true);
  EXPECT_TRUE(object.at("holders").empty());
  EXPECT_TRUE(fs::exists(fs_path(path)));
  auto missing = run_tmpctl({"diagnose", join(scratch(), "missing")});
  EXPECT_EQ(missing.exit_code, 4);
}

// issue 12 item 1: '.' or '..' as the last component names the directory
// itself (through a link: its target) or its parent, never what was meant.
// Refused as rm refuses it, before anything is touched: exit 2, with and
// without -r, also by diagnose; the other paths of the call still go.
TEST_F(RemoveCli, DotOrDotDotAsTheLastComponentIsRefusedAndNothingIsRemoved) {
  const std::string dir = join(scratch(), "dir");
  const std::string inner = join(dir, "e");
  fs::create_directories(fs_path(inner));
  const std::string kept = join(dir, "kept");
  const std::string deep = join(inner, "deep");
  std::ofstream(fs_path(kept)) << "keep";
  std::ofstream(fs_path(deep)) << "keep";
  const std::string sep(1, test::separator);
  std::vector<std::vector<std::string>> refused = {
      {"remove", "-r", dir + sep + "."},
      {"remove", "-r", dir + sep + "." + sep},
      {"remove", "-r", inner + sep + ".."},
      {"remove", "-r", inner + sep + ".." + sep + sep},
      {"remove", "-r", "--no-preserve-root", dir + "/."},
      {"remove", inner + sep + ".."},
      {"remove", dir + sep + "."},
      {"diagnose", "-r", inner + sep + ".."},
      {"diagnose", dir + sep + "."},
  };
#ifdef _WIN32
  // Windows drops a last component's trailing dots and spaces: "dir\..." is dir.
  refused.push_back({"remove", "-r", dir + "\\..."});
  refused.push_back({"remove", "-r", inner + "\\.. "});
#else
  const std::string link = join(scratch(), "link");
  fs::create_directory_symlink(fs_path(dir), fs_path(link));
  refused.push_back({"remove", "-r", link + "/."});
  refused.push_back({"remove", "-r", link + "/./"});
#endif
  for (const auto& arguments : refused) {
    auto result = run_tmpctl(arguments);
    const std::string what = arguments.back();
    EXPECT_EQ(result.exit_code, 2) << what << ": " << result.err;
    EXPECT_TRUE(contains(result.out + result.err, "refusing to remove '.' or '..' directory"))
        << what << ": " << result.out << result.err;
    ASSERT_TRUE(fs::exists(fs_path(kept)) && fs::exists(fs_path(deep))) << "removed by " << what;
  }

  // The refusal is structured, and the worst exit code (2) wins while the
  // other paths of the call are removed.
  const std::string other = make_file("other");
  auto json = run_tmpctl({"remove", "-r", "--json", inner + sep + "..", other});
  EXPECT_EQ(json.exit_code, 2) << json.err;
  const auto lines = split(json.out);
  ASSERT_EQ(lines.size(), 2u) << json.out;
  const auto object = nlohmann::json::parse(lines.at(0));
  EXPECT_EQ(object.at("outcome"), "invalid");
  EXPECT_EQ(object.at("cause"), "dot_or_dotdot");
  EXPECT_EQ(object.at("attempts"), 0);
  EXPECT_FALSE(fs::exists(fs_path(other)));
  EXPECT_TRUE(fs::exists(fs_path(kept)) && fs::exists(fs_path(deep)));
}

#ifndef _WIN32
// issue 12 item 1: `remove -r /` by any of its names ("//", "/tmp/..", a
// link to it) is refused, exit 2, unless --no-preserve-root. SAFETY: this
// test never lets tmpctl see the machine's root. It runs tmpctl only inside
// a private mount namespace (unshare -m --propagation private), chrooted into
// a private tmpfs that holds nothing but a copy of tmpctl, its libraries and
// a few files; were the guard broken, only that tmpfs would be emptied, and
// it vanishes with the namespace. Skipped where that cannot be set up (not
// root, no CAP_SYS_ADMIN or CAP_SYS_CHROOT).
TEST_F(RemoveCli, TheRootIsRefusedByAnyNameUnlessNoPreserveRoot) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root: unshare -m, mount and chroot";
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "the sanitizer runtime cannot start in the chroot (no /proc there); the "
                  "plain build runs this test";
#endif
  const std::string unshare = "/usr/bin/unshare";
  if (!fs::exists(unshare) || !fs::exists("/usr/sbin/chroot"))
    GTEST_SKIP() << "needs /usr/bin/unshare and /usr/sbin/chroot (util-linux, coreutils)";
  const std::vector<std::string> namespace_command = {unshare, "-m", "--propagation", "private"};
  auto probe = namespace_command;
  probe.push_back("/bin/true");
  if (test::run_process(probe).exit_code != 0)
    GTEST_SKIP() << "a private mount namespace is not permitted here (unshare -m)";
  const std::string root = join(scratch(), "chroot");
  fs::create_directory(fs_path(root));
  // `set -e` stops the script at the first setup step that fails, before any
  // chroot; tmpctl itself runs only through `chroot "$root"`.
  constexpr const char* script = R"sh(set -eu
root=$1 tmpctl=$2
mount -t tmpfs -o size=256m,mode=755 tmpctl-test "$root" || exit 77
mkdir -p "$root/tmp/keep" "$root/etc"
echo keep > "$root/etc/precious"
echo keep > "$root/tmp/keep/file"
cp "$tmpctl" "$root/tmpctl"
for lib in $(ldd "$tmpctl" | grep -o '/[^ ]*'); do
  mkdir -p "$root$(dirname "$lib")"
  cp "$lib" "$root$lib"
done
ln -s / "$root/root-link"
run() { status=0; chroot "$root" /tmpctl "$@" 2>> "$root.err" || status=$?; echo "$*: $status"; }
for path in / // /// /tmp/.. /tmp/../ /./ /root-link /root-link/; do
  run remove -r "$path"
done
run remove -r --no-preserve-root --preserve-root /
run diagnose -r /
test -f "$root/etc/precious" && test -f "$root/tmp/keep/file" && test -x "$root/tmpctl" &&
  echo "all there"
run remove -r --no-preserve-root /
test -e "$root/etc/precious" || echo "removed with --no-preserve-root"
)sh";
  auto command = namespace_command;
  command.insert(command.end(), {"sh", "-c", script, "sh", root, test::tmpctl_path()});
  auto result = test::run_process(command);
  if (result.exit_code == 77) GTEST_SKIP() << "mounting a tmpfs is not permitted here";
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  for (const char* refused :
       {"remove -r /: 2", "remove -r //: 2", "remove -r ///: 2", "remove -r /tmp/..: 2",
        "remove -r /tmp/../: 2", "remove -r /./: 2", "remove -r /root-link: 2",
        "remove -r /root-link/: 2", "remove -r --no-preserve-root --preserve-root /: 2",
        "diagnose -r /: 2", "all there", "removed with --no-preserve-root"})
    EXPECT_TRUE(contains(result.out, std::string(refused) + "\n")) << refused << "\n" << result.out;
  const std::string err = test::read_file(root + ".err");
  EXPECT_TRUE(contains(err, "cannot remove '/': it is the root of a file system or volume")) << err;
  EXPECT_TRUE(contains(err, "--no-preserve-root")) << err;
  EXPECT_TRUE(contains(err, "cannot remove '/tmp/..': refusing to remove '.' or '..' directory"))
      << err;
}
#endif

}  // namespace
}  // namespace tmpctl
