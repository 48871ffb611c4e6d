// Holder discovery on Windows: the Restart Manager first, then the system
// handle table (what handle.exe and PowerToys File Locksmith do) and the
// mapped views of each process. All are asked once for the whole batch.

#include <windows.h>
#include <psapi.h>
#include <restartmanager.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <fmt/format.h>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "platform/holders.hpp"
#include "platform/platform.hpp"
#include "platform/win32/nt_files.hpp"
#include "platform/win32/unicode.hpp"
#include "platform/win32/win32_util.hpp"

namespace tmpctl::platform {
namespace {

using win32::display_path;
using win32::last_error;
using win32::narrow;
using win32::native_path;
using win32::OwnedHandle;
using win32::widen;

// Name queries on pipes can block forever, and so can any query on a
// synchronous handle another thread is blocked in; past this the scan gives
// up and reports what it found.
constexpr auto scan_time_limit = std::chrono::seconds(5);

constexpr char restart_manager_method[] = "Restart Manager";
constexpr char handle_table_method[] = "system handle table";

// What makes two handles refer to the same file, whatever the path used.
// (ReFS needs FileIdInfo's 128-bit ids; NTFS, FAT and Wine fit in 64 bits.)
struct FileId {
  DWORD volume = 0;
  DWORD index_high = 0;
  DWORD index_low = 0;
  bool operator==(const FileId&) const = default;
};

struct FileIdHash {
  std::size_t operator()(const FileId& id) const noexcept {
    return FileIdentityHash{}(
        FileIdentity{id.volume, (std::uint64_t{id.index_high} << 32) | id.index_low});
  }
};

FileId from_identity(const FileIdentity& identity) {
  return FileId{static_cast<DWORD>(identity.device), static_cast<DWORD>(identity.file >> 32),
                static_cast<DWORD>(identity.file & 0xFFFFFFFFu)};
}

std::optional<FileId> file_id(HANDLE file) {
  BY_HANDLE_FILE_INFORMATION info{};
  if (!GetFileInformationByHandle(file, &info)) return std::nullopt;
  return FileId{info.dwVolumeSerialNumber, info.nFileIndexHigh, info.nFileIndexLow};
}

struct Target {
  std::wstring native;       // empty when the path could not be converted
  std::optional<FileId> id;  // empty when it does not exist or cannot be opened
};

// Opens with no access, so no share mode can refuse us and we never block
// anyone's delete; closes at once, so a stalled scan holds nothing.
Target identify(const std::string& path, std::vector<std::string>& notes, bool& complete) {
  Target target;
  auto native = native_path(path);
  if (!native) {
    notes.push_back(fmt::format("'{}' is not a valid path: {}", path, to_string(native.error())));
    return target;
  }
  target.native = std::move(*native);
  OwnedHandle file(CreateFileW(target.native.c_str(), 0, win32::share_all, nullptr, OPEN_EXISTING,
                               FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT, nullptr));
  if (!file) {
    const int code = static_cast<int>(GetLastError());
    if (code == ERROR_FILE_NOT_FOUND || code == ERROR_PATH_NOT_FOUND) return target;
    // ERROR_ACCESS_DENIED here is often a delete-pending file, which by
    // definition someone still holds: do not let the empty list look like proof.
    complete = false;
    notes.push_back(fmt::format("the holders of '{}' are unknown: {}", path,
                                to_string(os_error(code, "open", path))));
    return target;
  }
  target.id = file_id(file.get());
  if (!target.id) {
    complete = false;
    notes.push_back(fmt::format(
        "the holders of '{}' are unknown: {}", path,
        to_string(os_error(static_cast<int>(GetLastError()), "read the identity of", path))));
  }
  return target;
}

std::wstring_view wide_base_name(std::wstring_view path) {
  const auto slash = path.find_last_of(L"\\/");
  return slash == std::wstring_view::npos ? path : path.substr(slash + 1);
}

std::string base_name(std::wstring_view path) { return narrow(wide_base_name(path)); }

// NTFS compares names case-insensitively; good enough for a first filter.
// Upper case as the invariant locale has it, by kernel32 (CharUpperBuffW
// would load user32.dll into every start of tmpctl).
std::wstring folded_base_name(std::wstring_view path) {
  std::wstring name(wide_base_name(path));
  if (!name.empty())
    LCMapStringEx(LOCALE_NAME_INVARIANT, LCMAP_UPPERCASE, name.data(),
                  static_cast<int>(name.size()), name.data(), static_cast<int>(name.size()),
                  nullptr, nullptr, 0);
  return name;
}

std::string image_name(HANDLE process) {
  std::wstring buffer(32768, L'\0');
  DWORD size = static_cast<DWORD>(buffer.size());
  if (!QueryFullProcessImageNameW(process, 0, buffer.data(), &size)) return {};
  buffer.resize(size);
  return base_name(buffer);
}

// Adds `how` to the holder `pid` of `list`, creating it from `make` the first time.
template <typename Make>
void add_holder(std::vector<Holder>& list, DWORD pid, std::string how, Make make) {
  auto it = std::ranges::find(list, std::uint32_t{pid}, &Holder::pid);
  if (it == list.end()) {
    list.push_back(make());
    it = std::prev(list.end());
  }
  if (std::ranges::find(it->how, how) == it->how.end()) it->how.push_back(std::move(how));
}

class RestartManagerSession {
public:
  RestartManagerSession() {
    WCHAR key[CCH_RM_SESSION_KEY + 1] = {};
    started_ = RmStartSession(&session_, 0, key) == ERROR_SUCCESS;
  }
  ~RestartManagerSession() {
    if (started_) RmEndSession(session_);
  }
  RestartManagerSession(const RestartManagerSession&) = delete;
  RestartManagerSession& operator=(const RestartManagerSession&) = delete;
  bool started() const { return started_; }
  DWORD get() const { return session_; }

private:
  DWORD session_ = 0;
  bool started_ = false;
};

// The processes the Restart Manager says use any of `files`, or nothing when
// it cannot tell. Registering costs the same for one file as for many, so all
// go in one call.
std::optional<std::vector<RM_PROCESS_INFO>> restart_manager_list(
    const std::vector<std::wstring>& files) {
  if (files.empty()) return std::nullopt;
  RestartManagerSession session;
  if (!session.started()) return std::nullopt;
  std::vector<LPCWSTR> names;
  for (const auto& file : files) names.push_back(file.c_str());
  if (RmRegisterResources(session.get(), static_cast<UINT>(names.size()), names.data(), 0, nullptr,
                          0, nullptr) != ERROR_SUCCESS)
    return std::nullopt;
  std::vector<RM_PROCESS_INFO> processes;
  // Processes can start between two calls, so the size asked for may grow again.
  for (int attempt = 0; attempt < 10; ++attempt) {
    UINT needed = 0;
    UINT count = static_cast<UINT>(processes.size());
    DWORD reasons = 0;
    const DWORD result = RmGetList(session.get(), &needed, &count,
                                   processes.empty() ? nullptr : processes.data(), &reasons);
    if (result == ERROR_SUCCESS) {
      processes.resize(count);
      return processes;
    }
    if (result != ERROR_MORE_DATA) return std::nullopt;
    processes.resize(needed + 8);
  }
  return std::nullopt;
}

// The Restart Manager wants plain absolute paths, as users write them.
std::wstring restart_manager_path(const std::wstring& native) {
  auto plain = widen(display_path(native));
  return plain ? std::move(*plain) : native;
}

// A holder known only from the Restart Manager. Its start time tells whether
// the pid still names the same process before we read its image name.
Holder restart_manager_holder(const RM_PROCESS_INFO& info) {
  Holder holder;
  holder.pid = info.Process.dwProcessId;
  holder.start_time = win32::filetime_value(info.Process.ProcessStartTime);
  holder.is_self = holder.pid == GetCurrentProcessId();
  OwnedHandle process(OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, holder.pid));
  if (process && win32::process_creation_time(process.get()) == holder.start_time)
    holder.name = image_name(process.get());
  if (holder.name.empty()) holder.name = narrow(info.strAppName);
  holder.service = narrow(info.strServiceShortName);
  return holder;
}

// SystemExtendedHandleInformation: the old class 16 truncates pids and handle
// values to 16 bits.
constexpr ULONG system_extended_handle_information = 64;
constexpr LONG status_info_length_mismatch = static_cast<LONG>(0xC0000004);

struct HandleTableEntry {  // SYSTEM_HANDLE_TABLE_ENTRY_INFO_EX
  PVOID object;
  ULONG_PTR process_id;
  ULONG_PTR handle_value;
  ULONG granted_access;
  USHORT creator_back_trace_index;
  USHORT object_type_index;
  ULONG handle_attributes;
  ULONG reserved;
};

struct HandleTableHeader {  // SYSTEM_HANDLE_INFORMATION_EX, before its entries
  ULONG_PTR count;
  ULONG_PTR reserved;
};

using NtQuerySystemInformationFn = LONG(NTAPI*)(ULONG, PVOID, ULONG, PULONG);

NtQuerySystemInformationFn nt_query_system_information() {
  static const auto function =
      win32::ntdll_function<NtQuerySystemInformationFn>("NtQuerySystemInformation");
  return function;
}

// A snapshot of every handle in the system. ULONG_PTR storage keeps the
// entries aligned.
class HandleTable {
public:
  static std::optional<HandleTable> read() {
    const auto query = nt_query_system_information();
    if (!query) return std::nullopt;
    HandleTable table;
    ULONG size = 1 << 20;
    for (int attempt = 0; attempt < 16; ++attempt) {
      table.buffer_.assign(size / sizeof(ULONG_PTR) + 1, 0);
      ULONG needed = 0;
      const LONG status =
          query(system_extended_handle_information, table.buffer_.data(),
                static_cast<ULONG>(table.buffer_.size() * sizeof(ULONG_PTR)), &needed);
      if (status >= 0) return table.valid() ? std::optional(std::move(table)) : std::nullopt;
      if (status != status_info_length_mismatch || size > (1u << 30)) return std::nullopt;
      // Handles are opened while we allocate: leave room for more.
      size = std::max(size * 2, needed + (1u << 16));
    }
    return std::nullopt;
  }

  std::span<const HandleTableEntry> entries() const {
    const auto* header = reinterpret_cast<const HandleTableHeader*>(buffer_.data());
    const auto* first = reinterpret_cast<const HandleTableEntry*>(header + 1);
    return {first, static_cast<std::size_t>(header->count)};
  }

private:
  bool valid() const {
    const auto* header = reinterpret_cast<const HandleTableHeader*>(buffer_.data());
    return sizeof(HandleTableHeader) + header->count * sizeof(HandleTableEntry) <=
           buffer_.size() * sizeof(ULONG_PTR);
  }
  std::vector<ULONG_PTR> buffer_;
};

// What the scanning thread shares with the caller. The thread owns a
// reference, so a caller that stopped waiting leaves nothing dangling.
struct HandleScan {
  // Inputs, fixed before the thread starts: the indexes of the targets
  // each file is, and their folded_base_name.
  std::unordered_map<FileId, std::vector<std::size_t>, FileIdHash> targets;
  std::unordered_set<std::wstring> target_names;
  std::optional<std::unordered_set<DWORD>> only_pids;  // when the Restart Manager named them
  // diagnose --deleted: no targets; every file whose delete is pending or
  // done, under `deleted_under` (a final path ending in '\') when not empty.
  bool find_deleted = false;
  std::wstring deleted_under;
  DWORD deleted_under_volume = 0;

  // Outputs, filled as the scan goes, under `mutex`.
  std::mutex mutex;
  std::condition_variable finished_signal;
  bool finished = false;
  bool failed = false;
  std::vector<std::vector<Holder>> holders;
  std::vector<DeletedHold> deleted;
  std::size_t uninspectable = 0;
};

struct ProcessInfo {
  OwnedHandle handle;  // empty for this process, which needs none
  OwnedHandle memory;  // to read its mapped views; empty for this process
  bool inspectable = false;
  bool memory_readable = false;
  std::string name;
  std::uint64_t start_time = 0;
};

// Opens each process once, however many handles it has.
class ProcessCache {
public:
  // `memory`: also open each process to read its mapped views (not needed,
  // and not counted as uninspectable, when only handles are searched).
  explicit ProcessCache(bool memory) : memory_(memory) {}
  ProcessInfo& get(DWORD pid) {
    auto [it, inserted] = processes_.try_emplace(pid);
    if (inserted) it->second = open(pid);
    return it->second;
  }
  std::size_t uninspectable() const { return uninspectable_; }
  template <typename F>
  void for_each(F f) {
    for (auto& [pid, info] : processes_) f(pid, info);
  }

private:
  ProcessInfo open(DWORD pid) {
    ProcessInfo info;
    if (pid == GetCurrentProcessId()) {
      info.inspectable = info.memory_readable = true;
      info.name = image_name(GetCurrentProcess());
      info.start_time = win32::process_creation_time(GetCurrentProcess());
      return info;
    }
    info.handle = OwnedHandle(
        OpenProcess(PROCESS_DUP_HANDLE | PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid));
    if (!info.handle) {
      // A process that exited since the snapshot holds nothing any more.
      if (GetLastError() != ERROR_INVALID_PARAMETER) ++uninspectable_;
      return info;
    }
    info.inspectable = true;
    if (memory_) open_memory(pid, info);
    info.name = image_name(info.handle.get());
    info.start_time = win32::process_creation_time(info.handle.get());
    return info;
  }

  void open_memory(DWORD pid, ProcessInfo& info) {
    // Protected processes (antivirus among them) let us duplicate handles but
    // not read their memory map: their mapped files would go unseen.
    info.memory = OwnedHandle(OpenProcess(PROCESS_QUERY_INFORMATION | PROCESS_VM_READ, FALSE, pid));
    info.memory_readable = static_cast<bool>(info.memory);
    if (!info.memory_readable && GetLastError() != ERROR_INVALID_PARAMETER) ++uninspectable_;
    // A process still starting up has no PEB yet, and no views of its own to
    // show. Under Wine it must not be asked: Wine (8.0) answers VirtualQueryEx
    // by signalling one of its threads (SIGUSR1), which kills a process that
    // has not yet set up its handlers, and whoever started it gets WinError
    // 1359 (STATUS_INTERNAL_ERROR). Windows sets the PEB before the first
    // thread runs, so there this skips nothing.
    if (info.memory_readable) {
      const auto basic = win32::process_basic_information(info.memory.get());
      if (basic && basic->PebBaseAddress == nullptr) {
        info.memory = OwnedHandle();
        info.memory_readable = false;
      }
    }
  }

  bool memory_;
  std::unordered_map<DWORD, ProcessInfo> processes_;
  std::size_t uninspectable_ = 0;
};

// The file a handle of another process refers to, through a duplicate of it.
// Only disk files are asked for their identity: queries on pipes can block.
std::optional<FileId> identity_of(HANDLE file) {
  if (GetFileType(file) != FILE_TYPE_DISK) return std::nullopt;
  return file_id(file);
}

std::optional<FileId> identity_in(HANDLE process, HANDLE remote) {
  HANDLE local = nullptr;
  if (!DuplicateHandle(process, remote, GetCurrentProcess(), &local, 0, FALSE,
                       DUPLICATE_SAME_ACCESS))
    return std::nullopt;
  OwnedHandle owned(local);
  return identity_of(owned.get());
}

// Where a handle leads, as users write paths ("C:\dir\file"); the path from
// the volume's root where GetFinalPathNameByHandleW fails (Wine, past
// MAX_PATH).
std::optional<std::wstring> final_dos_path(HANDLE file) {
  std::wstring path(MAX_PATH, L'\0');
  for (int attempt = 0; attempt < 2; ++attempt) {
    const DWORD length = GetFinalPathNameByHandleW(
        file, path.data(), static_cast<DWORD>(path.size()), FILE_NAME_NORMALIZED | VOLUME_NAME_DOS);
    if (length == 0) break;
    if (length < path.size()) {
      path.resize(length);
      return path;
    }
    path.resize(length);
  }
  auto from_root = win32::final_path_of(file, "");
  if (!from_root) return std::nullopt;
  return std::move(*from_root);
}

// Whether `path` lies under `directory` (ending in '\'), ignoring case.
bool path_under(std::wstring_view path, std::wstring_view directory) {
  return path.size() > directory.size() &&
         win32::same_path(path.substr(0, directory.size()), directory);
}

// NTFS keeps a file deleted with POSIX semantics (Windows 10's DeleteFileW)
// in this directory of its volume until its last handle closes. Asked
// through FileNameInfo (the path from the volume's root), which is cheap:
// it runs for every file handle in the system.
bool is_posix_deleted(HANDLE file) {
  auto from_root = win32::final_path_of(file, "");
  constexpr std::wstring_view deleted_directory = L"\\$Extend\\$Deleted\\";
  return from_root && path_under(*from_root, deleted_directory);
}

// A file of another process's handle, when its delete is pending (classic
// semantics: the name stays until the last handle closes) or done with POSIX
// semantics (the name went, the file is under \$Extend\$Deleted).
void record_if_deleted(HandleScan& scan, HANDLE file, DWORD pid, ULONG_PTR value,
                       const ProcessInfo& process) {
  if (GetFileType(file) != FILE_TYPE_DISK) return;
  FILE_STANDARD_INFO standard{};
  if (!GetFileInformationByHandleEx(file, FileStandardInfo, &standard, sizeof standard) ||
      standard.Directory)
    return;
  if (!standard.DeletePending && !is_posix_deleted(file)) return;
  const std::optional<FileId> id = file_id(file);
  if (!id) return;
  const std::optional<std::wstring> path = final_dos_path(file);
  if (!scan.deleted_under.empty() &&
      (id->volume != scan.deleted_under_volume || !path || !path_under(*path, scan.deleted_under)))
    return;
  DeletedHold hold;
  hold.file = FileIdentity{id->volume, (std::uint64_t{id->index_high} << 32) | id->index_low};
  hold.path = path ? display_path(*path) : std::string();
  hold.size = static_cast<std::uint64_t>(standard.EndOfFile.QuadPart);
  hold.holder = Holder{.pid = pid,
                       .name = process.name,
                       .start_time = process.start_time,
                       .is_self = pid == GetCurrentProcessId(),
                       .how = {fmt::format("handle {:#x}", value)}};
  std::lock_guard lock(scan.mutex);
  scan.deleted.push_back(std::move(hold));
}

// The object type index of "File" differs between Windows versions (and Wine):
// learn it from a handle of our own.
std::optional<USHORT> file_type_index(const HandleTable& table, HANDLE own_file) {
  const auto self = static_cast<ULONG_PTR>(GetCurrentProcessId());
  const auto value = reinterpret_cast<ULONG_PTR>(own_file);
  for (const auto& entry : table.entries())
    if (entry.process_id == self && entry.handle_value == value) return entry.object_type_index;
  return std::nullopt;
}

// Any file of ours will do to learn the type index: our own executable.
OwnedHandle open_probe_file() {
  std::wstring path(32768, L'\0');
  const DWORD size = GetModuleFileNameW(nullptr, path.data(), static_cast<DWORD>(path.size()));
  if (size == 0 || size >= path.size()) return {};
  path.resize(size);
  return OwnedHandle(CreateFileW(path.c_str(), 0, win32::share_all, nullptr, OPEN_EXISTING,
                                 FILE_FLAG_BACKUP_SEMANTICS, nullptr));
}

void record(HandleScan& scan, const FileId& id, DWORD pid, const std::string& how,
            const ProcessInfo& process) {
  const auto found = scan.targets.find(id);
  if (found == scan.targets.end()) return;
  std::lock_guard lock(scan.mutex);
  for (const std::size_t i : found->second) {
    add_holder(scan.holders[i], pid, how, [&] {
      return Holder{.pid = pid,
                    .name = process.name,
                    .start_time = process.start_time,
                    .is_self = pid == GetCurrentProcessId(),
                    .how = {}};
    });
  }
}

// A name GetMappedFileNameW gives, in a form CreateFileW opens: Windows gives
// "\Device\HarddiskVolume3\...", Wine "\??\Z:\...".
std::wstring openable(std::wstring name) {
  if (name.starts_with(L"\\??\\"))
    name[1] = L'\\';
  else if (name.starts_with(L"\\Device\\"))
    name.insert(0, L"\\\\?\\GLOBALROOT");
  return name;
}

// A file mapped into memory stays in use after its handles are closed (the
// mkstemp + mmap case), so the handle table alone misses it. Names are only a
// filter: the file is opened and matched by identity, like handles are.
void scan_mapped_views(HandleScan& scan, DWORD pid, const ProcessInfo& process) {
  const HANDLE memory = process.memory ? process.memory.get() : GetCurrentProcess();
  MEMORY_BASIC_INFORMATION region{};
  const void* last_allocation = nullptr;
  std::wstring name(32768, L'\0');
  for (std::uintptr_t address = 0; VirtualQueryEx(memory, reinterpret_cast<const void*>(address),
                                                  &region, sizeof region) == sizeof region;
       address = reinterpret_cast<std::uintptr_t>(region.BaseAddress) + region.RegionSize) {
    if (region.Type != MEM_MAPPED && region.Type != MEM_IMAGE) continue;
    if (region.AllocationBase == last_allocation) continue;  // one view, several regions
    last_allocation = region.AllocationBase;
    const DWORD size = GetMappedFileNameW(memory, region.BaseAddress, name.data(),
                                          static_cast<DWORD>(name.size()));
    if (size == 0) continue;
    const std::wstring_view mapped(name.data(), size);
    if (!scan.target_names.contains(folded_base_name(mapped))) continue;
    OwnedHandle file(CreateFileW(openable(std::wstring(mapped)).c_str(), 0, win32::share_all,
                                 nullptr, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, nullptr));
    if (const auto id = file ? file_id(file.get()) : std::nullopt)
      record(scan, *id, pid, "memory map", process);
  }
}

// Runs on its own thread: it may block in a query that never returns.
void run_handle_scan(HandleScan& scan) {
  const OwnedHandle probe = open_probe_file();
  std::optional<HandleTable> table = probe ? HandleTable::read() : std::nullopt;
  const std::optional<USHORT> file_type =
      table ? file_type_index(*table, probe.get()) : std::nullopt;
  if (!file_type) {
    std::lock_guard lock(scan.mutex);
    scan.failed = true;
    return;
  }
  const DWORD self = GetCurrentProcessId();
  ProcessCache processes(!scan.find_deleted);
  for (const auto& entry : table->entries()) {
    if (entry.object_type_index != *file_type) continue;
    const auto pid = static_cast<DWORD>(entry.process_id);
    if (scan.only_pids && !scan.only_pids->contains(pid)) continue;
    const auto remote = reinterpret_cast<HANDLE>(entry.handle_value);
    if (pid == self && remote == probe.get()) continue;
    ProcessInfo& process = processes.get(pid);
    if (!process.inspectable) continue;
    if (scan.find_deleted) {
      if (pid == self) continue;  // tmpctl's own handles hold nothing deleted
      HANDLE local = nullptr;
      if (!DuplicateHandle(process.handle.get(), remote, GetCurrentProcess(), &local, 0, FALSE,
                           DUPLICATE_SAME_ACCESS))
        continue;
      const OwnedHandle owned(local);
      record_if_deleted(scan, owned.get(), pid, entry.handle_value, process);
      continue;
    }
    // Our own handles are used as they are: duplicating them would add entries.
    const std::optional<FileId> id =
        pid == self ? identity_of(remote) : identity_in(process.handle.get(), remote);
    if (id) record(scan, *id, pid, fmt::format("handle {:#x}", entry.handle_value), process);
  }
  if (scan.find_deleted) {
    std::lock_guard lock(scan.mutex);
    scan.uninspectable = processes.uninspectable();
    return;
  }
  processes.for_each([&](DWORD pid, const ProcessInfo& process) {
    if (process.memory_readable) scan_mapped_views(scan, pid, process);
  });
  std::lock_guard lock(scan.mutex);
  scan.uninspectable = processes.uninspectable();
}

struct ScanResult {
  std::vector<std::vector<Holder>> holders;
  std::vector<DeletedHold> deleted;
  bool failed = false;
  bool timed_out = false;
  std::size_t uninspectable = 0;
};

// `scan` has its targets; the scan fills in their holders.
ScanResult scan_handle_table(std::shared_ptr<HandleScan> scan,
                             std::optional<std::unordered_set<DWORD>> only_pids) {
  scan->only_pids = std::move(only_pids);
  std::thread worker;
  try {
    worker = std::thread([scan] {
      run_handle_scan(*scan);
      std::lock_guard lock(scan->mutex);
      scan->finished = true;
      scan->finished_signal.notify_all();
    });
  } catch (const std::system_error&) {
    return {.holders = std::move(scan->holders), .deleted = {}, .failed = true};
  }
  std::unique_lock lock(scan->mutex);
  const bool finished =
      scan->finished_signal.wait_for(lock, scan_time_limit, [&] { return scan->finished; });
  ScanResult result{.holders = scan->holders,
                    .deleted = scan->deleted,
                    .failed = scan->failed,
                    .timed_out = !finished,
                    .uninspectable = scan->uninspectable};
  lock.unlock();
  if (finished)
    worker.join();
  else
    worker.detach();  // it owns `scan`; whatever it finds later is dropped
  return result;
}

void sort_by_pid(HolderReport& report) {
  for (auto& list : report.holders) std::ranges::sort(list, {}, &Holder::pid);
}

// The Restart Manager answers for the whole session, not per file. With one
// existing path that needs no attribution: each process it named holds that
// path, even if the handle table cannot show how (a memory map, a handle we
// may not duplicate). With more, only the handle table can tell which path a
// process holds; the rest are counted.
void add_restart_manager_holders(HolderReport& report, const std::vector<RM_PROCESS_INFO>& listed,
                                 const std::vector<Target>& targets) {
  const auto existing =
      std::ranges::count_if(targets, [](const Target& t) { return t.id.has_value(); });
  const auto only = std::ranges::find_if(targets, [](const Target& t) { return t.id.has_value(); });
  std::size_t unattributed = 0;
  for (const auto& info : listed) {
    const DWORD pid = info.Process.dwProcessId;
    const bool attributed = std::ranges::any_of(report.holders, [&](const auto& list) {
      return std::ranges::find(list, std::uint32_t{pid}, &Holder::pid) != list.end();
    });
    if (attributed) continue;
    if (existing == 1) {
      add_holder(report.holders[static_cast<std::size_t>(only - targets.begin())], pid,
                 "reported by the Restart Manager", [&] { return restart_manager_holder(info); });
    } else {
      ++unattributed;
    }
  }
  if (unattributed > 0) {
    report.complete = false;
    report.notes.push_back(fmt::format(
        "{} process{} the Restart Manager reported could not be matched to a path of the batch",
        unattributed, unattributed == 1 ? "" : "es"));
  }
}

void add_scan_notes(std::vector<std::string>& notes, bool& complete, const ScanResult& scan) {
  if (scan.failed) {
    complete = false;
    notes.push_back("the system handle table could not be read");
  }
  if (scan.timed_out) {
    complete = false;
    notes.push_back(fmt::format(
        "the handle scan was stopped after {} s (a handle did not answer); what was found until "
        "then is listed",
        scan_time_limit.count()));
  }
  if (scan.uninspectable > 0) {
    complete = false;
    notes.push_back(
        fmt::format("{} process{} could not be inspected (run as administrator to see them)",
                    scan.uninspectable, scan.uninspectable == 1 ? "" : "es"));
  }
}

void add_scan_notes(HolderReport& report, const ScanResult& scan) {
  add_scan_notes(report.notes, report.complete, scan);
}

}  // namespace

std::expected<HolderReport, Error> find_holders(std::span<const std::string> paths) {
  HolderReport report;
  report.holders.resize(paths.size());
  report.method = handle_table_method;

  std::vector<Target> targets;
  for (const auto& path : paths) targets.push_back(identify(path, report.notes, report.complete));
  if (std::ranges::none_of(targets, [](const Target& t) { return t.id.has_value(); }))
    return report;  // nothing exists to be held

  std::vector<std::wstring> rm_paths;
  for (const auto& target : targets)
    if (target.id) rm_paths.push_back(restart_manager_path(target.native));
  // Under Wine the Restart Manager is a stub that lists nobody, so an empty
  // list is no answer: then every process's handles are searched. When it
  // names processes, only theirs are, to learn which path each one holds.
  const auto listed = restart_manager_list(rm_paths);
  std::optional<std::unordered_set<DWORD>> only_pids;
  if (listed && !listed->empty()) {
    report.method = restart_manager_method;
    only_pids.emplace();
    for (const auto& info : *listed) only_pids->insert(info.Process.dwProcessId);
  }

  auto handle_scan = std::make_shared<HandleScan>();
  handle_scan->holders.resize(targets.size());
  for (std::size_t i = 0; i < targets.size(); ++i) {
    if (!targets[i].id) continue;
    handle_scan->targets[*targets[i].id].push_back(i);
    handle_scan->target_names.insert(folded_base_name(targets[i].native));
  }
  ScanResult scan = scan_handle_table(std::move(handle_scan), std::move(only_pids));
  report.holders = std::move(scan.holders);
  if (report.method == restart_manager_method) {
    add_restart_manager_holders(report, *listed, targets);
    // The Restart Manager's list stands on its own: a process we could not
    // open or scan in time is still named.
    scan.uninspectable = 0;
  }
  add_scan_notes(report, scan);
  sort_by_pid(report);
  return report;
}

std::expected<HolderReport, Error> find_holders_of(std::span<const FileIdentity> files,
                                                   std::span<const std::string> names) {
  HolderReport report;
  report.holders.resize(files.size());
  report.method = handle_table_method;
  if (files.empty()) return report;
  auto handle_scan = std::make_shared<HandleScan>();
  handle_scan->holders.resize(files.size());
  for (std::size_t i = 0; i < files.size(); ++i) {
    handle_scan->targets[from_identity(files[i])].push_back(i);
    if (i < names.size())
      if (auto wide = widen(names[i])) handle_scan->target_names.insert(folded_base_name(*wide));
  }
  // Not the Restart Manager: registering every entry of a tree with it costs
  // more than the handle table, and it cannot say which entry a process holds.
  ScanResult scan = scan_handle_table(std::move(handle_scan), std::nullopt);
  report.holders = std::move(scan.holders);
  add_scan_notes(report, scan);
  sort_by_pid(report);
  return report;
}

const char* deleted_open_files_method() { return handle_table_method; }

std::expected<std::vector<DeletedHold>, Error> deleted_open_files(const std::string& directory,
                                                                  std::vector<std::string>& notes,
                                                                  bool& complete) {
  auto scan = std::make_shared<HandleScan>();
  scan->find_deleted = true;
  if (!directory.empty()) {
    auto native = native_path(directory);
    if (!native) return std::unexpected(native.error());
    const OwnedHandle opened(CreateFileW(native->c_str(), 0, win32::share_all, nullptr,
                                         OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, nullptr));
    if (!opened) return std::unexpected(os_error(last_error(), "open", directory));
    auto final = final_dos_path(opened.get());
    const std::optional<FileId> id = file_id(opened.get());
    if (!final || !id) return std::unexpected(os_error(last_error(), "resolve", directory));
    scan->deleted_under_volume = id->volume;
    scan->deleted_under = std::move(*final);
    if (!scan->deleted_under.ends_with(L'\\')) scan->deleted_under += L'\\';
  }
  ScanResult result = scan_handle_table(std::move(scan), std::nullopt);
  add_scan_notes(notes, complete, result);
  return std::move(result.deleted);
}

void OpenFileTable::add(const FileIdentity& file, std::uint32_t pid, std::string how) {
  holds_[file].push_back({pid, std::move(how)});
}

std::vector<Holder> OpenFileTable::holders_of(const FileIdentity& file) const {
  std::vector<Holder> holders;
  const auto found = holds_.find(file);
  if (found == holds_.end()) return holders;
  for (const Hold& hold : found->second)
    add_holder(holders, hold.pid, hold.how, [&] {
      Holder holder;
      holder.pid = hold.pid;
      holder.is_self = hold.pid == GetCurrentProcessId();
      // Best effort: a process that exited or is not ours to open keeps its pid only.
      if (OwnedHandle process(OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, hold.pid));
          process) {
        holder.name = image_name(process.get());
        holder.start_time = win32::process_creation_time(process.get());
      }
      return holder;
    });
  std::ranges::sort(holders, {}, &Holder::pid);
  return holders;
}

// Windows keeps no table of open files to read in one pass: the delete itself
// says when a file is in use (WinError 32), and find_holders names who.
std::expected<OpenFileTable, Error> snapshot_open_files() {
  OpenFileTable table;
  table.available = false;
  table.method = "delete refusal (WinError 32)";
  return table;
}

}  // namespace tmpctl::platform
