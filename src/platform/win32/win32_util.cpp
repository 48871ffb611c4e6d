#include "platform/win32/win32_util.hpp"

#include <optional>

#include "platform/platform.hpp"

namespace tmpctl::platform::win32 {
namespace {

// SetFileInformationByHandle(FileDispositionInfoEx), Windows 10 1607+; not
// every mingw-w64 declares it.
constexpr auto file_disposition_info_ex = static_cast<FILE_INFO_BY_HANDLE_CLASS>(21);
constexpr DWORD disposition_delete = 0x1;
constexpr DWORD disposition_posix_semantics = 0x2;
constexpr DWORD disposition_ignore_readonly = 0x10;

bool unsupported(int code) {
  return code == ERROR_INVALID_PARAMETER || code == ERROR_INVALID_FUNCTION ||
         code == ERROR_NOT_SUPPORTED;
}

// Clears the read-only attribute; the attributes it had when it cleared it,
// else 0 (a read-only file's attributes are never 0).
DWORD clear_read_only_attribute(HANDLE handle, std::vector<std::string>* notes) {
  FILE_BASIC_INFO basic{};  // zero times: leave them as they are
  if (!GetFileInformationByHandleEx(handle, FileBasicInfo, &basic, sizeof basic) ||
      (basic.FileAttributes & FILE_ATTRIBUTE_READONLY) == 0)
    return 0;
  const DWORD had = basic.FileAttributes;
  basic.FileAttributes =
      (basic.FileAttributes & ~DWORD{FILE_ATTRIBUTE_READONLY}) | FILE_ATTRIBUTE_NORMAL;
  if (!SetFileInformationByHandle(handle, FileBasicInfo, &basic, sizeof basic)) return 0;
  if (notes) notes->push_back("cleared the read-only attribute");
  return had;
}

// Attributes belong to the file, not to its name: where the delete failed,
// or where other hard links keep the file, it gets them back.
void restore_attributes(HANDLE handle, DWORD attributes) {
  FILE_BASIC_INFO basic{};
  basic.FileAttributes = attributes;
  (void)SetFileInformationByHandle(handle, FileBasicInfo, &basic, sizeof basic);
}

bool has_other_names(HANDLE handle) {
  BY_HANDLE_FILE_INFORMATION info{};
  return GetFileInformationByHandle(handle, &info) && info.nNumberOfLinks > 1;
}

}  // namespace

std::expected<std::vector<BYTE>, Error> own_token_information(TOKEN_INFORMATION_CLASS kind) {
  HANDLE token = nullptr;
  if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token))
    return std::unexpected(os_error(last_error(), "read the user of", "this process"));
  DWORD size = 0;
  GetTokenInformation(token, kind, nullptr, 0, &size);
  std::vector<BYTE> information(size);
  const BOOL got = GetTokenInformation(token, kind, information.data(), size, &size);
  const int error = last_error();
  CloseHandle(token);
  if (!got) return std::unexpected(os_error(error, "read the user of", "this process"));
  return information;
}

std::wstring quoted_argument(std::wstring_view argument) {
  if (!argument.empty() && argument.find_first_of(L" \t\n\v\"") == std::wstring_view::npos)
    return std::wstring(argument);
  std::wstring quoted = L"\"";
  std::size_t backslashes = 0;
  for (const wchar_t c : argument) {
    if (c == L'\\') {
      ++backslashes;
      continue;
    }
    // Backslashes count only before a quote: 2n + 1 of them give n and the quote.
    quoted.append(c == L'"' ? backslashes * 2 + 1 : backslashes, L'\\');
    backslashes = 0;
    quoted.push_back(c);
  }
  quoted.append(backslashes * 2, L'\\');  // before the closing quote
  quoted.push_back(L'"');
  return quoted;
}

std::vector<std::wstring> split_command_line(std::wstring_view line) {
  std::vector<std::wstring> arguments;
  if (line.empty()) return arguments;
  const auto is_blank = [](wchar_t c) { return c == L' ' || c == L'\t'; };
  std::size_t at = 0;
  std::wstring program;
  if (line[at] == L'"') {
    const std::size_t close = line.find(L'"', at + 1);
    program = line.substr(at + 1, close == std::wstring_view::npos ? close : close - at - 1);
    at = close == std::wstring_view::npos ? line.size() : close + 1;
  } else {
    while (at < line.size() && !is_blank(line[at])) program.push_back(line[at++]);
  }
  arguments.push_back(std::move(program));

  for (;;) {
    while (at < line.size() && is_blank(line[at])) ++at;
    if (at == line.size()) return arguments;
    std::wstring argument;
    int quotes = 0;  // 1 while quoting
    while (at < line.size() && !(quotes == 0 && is_blank(line[at]))) {
      if (line[at] == L'\\') {
        std::size_t backslashes = 0;
        for (; at < line.size() && line[at] == L'\\'; ++at) ++backslashes;
        if (at == line.size() || line[at] != L'"') {
          argument.append(backslashes, L'\\');
          continue;
        }
        argument.append(backslashes / 2, L'\\');
        if (backslashes % 2 == 1) {  // an escaped quote
          argument.push_back(L'"');
          ++at;
        }
      } else if (line[at] == L'"') {
        for (; at < line.size() && line[at] == L'"'; ++at)
          if (++quotes == 3) {
            argument.push_back(L'"');
            quotes = 0;
          }
        if (quotes == 2) quotes = 0;
      } else {
        argument.push_back(line[at++]);
      }
    }
    arguments.push_back(std::move(argument));
  }
}

std::expected<void, Error> delete_by_handle(HANDLE handle, bool clear_read_only,
                                            const std::string& path,
                                            std::vector<std::string>* notes) {
  DWORD posix = disposition_delete | disposition_posix_semantics |
                (clear_read_only ? disposition_ignore_readonly : 0);
  if (SetFileInformationByHandle(handle, file_disposition_info_ex, &posix, sizeof posix)) return {};
  // Fall back whatever the reason: a directory whose children were deleted
  // classically may refuse now (145) and be accepted a moment later.
  if (const int code = last_error(); unsupported(code) && notes)
    notes->push_back("POSIX-semantics delete is not supported here: " +
                     to_string(os_error(code, "", "")) + "; used a classic delete");
  const bool other_names = clear_read_only && has_other_names(handle);
  const DWORD cleared = clear_read_only ? clear_read_only_attribute(handle, notes) : 0;
  FILE_DISPOSITION_INFO classic{TRUE};
  for (DWORD wait_ms = 1;; wait_ms *= 2) {
    if (SetFileInformationByHandle(handle, FileDispositionInfo, &classic, sizeof classic)) {
      if (cleared != 0 && other_names) restore_attributes(handle, cleared);
      return {};
    }
    if (GetLastError() != ERROR_DIR_NOT_EMPTY || wait_ms > 64) {
      const Error error = os_error(last_error(), "remove", path);
      if (cleared != 0) restore_attributes(handle, cleared);
      return std::unexpected(error);
    }
    Sleep(wait_ms);
  }
}

std::optional<PROCESS_BASIC_INFORMATION> process_basic_information(HANDLE process) {
  using NtQueryInformationProcessFn =
      NTSTATUS(NTAPI*)(HANDLE, PROCESSINFOCLASS, PVOID, ULONG, PULONG);
  static const auto query =
      ntdll_function<NtQueryInformationProcessFn>("NtQueryInformationProcess");
  PROCESS_BASIC_INFORMATION basic{};
  if (query == nullptr ||
      query(process, ProcessBasicInformation, &basic, sizeof basic, nullptr) < 0)
    return std::nullopt;
  return basic;
}

}  // namespace tmpctl::platform::win32
