#pragma once
/// \file
/// A move-only owner of one native file handle.

#include <expected>
#include <tmpctl/error.hpp>

namespace tmpctl {

#ifdef _WIN32
using NativeHandle = void*;  ///< a Win32 HANDLE
#else
using NativeHandle = int;  ///< a file descriptor
#endif

/// The value a Handle holds when it owns nothing (-1 / INVALID_HANDLE_VALUE).
NativeHandle invalid_native_handle() noexcept;

/// Owns a native handle and closes it exactly once.
///
/// Closing is explicit: close() reports what the OS said. The destructor
/// closes a handle that is still open and ignores errors, because a
/// destructor has no way to report them.
class Handle {
public:
  Handle() noexcept = default;
  explicit Handle(NativeHandle native) noexcept : native_(native) {}
  Handle(Handle&& other) noexcept : native_(other.release()) {}
  Handle& operator=(Handle&& other) noexcept;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle();

  bool valid() const noexcept { return native_ != invalid_native_handle(); }
  NativeHandle get() const noexcept { return native_; }

  /// Gives the handle to the caller, who must close it; this object is left invalid.
  NativeHandle release() noexcept;

  /// Closes the handle. Closing an invalid handle succeeds and does nothing.
  /// The handle is invalid afterwards even when the OS reports an error
  /// (POSIX close() frees the descriptor in every case).
  std::expected<void, Error> close() noexcept;

private:
  NativeHandle native_ = invalid_native_handle();
};

}  // namespace tmpctl
