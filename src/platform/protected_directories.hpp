#pragma once
// The directories cleanup guards: what no cleanup may take as its root
// without --force, and the temp directories that lift that guard. The core
// decides with them (core/cleanup.cpp); each backend lists them
// (posix/protected_directories_posix.cpp, win32/protected_directories_win32.cpp).

#include <string>
#include <vector>

namespace tmpctl::platform {

/// The system's own directories (/usr, /etc, /var, C:\Windows, C:\Program
/// Files..., on Windows as the system reports them, not %SystemRoot%): no cleanup may take one of
/// them, or a directory inside one, as its root without --force, unless it lies in a temp directory
/// first (as /var/tmp lies in /var). Those that do not exist are left out.
std::vector<std::string> system_directories();
/// Temp directories, which a root may lie in even inside a system
/// directory: /tmp, /var/tmp, /dev/shm, /private/tmp, /run/user/UID; on
/// Windows the user's LocalAppData\Temp and the Windows directory's Temp and
/// SystemTemp. Fixed places, never $TMPDIR, TMP or TEMP: a variable must not
/// lift the guard (a DIR taken from one passes the checks as any DIR does).
/// Those that do not exist are left out.
std::vector<std::string> temp_directories();
/// $HOME on POSIX, %USERPROFILE% on Windows; empty when unset.
std::string home_directory();
/// Every user's home directory: the password database's on POSIX, the
/// profiles in the profiles directory (C:\Users\*) on Windows.
std::vector<std::string> user_home_directories();

}  // namespace tmpctl::platform
