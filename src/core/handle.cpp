#include <cstdint>
#include <tmpctl/handle.hpp>
#include <utility>

#include "platform/platform.hpp"

namespace tmpctl {

NativeHandle invalid_native_handle() noexcept {
#ifdef _WIN32
  return reinterpret_cast<NativeHandle>(static_cast<std::intptr_t>(-1));  // INVALID_HANDLE_VALUE
#else
  return -1;
#endif
}

Handle& Handle::operator=(Handle&& other) noexcept {
  if (this != &other) {
    (void)close();
    native_ = other.release();
  }
  return *this;
}

Handle::~Handle() { (void)close(); }

NativeHandle Handle::release() noexcept { return std::exchange(native_, invalid_native_handle()); }

std::expected<void, Error> Handle::close() noexcept {
  if (!valid()) return {};
  return platform::close_handle(release());
}

}  // namespace tmpctl
