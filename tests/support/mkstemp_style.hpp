#pragma once
// Opening a file the way Python's tempfile.mkstemp and os.open do: on Windows
// through the CRT's _wsopen_s, which shares READ|WRITE but never DELETE, so
// that any delete fails with ERROR_SHARING_VIOLATION (32) until it closes.

#include <string>

#ifdef _WIN32
#include <fcntl.h>
#include <io.h>
#include <share.h>
#include <sys/stat.h>

#include "platform/win32/unicode.hpp"
#else
#include <fcntl.h>
#include <unistd.h>
#endif

namespace tmpctl::test {

/// Opens (creating if needed) `path` read-write; returns the descriptor, or -1.
inline int open_like_mkstemp(const std::string& path) {
#ifdef _WIN32
  int fd = -1;
  auto wide = platform::win32::widen(path);
  if (!wide || _wsopen_s(&fd, wide->c_str(), _O_RDWR | _O_CREAT | _O_BINARY, _SH_DENYNO,
                         _S_IREAD | _S_IWRITE) != 0)
    return -1;
  return fd;
#else
  return ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
#endif
}

inline void close_descriptor(int fd) {
#ifdef _WIN32
  _close(fd);
#else
  ::close(fd);
#endif
}

}  // namespace tmpctl::test
