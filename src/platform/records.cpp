// The part of platform/records.hpp every backend shares: judging a process
// by its pid and start time, whatever the OS told of them.

#include "platform/records.hpp"

namespace tmpctl::platform {

std::expected<ProcessIdentity, Error> parent_process() {
  const std::uint32_t pid = parent_pid();
  auto parent = process_with_pid(pid);
  if (!parent) return parent;
  // A parent cannot start after its child: that is a later process under a
  // reused pid.
  const ProcessIdentity self = current_process();
  if (parent->start_time != 0 && self.start_time != 0 && parent->start_time > self.start_time)
    return std::unexpected(Error::invalid(ErrorKind::not_found, "find the parent process",
                                          std::to_string(pid),
                                          "that pid belongs to a process started after this one"));
  return parent;
}

ProcessState process_state(const ProcessIdentity& process) {
  auto now = process_with_pid(process.pid);
  if (!now) return ProcessState::gone;
  if (process.start_time == 0 || now->start_time == 0) return ProcessState::unknown;
  return now->start_time == process.start_time ? ProcessState::alive : ProcessState::gone;
}

}  // namespace tmpctl::platform
