// What makes tmpctl's Windows files different, checked on the real Win32 API
// (under Wine on Linux): DELETE sharing, non-inheritable handles, Unicode
// names and paths beyond MAX_PATH.

#include <windows.h>
#include <aclapi.h>
#include <fcntl.h>
#include <sddl.h>
#include <io.h>
#include <share.h>
#include <sys/stat.h>

#include <gtest/gtest.h>
#include <tmpctl/tmpctl.hpp>

#include "platform/win32/unicode.hpp"
#include "support/scratch_test.hpp"
#include "support/mkstemp_style.hpp"
#include "support/test_paths.hpp"

namespace tmpctl {
namespace {

using platform::win32::widen;
using test::join;

std::wstring extended(const std::string& path) { return L"\\\\?\\" + widen(path).value(); }

bool exists(const std::string& path) {
  return GetFileAttributesW(extended(path).c_str()) != INVALID_FILE_ATTRIBUTES;
}

class WindowsSemantics : public test::ScratchDirectoryTest {};

// The control: a handle opened the way Python's mkstemp opens (the CRT's
// _wsopen_s shares READ|WRITE, never DELETE) makes DeleteFileW fail with 32.
// This proves the environment enforces share modes, so the next test means
// something.
TEST_F(WindowsSemantics, AMkstempStyleHandleBlocksDeleteWithSharingViolation) {
  const std::string path = join(scratch(), "mkstemp-style");
  const int fd = test::open_like_mkstemp(path);
  ASSERT_GE(fd, 0);
  EXPECT_FALSE(DeleteFileW(widen(path)->c_str()));
  EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_SHARING_VIOLATION));
  _close(fd);
  EXPECT_TRUE(DeleteFileW(widen(path)->c_str()));
}

TEST_F(WindowsSemantics, AnOpenTmpctlHandleDoesNotBlockSomeoneElsesDelete) {
  auto file = TempFile::create({.directory = scratch()});
  ASSERT_TRUE(file) << to_string(file.error());
  ASSERT_TRUE(file->is_open());
  EXPECT_TRUE(DeleteFileW(widen(file->path())->c_str())) << "WinError " << GetLastError();
  ASSERT_TRUE(file->close());
  EXPECT_FALSE(exists(file->path()));
  EXPECT_TRUE(file->discard());  // already gone counts as discarded
}

// The DACL as SDDL ACE strings, e.g. {"(A;;FA;;;SY)", ...}.
std::vector<std::wstring> access_entries(const std::string& path) {
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  PACL dacl = nullptr;
  if (GetNamedSecurityInfoW(extended(path).c_str(), SE_FILE_OBJECT, DACL_SECURITY_INFORMATION,
                            nullptr, nullptr, &dacl, nullptr, &descriptor) != ERROR_SUCCESS)
    return {};
  wchar_t* sddl = nullptr;
  ConvertSecurityDescriptorToStringSecurityDescriptorW(descriptor, SDDL_REVISION_1,
                                                       DACL_SECURITY_INFORMATION, &sddl, nullptr);
  LocalFree(descriptor);
  std::vector<std::wstring> entries;
  const std::wstring text = sddl ? sddl : L"";
  LocalFree(sddl);
  for (std::size_t open = text.find(L'('); open != std::wstring::npos;
       open = text.find(L'(', open + 1))
    entries.push_back(text.substr(open, text.find(L')', open) - open + 1));
  return entries;
}

std::wstring current_user_sid() {
  HANDLE token = nullptr;
  OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token);
  BYTE buffer[256];
  DWORD size = 0;
  GetTokenInformation(token, TokenUser, buffer, sizeof buffer, &size);
  CloseHandle(token);
  wchar_t* sid = nullptr;
  ConvertSidToStringSidW(reinterpret_cast<TOKEN_USER*>(buffer)->User.Sid, &sid);
  std::wstring text = sid;
  LocalFree(sid);
  return text;
}

// The Windows counterpart of 0600/0700: only the user and SYSTEM. (Without
// tmpctl's ACL, Wine gives a new file an extra Everyone: read entry.)
TEST_F(WindowsSemantics, EntriesAreOwnerOnly) {
  const std::wstring user = current_user_sid();
  auto file = TempFile::create({.directory = scratch()});
  auto dir = TempDirectory::create({.directory = scratch()});
  ASSERT_TRUE(file && dir);
  for (const std::string& path : {file->path(), dir->path()}) {
    const auto entries = access_entries(path);
    EXPECT_EQ(entries.size(), 2u) << path;
    for (const std::wstring& entry : entries) {
      // Set on the entry itself, not inherited from the directory (ID flag).
      EXPECT_EQ(entry.find(L"ID;"), std::wstring::npos) << platform::win32::narrow(entry);
      const bool user_or_system =
          entry.ends_with(L";;;" + user + L")") || entry.ends_with(L";;;SY)");
      EXPECT_TRUE(user_or_system) << path << ": " << platform::win32::narrow(entry);
      EXPECT_NE(entry.find(L";FA;"), std::wstring::npos) << platform::win32::narrow(entry);
    }
  }
}

TEST_F(WindowsSemantics, HandlesAreNotInheritable) {
  auto file = TempFile::create({.directory = scratch()});
  ASSERT_TRUE(file);
  DWORD flags = 0;
  ASSERT_TRUE(GetHandleInformation(file->handle(), &flags));
  EXPECT_EQ(flags & HANDLE_FLAG_INHERIT, 0u);
}

TEST_F(WindowsSemantics, NonAsciiNamesRoundTripThroughUtf16) {
  const std::string prefix =
      "\xC3\xA9t\xC3\xA9-\xE2\x82\xAC-\xE6\x97\xA5\xE6\x9C\xAC.";  // été-€-日本.
  auto file = TempFile::create({.directory = scratch(), .prefix = prefix});
  ASSERT_TRUE(file) << to_string(file.error());
  WIN32_FIND_DATAW found;
  const HANDLE find = FindFirstFileW((*widen(scratch()) + L"\\*").c_str(), &found);
  ASSERT_NE(find, INVALID_HANDLE_VALUE);
  std::wstring listed;
  do {
    if (found.cFileName[0] != L'.') listed = found.cFileName;
  } while (FindNextFileW(find, &found));
  FindClose(find);
  EXPECT_EQ(listed, *widen(test::base_name(file->path())));
  EXPECT_TRUE(listed.starts_with(L"\u00e9t\u00e9-\u20ac-\u65e5\u672c."));
}

TEST_F(WindowsSemantics, PathsLongerThanMaxPathWork) {
  // Nest temp directories until the path is well past MAX_PATH (260).
  std::vector<TempDirectory> chain;
  std::string deepest = scratch();
  while (deepest.size() < 400) {
    auto dir = TempDirectory::create({.directory = deepest, .prefix = "deep-directory-level."});
    ASSERT_TRUE(dir) << to_string(dir.error());
    deepest = dir->path();
    dir->keep();  // the scratch directory's discard removes the whole tree
  }
  auto file = TempFile::create({.directory = deepest, .suffix = ".txt"});
  ASSERT_TRUE(file) << to_string(file.error());
  EXPECT_GT(file->path().size(), static_cast<std::size_t>(MAX_PATH));
  EXPECT_EQ(file->path().find("\\\\?\\"), std::string::npos);  // shown as users write paths
  DWORD written = 0;
  ASSERT_TRUE(WriteFile(file->handle(), "long", 4, &written, nullptr));
  ASSERT_TRUE(file->keep());
  EXPECT_TRUE(exists(file->path()));

  ASSERT_TRUE(scratch_->discard());
  EXPECT_FALSE(exists(scratch()));
}

TEST_F(WindowsSemantics, DiscardClearsReadOnlyFilesInsideATempDirectory) {
  auto dir = TempDirectory::create({.directory = scratch()});
  ASSERT_TRUE(dir);
  const std::wstring file = *widen(join(dir->path(), "read-only.pack"));
  const HANDLE handle = CreateFileW(file.c_str(), GENERIC_WRITE, 0, nullptr, CREATE_NEW,
                                    FILE_ATTRIBUTE_READONLY, nullptr);
  ASSERT_NE(handle, INVALID_HANDLE_VALUE);
  CloseHandle(handle);
  ASSERT_TRUE(dir->discard());
  EXPECT_FALSE(exists(dir->path()));
}

// FILE_FLAG_DELETE_ON_CLOSE deletes when the last handle closes, so a second
// handle (opened sharing DELETE, as it must be) keeps the file alive.
TEST_F(WindowsSemantics, DeleteOnCloseDeletesWhenTheLastHandleCloses) {
  auto file = TempFile::create({.directory = scratch(), .delete_on_close = true});
  ASSERT_TRUE(file) << to_string(file.error());
  const HANDLE second = CreateFileW(extended(file->path()).c_str(), GENERIC_READ,
                                    FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                                    OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
  ASSERT_NE(second, INVALID_HANDLE_VALUE) << "WinError " << GetLastError();
  ASSERT_TRUE(file->close());
  const HANDLE third = CreateFileW(extended(file->path()).c_str(), GENERIC_READ,
                                   FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                                   OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
  // Windows refuses new opens of a delete-pending file (5); Wine allows them.
  if (third != INVALID_HANDLE_VALUE) CloseHandle(third);
  CloseHandle(second);
  EXPECT_FALSE(exists(file->path()));
}

}  // namespace
}  // namespace tmpctl
