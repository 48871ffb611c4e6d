#pragma once
// What the command-line front end needs from the OS before it parses and
// prints: arguments as UTF-8, byte-exact standard streams, whether a stream is
// a terminal, and interruption. The CLI reaches the OS only through these,
// process.hpp and environment.hpp. Built into the CLI's own platform target
// (tmpctl_cli_platform), never into the installed library.

#include <atomic>
#include <cstdint>
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

/// Whether standard input is a terminal or console that a person types at:
/// false for a file, a pipe and the null device (which Windows counts as a
/// character device too).
bool input_is_terminal();

/// Whether `stream` (stdout or stderr) is a terminal or console.
bool is_terminal(std::FILE* stream);

/// Whether `stream` (stdout or stderr) is a terminal that shows ANSI escape
/// sequences as colour. On Windows this turns on virtual-terminal processing
/// for the console (its previous mode comes back at exit) and is false where
/// the console cannot (before Windows 10). Never fails: false means no colour.
bool enable_color(std::FILE* stream);

/// From now on, an interruption (Ctrl-C, SIGTERM, SIGHUP; on Windows Ctrl-C,
/// Ctrl-Break and closing the console) sets `flag` instead of ending the
/// process, so a long operation can stop between two steps. `flag` must live
/// until the process ends. Returns the number of the signal that came first
/// through interrupt_signal().
void stop_on_interrupt(std::atomic<bool>& flag);
/// The signal that set the flag, or that came first after
/// pass_interrupts_to_command() (SIGINT 2, SIGTERM 15...; Windows: 2 for
/// Ctrl-C and Ctrl-Break, 1 for a console closing, a logoff or a shutdown), or 0.
int interrupt_signal();

/// From now on, an interruption does not end this process: it is left to the
/// command run_command() runs (process.hpp), and this process carries on to
/// clean up after it. POSIX: SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 and
/// SIGUSR2, except those tmpctl was started with ignored. One sent by a
/// process (kill) is passed on to the command; one sent by the terminal
/// (Ctrl-C, Ctrl-\, a hangup) is not, since the terminal sends it to the
/// whole foreground process group, the command included. Windows: Ctrl-C and
/// Ctrl-Break reach a command on the same console by themselves; when the
/// console closes, the user logs off or the system shuts down, tmpctl waits
/// up to 3 s for the command to end (then ends it) and up to 1.5 s more for
/// command_cleanup_done(), before Windows ends tmpctl. Before the command
/// has started, an interruption is only recorded (interrupt_signal()), and
/// run_command() then does not start it.
void pass_interrupts_to_command();
/// For run_command(): the command's process (0: none, before it starts and
/// once it has ended). POSIX: where a kill is passed on to; Windows: what a
/// closing console waits for, and then ends.
/// With `group` (POSIX), the command leads a process group of its own
/// (run --isolate): every interruption, the terminal's too, goes to the
/// whole group, which the terminal no longer reaches through tmpctl's.
void set_interrupted_command(std::uint32_t pid, bool group = false);
/// The cleanup after the command is done (or was not needed): a closing
/// console (Windows) need not keep this process any longer.
void command_cleanup_done();

}  // namespace tmpctl::platform
