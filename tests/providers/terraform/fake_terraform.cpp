// A stand-in for the terraform CLI in tests (no terraform or tofu binary can be installed
// here). It keeps real state and answers as the CLI does, for the verbs converge runs:
// `version -json`, `init` (-backend-config=path=… or a file with `path = "…"`),
// `workspace select -or-create`, `plan -out -detailed-exitcode [-refresh-only]
// [-var-file] [-var]`, `show -json <plan>`, `apply <plan>`.
//
// The configuration is Terraform's JSON syntax in <root>/main.tf.json: "variable"
// (default, sensitive; a value from TF_VAR_<name>, a var file or -var), "resource" (<type> → <name> → attributes; "${var.x}" is
// replaced), "output" (value, sensitive). State is a JSON file at the backend's path
// (per workspace under terraform.tfstate.d/<name>/ as the local backend keeps it),
// with serial and lineage; a plan file carries the serial it was made at, and applying
// it after the state moved fails as "Saved plan is stale". The remote objects are a
// second JSON file beside the state, `<state>.cloud.json` (address → values), which
// every apply writes and a test edits to change something outside Terraform. Every
// plan refreshes first: a resource whose object differs is drift (`resource_drift`,
// before = the state, after = the object; gone = "delete"), and the plan starts from
// the refreshed values, as Terraform's does; `lifecycle.ignore_changes` (attribute
// names) keeps an attribute's refreshed value. `-refresh-only` plans only the
// refresh: drift, no resource changes, exit 2 with -detailed-exitcode when there is
// any; applying it writes the refreshed state. With no cloud file (nothing applied
// yet, or a state written by hand) the state is taken as what runs. A lock is held while
// `.<state file>.lock.info` exists (the local backend's lock file, its JSON names Who).
// Attributes from sensitive variables, or named "password", are sensitive.
//
// Faults on demand: FAKE_TF_FAIL=<verb> fails that verb with a provider-like error,
// FAKE_TF_SLEEP=<seconds> sleeps first, FAKE_TF_REQUIRE_ENV=<NAME> fails unless it is
// set. FAKE_TF_LOG=<file> gets one line per run: the arguments. FAKE_TF_SHOW=<file>
// makes `show -json` answer that file (a plan recorded from the real Terraform) in
// place of the plan file's own.
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write(const fs::path& path, const std::string& text) {
  if (path.has_parent_path()) fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

[[noreturn]] void diagnostic(const std::string& summary, const std::string& detail) {
  std::cerr << "\nError: " << summary << "\n\n" << detail << "\n";
  std::exit(1);
}

const char* env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

fs::path data_dir() {
  std::string d = env("TF_DATA_DIR");
  return d.empty() ? fs::path(".terraform") : fs::path(d);
}

struct Backend {
  fs::path state;
  fs::path lock;
};

Backend backend() {
  const fs::path config = data_dir() / "fake-backend.json";
  if (!fs::exists(config))
    diagnostic("Backend initialization required, please run \"terraform init\"",
               "Reason: Initial configuration of the requested backend \"local\"");
  json b = json::parse(read(config));
  fs::path state = b.at("path").get<std::string>();
  std::string ws = fs::exists(data_dir() / "environment") ? read(data_dir() / "environment") : "default";
  if (ws != "default") state = state.parent_path() / "terraform.tfstate.d" / ws / "terraform.tfstate";
  return {state, state.parent_path() / ("." + state.filename().string() + ".lock.info")};
}

void check_lock(const Backend& b) {
  if (!fs::exists(b.lock)) return;
  json info = json::parse(read(b.lock), nullptr, false);
  auto f = [&](const char* k) { return info.is_object() && info.contains(k) ? info[k].get<std::string>() : ""; };
  diagnostic("Error acquiring the state lock",
             "Error message: resource temporarily unavailable\nLock Info:\n  ID:        " + f("ID") +
                 "\n  Path:      " + b.state.string() + "\n  Operation: " + f("Operation") + "\n  Who:       " +
                 f("Who") + "\n  Version:   1.9.8\n  Created:   " + f("Created") +
                 "\n  Info:      \n\n\nTerraform acquires a state lock to protect the state from being written\nby "
                 "multiple users at the same time. Please resolve the issue above and try\nagain. For most commands, "
                 "you can disable locking with the \"-lock=false\"\nflag, but this is not recommended.");
}

json load_state(const Backend& b) {
  if (!fs::exists(b.state)) return {{"version", 4}, {"serial", 0}, {"lineage", ""}, {"resources", json::object()},
                                    {"outputs", json::object()}};
  return json::parse(read(b.state));
}

// "k = "v"" lines (a .tfvars) or a JSON object (a .tfvars.json).
void read_var_file(const fs::path& file, std::map<std::string, json>& vars) {
  if (!fs::exists(file)) diagnostic("Failed to read variables file", "Given variables file " + file.string() + " does not exist.");
  std::string text = read(file);
  if (file.extension() == ".json") {
    const json parsed = json::parse(text);
    for (auto& [k, v] : parsed.items()) vars[k] = v;
    return;
  }
  static const std::regex line(R"re(^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*"([^"]*)"\s*$)re");
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    std::smatch m;
    if (std::regex_match(l, m, line)) vars[m[1]] = m[2].str();
  }
}

struct Config {
  json resources = json::object();  // address → {type, name, values, sensitive: [attr], ignore: [attr]}
  json outputs = json::object();    // name → {value, sensitive}
};

// Replaces "${var.x}" in strings; `sensitive` is set when a sensitive variable was used.
json interpolate(const json& value, const std::map<std::string, json>& vars, const std::set<std::string>& secret,
                 bool& sensitive) {
  if (value.is_string()) {
    std::string s = value.get<std::string>();
    static const std::regex ref(R"(\$\{var\.([A-Za-z0-9_]+)\})");
    std::smatch m;
    if (std::regex_match(s, m, ref) && vars.contains(m[1])) {
      sensitive = sensitive || secret.contains(m[1]);
      return vars.at(m[1]);
    }
    std::string out;
    auto begin = s.cbegin();
    while (std::regex_search(begin, s.cend(), m, ref)) {
      out += std::string(begin, m[0].first);
      if (!vars.contains(m[1])) diagnostic("Reference to undeclared input variable", "An input variable with the name \"" + m[1].str() + "\" has not been declared.");
      sensitive = sensitive || secret.contains(m[1]);
      const json& v = vars.at(m[1]);
      out += v.is_string() ? v.get<std::string>() : v.dump();
      begin = m[0].second;
    }
    return out + std::string(begin, s.cend());
  }
  if (value.is_object() || value.is_array()) {
    json out = value;
    for (auto& [k, v] : out.items()) v = interpolate(v, vars, secret, sensitive);
    return out;
  }
  return value;
}

Config load_config(const std::vector<std::string>& var_files, const std::map<std::string, std::string>& cli_vars) {
  const fs::path file = "main.tf.json";
  json root = fs::exists(file) ? json::parse(read(file)) : json::object();
  const json variables = root.value("variable", json::object()), resources = root.value("resource", json::object()),
             outputs = root.value("output", json::object());
  std::map<std::string, json> vars;
  std::set<std::string> secret;
  for (auto& [name, spec] : variables.items()) {
    if (spec.contains("default")) vars[name] = spec["default"];
    if (spec.value("sensitive", false)) secret.insert(name);
  }
  for (auto& [name, spec] : variables.items())
    if (const char* v = std::getenv(("TF_VAR_" + name).c_str())) vars[name] = std::string(v);
  for (const auto& f : var_files) read_var_file(f, vars);
  for (const auto& [k, v] : cli_vars) vars[k] = v;
  for (auto& [name, spec] : variables.items())
    if (!vars.contains(name))
      diagnostic("No value for required variable", "The root module input variable \"" + name + "\" is not set.");
  Config c;
  for (auto& [type, named] : resources.items())
    for (auto& [name, attrs] : named.items()) {
      json values = json::object(), sensitive = json::array(), ignore = json::array();
      for (auto& [k, v] : attrs.items()) {
        if (k == "lifecycle") {
          ignore = v.value("ignore_changes", json::array());
          continue;
        }
        bool s = k == "password";
        values[k] = interpolate(v, vars, secret, s);
        if (s) sensitive.push_back(k);
      }
      c.resources[type + "." + name] = {{"type", type},     {"name", name},        {"values", values},
                                        {"sensitive", sensitive}, {"ignore", ignore}};
    }
  for (auto& [name, spec] : outputs.items()) {
    bool s = spec.value("sensitive", false);
    c.outputs[name] = {{"value", interpolate(spec.value("value", json()), vars, secret, s)}, {"sensitive", s}};
  }
  return c;
}

json sensitive_marks(const json& values, const json& names) {
  json marks = json::object();
  for (const auto& n : names)
    if (values.contains(n.get<std::string>())) marks[n.get<std::string>()] = true;
  return marks;
}

fs::path cloud_path(const Backend& b) { return b.state.string() + ".cloud.json"; }

// The remote objects; null when there is no cloud file.
json load_cloud(const Backend& b) {
  return fs::exists(cloud_path(b)) ? json::parse(read(cloud_path(b))) : json();
}

// One resource_drift / resource_changes entry of resource `r` at `address`.
json change_entry(const std::string& address, const json& r, std::vector<std::string> actions, const json& before,
                  const json& after, const json& after_unknown, const json& sensitive_names) {
  return {{"address", address}, {"mode", "managed"}, {"type", r["type"]}, {"name", r["name"]},
          {"provider_name", "registry.terraform.io/example/fake"},
          {"change", {{"actions", actions}, {"before", before}, {"after", after}, {"after_unknown", after_unknown},
                      {"before_sensitive", before.is_null() ? json(false) : sensitive_marks(before, sensitive_names)},
                      {"after_sensitive", after.is_null() ? json(false) : sensitive_marks(after, sensitive_names)}}}};
}

// The state refreshed from the cloud, and the drift found doing it.
std::pair<json, json> refresh(const json& state, const json& cloud) {
  json refreshed = state, drift = json::array();
  if (cloud.is_null()) return {refreshed, drift};
  for (auto& [address, r] : state["resources"].items()) {
    const json names = r.value("sensitive", json::array());
    if (!cloud.contains(address)) {
      drift.push_back(change_entry(address, r, {"delete"}, r["values"], nullptr, json::object(), names));
      refreshed["resources"].erase(address);
    } else if (cloud[address] != r["values"]) {
      drift.push_back(change_entry(address, r, {"update"}, r["values"], cloud[address], json::object(), names));
      refreshed["resources"][address]["values"] = cloud[address];
    }
  }
  return {refreshed, drift};
}

int plan(const std::vector<std::string>& args) {
  std::string out;
  bool detailed = false, refresh_only = false;
  std::vector<std::string> var_files;
  std::map<std::string, std::string> cli_vars;
  for (const auto& a : args) {
    if (a.starts_with("-out=")) out = a.substr(5);
    else if (a == "-detailed-exitcode") detailed = true;
    else if (a == "-refresh-only") refresh_only = true;
    else if (a.starts_with("-var-file=")) var_files.push_back(a.substr(10));
    else if (a.starts_with("-var=")) {
      auto eq = a.find('=', 5);
      cli_vars[a.substr(5, eq - 5)] = a.substr(eq + 1);
    } else if (a != "-input=false" && a != "-no-color" && !a.starts_with("-lock-timeout="))
      diagnostic("Invalid command line argument", "unknown argument " + a);
  }
  Backend b = backend();
  check_lock(b);
  if (std::string(env("FAKE_TF_FAIL")) == "plan")
    diagnostic("reading fake_thing (web): AccessDenied", "  with fake_thing.web,\n  on main.tf.json line 1: the credentials were refused");
  const json prior = load_state(b);
  auto [state, drift] = refresh(prior, load_cloud(b));
  Config desired = refresh_only ? Config{} : load_config(var_files, cli_vars);
  json changes = json::array(), output_changes = json::object();
  json new_state = state;
  int add = 0, change = 0, destroy = 0;
  if (!refresh_only) {
    for (auto& [address, r] : desired.resources.items()) {
      json before = state["resources"].contains(address) ? state["resources"][address]["values"] : json();
      json after = r["values"];
      json after_unknown = json::object();
      std::vector<std::string> actions;
      if (before.is_null()) {
        actions = {"create"};
        after_unknown["id"] = true;
        ++add;
      } else {
        after["id"] = before.value("id", "");
        for (const auto& attr : r["ignore"])
          if (before.contains(attr.get<std::string>())) after[attr.get<std::string>()] = before[attr.get<std::string>()];
        if (before == after) actions = {"no-op"};
        else actions = {"update"}, ++change;
      }
      json bs = before.is_null() ? json(false) : sensitive_marks(before, state["resources"][address].value("sensitive", json::array()));
      changes.push_back({{"address", address}, {"mode", "managed"}, {"type", r["type"]}, {"name", r["name"]},
                         {"provider_name", "registry.terraform.io/example/fake"},
                         {"change", {{"actions", actions}, {"before", before}, {"after", after},
                                     {"after_unknown", after_unknown}, {"before_sensitive", bs},
                                     {"after_sensitive", sensitive_marks(after, r["sensitive"])}}}});
      json stored = after;
      if (before.is_null()) stored["id"] = address + "-" + std::to_string(state["serial"].get<int>() + 1);
      new_state["resources"][address] = {{"type", r["type"]}, {"name", r["name"]}, {"values", stored},
                                         {"sensitive", r["sensitive"]}};
    }
    for (auto& [address, r] : state["resources"].items()) {
      if (desired.resources.contains(address)) continue;
      changes.push_back({{"address", address}, {"mode", "managed"}, {"type", r["type"]}, {"name", r["name"]},
                         {"provider_name", "registry.terraform.io/example/fake"},
                         {"action_reason", "delete_because_no_resource_config"},
                         {"change", {{"actions", {"delete"}}, {"before", r["values"]}, {"after", nullptr},
                                     {"after_unknown", json::object()},
                                     {"before_sensitive", sensitive_marks(r["values"], r.value("sensitive", json::array()))},
                                     {"after_sensitive", false}}}});
      new_state["resources"].erase(address);
      ++destroy;
    }
    for (auto& [name, o] : desired.outputs.items()) {
      json before = state["outputs"].contains(name) ? state["outputs"][name]["value"] : json();
      std::string action = before.is_null() ? "create" : before == o["value"] ? "no-op" : "update";
      output_changes[name] = {{"actions", {action}}, {"before", before}, {"after", o["value"]},
                              {"after_unknown", false}, {"before_sensitive", o["sensitive"]},
                              {"after_sensitive", o["sensitive"]}};
      new_state["outputs"][name] = o;
    }
    for (auto& [name, o] : state["outputs"].items())
      if (!desired.outputs.contains(name)) {
        output_changes[name] = {{"actions", {"delete"}}, {"before", o["value"]}, {"after", nullptr},
                                {"after_unknown", false}, {"before_sensitive", o["sensitive"]},
                                {"after_sensitive", false}};
        new_state["outputs"].erase(name);
      }
  }
  bool any = add + change + destroy > 0 || (refresh_only && !drift.empty());
  for (auto& [name, o] : output_changes.items())
    if (o["actions"][0] != "no-op") any = true;
  char stamp[32];
  std::time_t now = std::time(nullptr);
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  json planned = json::array();
  for (auto& [address, r] : new_state["resources"].items())
    planned.push_back({{"address", address}, {"mode", "managed"}, {"type", r["type"]}, {"name", r["name"]},
                       {"values", r["values"]}, {"sensitive_values", sensitive_marks(r["values"], r["sensitive"])}});
  json document = {{"format_version", "1.2"}, {"terraform_version", "1.9.8"}, {"timestamp", stamp},
                   {"applyable", any}, {"complete", true}, {"errored", false},
                   {"planned_values", {{"root_module", {{"resources", planned}}}}},
                   {"configuration", {{"root_module", json::object()}}}};
  if (!refresh_only) document["resource_changes"] = changes, document["output_changes"] = output_changes;
  if (!drift.empty()) document["resource_drift"] = drift;
  if (!out.empty())
    write(out, json({{"fake_tfplan", 1}, {"serial", prior["serial"]}, {"lineage", prior["lineage"]},
                     {"plan", document}, {"prior_state", prior}, {"new_state", new_state}}).dump());
  if (refresh_only)
    std::cout << (any ? "\nThis is a refresh-only plan, so Terraform will not take any actions to undo these.\n"
                      : "\nNo changes. Your infrastructure still matches the configuration.\n");
  else if (!any) std::cout << "\nNo changes. Your infrastructure matches the configuration.\n";
  else std::cout << "\nPlan: " << add << " to add, " << change << " to change, " << destroy << " to destroy.\n";
  return detailed && any ? 2 : 0;
}

int apply(const std::vector<std::string>& args) {
  std::string file;
  for (const auto& a : args)
    if (!a.starts_with("-")) file = a;
  Backend b = backend();
  check_lock(b);
  json p = json::parse(read(file), nullptr, false);
  if (!p.is_object() || !p.contains("fake_tfplan")) diagnostic("Failed to load \"" + file + "\" as a plan file", "zip: not a valid zip file");
  json state = load_state(b);
  if (state["serial"] != p["serial"] || state["lineage"] != p["lineage"])
    diagnostic("Saved plan is stale",
               "The given plan file can no longer be applied because the state was changed by another operation "
               "after the plan was created.");
  if (std::string(env("FAKE_TF_FAIL")) == "apply")
    diagnostic("creating fake_thing (web): operation error: api error QuotaExceeded", "  with fake_thing.web");
  json next = p["new_state"];
  next["serial"] = state["serial"].get<int>() + 1;
  if (next["lineage"] == "") next["lineage"] = "fake-lineage-" + std::to_string(std::time(nullptr));
  write(b.state, next.dump(2));
  // The remote objects follow: what the plan started from goes, what it ends with is.
  json cloud = load_cloud(b);
  if (cloud.is_null()) cloud = json::object();
  const json prior = p.value("prior_state", json::object()).value("resources", json::object());
  for (auto& [address, r] : prior.items()) cloud.erase(address);
  for (auto& [address, r] : next["resources"].items()) cloud[address] = r["values"];
  write(cloud_path(b), cloud.dump(2));
  std::cout << "\nApply complete!\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (const char* log = std::getenv("FAKE_TF_LOG")) {
    std::ofstream l(log, std::ios::app);
    for (const auto& a : args) l << a << ' ';
    l << '\n';
  }
  if (!args.empty() && args[0].starts_with("-chdir=")) {
    fs::current_path(args[0].substr(7));
    args.erase(args.begin());
  }
  if (args.empty()) diagnostic("no command", "Usage: terraform [global options] <subcommand> [args]");
  if (const char* s = std::getenv("FAKE_TF_SLEEP")) std::this_thread::sleep_for(std::chrono::seconds(std::atoi(s)));
  if (const char* need = std::getenv("FAKE_TF_REQUIRE_ENV"); need && !*env(need))
    diagnostic("No valid credential sources found", std::string(need) + " is not set");
  const std::string verb = args[0];
  args.erase(args.begin());
  if (verb == "version") {
    std::cout << R"({"terraform_version":"1.9.8","platform":"linux_amd64","provider_selections":{},"terraform_outdated":false})" << "\n";
    return 0;
  }
  if (std::string(env("FAKE_TF_FAIL")) == verb && verb == "init")
    diagnostic("Failed to query available provider packages",
               "Could not retrieve the list of available versions for provider example/fake: no available releases match");
  if (verb == "init") {
    fs::path path = fs::absolute("terraform.tfstate");
    for (const auto& a : args) {
      if (!a.starts_with("-backend-config=")) continue;
      std::string v = a.substr(16);
      if (v.starts_with("path=")) path = v.substr(5);
      else {
        std::smatch m;
        std::string text = read(v);
        static const std::regex line(R"re(path\s*=\s*"([^"]*)")re");
        if (std::regex_search(text, m, line)) path = m[1].str();
      }
    }
    write(data_dir() / "fake-backend.json", json({{"path", path.string()}}).dump());
    std::cout << "\nTerraform has been successfully initialized!\n";
    return 0;
  }
  if (verb == "workspace") {
    backend();
    if (args.size() < 2 || args[0] != "select") diagnostic("unsupported", "only `workspace select` is supported");
    write(data_dir() / "environment", args.back());
    return 0;
  }
  if (verb == "plan") return plan(args);
  if (verb == "show") {
    backend();
    std::string file;
    for (const auto& a : args)
      if (!a.starts_with("-")) file = a;
    json p = json::parse(read(file), nullptr, false);
    if (!p.is_object() || !p.contains("plan")) diagnostic("Failed to read the given file as a state or plan file", file);
    if (const char* recorded = std::getenv("FAKE_TF_SHOW")) std::cout << read(recorded) << "\n";
    else std::cout << p["plan"].dump() << "\n";
    return 0;
  }
  if (verb == "apply") return apply(args);
  diagnostic("unknown command " + verb, "");
}
