#pragma once
// "--opt=" is the empty value, as with GNU getopt_long. CLI11 2.1.2 cannot
// tell "--opt=" from "--opt" and takes the next argument as the value
// ("cleanup --exclude= DIR" walked $TMPDIR instead of DIR), so such words are
// split into "--opt" "" before CLI11 sees them: that it reads as the empty value.

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace tmpctl::cli {

/// `arguments` (argv, the program's name first) with each "--NAME=" whose
/// NAME is an option taking a value, where CLI11 will read it as that
/// option, split into "--NAME" and "". Everything else is left as it is:
/// the value of an option ("--prefix --tag="), words after "--", and run's
/// COMMAND and its arguments.
///
/// `operands_end_options_of` names a command whose options end at its first
/// operand, as GNU getopt's with POSIXLY_CORRECT set ("create aXXXX
/// --suffix=b" has two TEMPLATEs then): a "--" is put before that operand.
std::vector<std::string> with_empty_values_split(const CLI::App& app,
                                                 const std::vector<std::string>& arguments,
                                                 std::string_view operands_end_options_of = {});

}  // namespace tmpctl::cli
