#include "cli/completion_command.hpp"

#include <fmt/format.h>

#include <functional>
#include <vector>

#include "cli/exit_codes.hpp"
#include "cli/option_values.hpp"
#include "cli/output.hpp"
#include "core/enum_names.hpp"

namespace tmpctl::cli {
namespace {

constexpr const char* description = R"(Print a completion script for SHELL on stdout.

The script is generated from the definitions tmpctl parses its arguments
with: every command, option and allowed value it completes is one tmpctl
accepts. It completes commands, options, values from fixed lists (--type,
--age-by, --color, the shells here) and paths where a command takes them.)";

constexpr const char* footer = R"(Examples:
  source <(tmpctl completion bash)                  bash, this session
  tmpctl completion bash > ~/.local/share/bash-completion/completions/tmpctl
  tmpctl completion zsh > ~/.zfunc/_tmpctl          zsh, with fpath+=(~/.zfunc)
                                                    before compinit in ~/.zshrc
  tmpctl completion fish > ~/.config/fish/completions/tmpctl.fish

Installed packages put the scripts where each shell finds them by itself:
share/bash-completion/completions/tmpctl, share/zsh/vendor-completions/_tmpctl
and share/fish/vendor_completions.d/tmpctl.fish.

Exit status: 0 printed, 1 stdout could not be written, 2 invalid usage.)";

// ---------------------------------------------------------------------------
// The command tree as the scripts need it, read from CLI11's definitions.

struct OptionModel {
  std::vector<std::string> names;  // "-d", "--directory"
  std::string description;
  std::string value_name;  // empty: a flag
  bool repeatable = false;
  bool ends_parsing = false;  // --help, --version: nothing else matters after them
  OptionValues values;
  bool takes_value() const { return !value_name.empty(); }
};

struct PositionalModel {
  std::string name;
  bool many = false;
  bool required = false;
  OptionValues values;
};

struct CommandModel {
  std::string path;  // "tmpctl", "tmpctl cleanup"
  std::string name;
  std::string description;
  std::vector<OptionModel> options;
  std::vector<PositionalModel> positionals;
  std::vector<CommandModel> subcommands;
};

CommandModel model_of(const CLI::App& app, const std::string& path) {
  CommandModel command{path, app.get_name(), app.get_description(), {}, {}, {}};
  for (const CLI::Option* option : app.get_options()) {
    if (option->nonpositional()) {
      OptionModel model;
      for (const std::string& name : option->get_snames()) model.names.push_back("-" + name);
      for (const std::string& name : option->get_lnames()) model.names.push_back("--" + name);
      model.description = option->get_description();
      if (option->get_items_expected_max() > 0) {  // flags expect 0 values
        // "N:INT in [1 - 100]": the part before the validators' descriptions.
        const std::string type = option->get_type_name();
        model.value_name = type.substr(0, type.find(':'));
        if (model.value_name.empty()) model.value_name = "VALUE";
        model.repeatable = option->get_multi_option_policy() == CLI::MultiOptionPolicy::TakeAll ||
                           option->get_items_expected_max() > 1;
      }
      model.ends_parsing = option == app.get_help_ptr() || option == app.get_version_ptr();
      model.values = values_of(option);
      command.options.push_back(std::move(model));
    } else if (option->get_positional()) {
      command.positionals.push_back({option->get_name(true), option->get_items_expected_max() > 1,
                                     option->get_required(), values_of(option)});
    }
  }
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    if (!sub->get_name().empty())  // option groups are nameless Apps
      command.subcommands.push_back(model_of(*sub, path + " " + sub->get_name()));
  return command;
}

void for_each_command(const CommandModel& command,
                      const std::function<void(const CommandModel&)>& visit) {
  visit(command);
  for (const CommandModel& sub : command.subcommands) for_each_command(sub, visit);
}

std::string joined(const std::vector<std::string>& words, std::string_view separator = " ") {
  std::string text;
  for (const std::string& word : words) text += (text.empty() ? "" : std::string(separator)) + word;
  return text;
}

constexpr core::EnumName<OptionValues::Kind> kind_names[] = {
    {OptionValues::Kind::any, "any"},
    {OptionValues::Kind::one_of, "one_of"},
    {OptionValues::Kind::list_of, "list_of"},
    {OptionValues::Kind::file, "file"},
    {OptionValues::Kind::directory, "directory"}};
static_assert(core::in_declaration_order(kind_names));

std::string kind_name(OptionValues::Kind kind) {
  return std::string(core::name_in(kind_names, kind));
}

// Quotes for a POSIX shell: 'it'\''s'.
std::string single_quoted(std::string_view text) {
  std::string out = "'";
  for (const char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// ---------------------------------------------------------------------------
// bash: self-contained (no bash-completion functions needed); the tables are
// case statements keyed by the command path.

constexpr const char* bash_body = R"BASH(
# Completes $cur as a value described by spec=(KIND [NAMES...]), with $prefix
# before each result.
_{0}_complete_value() {{
    local head=
    case ${{spec[0]}} in
        one_of) COMPREPLY=($(compgen -W "${{spec[*]:1}}" -- "$cur")) ;;
        list_of)
            [[ $cur == *,* ]] && head=${{cur%,*}},
            COMPREPLY=($(compgen -W "${{spec[*]:1}}" -P "$head" -- "${{cur##*,}}")) ;;
        file)
            compopt -o filenames 2>/dev/null
            mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
        directory)
            compopt -o filenames 2>/dev/null
            mapfile -t COMPREPLY < <(compgen -d -- "$cur") ;;
    esac
    if [[ -n $prefix ]]; then COMPREPLY=("${{COMPREPLY[@]/#/$prefix}}"); fi
}}

_{0}() {{
    local cur=${{COMP_WORDS[COMP_CWORD]}} command={0} option= prefix= word i positionals=0 ended=
    local -a words spec
    COMPREPLY=()
    # Which command the words before the cursor select, and how many
    # positional arguments it has been given.
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${{COMP_WORDS[i]}}
        if [[ -n $option ]]; then
            # The value of $option (bash splits "--opt=value" into three words).
            [[ $word == = ]] || option=
            continue
        fi
        if [[ -z $ended && $word == -- ]]; then ended=1; continue; fi
        if [[ -z $ended && $word == -?* ]]; then
            if [[ $word != *=* ]] && _{0}_option_value "$command" "$word"; then option=$word; fi
            continue
        fi
        _{0}_subcommands "$command"
        if ((positionals == 0)) && [[ " ${{words[*]}} " == *" $word "* ]]; then
            command="$command $word"
        else
            positionals=$((positionals + 1))
        fi
    done

    if [[ -n $option ]]; then
        [[ $cur == = ]] && cur=
    elif [[ -z $ended && $cur == --*=* ]] && _{0}_option_value "$command" "${{cur%%=*}}"; then
        option=${{cur%%=*}}
        prefix=$option=
        cur=${{cur#*=}}
    fi
    if [[ -n $option ]]; then
        _{0}_option_value "$command" "$option"
        _{0}_complete_value
    elif [[ -z $ended && $cur == -* ]]; then
        _{0}_options "$command"
        COMPREPLY=($(compgen -W "${{words[*]}}" -- "$cur"))
    else
        _{0}_subcommands "$command"
        if ((positionals == 0 && ${{#words[@]}} > 0)); then
            COMPREPLY=($(compgen -W "${{words[*]}}" -- "$cur"))
        else
            _{0}_positional_value "$command" "$positionals"
            _{0}_complete_value
        fi
    fi
}}

complete -F _{0} {0}
)BASH";

std::string bash_script(const CommandModel& root) {
  const std::string& program = root.name;
  std::string subcommands, options, option_values, positionals;
  for_each_command(root, [&](const CommandModel& command) {
    const std::string key = single_quoted(command.path);
    if (!command.subcommands.empty()) {
      std::vector<std::string> names;
      for (const CommandModel& sub : command.subcommands) names.push_back(sub.name);
      subcommands += fmt::format("        {}) words=({}) ;;\n", key, joined(names));
    }
    std::vector<std::string> names;
    for (const OptionModel& option : command.options) {
      names.insert(names.end(), option.names.begin(), option.names.end());
      if (!option.takes_value()) continue;
      std::vector<std::string> keys;
      for (const std::string& name : option.names)
        keys.push_back(single_quoted(command.path + "|" + name));
      std::vector<std::string> spec{kind_name(option.values.kind)};
      spec.insert(spec.end(), option.values.names.begin(), option.values.names.end());
      option_values += fmt::format("        {}) spec=({}) ;;\n", joined(keys, " | "), joined(spec));
    }
    options += fmt::format("        {}) words=({}) ;;\n", key, joined(names));
    std::string conditions;
    for (std::size_t i = 0; i < command.positionals.size(); ++i) {
      const PositionalModel& positional = command.positionals[i];
      std::vector<std::string> spec{kind_name(positional.values.kind)};
      spec.insert(spec.end(), positional.values.names.begin(), positional.values.names.end());
      conditions +=
          fmt::format("{}if (($2 {} {})); then spec=({}); ", conditions.empty() ? "" : "el",
                      positional.many ? ">=" : "==", i, joined(spec));
    }
    if (!conditions.empty()) positionals += fmt::format("        {}) {}fi ;;\n", key, conditions);
  });

  std::string script = fmt::format(
      "# bash completion for {0}. Generated by '{0} completion bash' from the\n"
      "# definitions {0}'s parser uses: regenerate it rather than edit it.\n\n",
      program);
  script += fmt::format(
      "# The subcommands of a command (\"{0}\", \"{0} cleanup\"), in words.\n"
      "_{0}_subcommands() {{\n    words=()\n    case $1 in\n{1}    esac\n}}\n\n",
      program, subcommands);
  script += fmt::format(
      "# The options of a command, in words.\n"
      "_{0}_options() {{\n    words=()\n    case $1 in\n{1}    esac\n}}\n\n",
      program, options);
  script += fmt::format(
      "# What option $2 of command $1 takes, in spec=(KIND [NAMES...]); fails for a flag.\n"
      "_{0}_option_value() {{\n    case \"$1|$2\" in\n{1}        *) return 1 ;;\n    esac\n}}\n\n",
      program, option_values);
  script += fmt::format(
      "# What positional argument $2 (from 0) of command $1 takes, in spec.\n"
      "_{0}_positional_value() {{\n    spec=()\n    case $1 in\n{1}    esac\n}}\n",
      program, positionals);
  script += fmt::format(bash_body, program);
  return script;
}

// ---------------------------------------------------------------------------
// zsh: one _arguments function per command, with descriptions.

// For the inside of an _arguments spec: [explanation] and :message: fields.
std::string zsh_spec_text(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '[' || c == ']' || c == ':' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string zsh_action(const OptionValues& values) {
  switch (values.kind) {
    case OptionValues::Kind::one_of: return "(" + joined(values.names) + ")";
    case OptionValues::Kind::list_of: return "_sequence compadd - " + joined(values.names);
    case OptionValues::Kind::file: return "_files";
    case OptionValues::Kind::directory: return "_files -/";
    case OptionValues::Kind::any: break;
  }
  return " ";  // an argument is needed, but nothing can be offered
}

std::string zsh_function_name(const CommandModel& command) {
  std::string name = "_" + command.path;
  for (char& c : name)
    if (c == ' ' || c == '-') c = '_';
  return name;
}

std::string zsh_functions(const CommandModel& command) {
  std::vector<std::string> specs;
  for (const OptionModel& option : command.options) {
    const std::string exclusions = option.ends_parsing ? "(- *)"
                                   : option.repeatable ? "*"
                                                       : "(" + joined(option.names) + ")";
    for (const std::string& name : option.names) {
      std::string spec = exclusions + name;
      if (option.takes_value()) spec += name.starts_with("--") ? "=" : "+";
      spec += "[" + zsh_spec_text(option.description) + "]";
      if (option.takes_value())
        spec += ":" + zsh_spec_text(option.value_name) + ":" + zsh_action(option.values);
      specs.push_back(single_quoted(spec));
    }
  }
  if (!command.subcommands.empty()) {
    specs.push_back(single_quoted("(-): :->command"));
    specs.push_back(single_quoted("(-)*:: :->argument"));
  } else {
    for (std::size_t i = 0; i < command.positionals.size(); ++i) {
      const PositionalModel& positional = command.positionals[i];
      const std::string position = positional.many ? "*" : std::to_string(i + 1);
      specs.push_back(
          single_quoted(position + (positional.required || positional.many ? ":" : "::") +
                        zsh_spec_text(positional.name) + ":" + zsh_action(positional.values)));
    }
  }

  const std::string name = zsh_function_name(command);
  std::string text = fmt::format("{}() {{\n", name);
  if (command.subcommands.empty()) {
    text += "  _arguments -s -S \\\n";
    for (std::size_t i = 0; i < specs.size(); ++i)
      text += "    " + specs[i] + (i + 1 < specs.size() ? " \\\n" : "\n");
    text += "}\n\n";
  } else {
    text +=
        "  local curcontext=$curcontext state state_descr line ret=1\n"
        "  typeset -A opt_args\n"
        "  _arguments -s -S -C \\\n";
    for (std::size_t i = 0; i < specs.size(); ++i)
      text += "    " + specs[i] + (i + 1 < specs.size() ? " \\\n" : " && ret=0\n");
    text += "  case $state in\n    command)\n      local -a commands=(\n";
    for (const CommandModel& sub : command.subcommands) {
      std::string sub_name;
      for (const char c : sub.name) sub_name += c == ':' ? std::string("\\:") : std::string(1, c);
      text += "        " + single_quoted(sub_name + ":" + sub.description) + "\n";
    }
    text += fmt::format("      )\n      _describe -t commands {} commands && ret=0 ;;\n",
                        single_quoted(command.path + " command"));
    text += fmt::format(
        "    argument)\n      curcontext=${{curcontext%:*:*}}:{}-$words[1]:\n"
        "      case $words[1] in\n",
        command.name);
    for (const CommandModel& sub : command.subcommands)
      text += fmt::format("        {}) {} && ret=0 ;;\n", single_quoted(sub.name),
                          zsh_function_name(sub));
    text += "      esac ;;\n  esac\n  return ret\n}\n\n";
  }
  for (const CommandModel& sub : command.subcommands) text += zsh_functions(sub);
  return text;
}

std::string zsh_script(const CommandModel& root) {
  const std::string& program = root.name;
  std::string script = fmt::format(
      "#compdef {0}\n"
      "# zsh completion for {0}. Generated by '{0} completion zsh' from the\n"
      "# definitions {0}'s parser uses: regenerate it rather than edit it.\n\n",
      program);
  script += zsh_functions(root);
  // Autoloaded from $fpath the file is _tmpctl's body: complete now. Sourced,
  // it registers itself.
  script += fmt::format(
      "if [[ $funcstack[1] == {0} ]]; then\n  {0} \"$@\"\nelse\n  compdef {0} {1}\nfi\n",
      zsh_function_name(root), program);
  return script;
}

// ---------------------------------------------------------------------------
// fish: `complete` rules guarded by the command path the line has reached.

std::string fish_quoted(std::string_view text) {
  std::string out = "'";
  for (const char c : text) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string fish_script(const CommandModel& root) {
  const std::string& program = root.name;
  std::string takes_value, subcommands, rules, value_lists;
  int list_number = 0;
  // The arguments of `complete` that offer the values of `values`.
  const auto value_arguments = [&](const OptionValues& values, bool option) -> std::string {
    switch (values.kind) {
      case OptionValues::Kind::one_of:
        return fmt::format(" {} -a {}", option ? "-x" : "-f", fish_quoted(joined(values.names)));
      case OptionValues::Kind::list_of: {
        const std::string function = fmt::format("__{}_values_{}", program, ++list_number);
        value_lists += fmt::format("function {}\n    printf '%s\\n' {}\nend\n\n", function,
                                   joined(values.names));
        return fmt::format(" {} -a {}", option ? "-x" : "-f",
                           fish_quoted(fmt::format("(__fish_complete_list , {})", function)));
      }
      case OptionValues::Kind::file: return option ? " -r -F" : " -F";
      case OptionValues::Kind::directory:
        return fmt::format(" {} -a '(__fish_complete_directories)'", option ? "-x" : "-f");
      case OptionValues::Kind::any: break;
    }
    return option ? " -x" : "";
  };

  for_each_command(root, [&](const CommandModel& command) {
    const std::string condition = fish_quoted(fmt::format("__{}_is \"{}\"", program, command.path));
    if (!command.subcommands.empty()) {
      std::vector<std::string> names;
      for (const CommandModel& sub : command.subcommands) {
        names.push_back(sub.name);
        rules += fmt::format("complete -c {} -n {} -f -a {} -d {}\n", program, condition,
                             fish_quoted(sub.name), fish_quoted(sub.description));
      }
      subcommands += fmt::format("        case {}\n            printf '%s\\n' {}\n",
                                 fish_quoted(command.path), joined(names));
    }
    for (const OptionModel& option : command.options) {
      std::string names;
      for (const std::string& name : option.names) {
        names += name.starts_with("--") ? " -l " + fish_quoted(name.substr(2))
                                        : " -s " + fish_quoted(name.substr(1));
        if (option.takes_value()) takes_value += " " + fish_quoted(command.path + "|" + name);
      }
      rules += fmt::format("complete -c {} -n {}{}{} -d {}\n", program, condition, names,
                           option.takes_value() ? value_arguments(option.values, true) : "",
                           fish_quoted(option.description));
    }
    if (command.subcommands.empty())
      for (const PositionalModel& positional : command.positionals) {
        const std::string values = value_arguments(positional.values, false);
        if (!values.empty())
          rules += fmt::format("complete -c {} -n {}{}\n", program, condition, values);
      }
  });

  std::string script = fmt::format(
      "# fish completion for {0}. Generated by '{0} completion fish' from the\n"
      "# definitions {0}'s parser uses: regenerate it rather than edit it.\n\n",
      program);
  script += fmt::format(
      "# Whether option $argv[2] of command $argv[1] (\"{0}\", \"{0} cleanup\") takes a value.\n"
      "function __{0}_takes_value --argument-names command option\n"
      "    switch \"$command|$option\"\n        case{1}\n            return 0\n    end\n"
      "    return 1\nend\n\n",
      program, takes_value);
  script += fmt::format(
      "function __{0}_subcommands --argument-names command\n"
      "    switch $command\n{1}    end\nend\n\n",
      program, subcommands);
  script +=
      fmt::format(R"FISH(# The command the words before the cursor select: "{0}", "{0} cleanup"...
function __{0}_command
    set -l command {0}
    set -l tokens (commandline -opc)
    set -l value_expected 0
    set -l ended 0
    for token in $tokens[2..-1]
        if test $value_expected = 1
            set value_expected 0
            continue
        end
        if test $ended = 0
            if test "$token" = --
                set ended 1
                continue
            end
            if string match -q -- '-?*' $token
                if not string match -q -- '*=*' $token; and __{0}_takes_value $command $token
                    set value_expected 1
                end
                continue
            end
        end
        contains -- $token (__{0}_subcommands $command); or break
        set command "$command $token"
    end
    echo $command
end

function __{0}_is --argument-names command
    test (__{0}_command) = $command
end

)FISH",
                  program);
  script += value_lists;
  script += fmt::format("complete -c {0} -e\ncomplete -c {0} -f\n", program);
  script += rules;
  return script;
}

}  // namespace

std::string completion_script(const CLI::App& root, const std::string& shell) {
  const CommandModel model = model_of(root, root.get_name());
  if (shell == "bash") return bash_script(model);
  if (shell == "zsh") return zsh_script(model);
  return fish_script(model);
}

CompletionCommand::CompletionCommand(CLI::App& parent)
    : app_(parent.add_subcommand(command_name, command_summary)) {
  app_->footer(std::string(description) + "\n\n" + footer);
  one_of(
      app_->add_option("SHELL", shell_, "The shell to complete for")->type_name("NAME")->required(),
      {"bash", "fish", "zsh"});
}

int CompletionCommand::run() {
  const CLI::App* root = app_;
  while (root->get_parent() != nullptr) root = root->get_parent();
  DataOutput out(stdout);
  out.write(completion_script(*root, shell_));
  if (auto written = out.finish(); !written) {
    print_error(written.error());
    return exit_failure;
  }
  return exit_success;
}

}  // namespace tmpctl::cli
