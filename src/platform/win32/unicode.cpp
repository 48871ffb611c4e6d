#include "platform/win32/unicode.hpp"

#include <windows.h>

#include <climits>

#include "platform/platform.hpp"

namespace tmpctl::platform::win32 {

std::expected<std::wstring, Error> widen(std::string_view utf8) {
  if (utf8.empty()) return std::wstring();
  if (utf8.size() > static_cast<std::size_t>(INT_MAX))
    return std::unexpected(os_error(ERROR_FILENAME_EXCED_RANGE, "convert", std::string(utf8)));
  const int in_size = static_cast<int>(utf8.size());
  const int size =
      MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, utf8.data(), in_size, nullptr, 0);
  if (size == 0)
    return std::unexpected(Error::invalid(ErrorKind::invalid_argument, "use path",
                                          std::string(utf8), "the path is not valid UTF-8"));
  std::wstring wide(static_cast<std::size_t>(size), L'\0');
  MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, utf8.data(), in_size, wide.data(), size);
  return wide;
}

std::string narrow(std::wstring_view utf16) {
  if (utf16.empty()) return std::string();
  const int in_size = static_cast<int>(utf16.size());
  const int size =
      WideCharToMultiByte(CP_UTF8, 0, utf16.data(), in_size, nullptr, 0, nullptr, nullptr);
  std::string out(static_cast<std::size_t>(size), '\0');
  WideCharToMultiByte(CP_UTF8, 0, utf16.data(), in_size, out.data(), size, nullptr, nullptr);
  return out;
}

std::expected<std::wstring, Error> native_path(std::string_view utf8) {
  auto wide = widen(utf8);
  if (!wide) return std::unexpected(wide.error());
  if (wide->starts_with(LR"(\\?\)") || wide->starts_with(LR"(\\.\)")) return wide;

  // GetFullPathNameW makes the path absolute, turns '/' into '\' and folds
  // "." and ".." (as Windows itself would when opening the path).
  std::wstring full(MAX_PATH, L'\0');
  for (;;) {
    const DWORD size =
        GetFullPathNameW(wide->c_str(), static_cast<DWORD>(full.size()), full.data(), nullptr);
    if (size == 0)
      return std::unexpected(
          os_error(static_cast<int>(GetLastError()), "resolve", std::string(utf8)));
    if (size < full.size()) {
      full.resize(size);
      break;
    }
    full.resize(size);
  }
  if (full.starts_with(LR"(\\?\)") || full.starts_with(LR"(\\.\)")) return full;
  if (full.starts_with(LR"(\\)")) return LR"(\\?\UNC\)" + full.substr(2);
  return LR"(\\?\)" + full;
}

std::expected<std::wstring, Error> trimmed_native_path(const std::string& path) {
  auto native = native_path(path);
  if (!native) return std::unexpected(native.error());
  while (native->size() > 7 && native->back() == L'\\') native->pop_back();
  return native;
}

std::string display_path(std::wstring_view native) {
  if (native.starts_with(LR"(\\?\UNC\)")) return narrow(LR"(\\)" + std::wstring(native.substr(8)));
  // Only "\\?\C:\..." has a plain form; "\\?\Volume{...}\" and the like keep the prefix.
  const bool drive =
      native.size() >= 7 && native.starts_with(LR"(\\?\)") && native[5] == L':' &&
      native[6] == L'\\' &&
      ((native[4] >= L'A' && native[4] <= L'Z') || (native[4] >= L'a' && native[4] <= L'z'));
  if (drive) return narrow(native.substr(4));
  return narrow(native);
}

}  // namespace tmpctl::platform::win32
