// hold_file [--map | --share-delete | --cwd] [--name NAME] PATH READY: holds
// PATH open the way programs that trip over temp files do, for the tests of
// holder discovery, remove, diagnose and cleanup.
//
// Windows: _wsopen_s with _SH_DENYNO, as Python's tempfile.mkstemp and os.open
// do: READ|WRITE sharing, never DELETE. POSIX: open(O_RDWR|O_CREAT).
// --map: map the file into memory and close the descriptor, so that only the
// mapping holds it.
// --share-delete (Windows): open sharing READ|WRITE|DELETE instead, so that a
// delete is accepted but the name stays until this handle closes.
// --cwd: make the directory PATH this process's working directory (Windows
// holds it open without FILE_SHARE_DELETE; Linux names it in /proc/PID/cwd).
// --name (Linux): call itself NAME (prctl(PR_SET_NAME)), as any program may:
// the name holder discovery reports, for the tests of how tmpctl prints it.
// When holding, it writes its pid to READY, then waits until READY is
// removed (or 120 s pass) and exits 0. Exits 2 on bad usage, 1 on failure.

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "platform/console.hpp"
#include "support/mkstemp_style.hpp"
#include "support/ready_marker.hpp"

#ifdef _WIN32
#include <windows.h>
#include <io.h>

#include "platform/win32/unicode.hpp"
#else
#include <sys/mman.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#endif

namespace {

bool exists(const std::string& path) {
#ifdef _WIN32
  return GetFileAttributesW(tmpctl::platform::win32::widen(path)->c_str()) !=
         INVALID_FILE_ATTRIBUTES;
#else
  return ::access(path.c_str(), F_OK) == 0;
#endif
}

int fail(const char* what, const std::string& path) {
  std::fprintf(stderr, "hold_file: %s '%s' failed\n", what, path.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args = tmpctl::platform::utf8_arguments(argc, argv);
  bool map = false;
  bool share_delete = false;
  bool working_directory = false;
  std::string name;
  while (args.size() > 1 && args[1].starts_with("--")) {
    if (args[1] == "--name" && args.size() > 2) {
      name = args[2];
      args.erase(args.begin() + 1);
    } else if (args[1] == "--map" || args[1] == "--share-delete" || args[1] == "--cwd") {
      (args[1] == "--map" ? map : args[1] == "--cwd" ? working_directory : share_delete) = true;
    } else {
      break;
    }
    args.erase(args.begin() + 1);
  }
  if (args.size() != 3) {
    std::fprintf(stderr,
                 "usage: hold_file [--map | --share-delete | --cwd] [--name NAME] PATH READY\n");
    return 2;
  }
  if (!name.empty()) {
#ifdef __linux__
    if (::prctl(PR_SET_NAME, name.c_str()) != 0) return fail("prctl(PR_SET_NAME)", name);
#else
    return fail("--name (Linux only)", name);
#endif
  }
  const std::string& path = args[1];
  const std::string& ready = args[2];
  if (working_directory) {
#ifdef _WIN32
    if (!SetCurrentDirectoryW(tmpctl::platform::win32::widen(path)->c_str()))
      return fail("enter", path);
    const unsigned long pid = GetCurrentProcessId();
#else
    if (::chdir(path.c_str()) != 0) return fail("enter", path);
    const unsigned long pid = static_cast<unsigned long>(::getpid());
#endif
    if (!tmpctl::test::write_ready_marker(ready, std::to_string(pid) + "\n"))
      return fail("write", ready);
    tmpctl::test::wait_while([&] { return exists(ready); }, std::chrono::seconds(120));
    return 0;
  }

#ifdef _WIN32
  if (share_delete) {
    const HANDLE shared = CreateFileW(tmpctl::platform::win32::native_path(path)->c_str(),
                                      GENERIC_READ | GENERIC_WRITE,
                                      FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                                      nullptr, OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
    if (shared == INVALID_HANDLE_VALUE) return fail("open", path);
  }
#endif
  const int fd = share_delete ? 0 : tmpctl::test::open_like_mkstemp(path);
  if (fd < 0) return fail("open", path);
#ifdef _WIN32
  HANDLE mapping = nullptr;
  void* view = nullptr;
  if (map) {
    _write(fd, "x", 1);
    mapping = CreateFileMappingW(reinterpret_cast<HANDLE>(_get_osfhandle(fd)), nullptr,
                                 PAGE_READONLY, 0, 0, nullptr);
    view = mapping ? MapViewOfFile(mapping, FILE_MAP_READ, 0, 0, 0) : nullptr;
    if (view == nullptr) return fail("map", path);
    CloseHandle(mapping);
    _close(fd);
  }
  const unsigned long pid = GetCurrentProcessId();
#else
  void* view = nullptr;
  if (map) {
    if (::write(fd, "x", 1) != 1) return fail("write", path);
    view = ::mmap(nullptr, 1, PROT_READ, MAP_SHARED, fd, 0);
    if (view == MAP_FAILED) return fail("map", path);
    ::close(fd);
  }
  const unsigned long pid = static_cast<unsigned long>(::getpid());
#endif

  if (!tmpctl::test::write_ready_marker(ready, std::to_string(pid) + "\n"))
    return fail("write", ready);
  tmpctl::test::wait_while([&] { return exists(ready); }, std::chrono::seconds(120));
  (void)view;
  return 0;
}
