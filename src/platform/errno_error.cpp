// errno numbers, names and texts. Shared by every backend: the C library sets
// errno on Windows too (stdio, the CRT's _wsopen_s).

#include <cerrno>
#include <cstring>

#include "platform/platform.hpp"

namespace tmpctl::platform {
namespace {

// strerror_r comes in a GNU flavour (returns char*) and an XSI one (returns
// int); these overloads take whichever the C library declares.
[[maybe_unused]] const char* strerror_result(int status, const char* buffer) {
  return status == 0 ? buffer : "Unknown error";
}
[[maybe_unused]] const char* strerror_result(const char* text, const char*) { return text; }

std::string describe_errno(int errno_value) {
  char buffer[256] = {};
#ifdef _WIN32
  if (strerror_s(buffer, sizeof buffer, errno_value) != 0) return "Unknown error";
  return buffer;
#else
  return strerror_result(strerror_r(errno_value, buffer, sizeof buffer), buffer);
#endif
}

}  // namespace

ErrorKind errno_kind(int errno_value) noexcept {
  switch (errno_value) {
    case ENOENT: return ErrorKind::not_found;
    case EEXIST: return ErrorKind::already_exists;
    case EACCES:
    case EPERM: return ErrorKind::permission_denied;
    case EBUSY:
#ifdef ETXTBSY
    case ETXTBSY:
#endif
      return ErrorKind::in_use;
    case ENOTDIR: return ErrorKind::not_a_directory;
    case EISDIR: return ErrorKind::is_a_directory;
    case ENOTEMPTY: return ErrorKind::directory_not_empty;
    case EROFS: return ErrorKind::read_only_filesystem;
    case ENOSPC:
#ifdef EDQUOT
    case EDQUOT:
#endif
      return ErrorKind::no_space;
    case ENAMETOOLONG: return ErrorKind::name_too_long;
    default: return ErrorKind::other;
  }
}

std::string_view errno_name(int errno_value) noexcept {
  switch (errno_value) {
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case EINTR: return "EINTR";
    case EIO: return "EIO";
    case EBADF: return "EBADF";
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case EACCES: return "EACCES";
    case EFAULT: return "EFAULT";
    case EBUSY: return "EBUSY";
    case EEXIST: return "EEXIST";
    case EXDEV: return "EXDEV";
    case ENODEV: return "ENODEV";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case EINVAL: return "EINVAL";
    case ENFILE: return "ENFILE";
    case EMFILE: return "EMFILE";
    case EFBIG: return "EFBIG";
    case ENOSPC: return "ENOSPC";
    case ESPIPE: return "ESPIPE";
    case EROFS: return "EROFS";
    case EMLINK: return "EMLINK";
    case EPIPE: return "EPIPE";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case ENOTEMPTY: return "ENOTEMPTY";
    case ENOSYS: return "ENOSYS";
#ifdef ETXTBSY
    case ETXTBSY: return "ETXTBSY";
#endif
#ifdef ELOOP
    case ELOOP: return "ELOOP";
#endif
#ifdef EDQUOT
    case EDQUOT: return "EDQUOT";
#endif
#ifdef EOVERFLOW
    case EOVERFLOW: return "EOVERFLOW";
#endif
    default: return {};
  }
}

Error errno_error(int errno_value, std::string operation, std::string path) {
  return Error{errno_kind(errno_value), std::move(operation), std::move(path),
               ErrorDomain::posix,      errno_value,          describe_errno(errno_value)};
}

}  // namespace tmpctl::platform
