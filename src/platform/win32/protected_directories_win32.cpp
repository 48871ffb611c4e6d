// The directories cleanup guards on Windows, as the system reports them
// (GetSystemWindowsDirectoryW, known folders, the profiles directory), never
// as the environment says, except the user's own profile.

#include <windows.h>
#include <shlobj.h>

#include <algorithm>
#include <cwchar>
#include <string>
#include <string_view>
#include <vector>

#include "platform/environment.hpp"
#include "platform/protected_directories.hpp"
#include "platform/win32/unicode.hpp"

namespace tmpctl::platform {

namespace {

using win32::narrow;
using win32::native_path;

bool directory_exists(const std::wstring& path) {
  auto native = native_path(narrow(path));
  if (!native) return false;
  const DWORD attributes = GetFileAttributesW(native->c_str());
  return attributes != INVALID_FILE_ATTRIBUTES && (attributes & FILE_ATTRIBUTE_DIRECTORY) != 0;
}

std::vector<std::string> existing_directories(const std::vector<std::wstring>& candidates) {
  std::vector<std::string> directories;
  for (const std::wstring& candidate : candidates) {
    if (candidate.empty() || !directory_exists(candidate)) continue;
    std::string path = narrow(candidate);
    if (std::ranges::find(directories, path) == directories.end())
      directories.push_back(std::move(path));
  }
  return directories;
}

// The Windows directory as the system reports it (C:\Windows), never
// %SystemRoot%: an environment variable must not move a guard.
std::wstring windows_directory() {
  std::wstring path(MAX_PATH, L'\0');
  const UINT size = GetSystemWindowsDirectoryW(path.data(), static_cast<UINT>(path.size()));
  if (size == 0 || size >= path.size()) return {};
  path.resize(size);
  return path;
}

// A known folder (CSIDL_PROGRAM_FILES...) as the system knows it, whatever
// the environment says; empty where it has none. shell32.dll is loaded here,
// from the system directory, and not imported: with user32.dll it was a quarter
// of every start of tmpctl under Wine, and only cleanup needs it.
std::wstring known_folder(int csidl) {
  using GetFolderPath = HRESULT(WINAPI*)(HWND, int, HANDLE, DWORD, LPWSTR);
  static const GetFolderPath get_folder_path = [] {
    const HMODULE shell32 = LoadLibraryExW(L"shell32.dll", nullptr, LOAD_LIBRARY_SEARCH_SYSTEM32);
    const FARPROC proc = shell32 ? GetProcAddress(shell32, "SHGetFolderPathW") : nullptr;
    return reinterpret_cast<GetFolderPath>(reinterpret_cast<void*>(proc));
  }();
  std::wstring path(MAX_PATH, L'\0');
  if (get_folder_path == nullptr ||
      get_folder_path(nullptr, csidl | CSIDL_FLAG_DONT_VERIFY, nullptr, SHGFP_TYPE_CURRENT,
                      path.data()) != S_OK)
    return {};
  path.resize(std::wcslen(path.c_str()));
  return path;
}

std::wstring system_drive() {
  const std::wstring windows = windows_directory();  // "C:\Windows"
  return windows.size() >= 2 && windows[1] == L':' ? windows.substr(0, 2) : std::wstring();
}

}  // namespace

std::vector<std::string> system_directories() {
  return existing_directories({windows_directory(), known_folder(CSIDL_PROGRAM_FILES),
                               known_folder(CSIDL_PROGRAM_FILESX86),
                               known_folder(CSIDL_COMMON_APPDATA)});
}

std::vector<std::string> temp_directories() {
  // Fixed places only: TMP and TEMP may name any directory, and a temp
  // directory lifts the system-directory guard for what lies inside it.
  std::vector<std::wstring> candidates;
  if (const std::wstring local = known_folder(CSIDL_LOCAL_APPDATA); !local.empty())
    candidates.push_back(local + L"\\Temp");
  if (const std::wstring windows = windows_directory(); !windows.empty()) {
    candidates.push_back(windows + L"\\Temp");
    candidates.push_back(windows + L"\\SystemTemp");
  }
  return existing_directories(candidates);
}

std::string home_directory() { return environment_variable("USERPROFILE"); }

std::vector<std::string> user_home_directories() {
  // Every profile lies in the profiles directory (C:\Users): its subdirectories.
  const std::wstring drive = system_drive();
  if (drive.empty()) return {};
  const std::wstring profiles = drive + L"\\Users";
  std::vector<std::wstring> candidates;
  WIN32_FIND_DATAW found;
  const HANDLE search = FindFirstFileW((profiles + L"\\*").c_str(), &found);
  if (search == INVALID_HANDLE_VALUE) return {};
  do {
    const std::wstring_view name = found.cFileName;
    if ((found.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0 && name != L"." && name != L"..")
      candidates.push_back(profiles + L"\\" + found.cFileName);
  } while (FindNextFileW(search, &found));
  FindClose(search);
  return existing_directories(candidates);
}

}  // namespace tmpctl::platform
