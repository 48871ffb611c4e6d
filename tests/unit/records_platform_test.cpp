// The record store's backend (platform/records.hpp) on the real OS: who a
// process is, and the owner-only record directory and its whole-or-nothing
// writes.

#include <gtest/gtest.h>
#include <tmpctl/holders.hpp>
#include <tmpctl/records.hpp>
#include <tmpctl/temp_file.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "platform/records.hpp"
#include "platform/walk.hpp"
#include "support/process.hpp"
#include "support/scratch_test.hpp"
#include "support/test_paths.hpp"

#ifdef _WIN32
#include <windows.h>
#include <aclapi.h>

#include "platform/win32/unicode.hpp"
#include "platform/win32/win32_util.hpp"
#else
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace tmpctl {
namespace {

namespace fs = std::filesystem;
using platform::ProcessIdentity;
using platform::RecordDirectory;
using test::exists;
using test::fs_path;
using test::join;
using test::write_file;

// The core's judgement of a process the platform named (tmpctl::process_state).
ProcessState state_of(const ProcessIdentity& process) {
  return process_state(ProcessRef{process.pid, process.start_time});
}

std::uint32_t own_pid() {
#ifdef _WIN32
  return GetCurrentProcessId();
#else
  return static_cast<std::uint32_t>(::getpid());
#endif
}

std::vector<std::string> sorted(std::vector<std::string> names) {
  std::ranges::sort(names);
  return names;
}

class Records : public test::ScratchDirectoryTest {
protected:
  std::string records_path() const { return join(scratch(), "records"); }

  RecordDirectory open_records() {
    auto records = RecordDirectory::open(records_path(), true);
    if (!records) {
      ADD_FAILURE() << to_string(records.error());
      std::abort();
    }
    return std::move(*records);
  }
};

// --- the directory ---

#ifdef _WIN32
// Whether the DACL of `path` grants access to this user and SYSTEM only, in
// entries of its own (none inherited from the directory above).
::testing::AssertionResult owner_only(const std::string& path) {
  PACL dacl = nullptr;
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  const std::wstring wide = platform::win32::widen(path).value();
  if (GetNamedSecurityInfoW(wide.c_str(), SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, nullptr,
                            nullptr, &dacl, nullptr, &descriptor) != ERROR_SUCCESS)
    return ::testing::AssertionFailure() << "cannot read the DACL of " << path;
  const auto user = platform::win32::own_token_information(TokenUser).value();
  BYTE system[SECURITY_MAX_SID_SIZE];
  DWORD system_size = sizeof system;
  CreateWellKnownSid(WinLocalSystemSid, nullptr, system, &system_size);
  auto result = ::testing::AssertionSuccess();
  if (dacl == nullptr || dacl->AceCount == 0)
    result = ::testing::AssertionFailure() << path << " has no access entries";
  for (DWORD i = 0; dacl != nullptr && i < dacl->AceCount; ++i) {
    void* ace = nullptr;
    GetAce(dacl, i, &ace);
    const auto* allowed = static_cast<const ACCESS_ALLOWED_ACE*>(ace);
    PSID sid = const_cast<DWORD*>(&allowed->SidStart);
    if (allowed->Header.AceType != ACCESS_ALLOWED_ACE_TYPE ||
        (allowed->Header.AceFlags & INHERITED_ACE) != 0 ||
        (!EqualSid(sid, reinterpret_cast<const TOKEN_USER*>(user.data())->User.Sid) &&
         !EqualSid(sid, system)))
      result = ::testing::AssertionFailure()
               << path << ": entry " << i << " is inherited or for someone else";
  }
  LocalFree(descriptor);
  return result;
}
#endif

TEST_F(Records, TheDirectoryIsCreatedOwnerOnly) {
  auto records = RecordDirectory::open(records_path(), true);
  ASSERT_TRUE(records) << to_string(records.error());
  EXPECT_EQ(records->path(), records_path());
  auto written = records->write("r", "x");
  ASSERT_TRUE(written) << to_string(written.error());
#ifdef _WIN32
  EXPECT_TRUE(owner_only(records_path()));
  EXPECT_TRUE(owner_only(join(records_path(), "r")));
#else
  struct stat st;
  ASSERT_EQ(::stat(records_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  EXPECT_EQ(st.st_uid, ::geteuid());
  ASSERT_EQ(::stat(join(records_path(), "r").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
#endif
}

TEST_F(Records, AnExistingDirectoryIsOpenedAgainWithItsRecords) {
  {
    RecordDirectory records = open_records();
    ASSERT_TRUE(records.write("kept", "content"));
  }
  for (const bool create : {false, true}) {
    auto again = RecordDirectory::open(records_path(), create);
    ASSERT_TRUE(again) << to_string(again.error());
    EXPECT_EQ(again->read("kept", 100).value_or(""), "content");
  }
}

TEST_F(Records, AMissingDirectoryIsNotFoundWithoutCreate) {
  auto records = RecordDirectory::open(records_path(), false);
  ASSERT_FALSE(records);
  EXPECT_EQ(records.error().kind, ErrorKind::not_found) << to_string(records.error());
  EXPECT_FALSE(exists(records_path()));
}

TEST_F(Records, AFileInPlaceOfTheDirectoryIsRefused) {
  write_file(records_path(), "not a directory");
  for (const bool create : {false, true}) {
    auto records = RecordDirectory::open(records_path(), create);
    ASSERT_FALSE(records);
    EXPECT_EQ(records.error().kind, ErrorKind::permission_denied) << to_string(records.error());
    EXPECT_NE(to_string(records.error()).find(records_path()), std::string::npos);
    EXPECT_NE(records.error().message.find("not a directory"), std::string::npos)
        << to_string(records.error());
  }
}

// Windows too, but Wine 8 creates no symlinks or junctions (ENOSYS).
#ifndef _WIN32
TEST_F(Records, ASymlinkInPlaceOfTheDirectoryIsRefused) {
  const std::string target = join(scratch(), "elsewhere");
  ASSERT_TRUE(RecordDirectory::open(target, true));  // a good one, but not by this name
  std::error_code error;
  fs::create_directory_symlink(fs_path(target), fs_path(records_path()), error);
  ASSERT_FALSE(error) << error.message();
  for (const bool create : {false, true}) {
    auto records = RecordDirectory::open(records_path(), create);
    ASSERT_FALSE(records);
    EXPECT_EQ(records.error().kind, ErrorKind::permission_denied) << to_string(records.error());
    EXPECT_NE(records.error().message.find("link"), std::string::npos)
        << to_string(records.error());
  }
}

TEST_F(Records, ADirectoryOthersMayUseIsRefused) {
  ASSERT_EQ(::mkdir(records_path().c_str(), 0700), 0);
  for (const mode_t mode : {0777, 0750, 0701}) {
    ASSERT_EQ(::chmod(records_path().c_str(), mode), 0);
    auto records = RecordDirectory::open(records_path(), true);
    ASSERT_FALSE(records) << std::oct << mode;
    EXPECT_EQ(records.error().kind, ErrorKind::permission_denied) << to_string(records.error());
    char expected[16];
    std::snprintf(expected, sizeof expected, "mode %04o", static_cast<unsigned>(mode));
    EXPECT_NE(records.error().message.find(expected), std::string::npos)
        << to_string(records.error());
  }
  ASSERT_EQ(::chmod(records_path().c_str(), 0700), 0);
  EXPECT_TRUE(RecordDirectory::open(records_path(), false));
}

TEST_F(Records, ADirectoryOfAnotherUserIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "only root can give a directory to another user";
  ASSERT_EQ(::mkdir(records_path().c_str(), 0700), 0);
  ASSERT_EQ(::chown(records_path().c_str(), 4321, 4321), 0);
  auto records = RecordDirectory::open(records_path(), true);
  ASSERT_FALSE(records);
  EXPECT_EQ(records.error().kind, ErrorKind::permission_denied) << to_string(records.error());
  EXPECT_NE(records.error().message.find("owned by uid 4321"), std::string::npos)
      << to_string(records.error());
}
#endif

#ifdef _WIN32
TEST_F(Records, ADirectoryOfAnotherUserIsRefused) {
  ASSERT_TRUE(RecordDirectory::open(records_path(), true));
  BYTE system[SECURITY_MAX_SID_SIZE];
  DWORD size = sizeof system;
  ASSERT_TRUE(CreateWellKnownSid(WinLocalSystemSid, nullptr, system, &size));
  std::wstring wide = platform::win32::widen(records_path()).value();
  const DWORD code = SetNamedSecurityInfoW(wide.data(), SE_FILE_OBJECT, OWNER_SECURITY_INFORMATION,
                                           system, nullptr, nullptr, nullptr);
  if (code == ERROR_INVALID_OWNER || code == ERROR_PRIVILEGE_NOT_HELD)
    GTEST_SKIP() << "only an administrator may give a directory to SYSTEM (error " << code << ")";
  ASSERT_EQ(code, static_cast<DWORD>(ERROR_SUCCESS));
  PSID owner = nullptr;
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  ASSERT_EQ(GetNamedSecurityInfoW(wide.c_str(), SE_FILE_OBJECT, OWNER_SECURITY_INFORMATION, &owner,
                                  nullptr, nullptr, nullptr, &descriptor),
            static_cast<DWORD>(ERROR_SUCCESS));
  const bool given = EqualSid(owner, system);
  LocalFree(descriptor);
  // Wine says yes, and keeps the owner the Unix uid gives.
  if (!given) GTEST_SKIP() << "the owner did not change";
  auto records = RecordDirectory::open(records_path(), true);
  ASSERT_FALSE(records);
  EXPECT_EQ(records.error().kind, ErrorKind::permission_denied) << to_string(records.error());
  EXPECT_NE(records.error().message.find("owned by S-1-5-18"), std::string::npos)
      << to_string(records.error());
}
#endif

TEST_F(Records, DefaultDirectoryIsInTheTempDirectory) {
#ifdef _WIN32
  EXPECT_EQ(platform::default_record_directory("C:\\t"), "C:\\t\\tmpctl-records");
  EXPECT_EQ(platform::default_record_directory("C:\\t\\"), "C:\\t\\tmpctl-records");
#else
  const std::string suffix = "tmpctl-records-" + std::to_string(::geteuid());
  EXPECT_EQ(platform::default_record_directory("/tmp"), "/tmp/" + suffix);
  EXPECT_EQ(platform::default_record_directory("/tmp/"), "/tmp/" + suffix);
#endif
}

// --- records ---

TEST_F(Records, WriteReadListDateAndRemoveARecord) {
  RecordDirectory records = open_records();
  const auto before = std::chrono::system_clock::now() - std::chrono::seconds(5);
  ASSERT_TRUE(records.write("one", "first"));
  ASSERT_TRUE(records.write("two", std::string("with\0nul", 8)));
  EXPECT_EQ(sorted(records.names().value()), (std::vector<std::string>{"one", "two"}));
  EXPECT_EQ(records.read("one", 1000).value_or("?"), "first");
  EXPECT_EQ(records.read("two", 1000).value_or("?"), std::string("with\0nul", 8));
  EXPECT_EQ(test::read_file(join(records_path(), "one")), "first");

  auto modified = records.modified("one");
  ASSERT_TRUE(modified) << to_string(modified.error());
  const auto after = std::chrono::system_clock::now() + std::chrono::seconds(5);
  const auto nanoseconds = [](std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  };
  EXPECT_GT(*modified, nanoseconds(before));
  EXPECT_LT(*modified, nanoseconds(after));

  // A second write replaces the record whole.
  ASSERT_TRUE(records.write("one", "second, longer"));
  EXPECT_EQ(records.read("one", 1000).value_or("?"), "second, longer");

  ASSERT_TRUE(records.remove("one"));
  EXPECT_EQ(records.names().value(), std::vector<std::string>{"two"});
  for (const auto& error : {records.read("one", 1000).error(), records.remove("one").error(),
                            records.modified("one").error()}) {
    EXPECT_EQ(error.kind, ErrorKind::not_found) << to_string(error);
    EXPECT_NE(to_string(error).find(join(records_path(), "one")), std::string::npos)
        << to_string(error);
  }
}

TEST_F(Records, AnEmptyRecordIsAFileToo) {
  RecordDirectory records = open_records();
  ASSERT_TRUE(records.write("empty", ""));
  EXPECT_EQ(records.names().value(), std::vector<std::string>{"empty"});
  auto content = records.read("empty", 0);
  ASSERT_TRUE(content) << to_string(content.error());
  EXPECT_EQ(*content, "");
}

// Readers that have a record open (sharing delete, as tmpctl's own handles
// do on Windows) block neither its replacement nor its removal, and go on
// reading what they opened.
#ifdef _WIN32
using Reader = HANDLE;
Reader open_reader(const std::string& path) {
  return CreateFileW(platform::win32::widen(path).value().c_str(), GENERIC_READ,
                     FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr, OPEN_EXISTING,
                     0, nullptr);
}
std::string read_and_close(Reader reader) {
  char buffer[16] = {};
  DWORD got = 0;
  const bool read = ReadFile(reader, buffer, sizeof buffer, &got, nullptr);
  CloseHandle(reader);
  return read ? std::string(buffer, got) : "(read failed)";
}
#else
using Reader = int;
Reader open_reader(const std::string& path) { return ::open(path.c_str(), O_RDONLY | O_CLOEXEC); }
std::string read_and_close(Reader reader) {
  char buffer[16] = {};
  const auto got = ::read(reader, buffer, sizeof buffer);
  ::close(reader);
  return got >= 0 ? std::string(buffer, static_cast<std::size_t>(got)) : "(read failed)";
}
#endif

TEST_F(Records, ARecordOpenElsewhereIsReplacedAndRemoved) {
  RecordDirectory records = open_records();
  ASSERT_TRUE(records.write("open", "old"));
  const std::string path = join(records_path(), "open");
  const Reader old_reader = open_reader(path);
  auto replaced = records.write("open", "new");
  ASSERT_TRUE(replaced) << to_string(replaced.error());
  EXPECT_EQ(records.read("open", 100).value_or("?"), "new");
  const Reader new_reader = open_reader(path);
  auto removed = records.remove("open");
  EXPECT_TRUE(removed) << to_string(removed.error());
  EXPECT_EQ(read_and_close(old_reader), "old");
  EXPECT_EQ(read_and_close(new_reader), "new");
  EXPECT_TRUE(records.names().value().empty());
}

TEST_F(Records, WritingLeavesNoPartialFileBehind) {
  RecordDirectory records = open_records();
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(records.write("r" + std::to_string(i % 4), "x"));
  EXPECT_EQ(test::list_directory(records_path()),
            (std::vector<std::string>{"r0", "r1", "r2", "r3"}));
}

TEST_F(Records, AFailedWriteRemovesItsPartialFile) {
  RecordDirectory records = open_records();
  // A directory by that name: the rename onto it fails.
  fs::create_directory(fs_path(join(records_path(), "taken")));
  auto written = records.write("taken", "x");
  ASSERT_FALSE(written);
  EXPECT_NE(to_string(written.error()).find(join(records_path(), "taken")), std::string::npos)
      << to_string(written.error());
  EXPECT_EQ(records.names().value(), std::vector<std::string>{"taken"});
}

TEST_F(Records, ReadRefusesMoreThanTheLimitAndWhatIsNotAFile) {
  RecordDirectory records = open_records();
  ASSERT_TRUE(records.write("hundred", std::string(100, 'h')));
  EXPECT_EQ(records.read("hundred", 100).value_or("").size(), 100u);
  auto over = records.read("hundred", 99);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().kind, ErrorKind::invalid_argument) << to_string(over.error());

  fs::create_directory(fs_path(join(records_path(), "directory")));
  auto directory = records.read("directory", 100);
  ASSERT_FALSE(directory);
  EXPECT_EQ(directory.error().kind, ErrorKind::invalid_argument) << to_string(directory.error());
#ifndef _WIN32
  fs::create_symlink(fs_path(join(records_path(), "hundred")),
                     fs_path(join(records_path(), "link")));
  auto link = records.read("link", 100);
  ASSERT_FALSE(link);
  EXPECT_EQ(link.error().kind, ErrorKind::invalid_argument) << to_string(link.error());
#endif
  auto missing = records.read("missing", 100);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::not_found) << to_string(missing.error());
}

TEST_F(Records, NamesThatAreNotOneEntryAreRefused) {
  RecordDirectory records = open_records();
  write_file(join(scratch(), "outside"), "secret");
  for (const std::string name : {"", ".", "..", "../outside", "a/b"}) {
    for (const auto& error : {records.write(name, "x").error(), records.read(name, 100).error(),
                              records.remove(name).error(), records.modified(name).error()})
      EXPECT_EQ(error.kind, ErrorKind::invalid_argument)
          << "'" << name << "': " << to_string(error);
  }
  EXPECT_TRUE(exists(join(scratch(), "outside")));
  EXPECT_TRUE(records.names().value().empty());
}

TEST_F(Records, ConcurrentWritersLoseNothingAndReadersSeeWholeRecords) {
  RecordDirectory records = open_records();
  constexpr int threads = 8;
  constexpr int per_thread = 200;
  // Each record holds its own name, repeated to a size that differs by name.
  const auto content_of = [](const std::string& name, int i) {
    std::string content;
    while (content.size() < 64 + static_cast<std::size_t>(i % 7) * 700) content += name + ";";
    return content;
  };
  std::atomic<int> failures{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        const std::string name = "t" + std::to_string(t) + "-" + std::to_string(i);
        if (!records.write(name, content_of(name, i))) ++failures;
        // Meanwhile, a record of another thread: whole, or not there yet.
        const std::string other = "t" + std::to_string((t + 1) % threads) + "-" + std::to_string(i);
        auto read = records.read(other, 1 << 20);
        if (read ? *read != content_of(other, i) : read.error().kind != ErrorKind::not_found)
          ++failures;
      }
    });
  }
  for (std::thread& worker : workers) worker.join();
  EXPECT_EQ(failures.load(), 0);
  const std::vector<std::string> names = records.names().value();
  EXPECT_EQ(names.size(), std::size_t{threads * per_thread});
  for (int t = 0; t < threads; ++t) {
    for (int i = 0; i < per_thread; ++i) {
      const std::string name = "t" + std::to_string(t) + "-" + std::to_string(i);
      EXPECT_EQ(records.read(name, 1 << 20).value_or("?"), content_of(name, i)) << name;
    }
  }
}

TEST_F(Records, APartialFileLeftByACrashIsListedAndHarmsNoOtherRecord) {
  RecordDirectory records = open_records();
  ASSERT_TRUE(records.write("y", "whole"));
  write_file(join(records_path(), ".x.partial"), "half a rec");
  EXPECT_EQ(sorted(records.names().value()), (std::vector<std::string>{".x.partial", "y"}));
  EXPECT_EQ(records.read("y", 100).value_or("?"), "whole");
  ASSERT_TRUE(records.write("z", "also whole"));
  EXPECT_EQ(records.read("z", 100).value_or("?"), "also whole");
  // The record whose partial file is left cannot be written until that goes.
  auto blocked = records.write("x", "new");
  ASSERT_FALSE(blocked);
  EXPECT_EQ(blocked.error().kind, ErrorKind::already_exists) << to_string(blocked.error());
  EXPECT_EQ(records.read(".x.partial", 100).value_or("?"), "half a rec");
  ASSERT_TRUE(records.remove(".x.partial"));
  ASSERT_TRUE(records.write("x", "new"));
  EXPECT_EQ(sorted(records.names().value()), (std::vector<std::string>{"x", "y", "z"}));
}

// --- processes ---

TEST(RecordsProcess, ThisProcessIsItselfAndAlive) {
  const ProcessIdentity self = platform::current_process();
  EXPECT_EQ(self.pid, own_pid());
  EXPECT_NE(self.start_time, 0u);
  EXPECT_EQ(platform::current_process(), self);
  EXPECT_EQ(platform::process_with_pid(self.pid).value_or(ProcessIdentity{}), self);
  EXPECT_EQ(state_of(self), ProcessState::alive);
  EXPECT_EQ(state_of({self.pid, self.start_time + 1}), ProcessState::gone);
  EXPECT_EQ(state_of({self.pid, self.start_time - 1}), ProcessState::gone);
  EXPECT_EQ(state_of({self.pid, 0}), ProcessState::unknown);
}

TEST(RecordsProcess, ThisProcessStartedWhenHolderDiscoverySaysItDid) {
  auto scratch = TempDirectory::create({.prefix = "tmpctl-test."});
  ASSERT_TRUE(scratch);
  auto file = TempFile::create({.directory = scratch->path()});
  ASSERT_TRUE(file && file->is_open());
  const std::vector<std::string> paths{file->path()};
  auto report = find_holders(paths);
  ASSERT_TRUE(report) << to_string(report.error());
  const auto& holders = report->holders.at(0);
  const auto self = std::ranges::find(holders, own_pid(), &Holder::pid);
  ASSERT_NE(self, holders.end()) << "this process does not hold its own file";
  EXPECT_EQ(self->start_time, platform::current_process().start_time);
}

TEST(RecordsProcess, ANumberNoProcessHasIsNotFoundAndGone) {
  // Above any pid_max on Linux; not a multiple of 4, which Windows pids are.
  constexpr std::uint32_t unused = 0x7FFFFFF1;
  auto process = platform::process_with_pid(unused);
  ASSERT_FALSE(process);
  EXPECT_EQ(process.error().kind, ErrorKind::not_found) << to_string(process.error());
  EXPECT_EQ(state_of({unused, 12345}), ProcessState::gone);
  EXPECT_FALSE(platform::process_with_pid(0));
  EXPECT_EQ(state_of({0, 12345}), ProcessState::gone);
}

class RecordsChild : public test::ScratchDirectoryTest {};

TEST_F(RecordsChild, AChildIsAliveWhileItRunsAndGoneOnceItExited) {
  const std::string held = join(scratch(), "held");
  write_file(held, "x");
  ProcessIdentity child;
  {
    test::HeldFile holder(held, scratch());
    auto found = platform::process_with_pid(holder.pid());
    ASSERT_TRUE(found) << to_string(found.error());
    child = *found;
    EXPECT_EQ(child.pid, holder.pid());
    EXPECT_GE(child.start_time, platform::current_process().start_time);
    EXPECT_EQ(state_of(child), ProcessState::alive);
    holder.release();  // exits and is waited for
  }
  EXPECT_EQ(state_of(child), ProcessState::gone);
  EXPECT_FALSE(platform::process_with_pid(child.pid)) << "pid " << child.pid << " reused at once?";
}

TEST_F(RecordsChild, AChildThatExitedIsGoneBeforeItIsWaitedFor) {
  const std::string held = join(scratch(), "held");
  const std::string ready = join(scratch(), "ready");
  write_file(held, "x");
  auto child = test::ChildProcess::start({test::helper_path("hold_file"), held, ready},
                                         join(scratch(), "out"), join(scratch(), "err"));
  ASSERT_NE(child.pid(), 0u);
  for (int i = 0; i < 3000 && test::read_file(ready).empty(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  auto identity = platform::process_with_pid(child.pid());
  ASSERT_TRUE(identity) << to_string(identity.error());
  EXPECT_EQ(state_of(*identity), ProcessState::alive);
  // Removing its marker makes it exit; nobody waits for it yet (on Linux it
  // stays a zombie, on Windows our handle keeps the process object).
  fs::remove(fs_path(ready));
  auto state = ProcessState::alive;
  for (int i = 0; i < 3000 && state == ProcessState::alive; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    state = state_of(*identity);
  }
  EXPECT_EQ(state, ProcessState::gone);
  EXPECT_FALSE(platform::process_with_pid(child.pid()));
  EXPECT_EQ(child.wait(), 0);
}

// The test runs itself as a child, which finds this process as its parent.
TEST(RecordsProcess, TheParentIsTheProcessThatStartedThisOne) {
  constexpr const char* variable = "TMPCTL_TEST_EXPECTED_PARENT";
  if (const char* expected = std::getenv(variable)) {  // the child
    auto parent = parent_process();
    ASSERT_TRUE(parent) << to_string(parent.error());
    EXPECT_EQ(std::to_string(parent->pid) + ":" + std::to_string(parent->start_time), expected);
    return;
  }
  const ProcessIdentity self = platform::current_process();
  const std::string identity = std::to_string(self.pid) + ":" + std::to_string(self.start_time);
  test::ScopedEnvironment expected(variable, identity.c_str());
  const auto child =
      test::run_process({test::helper_path("unit_tests"),
                         "--gtest_filter=RecordsProcess.TheParentIsTheProcessThatStartedThisOne"});
  EXPECT_EQ(child.exit_code, 0) << child.out << child.err;
  EXPECT_NE(child.out.find("[  PASSED  ] 1 test"), std::string::npos) << child.out;
#ifndef _WIN32
  // And this process's own parent (under Wine, a program started from Linux
  // has none: pid 0).
  auto parent = parent_process();
  ASSERT_TRUE(parent) << to_string(parent.error());
  const ProcessIdentity direct =
      platform::process_with_pid(static_cast<std::uint32_t>(::getppid())).value();
  EXPECT_EQ(*parent, (ProcessRef{direct.pid, direct.start_time}));
  EXPECT_EQ(process_state(*parent), ProcessState::alive);
#endif
}

}  // namespace
}  // namespace tmpctl
