#include "cli/create_fast_path.hpp"

#include <string_view>

namespace tmpctl::cli {
namespace {

// -n's value: 1 to 1,000,000 in plain decimal (anything else goes to the
// full parser, which explains what is wrong).
std::optional<std::size_t> count_value(std::string_view text) {
  if (text.empty() || text.size() > 7 || text.front() == '0') return std::nullopt;
  std::size_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::size_t>(c - '0');
  }
  if (value > max_create_count) return std::nullopt;
  return value;
}

class FastParser {
public:
  explicit FastParser(const std::vector<std::string>& arguments) : arguments_(arguments) {}

  std::optional<CreateArgs> parse() {
    if (arguments_.size() < 2 || arguments_[1] != "create") return std::nullopt;
    bool options_ended = false;
    for (next_ = 2; next_ < arguments_.size();) {
      const std::string& word = arguments_[next_++];
      if (options_ended || word.size() < 2 || word.front() != '-') {
        if (word == "-" || args_.name_template) return std::nullopt;  // the full parser's case
        args_.name_template = word;
      } else if (word == "--") {
        options_ended = true;
      } else if (word.starts_with("--")) {
        if (!long_option(word)) return std::nullopt;
      } else if (!short_options(std::string_view(word).substr(1))) {
        return std::nullopt;
      }
    }
    // Conflicts the full parser reports.
    if ((args_.json && args_.null) || (args_.prefix && args_.name_template)) return std::nullopt;
    return args_;
  }

private:
  // The value of an option whose value is the next word; a word that looks
  // like an option is left to the full parser.
  std::optional<std::string> next_value() {
    if (next_ >= arguments_.size()) return std::nullopt;
    const std::string& value = arguments_[next_];
    if (value.starts_with("-")) return std::nullopt;
    ++next_;
    return value;
  }

  // A flag given once; a repeated one goes to the full parser.
  bool flag(bool& value) {
    if (value) return false;
    value = true;
    return true;
  }

  bool directory(std::string value) {
    args_.dir = std::move(value);
    return true;
  }

  bool once(std::optional<std::string>& slot, std::optional<std::string> value) {
    if (slot || !value) return false;
    slot = std::move(value);
    return true;
  }

  bool count(std::optional<std::string_view> text) {
    if (count_given_ || !text) return false;
    const auto value = count_value(*text);
    if (!value) return false;
    args_.count = *value;
    count_given_ = true;
    return true;
  }

  bool long_option(std::string_view word) {
    const std::size_t equals = word.find('=');
    const std::string_view name = word.substr(0, equals);
    const bool has_value = equals != std::string_view::npos;
    const auto value = [&]() -> std::optional<std::string> {
      if (has_value) return std::string(word.substr(equals + 1));
      return next_value();
    };
    if (name == "--tmpdir")  // GNU's optional argument: only after '='
      return directory(has_value ? std::string(word.substr(equals + 1)) : std::string());
    if (name == "--dir") {
      auto dir = value();
      return dir && directory(std::move(*dir));
    }
    if (name == "--suffix") return once(args_.suffix, value());
    if (name == "--prefix") return once(args_.prefix, value());
    if (name == "--count") {
      auto text = value();
      return text && count(*text);
    }
    if (has_value) return false;  // "--json=true" and the like: the full parser's
    if (name == "--directory") return flag(args_.directory);
    if (name == "--json") return flag(args_.json);
    if (name == "--null") return flag(args_.null);
    if (name == "--quiet") return flag(args_.quiet);
    if (name == "--dry-run") return flag(args_.dry_run);
    return false;  // --ttl, --tag, --owner, --color, --help, unknown: the full parser
  }

  // A cluster such as "d", "dq", "pDIR", "dp" (DIR next), "n3".
  bool short_options(std::string_view cluster) {
    for (std::size_t i = 0; i < cluster.size(); ++i) {
      const char c = cluster[i];
      const std::string_view rest = cluster.substr(i + 1);
      switch (c) {
        case 'd':
          if (!flag(args_.directory)) return false;
          break;
        case 'q':
          if (!flag(args_.quiet)) return false;
          break;
        case 'u':
          if (!flag(args_.dry_run)) return false;
          break;
        case 't':
          if (!flag(args_.single_name)) return false;
          break;
        case '0':
          if (!flag(args_.null)) return false;
          break;
        case 'p': {
          if (!rest.empty()) return directory(std::string(rest));
          auto dir = next_value();
          return dir && directory(std::move(*dir));
        }
        case 'n': {
          if (!rest.empty()) return count(rest);
          auto text = next_value();
          return text && count(*text);
        }
        default: return false;  // -h, unknown: the full parser
      }
    }
    return true;
  }

  const std::vector<std::string>& arguments_;
  std::size_t next_ = 0;
  CreateArgs args_;
  bool count_given_ = false;
};

}  // namespace

std::optional<CreateArgs> parse_create_quickly(const std::vector<std::string>& arguments) {
  return FastParser(arguments).parse();
}

}  // namespace tmpctl::cli
