#pragma once
// Base64 (RFC 4648, standard alphabet, with padding): how JSON carries the
// exact bytes of a path that is not UTF-8, in the CLI's output
// ("path_base64") and in record files alike.

#include <optional>
#include <string>
#include <string_view>

namespace tmpctl::core {

std::string base64_encode(std::string_view bytes);

/// The bytes `text` encodes; nullopt unless it is padded base64 of the
/// standard alphabet (no whitespace, no other characters).
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace tmpctl::core
