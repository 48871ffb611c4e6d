#pragma once
// What the command-line front end needs from the OS before it parses and
// prints: arguments as UTF-8 and byte-exact standard streams. The CLI reaches
// the OS only through these two calls.

#include <string>
#include <vector>

namespace tmpctl::platform {

/// The program's arguments as UTF-8 (on Windows from GetCommandLineW, since
/// argv is in the ANSI code page there), argv[0] first.
std::vector<std::string> utf8_arguments(int argc, char** argv);

/// Makes stdout and stderr write bytes as given: binary mode on Windows (no
/// "\n" to "\r\n" translation) and UTF-8 output on a Windows console.
void prepare_standard_streams();

}  // namespace tmpctl::platform
