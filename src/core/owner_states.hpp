#pragma once
// The state of records' owners, each looked up once however many records
// name it: what list and cleanup --orphaned ask of every record.

#include <cstdint>
#include <map>
#include <tmpctl/records.hpp>
#include <utility>

namespace tmpctl::core {

class OwnerStates {
public:
  /// alive, gone or unknown; pid 0 (an owner that had exited when the
  /// record was made) is gone.
  ProcessState of(const ProcessRef& owner) {
    auto [known, added] = states_.try_emplace({owner.pid, owner.start_time}, ProcessState::gone);
    if (added && owner.pid != 0) known->second = process_state(owner);
    return known->second;
  }

private:
  std::map<std::pair<std::uint32_t, std::uint64_t>, ProcessState> states_;
};

}  // namespace tmpctl::core
