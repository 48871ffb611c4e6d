#include <windows.h>

#include "platform/environment.hpp"
#include "platform/win32/unicode.hpp"

namespace tmpctl::platform {

std::string environment_variable(const char* name) {
  const std::wstring wide_name = win32::widen(name).value_or(std::wstring());
  std::wstring value(256, L'\0');
  for (;;) {
    const DWORD size =
        GetEnvironmentVariableW(wide_name.c_str(), value.data(), static_cast<DWORD>(value.size()));
    if (size == 0) return "";
    if (size < value.size()) {
      value.resize(size);
      return win32::narrow(value);
    }
    value.resize(size);  // too small: `size` counts the terminator
  }
}

}  // namespace tmpctl::platform
