// Running a command on Windows: the program found here (PATH, ".exe"), never
// through cmd.exe, with a command line the C runtime splits back into exactly
// the arguments given, and only the standard handles inherited.

#include <windows.h>

#include <vector>

#include "platform/console.hpp"
#include "platform/environment.hpp"
#include "platform/platform.hpp"
#include "platform/process.hpp"
#include "platform/process_tree.hpp"
#include "platform/win32/unicode.hpp"
#include "platform/win32/win32_util.hpp"

namespace tmpctl::platform {
namespace {

using win32::last_error;
using win32::OwnedHandle;

StartError start_error(StartFailure failure, int code, const std::string& program) {
  return StartError{failure, os_error(code, "run", program)};
}

bool has_directory(std::wstring_view name) {
  return name.find_first_of(L"\\/") != std::wstring_view::npos ||
         (name.size() >= 2 && name[1] == L':');
}

// Whether the last component has an extension (".exe", ".bat"...).
bool has_extension(std::wstring_view path) {
  const std::size_t dot = path.find_last_of(L".\\/");
  return dot != std::wstring_view::npos && path[dot] == L'.';
}

bool is_file(const std::wstring& path) {
  const DWORD attributes = GetFileAttributesW(path.c_str());
  return attributes != INVALID_FILE_ATTRIBUTES && (attributes & FILE_ATTRIBUTE_DIRECTORY) == 0;
}

// A batch file, as Windows will see the name: it drops trailing dots and
// spaces, so "x.bat. " runs x.bat.
bool is_batch_file(std::wstring path) {
  while (!path.empty() && (path.back() == L'.' || path.back() == L' ')) path.pop_back();
  if (!has_extension(path)) return false;
  const std::wstring extension = path.substr(path.find_last_of(L'.'));
  const auto is = [&](const wchar_t* batch) {
    return CompareStringOrdinal(extension.c_str(), -1, batch, -1, TRUE) == CSTR_EQUAL;
  };
  return is(L".bat") || is(L".cmd");
}

// The program CreateProcessW is to run: a name with a directory part is taken
// from there (relative to the current directory); any other is looked up on
// PATH only. Either way ".exe" is added to a name without an extension, as
// CreateProcessW would. Unlike CreateProcessW's own search, neither the
// current directory nor tmpctl's is searched.
std::expected<std::wstring, StartError> find_program(const std::string& program) {
  auto name = win32::widen(program);
  if (!name || name->empty())
    return std::unexpected(start_error(StartFailure::not_found, ERROR_FILE_NOT_FOUND, program));
  if (has_directory(*name)) {
    // Absolute, without the \\?\ prefix, which CreateProcessW does not take.
    auto native = win32::native_path(program);
    if (!native) return std::unexpected(StartError{StartFailure::not_found, native.error()});
    std::wstring path = win32::widen(win32::display_path(*native)).value_or(std::wstring());
    if (!is_file(path) && !has_extension(*name) && is_file(path + L".exe")) path += L".exe";
    if (GetFileAttributesW(path.c_str()) == INVALID_FILE_ATTRIBUTES)
      return std::unexpected(start_error(StartFailure::not_found, last_error(), program));
    return path;
  }
  const std::string search_path = environment_variable("PATH");
  const std::wstring directories = win32::widen(search_path).value_or(std::wstring());
  if (directories.empty())
    return std::unexpected(start_error(StartFailure::not_found, ERROR_FILE_NOT_FOUND, program));
  std::wstring found(MAX_PATH, L'\0');
  for (;;) {
    const DWORD size = SearchPathW(directories.c_str(), name->c_str(), L".exe",
                                   static_cast<DWORD>(found.size()), found.data(), nullptr);
    if (size == 0)
      return std::unexpected(start_error(StartFailure::not_found, last_error(), program));
    if (size < found.size()) {
      found.resize(size);
      return found;
    }
    found.resize(size);
  }
}

// This process's environment block with each of `settings` set, in the
// sorted order Windows keeps (names compared without regard to case).
std::vector<wchar_t> environment_with(std::span<const EnvironmentSetting> settings) {
  auto name_of = [](std::wstring_view entry) {
    // "=C:=C:\dir" (a drive's current directory) has a name starting with '='.
    return entry.substr(0, entry.find(L'=', 1));
  };
  auto compare = [](std::wstring_view a, std::wstring_view b) {
    return CompareStringOrdinal(a.data(), static_cast<int>(a.size()), b.data(),
                                static_cast<int>(b.size()), TRUE);
  };
  std::vector<std::wstring> names;
  std::vector<std::wstring> values;
  for (const EnvironmentSetting& setting : settings) {
    names.push_back(win32::widen(setting.name).value_or(std::wstring()));
    values.push_back(win32::widen(setting.value).value_or(std::wstring()));
  }
  std::vector<std::wstring> entries;
  if (wchar_t* block = GetEnvironmentStringsW()) {
    for (const wchar_t* entry = block; *entry != L'\0'; entry += wcslen(entry) + 1) {
      bool replaced = false;
      for (const std::wstring& name : names)
        replaced = replaced || compare(name_of(entry), name) == CSTR_EQUAL;
      if (!replaced) entries.emplace_back(entry);
    }
    FreeEnvironmentStringsW(block);
  }
  for (std::size_t i = 0; i < names.size(); ++i) {
    auto after = entries.begin();
    while (after != entries.end() && compare(name_of(*after), names[i]) == CSTR_LESS_THAN) ++after;
    entries.insert(after, names[i] + L"=" + values[i]);
  }
  std::vector<wchar_t> result;
  for (const std::wstring& entry : entries)
    result.insert(result.end(), entry.c_str(), entry.c_str() + entry.size() + 1);
  result.push_back(L'\0');
  return result;
}

// Inheritable copies of this process's standard handles, for the command:
// the only handles it inherits (PROC_THREAD_ATTRIBUTE_HANDLE_LIST).
class StandardHandles {
public:
  StandardHandles() {
    for (int i = 0; i < 3; ++i) {
      const HANDLE own = GetStdHandle(i == 0   ? STD_INPUT_HANDLE
                                      : i == 1 ? STD_OUTPUT_HANDLE
                                               : STD_ERROR_HANDLE);
      HANDLE copy = nullptr;
      if (own != nullptr && own != INVALID_HANDLE_VALUE &&
          DuplicateHandle(GetCurrentProcess(), own, GetCurrentProcess(), &copy, 0, TRUE,
                          DUPLICATE_SAME_ACCESS)) {
        copies_[i] = OwnedHandle(copy);
        list_.push_back(copy);
      }
    }
  }
  HANDLE get(int i) const { return copies_[i].get(); }
  std::vector<HANDLE>& list() { return list_; }

private:
  OwnedHandle copies_[3];
  std::vector<HANDLE> list_;
};

class AttributeList {
public:
  // Empty (get() is nullptr) unless it lists `inherited`, which must not be empty.
  explicit AttributeList(std::vector<HANDLE>& inherited) {
    SIZE_T size = 0;
    InitializeProcThreadAttributeList(nullptr, 1, 0, &size);
    buffer_.resize(size);
    const auto list = reinterpret_cast<LPPROC_THREAD_ATTRIBUTE_LIST>(buffer_.data());
    if (inherited.empty() || !InitializeProcThreadAttributeList(list, 1, 0, &size)) return;
    list_ = list;
    if (!UpdateProcThreadAttribute(list_, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, inherited.data(),
                                   inherited.size() * sizeof(HANDLE), nullptr, nullptr)) {
      DeleteProcThreadAttributeList(list_);
      list_ = nullptr;
    }
  }
  ~AttributeList() {
    if (list_ != nullptr) DeleteProcThreadAttributeList(list_);
  }
  AttributeList(const AttributeList&) = delete;
  AttributeList& operator=(const AttributeList&) = delete;
  LPPROC_THREAD_ATTRIBUTE_LIST get() const { return list_; }

private:
  std::vector<char> buffer_;
  LPPROC_THREAD_ATTRIBUTE_LIST list_ = nullptr;
};

StartFailure failure_for(int code) {
  switch (code) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND: return StartFailure::not_found;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY:
    case ERROR_NO_SYSTEM_RESOURCES:
    case ERROR_COMMITMENT_LIMIT: return StartFailure::failed;
    // ERROR_BAD_EXE_FORMAT, ERROR_ACCESS_DENIED (a directory, no execute
    // permission), ERROR_EXE_MACHINE_TYPE_MISMATCH...
    default: return StartFailure::not_runnable;
  }
}

}  // namespace

std::expected<CommandExit, StartError> run_command(
    std::span<const std::string> arguments,
    std::span<const EnvironmentSetting> environment_settings,
    const std::function<void(std::uint32_t pid)>& started, ProcessTree* tree) {
  const std::string& program = arguments[0];
  auto found = find_program(program);
  if (!found) return std::unexpected(found.error());
  if (is_batch_file(*found))
    return std::unexpected(StartError{
        StartFailure::not_runnable,
        Error::invalid(ErrorKind::invalid_argument, "run", program,
                       "a batch file runs through cmd.exe, whose way of splitting arguments "
                       "is unsafe (CVE-2024-24576): run 'cmd /c' explicitly")});

  // argv[0] as given, always quoted: the C runtime reads it up to the next
  // quote, without escapes. The rest as the C runtime will split it back.
  std::wstring command_line = L"\"" + win32::widen(program).value_or(std::wstring()) + L"\"";
  for (std::size_t i = 1; i < arguments.size(); ++i) {
    auto argument = win32::widen(arguments[i]);
    if (!argument) return std::unexpected(StartError{StartFailure::not_runnable, argument.error()});
    command_line += L" " + win32::quoted_argument(*argument);
  }
  std::vector<wchar_t> environment = environment_with(environment_settings);

  StandardHandles handles;
  AttributeList attributes(handles.list());
  STARTUPINFOEXW startup{};
  startup.StartupInfo.cb =
      attributes.get() != nullptr ? sizeof startup : sizeof startup.StartupInfo;
  startup.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
  startup.StartupInfo.hStdInput = handles.get(0);
  startup.StartupInfo.hStdOutput = handles.get(1);
  startup.StartupInfo.hStdError = handles.get(2);
  startup.lpAttributeList = attributes.get();
  // The command stays in this process group, on this console: Ctrl-C and
  // Ctrl-Break reach it as they reach tmpctl.
  // In a tree: suspended until it is in the Job Object, so that nothing it
  // starts can be outside it.
  const DWORD flags = CREATE_UNICODE_ENVIRONMENT |
                      (attributes.get() != nullptr ? EXTENDED_STARTUPINFO_PRESENT : 0) |
                      (tree != nullptr ? CREATE_SUSPENDED : 0);

  if (const int signal = interrupt_signal(); signal != 0)
    return CommandExit{.code = 0, .signal = signal, .started = false};
  PROCESS_INFORMATION info{};
  // Without the handle list, inheriting would hand on every inheritable
  // handle: then none (and no standard handles either).
  const BOOL inherit = attributes.get() != nullptr;
  if (!CreateProcessW(found->c_str(), command_line.data(), nullptr, nullptr, inherit, flags,
                      environment.data(), nullptr, &startup.StartupInfo, &info)) {
    const int code = last_error();
    return std::unexpected(start_error(failure_for(code), code, program));
  }
  const OwnedHandle process(info.hProcess);
  const OwnedHandle thread(info.hThread);
  if (tree != nullptr) {
    if (auto adopted = tree->adopt(info.dwProcessId, info.hProcess); !adopted) {
      TerminateProcess(info.hProcess, 1);
      WaitForSingleObject(info.hProcess, INFINITE);
      return std::unexpected(StartError{StartFailure::failed, adopted.error()});
    }
    ResumeThread(thread.get());
  }
  set_interrupted_command(info.dwProcessId);
  if (started) started(info.dwProcessId);
  WaitForSingleObject(process.get(), INFINITE);
  DWORD code = 0;
  GetExitCodeProcess(process.get(), &code);
  set_interrupted_command(0);
  return CommandExit{.code = static_cast<int>(code), .signal = 0};
}

void end_by_signal(int /*signal*/) {}

std::string_view signal_name(int /*signal*/) noexcept { return {}; }

}  // namespace tmpctl::platform
