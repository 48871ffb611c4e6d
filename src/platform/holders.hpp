#pragma once
// Finding the processes that hold files: one implementation per backend
// (posix/holders_posix.cpp: /proc on Linux, libproc on macOS;
// win32/holders_win32.cpp: Restart Manager, then the system handle table).

#include <expected>
#include <span>
#include <string>
#include <tmpctl/holders.hpp>

namespace tmpctl::platform {

/// See tmpctl::find_holders.
std::expected<HolderReport, Error> find_holders(std::span<const std::string> paths);

}  // namespace tmpctl::platform
