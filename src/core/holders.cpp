#include <tmpctl/holders.hpp>

#include "platform/holders.hpp"

namespace tmpctl {

std::expected<HolderReport, Error> find_holders(std::span<const std::string> paths) {
  return platform::find_holders(paths);
}

}  // namespace tmpctl
