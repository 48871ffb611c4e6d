// A command's process tree on Windows: a Job Object. run_command() creates
// the command suspended and assigns it before it runs, so every process it
// starts is in the job from its first instruction, and none may break away
// (no JOB_OBJECT_LIMIT_BREAKAWAY_OK). With end_with_tmpctl the job has
// JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE: closing it, even by tmpctl being
// killed, ends everything in it.

#include <windows.h>

#include <unordered_map>
#include <vector>

#include "platform/platform.hpp"
#include "platform/process_tree.hpp"
#include "platform/win32/win32_util.hpp"

namespace tmpctl::platform {

struct ProcessTree::State {
  win32::OwnedHandle job;
  std::uint32_t command = 0;
};

ProcessTree::ProcessTree(std::unique_ptr<State> state) : state_(std::move(state)) {}
ProcessTree::ProcessTree(ProcessTree&&) noexcept = default;
ProcessTree& ProcessTree::operator=(ProcessTree&&) noexcept = default;
ProcessTree::~ProcessTree() = default;

std::expected<ProcessTree, Error> ProcessTree::create(const ProcessTreeOptions& options) {
  auto state = std::make_unique<State>();
  state->job = win32::OwnedHandle(CreateJobObjectW(nullptr, nullptr));
  if (!state->job) return std::unexpected(os_error(win32::last_error(), "create job object", ""));
  if (options.end_with_tmpctl) {
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits{};
    limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
    if (!SetInformationJobObject(state->job.get(), JobObjectExtendedLimitInformation, &limits,
                                 sizeof limits))
      return std::unexpected(os_error(win32::last_error(), "set limits of job object", ""));
  }
  return ProcessTree(std::move(state));
}

std::string ProcessTree::mechanism() const { return "job object"; }

std::vector<std::string> ProcessTree::notes() const { return {}; }

bool ProcessTree::new_group() const { return false; }

std::expected<void, Error> ProcessTree::adopt(std::uint32_t pid, void* process) {
  if (!AssignProcessToJobObject(state_->job.get(), static_cast<HANDLE>(process)))
    return std::unexpected(os_error(win32::last_error(), "put the command in job object", ""));
  state_->command = pid;
  return {};
}

std::uint32_t ProcessTree::command() const { return state_->command; }

void ProcessTree::reap() {}

std::expected<std::vector<ProcessEntry>, Error> ProcessTree::members() const {
  // The list of the processes in the job now: room for more until it fits.
  std::vector<std::uint32_t> pids;
  for (DWORD room = 64;; room *= 4) {
    std::vector<unsigned char> buffer(sizeof(JOBOBJECT_BASIC_PROCESS_ID_LIST) +
                                      room * sizeof(ULONG_PTR));
    auto* list = reinterpret_cast<JOBOBJECT_BASIC_PROCESS_ID_LIST*>(buffer.data());
    if (QueryInformationJobObject(state_->job.get(), JobObjectBasicProcessIdList, list,
                                  static_cast<DWORD>(buffer.size()), nullptr) ||
        GetLastError() == ERROR_MORE_DATA) {
      if (list->NumberOfAssignedProcesses > list->NumberOfProcessIdsInList && room < 65536)
        continue;
      for (DWORD i = 0; i < list->NumberOfProcessIdsInList; ++i)
        pids.push_back(static_cast<std::uint32_t>(list->ProcessIdList[i]));
      break;
    }
    return std::unexpected(os_error(win32::last_error(), "list the processes of job object", ""));
  }
  // The list is pids only, and a pid is reused as soon as its process is
  // gone: each is opened, asked whether it is in the job and still running,
  // and its start time read through that same handle. An entry of the
  // listing below with another start time is another process, never ours.
  std::unordered_map<std::uint32_t, std::uint64_t> started;
  for (const std::uint32_t pid : pids) {
    // PROCESS_QUERY_INFORMATION first: Wine 8.0's IsProcessInJob refuses the
    // limited right (ERROR_ACCESS_DENIED), which Windows accepts.
    win32::OwnedHandle process(OpenProcess(PROCESS_QUERY_INFORMATION | SYNCHRONIZE, FALSE, pid));
    if (!process)
      process = win32::OwnedHandle(
          OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION | SYNCHRONIZE, FALSE, pid));
    BOOL in_job = FALSE;
    if (!process || !IsProcessInJob(process.get(), state_->job.get(), &in_job) || !in_job) continue;
    if (WaitForSingleObject(process.get(), 0) == WAIT_OBJECT_0) continue;  // exited
    started[pid] = win32::process_creation_time(process.get());
  }
  if (started.empty()) return std::vector<ProcessEntry>{};
  auto found = list_processes(pids);
  if (!found) return std::unexpected(found.error());
  std::vector<ProcessEntry> running;
  for (ProcessEntry& entry : *found) {
    const auto ours = started.find(entry.pid);
    if (ours != started.end() && ours->second != 0 && ours->second == entry.start_time)
      running.push_back(std::move(entry));
  }
  return running;
}

std::expected<void, Error> ProcessTree::end_all() {
  if (!TerminateJobObject(state_->job.get(), 1))
    return std::unexpected(os_error(win32::last_error(), "end the processes of job object", ""));
  // TerminateJobObject returns before they have all gone.
  for (int i = 0; i < 250; ++i) {
    JOBOBJECT_BASIC_ACCOUNTING_INFORMATION accounting{};
    if (!QueryInformationJobObject(state_->job.get(), JobObjectBasicAccountingInformation,
                                   &accounting, sizeof accounting, nullptr) ||
        accounting.ActiveProcesses == 0)
      break;
    Sleep(20);
  }
  return {};
}

std::optional<std::chrono::milliseconds> running_for(std::uint64_t start_time) {
  if (start_time == 0) return std::nullopt;
  FILETIME now{};
  GetSystemTimeAsFileTime(&now);
  const std::uint64_t current = win32::filetime_value(now);
  if (current < start_time) return std::chrono::milliseconds(0);
  return std::chrono::milliseconds((current - start_time) / 10'000);  // 100 ns units
}

}  // namespace tmpctl::platform
