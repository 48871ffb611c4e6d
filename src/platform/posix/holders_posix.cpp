// Holder discovery on POSIX: to be written (issue 3).
#include "platform/holders.hpp"

namespace tmpctl::platform {

std::expected<HolderReport, Error> find_holders(std::span<const std::string> paths) {
  HolderReport report;
  report.holders.resize(paths.size());
  report.complete = false;
  report.method = "none";
  report.notes.push_back("holder discovery is not implemented yet");
  return report;
}

}  // namespace tmpctl::platform
