#pragma once
// UTF-8 <-> UTF-16 and Win32 path forms. tmpctl speaks UTF-8 everywhere; only
// the Windows backend sees wide strings.

#include <expected>
#include <string>
#include <string_view>
#include <tmpctl/error.hpp>

namespace tmpctl::platform::win32 {

/// UTF-8 to UTF-16; invalid UTF-8 is an invalid_argument error naming `what`.
std::expected<std::wstring, Error> widen(std::string_view utf8);
/// UTF-16 to UTF-8; unpaired surrogates become U+FFFD.
std::string narrow(std::wstring_view utf16);

/// The form passed to every wide Win32 call: absolute, backslashes, and the
/// \\?\ prefix, so paths longer than MAX_PATH work without a manifest.
std::expected<std::wstring, Error> native_path(std::string_view utf8);
/// A path as the user gave it, in native form without trailing separators
/// (but "\\?\C:\" keeps its own).
std::expected<std::wstring, Error> trimmed_native_path(const std::string& path);
/// A wide path as users write it: UTF-8, without the \\?\ prefix.
std::string display_path(std::wstring_view native);

}  // namespace tmpctl::platform::win32
