#include "flags.h"

namespace ting::app {

Result<Flags> Flags::Parse(const std::vector<std::string>& args, const FlagSpec& spec) {
  Flags f;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.size() < 3 || a.compare(0, 2, "--") != 0) {
      f.positional_.push_back(a);
      continue;
    }
    std::string name = a.substr(2), value;
    bool inline_value = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
      inline_value = true;
    }
    if (spec.switches.count(name)) {
      if (inline_value) return Error::Invalid("--" + name + " takes no value");
      f.switches_.insert(name);
    } else if (spec.with_value.count(name)) {
      if (!inline_value) {
        if (i + 1 >= args.size()) return Error::Invalid("--" + name + " needs a value");
        value = args[++i];
      }
      f.values_[name] = value;
    } else {
      return Error::Invalid("unknown flag --" + name + " (see --help)");
    }
  }
  return f;
}

std::optional<std::string> Flags::Get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string Flags::GetOr(const std::string& name, const std::string& fallback) const {
  auto v = Get(name);
  return v ? *v : fallback;
}

Result<std::string> Flags::Require(const std::string& name) const {
  auto v = Get(name);
  if (!v) return Error::Invalid("missing required flag --" + name + " (see --help)");
  return *v;
}

}  // namespace ting::app
