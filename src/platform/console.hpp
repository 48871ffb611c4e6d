#pragma once
// What the command-line front end needs from the OS before it parses and
// prints: arguments as UTF-8, byte-exact standard streams, whether a stream is
// a terminal, and interruption. The CLI reaches the OS only through these.

#include <atomic>
#include <cstdio>
#include <string>
#include <vector>

namespace tmpctl::platform {

/// The program's arguments as UTF-8 (on Windows from GetCommandLineW, since
/// argv is in the ANSI code page there), argv[0] first.
std::vector<std::string> utf8_arguments(int argc, char** argv);

/// Makes stdout and stderr write bytes as given: binary mode on Windows (no
/// "\n" to "\r\n" translation) and UTF-8 output on a Windows console.
void prepare_standard_streams();

/// Whether `stream` (stdout or stderr) is a terminal or console.
bool is_terminal(std::FILE* stream);

/// Whether `stream` (stdout or stderr) is a terminal that shows ANSI escape
/// sequences as colour. On Windows this turns on virtual-terminal processing
/// for the console (its previous mode comes back at exit) and is false where
/// the console cannot (before Windows 10). Never fails: false means no colour.
bool enable_color(std::FILE* stream);

/// The value of an environment variable as UTF-8 (on Windows from the wide
/// environment); empty when unset.
std::string environment_variable(const char* name);

/// From now on, an interruption (Ctrl-C, SIGTERM, SIGHUP; on Windows Ctrl-C,
/// Ctrl-Break and closing the console) sets `flag` instead of ending the
/// process, so a long operation can stop between two steps. `flag` must live
/// until the process ends. Returns the number of the signal that came first
/// through interrupt_signal().
void stop_on_interrupt(std::atomic<bool>& flag);
/// The signal that set the flag (SIGINT 2, SIGTERM 15...; Windows: 2 for
/// Ctrl-C and Ctrl-Break, 1 for a console closing), or 0.
int interrupt_signal();

}  // namespace tmpctl::platform
