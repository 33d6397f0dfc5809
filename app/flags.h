#pragma once
// Command-line flags for the `ting` subcommands: `--name value`, `--name=value` and bare
// `--switch`, plus positional arguments. Unknown flags are errors, so typos never pass silently.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ting/base/result.h"

namespace ting::app {

struct FlagSpec {
  std::set<std::string> with_value;  // flags that take a value, without the leading "--"
  std::set<std::string> switches;    // flags that take none
};

class Flags {
 public:
  // args excludes the program and command name.
  static Result<Flags> Parse(const std::vector<std::string>& args, const FlagSpec& spec);

  bool Has(const std::string& name) const { return values_.count(name) || switches_.count(name); }
  std::optional<std::string> Get(const std::string& name) const;
  std::string GetOr(const std::string& name, const std::string& fallback) const;
  Result<std::string> Require(const std::string& name) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::map<std::string, std::string> values_;
  std::set<std::string> switches_;
  std::vector<std::string> positional_;
};

}  // namespace ting::app
