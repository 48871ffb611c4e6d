// The processes of the system on Windows: a Toolhelp snapshot for the list
// (pid, parent, image), each process opened for its start time and user;
// TerminateProcess to end one, through a handle checked to be the process
// that started at the expected time.

#include <windows.h>
#include <tlhelp32.h>

#include <algorithm>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "platform/platform.hpp"
#include "platform/process_control.hpp"
#include "platform/win32/unicode.hpp"
#include "platform/win32/win32_util.hpp"

namespace tmpctl::platform {
namespace {

using win32::last_error;
using win32::narrow;
using win32::OwnedHandle;

// The token's user of `process`, in a buffer of the size it needs.
std::optional<std::vector<BYTE>> token_user(HANDLE process) {
  HANDLE token = nullptr;
  if (!OpenProcessToken(process, TOKEN_QUERY, &token)) return std::nullopt;
  const OwnedHandle owned(token);
  DWORD size = 0;
  GetTokenInformation(token, TokenUser, nullptr, 0, &size);
  if (size == 0) return std::nullopt;
  std::vector<BYTE> information(size);
  if (!GetTokenInformation(token, TokenUser, information.data(), size, &size)) return std::nullopt;
  return information;
}

PSID sid_of(std::vector<BYTE>& token_user) {
  return reinterpret_cast<TOKEN_USER*>(token_user.data())->User.Sid;
}

// "DOMAIN\name", as Task Manager shows it.
std::string account_name(PSID sid) {
  WCHAR name[256], domain[256];
  DWORD name_size = 256, domain_size = 256;
  SID_NAME_USE use;
  if (!LookupAccountSidW(nullptr, sid, name, &name_size, domain, &domain_size, &use)) return {};
  std::wstring full = domain_size > 0 ? std::wstring(domain) + L"\\" + name : std::wstring(name);
  return narrow(full);
}

// The running services by pid, from the service control manager: what a
// holder found in the handle table runs, when it is a service host.
std::unordered_map<DWORD, std::string> services_by_pid() {
  std::unordered_map<DWORD, std::string> services;
  const SC_HANDLE manager = OpenSCManagerW(nullptr, nullptr, SC_MANAGER_ENUMERATE_SERVICE);
  if (!manager) return services;
  std::vector<BYTE> buffer(64 * 1024);
  DWORD resume = 0;
  for (int round = 0; round < 64; ++round) {
    DWORD needed = 0, count = 0;
    const BOOL done = EnumServicesStatusExW(
        manager, SC_ENUM_PROCESS_INFO, SERVICE_WIN32, SERVICE_ACTIVE, buffer.data(),
        static_cast<DWORD>(buffer.size()), &needed, &count, &resume, nullptr);
    if (!done && GetLastError() != ERROR_MORE_DATA) break;
    const auto* entries = reinterpret_cast<const ENUM_SERVICE_STATUS_PROCESSW*>(buffer.data());
    for (DWORD i = 0; i < count; ++i) {
      const DWORD pid = entries[i].ServiceStatusProcess.dwProcessId;
      if (pid == 0) continue;
      std::string& names = services[pid];
      names += (names.empty() ? "" : ", ") + narrow(entries[i].lpServiceName);
    }
    if (done) break;
    if (needed > buffer.size()) buffer.resize(needed);
  }
  CloseServiceHandle(manager);
  return services;
}

}  // namespace

std::expected<std::vector<ProcessEntry>, Error> list_processes(
    std::span<const std::uint32_t> only) {
  const OwnedHandle snapshot(CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0));
  if (!snapshot)
    return std::unexpected(
        os_error(last_error(), "list processes with", "CreateToolhelp32Snapshot"));
  auto own = win32::own_token_information(TokenUser);
  const PSID own_sid = own ? reinterpret_cast<TOKEN_USER*>(own->data())->User.Sid : nullptr;
  std::vector<ProcessEntry> processes;
  PROCESSENTRY32W item{};
  item.dwSize = sizeof item;
  for (BOOL more = Process32FirstW(snapshot.get(), &item); more;
       more = Process32NextW(snapshot.get(), &item)) {
    if (!only.empty() && std::ranges::find(only, std::uint32_t{item.th32ProcessID}) == only.end())
      continue;
    ProcessEntry entry;
    entry.pid = item.th32ProcessID;
    entry.parent = item.th32ParentProcessID;
    entry.name = narrow(item.szExeFile);
    if (const OwnedHandle process(
            OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, item.th32ProcessID));
        process) {
      entry.start_time = win32::process_creation_time(process.get());
      if (auto user = token_user(process.get())) {
        entry.user = account_name(sid_of(*user));
        entry.same_user = own_sid != nullptr && EqualSid(sid_of(*user), own_sid);
      }
    }
    processes.push_back(std::move(entry));
  }
  if (processes.empty()) return processes;
  for (auto& [pid, names] : services_by_pid())
    for (ProcessEntry& entry : processes)
      if (entry.pid == pid) entry.service = names;
  return processes;
}

ProcessEntry this_process() {
  ProcessEntry self;
  self.pid = GetCurrentProcessId();
  self.start_time = win32::process_creation_time(GetCurrentProcess());
  self.same_user = true;
  if (auto basic = win32::process_basic_information(GetCurrentProcess()))
    self.parent = static_cast<std::uint32_t>(basic->InheritedFromUniqueProcessId);
  return self;
}

bool may_end_other_users_processes() {
  auto elevation = win32::own_token_information(TokenElevation);
  return elevation && elevation->size() >= sizeof(TOKEN_ELEVATION) &&
         reinterpret_cast<const TOKEN_ELEVATION*>(elevation->data())->TokenIsElevated != 0;
}

bool polite_end_exists() { return false; }

std::expected<ProcessHandle, Error> ProcessHandle::open(const ProcessRef& ref) {
  const auto gone = [&] {
    return Error::invalid(ErrorKind::not_found, "end process", std::to_string(ref.pid),
                          "it has exited, or its pid now names another process");
  };
  OwnedHandle process(OpenProcess(
      PROCESS_TERMINATE | SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION, FALSE, ref.pid));
  if (!process) {
    const int error = last_error();
    if (error == ERROR_INVALID_PARAMETER) return std::unexpected(gone());
    return std::unexpected(os_error(error, "open process", std::to_string(ref.pid)));
  }
  // A handle keeps an exited process's pid from being reused, so once
  // opened, the creation time tells for good whether this is the one.
  if (ref.start_time != 0 && win32::process_creation_time(process.get()) != ref.start_time)
    return std::unexpected(gone());
  if (WaitForSingleObject(process.get(), 0) == WAIT_OBJECT_0) return std::unexpected(gone());
  ProcessHandle handle;
  handle.pid_ = ref.pid;
  handle.handle_ = process.release();
  return handle;
}

ProcessHandle::ProcessHandle(ProcessHandle&& other) noexcept
    : pid_(other.pid_), handle_(std::exchange(other.handle_, nullptr)) {}

ProcessHandle& ProcessHandle::operator=(ProcessHandle&& other) noexcept {
  if (this != &other) {
    if (handle_) CloseHandle(handle_);
    pid_ = other.pid_;
    handle_ = std::exchange(other.handle_, nullptr);
  }
  return *this;
}

ProcessHandle::~ProcessHandle() {
  if (handle_) CloseHandle(handle_);
}

std::expected<void, Error> ProcessHandle::end(EndHow) {
  // Exit code 1, as taskkill /F gives.
  if (TerminateProcess(handle_, 1)) return {};
  const int error = last_error();
  if (WaitForSingleObject(handle_, 0) == WAIT_OBJECT_0) return {};  // exited meanwhile
  return std::unexpected(os_error(error, "end process", std::to_string(pid_)));
}

bool ProcessHandle::wait_for_exit(std::chrono::milliseconds timeout) {
  return WaitForSingleObject(handle_, static_cast<DWORD>(timeout.count())) == WAIT_OBJECT_0;
}

}  // namespace tmpctl::platform
