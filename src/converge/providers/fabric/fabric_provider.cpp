// The `fabric` provider (fabric_provider.hpp; docs/providers/fabric.md).
//
// compile: the items under `sources` (sources.hpp) in scope (`item_types`), with
// parameter.yml applied for the environment (parameters.hpp) and references to other
// items by logical id turned into markers; bundle.hpp is the format.
//
// plan: lists the workspace's items and folders, and for every item of the bundle in
// deploy order (order.hpp): create when the workspace has none of its type and name;
// else, for an item with a definition, reads it (getDefinition) and compares it part
// by part with the bundle's, markers resolved against the workspace (compare.hpp);
// with the description and the folder, an update of what differs. Then, types in
// reverse order, the workspace's items that are not in the bundle: deleted when
// converge manages them (the manifest: PlanContext::managed_keys) or `prune: true`,
// but for types that hold data (options.hpp), which only `delete_data` opts in; the
// plan says which are left and why. Change keys are "<Type>/<Name>", kinds the type;
// before/after are the text of what differs (compare.hpp shows parts).
//
// apply: the plan's changes in order, from the state plan() read: a create makes the
// item's folders first, resolves the markers (items created earlier in the same apply
// included) and POSTs the item; an update writes only what the plan found different
// (definition, description, folder); a delete DELETEs. Each long-running operation
// is followed to its end (http/long_running.hpp). It stops at the first failure, and
// reports what was applied. When something was applied, the workspace's description
// gets the deployment stamp (stamp.hpp).
//
// With `promote_via: deployment-pipeline` the plan is the same (the workspace against
// the bundle, which is what the source stage runs: the steps' promote_from check
// refuses an apply whose bundle differs from the source environment's), and apply
// makes the plan's creates and updates by ONE deploy of the source stage to the target
// stage of the Fabric deployment pipeline, followed to its end; then the deletes as
// above (a pipeline's deploy deletes nothing). drift-verify --apply does the same: the
// workspace is set back to what the source stage runs.
#include "converge/providers/fabric/fabric_provider.hpp"
#include "converge/util/utc_time.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>
#include <map>

#include "converge/providers/fabric/api.hpp"
#include "converge/providers/fabric/bundle.hpp"
#include "converge/providers/fabric/compare.hpp"
#include "converge/providers/fabric/export.hpp"
#include "converge/providers/fabric/forgotten.hpp"
#include "converge/providers/fabric/markers.hpp"
#include "converge/providers/fabric/options.hpp"
#include "converge/providers/fabric/order.hpp"
#include "converge/providers/fabric/parameters.hpp"
#include "converge/providers/fabric/sources.hpp"
#include "converge/providers/fabric/stamp.hpp"
#include "converge/util/fs.hpp"

namespace converge::providers::fabric {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxListed = 20;

// The kind of the plan's change of a feature workspace itself (key "Workspace/<name>").
constexpr const char* kWorkspaceKind = "Workspace";

// Types Fabric creates beside others (a lakehouse's SQL endpoint): never converge's to
// create or delete.
bool system_type(const std::string& type) { return type == "SQLEndpoint" || type == "Dashboard"; }

// Types deployed without a definition (fabric-cicd's shell-only publish).
bool shell_type(const std::string& type) {
  return type == "Lakehouse" || type == "Warehouse" || type == "SQLDatabase" || type == "MLExperiment";
}

// "ws/parameter.yml:12: message" → its file, line and message.
Warning warning_of(const std::string& text, const std::string& file) {
  if (text.starts_with(file + ":")) {
    std::size_t at = file.size() + 1, end = at;
    while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) ++end;
    if (end > at && text.compare(end, 2, ": ") == 0)
      return {file, std::stoi(text.substr(at, end - at)), text.substr(end + 2)};
  }
  return {file, 0, text};
}

std::string now_utc() { return util::utc_time("%Y-%m-%dT%H:%M:%SZ"); }

// What an update changes of an item, as plan() found it.
struct Difference {
  bool definition = false;
  bool description = false;
  bool folder = false;
};

class FabricProvider final : public Provider {
 public:
  FabricProvider(TargetSpec spec, Options options)
      : spec_(std::move(spec)), options_(std::move(options)), api_(options_) {}

  bool uses_managed_keys() const override { return true; }

  std::vector<std::filesystem::path> source_paths() const override {
    std::vector<std::filesystem::path> paths{spec_.repo_root / options_.sources};
    if (!options_.parameters.empty()) paths.push_back(spec_.repo_root / options_.parameters);
    return paths;
  }

  Expected<Bundle> compile() override {
    auto items = read_items(spec_.repo_root, options_.sources);
    if (!items) return fail(items.error());
    if (!options_.item_types.empty())
      std::erase_if(*items, [&](const Item& item) { return !options_.item_types.contains(item.type); });
    std::vector<Warning> warnings;
    const std::string file = parameter_file();
    std::string parameter_bytes;
    if (!file.empty()) {
      auto bytes = util::read_file(spec_.repo_root / file, 16u << 20);
      if (!bytes) return fail(Error::config(bytes.error().message, {file, 0, 0}));
      parameter_bytes = std::move(*bytes);
    }
    const std::string hash = code_hash(*items, parameter_bytes);
    mark_logical_ids(*items);
    if (!file.empty()) {
      auto parameters = parse_parameters(parameter_bytes, file,
                                         std::filesystem::absolute(spec_.repo_root / file).parent_path());
      if (!parameters) return fail(parameters.error());
      auto report = apply_parameters(*parameters, options_.parameter_environment, *items);
      if (!report) return fail(report.error());
      for (const auto& w : report->warnings) warnings.push_back(warning_of(w, file));
      for (auto& w : forgotten_values(*parameters, options_.parameter_environment, *items)) warnings.push_back(std::move(w));
    }
    mark_default_workspace_ids(*items);
    auto order = deploy_order(*items);  // a reference cycle is a compile error
    if (!order) return fail(order.error());
    return make_bundle(*items, warnings, hash);
  }

  std::map<std::string, std::string> bundle_files(const Bundle& bundle) const override {
    return fabric::bundle_files(bundle_items(bundle));
  }

  Expected<plan::TargetPlan> plan(const Bundle& desired, const PlanContext& context) override {
    context_ = context;
    plan::TargetPlan out;
    out.target = spec_.name;
    out.provider = "fabric";
    out.bundle_hash = desired.hash;
    for (const auto& w : bundle_warnings(desired))
      out.findings.push_back({w.rule, plan::Severity::warning, w.file, w.line, w.message, false,
                              "docs/providers/fabric.md#parameters"});

    desired_ = bundle_items(desired);
    planned_hash_ = desired.hash;
    auto order = deploy_order(desired_);
    if (!order) return fail(order.error());
    if (auto ok = read_workspace(); !ok) return fail(ok.error().with_context("fabric target '" + spec_.name + "'"));
    differences_.clear();
    if (options_.feature) {
      // Never deploy into a workspace converge did not make for this branch (a shared
      // one whose name the pattern gives for a branch named like it, another branch
      // whose name has the same slug).
      if (workspace_ && !made_for_branch(workspace_->value("description", std::string()))) {
        out.errors.push_back("workspace '" + options_.workspace_name + "' exists and was not made by converge for " +
                             "branch " + options_.branch + " (its description lacks \"" + feature_mark() +
                             "\"): a feature environment deploys only into its branch's own workspace");
        return out;
      }
      if (auto change = workspace_change()) out.changes.push_back(std::move(*change));
    }

    std::set<std::string> wanted;
    for (const Item* item : *order) wanted.insert(item->key());
    for (const Item* item : *order) {
      auto remote = remote_.find(item->key());
      auto parts = resolved_parts(*item, /*for_apply=*/false, out.errors);
      if (remote == remote_.end()) {
        std::string after = metadata_text(item->type, item->name, item->folder, item->description);
        if (!shell_type(item->type)) {
          std::vector<std::string> paths;
          for (const auto& p : parts) paths.push_back(p.path);
          after += shown_parts(parts, paths);
        }
        out.changes.push_back({plan::Action::create, item->type, item->key(), nullptr, after, item->name});
        continue;
      }
      Difference d;
      std::string before, after;
      const std::string folder = folder_path(remote->second.folder_id);
      if (remote->second.description != item->description) {
        d.description = true;
        before += "description: " + remote->second.description + "\n";
        after += "description: " + item->description + "\n";
      }
      if (folder != item->folder) {
        d.folder = true;
        before += "folder: " + (folder.empty() ? "/" : folder) + "\n";
        after += "folder: " + (item->folder.empty() ? "/" : item->folder) + "\n";
      }
      if (!shell_type(item->type)) {
        auto actual = api_.definition(remote->second.id);
        if (!actual) return fail(actual.error().with_context("fabric target '" + spec_.name + "'"));
        auto changed = changed_parts(parts, *actual);
        if (!changed.empty()) {
          d.definition = true;
          before += shown_parts(*actual, changed);
          after += shown_parts(parts, changed);
        }
      }
      if (d.definition || d.description || d.folder) {
        differences_[item->key()] = d;
        out.changes.push_back({plan::Action::update, item->type, item->key(), before, after, item->name});
      }
    }

    // Deletes, in reverse deploy order.
    std::vector<const RemoteItem*> extra;
    for (const auto& [key, remote] : remote_)
      if (!wanted.contains(key) && !system_type(remote.type) &&
          (options_.item_types.empty() || options_.item_types.contains(remote.type)))
        extra.push_back(&remote);
    std::stable_sort(extra.begin(), extra.end(), [](const RemoteItem* a, const RemoteItem* b) {
      int ra = type_rank(a->type), rb = type_rank(b->type);
      if (ra != rb) return ra > rb;
      return a->type + "/" + a->name < b->type + "/" + b->name;
    });
    std::vector<std::string> unmanaged, kept_data;
    for (const RemoteItem* remote : extra) {
      const std::string key = remote->type + "/" + remote->name;
      if (!options_.prune && !context.managed_keys.contains(key)) {
        unmanaged.push_back(key);
        continue;
      }
      if (holds_data(remote->type) && !options_.delete_data.contains(remote->type)) {
        kept_data.push_back(key);
        continue;
      }
      out.changes.push_back({plan::Action::remove, remote->type, key,
                             metadata_text(remote->type, remote->name, folder_path(remote->folder_id),
                                           remote->description),
                             nullptr, remote->name});
    }
    if (!unmanaged.empty())
      out.notes.push_back(listed(unmanaged) + " in the workspace " + (unmanaged.size() == 1 ? "is" : "are") +
                          " not in Git and were not created by converge, so they are left alone (set `prune: true` "
                          "to delete them)");
    for (const auto& key : kept_data)
      out.notes.push_back(key + " is not in Git but holds data, so it is not deleted: converge deletes a " +
                          key.substr(0, key.find('/')) + " only with `delete_data: [" + key.substr(0, key.find('/')) +
                          "]`");
    return out;
  }

  Expected<ApplyReport> apply(const Bundle& desired, const plan::TargetPlan& changes) override {
    if (auto ok = refuse_plan_errors(changes, spec_.name); !ok) return fail(ok.error());
    if (!planned_ || planned_hash_ != desired.hash)
      return fail(Error::runtime("fabric: apply() needs the plan() of this bundle first"));
    std::set<std::string> managed;
    if (context_)
      for (const auto& key : context_->managed_keys)
        if (remote_.contains(key)) managed.insert(key);
    std::map<std::string, const Item*> items;
    for (const auto& item : desired_) items[item.key()] = &item;

    ApplyReport report;
    if (options_.promote_via_pipeline) {
      promote(changes, managed, report);
      report.managed_keys = std::vector<std::string>(managed.begin(), managed.end());
    } else {
      report = apply_in_order(
          changes, std::move(managed),
          [&](const plan::Change& change, ApplyReport&) { return apply_one(change, items); },
          [&](const plan::Change& change) { return created_now(change.key); });
    }
    if (!report.applied.empty() && options_.stamp && context_ && !context_->git_sha.empty()) {
      if (auto ok = write_stamp(); !ok)
        report.warnings.push_back("the workspace description's deployment stamp was not written: " +
                                  ok.error().message);
    }
    return report;
  }

  Expected<std::string> runtime_version() override { return std::string(); }

  // Deletes this branch's feature workspace, only when its description carries the
  // line converge wrote when it made it (feature_mark()): a settings change that names
  // another workspace (a branch called like prod's) deletes nothing.
  Expected<std::string> destroy() override {
    if (!options_.feature)
      return fail(Error::usage("fabric target '" + spec_.name + "' names a fixed workspace (no feature_workspace): " +
                               "converge destroy deletes only feature workspaces"));
    auto found = api_.find_workspace();
    if (!found) return fail(found.error().with_context("fabric target '" + spec_.name + "'"));
    if (!*found) return std::string();
    const std::string description = (*found)->value("description", std::string());
    const std::string id = (*found)->value("id", std::string());
    if (!made_for_branch(description))
      return fail(Error::refused("fabric target '" + spec_.name + "': workspace '" + options_.workspace_name + "' (" +
                                 id + ") was not made by converge for branch " + options_.branch +
                                 " (its description lacks \"" + feature_mark() + "\"), so it is not deleted"));
    auto gone = api_.delete_workspace();
    if (!gone) return fail(gone.error().with_context("fabric target '" + spec_.name + "'"));
    return "deleted workspace '" + options_.workspace_name + "' (" + id + ")";
  }

  Expected<ExportedSources> export_sources() override {
    auto sources = read_items(spec_.repo_root, options_.sources);
    if (!sources) return fail(sources.error());
    auto bundle = compile();
    if (!bundle) return fail(bundle.error());
    desired_ = bundle_items(*bundle);
    if (auto ok = read_workspace(); !ok) return fail(ok.error().with_context("fabric target '" + spec_.name + "'"));
    std::vector<std::string> errors;
    std::vector<Item> deployed;
    for (const auto& item : desired_) {
      Item d = item;
      d.parts = resolved_parts(item, /*for_apply=*/false, errors);
      deployed.push_back(std::move(d));
    }
    std::set<std::string> in_git;
    for (const auto& item : *sources) in_git.insert(item.key());
    std::vector<RuntimeItem> runtime;
    for (const auto& [key, remote] : remote_) {
      if (system_type(remote.type)) continue;
      // The KQL database Fabric makes with an eventhouse, of its name: Fabric's, unless
      // the repository has it (under the eventhouse's .children).
      if (remote.type == "KQLDatabase" && remote_.contains("Eventhouse/" + remote.name) && !in_git.contains(key))
        continue;
      if (!options_.item_types.empty() && !options_.item_types.contains(remote.type)) continue;
      RuntimeItem r{remote.type, remote.name, remote.description, folder_path(remote.folder_id), remote.id, {},
                    shell_type(remote.type)};
      if (!r.shell) {
        auto parts = api_.definition(remote.id);
        if (!parts) return fail(parts.error().with_context("fabric target '" + spec_.name + "'"));
        r.parts = std::move(*parts);
      }
      runtime.push_back(std::move(r));
    }
    if (!options_.item_types.empty())
      std::erase_if(*sources, [&](const Item& item) { return !options_.item_types.contains(item.type); });
    return export_items(*sources, deployed, runtime, options_.sources, reverser(*sources));
  }

 private:
  std::string parameter_file() const {
    if (!options_.parameters.empty()) return options_.parameters;
    std::string file = options_.sources + "/parameter.yml";
    std::error_code ec;
    return std::filesystem::is_regular_file(spec_.repo_root / file, ec) ? file : "";
  }

  static std::string metadata_text(const std::string& type, const std::string& name, const std::string& folder,
                                   const std::string& description) {
    return "type: " + type + "\nname: " + name + "\nfolder: " + (folder.empty() ? "/" : folder) +
           "\ndescription: " + description + "\n";
  }

  static std::string listed(const std::vector<std::string>& keys) {
    std::string list;
    for (std::size_t i = 0; i < keys.size() && i < kMaxListed; ++i) list += (i ? ", " : "") + keys[i];
    if (keys.size() > kMaxListed) list += " and " + std::to_string(keys.size() - kMaxListed) + " more";
    return std::to_string(keys.size()) + " item(s) (" + list + ")";
  }

  Expected<void> read_workspace() {
    remote_.clear();
    folders_.clear();
    properties_.clear();
    workspace_.reset();
    git_state_.clear();
    if (options_.feature) {
      auto found = api_.find_workspace();
      if (!found) return fail(found.error());
      if (!*found) {  // made by apply (workspace_change)
        workspace_id_.clear();
        planned_ = true;
        return {};
      }
      workspace_ = std::move(**found);
      if (!options_.feature->git_provider.empty()) {
        auto connection = api_.git_connection();
        if (!connection) return fail(connection.error());
        git_state_ = connection->value("gitConnectionState", std::string("NotConnected"));
      }
    }
    auto id = api_.workspace_id();
    if (!id) return fail(id.error());
    workspace_id_ = *id;
    auto items = api_.items();
    if (!items) return fail(items.error());
    auto folders = api_.folders();
    if (!folders) return fail(folders.error());
    for (auto& item : *items) remote_[item.type + "/" + item.name] = std::move(item);
    for (auto& folder : *folders) folders_[folder.id] = std::move(folder);
    planned_ = true;
    return {};
  }

  // "a/b" for a folder id ("" for the root or an unknown id).
  std::string folder_path(const std::string& id) const {
    std::string path;
    std::string at = id;
    for (int guard = 0; !at.empty() && guard < 64; ++guard) {
      auto it = folders_.find(at);
      if (it == folders_.end()) break;
      path = path.empty() ? it->second.name : it->second.name + "/" + path;
      at = it->second.parent_id;
    }
    return path;
  }

  // The id of the folder at `path`, made (with its parents) when `create`.
  Expected<std::string> folder_id(const std::string& path) {
    std::string parent;
    std::string rest = path;
    while (!rest.empty()) {
      auto slash = rest.find('/');
      std::string name = rest.substr(0, slash);
      rest = slash == std::string::npos ? "" : rest.substr(slash + 1);
      auto found = std::find_if(folders_.begin(), folders_.end(), [&](const auto& f) {
        return f.second.name == name && f.second.parent_id == parent;
      });
      if (found != folders_.end()) {
        parent = found->first;
        continue;
      }
      auto made = api_.create_folder(name, parent);
      if (!made) return fail(made.error());
      folders_[made->id] = *made;
      parent = made->id;
    }
    return parent;
  }

  // The value of a marker, from the workspace as read (and changed by this apply).
  // nullopt: the item it names does not exist in the workspace (yet).
  Expected<std::optional<std::string>> runtime_value(std::string_view value) {
    if (value.starts_with("$workspace.") && workspace_id_.empty()) return std::optional<std::string>();  // not made yet
    if (value == "$workspace.id") return std::optional<std::string>(workspace_id_);
    if (value == "$workspace.name" || value == "$workspace.name_encoded") {
      auto ws = api_.workspace();
      if (!ws) return fail(ws.error());
      std::string name = ws->value("displayName", std::string());
      return std::optional<std::string>(value == "$workspace.name" ? name : http::percent_encode(name));
    }
    auto ref = item_reference(value);
    if (!ref) return fail(Error::runtime("⟦" + std::string(value) + "⟧ names another workspace, which converge "
                                         "does not resolve yet; name the value in parameter.yml per environment"));
    auto remote = remote_.find(ref->type + "/" + ref->name);
    if (remote == remote_.end()) return std::optional<std::string>();
    if (ref->attribute == "id") return std::optional<std::string>(remote->second.id);
    const bool lakehouse_like = ref->type == "Lakehouse" || ref->type == "Warehouse";
    std::string collection = ref->type == "Lakehouse"   ? "lakehouses"
                             : ref->type == "Warehouse" ? "warehouses"
                             : ref->type == "Eventhouse" ? "eventhouses"
                                                         : "";
    if (collection.empty())
      return fail(Error::runtime("⟦" + std::string(value) + "⟧: a " + ref->type + " has no " + ref->attribute));
    auto cached = properties_.find(remote->second.id);
    if (cached == properties_.end()) {
      auto got = api_.properties(collection, remote->second.id);
      if (!got) return fail(got.error());
      cached = properties_.emplace(remote->second.id, std::move(*got)).first;
    }
    const json props = cached->second.value("properties", json::object());
    std::string found;
    if (ref->attribute == "sqlendpoint" && lakehouse_like) {
      found = ref->type == "Lakehouse"
                  ? props.value("sqlEndpointProperties", json::object()).value("connectionString", std::string())
                  : props.value("connectionString", std::string());
    } else if (ref->attribute == "sqlendpointid" && ref->type == "Lakehouse") {
      found = props.value("sqlEndpointProperties", json::object()).value("id", std::string());
    } else if (ref->attribute == "queryserviceuri" && ref->type == "Eventhouse") {
      found = props.value("queryServiceUri", std::string());
    }
    if (found.empty())
      return fail(Error::runtime("⟦" + std::string(value) + "⟧: the workspace does not give " + ref->type + " " +
                                 ref->name + "'s " + ref->attribute + " (yet)"));
    return std::optional<std::string>(found);
  }

  // The item's parts with their markers resolved. For the plan, a marker of an item
  // that the bundle creates stays as it is (its value is known only after it is
  // created); one naming an item neither side has is a plan error. For apply, every
  // marker must resolve.
  std::vector<Part> resolved_parts(const Item& item, bool for_apply, std::vector<std::string>& errors) {
    std::vector<Part> out;
    for (const auto& part : item.parts) {
      std::string problem;
      auto text = resolve_markers(part.bytes, [&](std::string_view value) -> std::optional<std::string> {
        auto got = runtime_value(value);
        if (!got) {
          if (problem.empty()) problem = got.error().message;
          return std::nullopt;
        }
        if (*got) return **got;
        auto ref = item_reference(value);
        bool planned = (value.starts_with("$workspace.") && workspace_id_.empty()) ||
                       (ref && std::any_of(desired_.begin(), desired_.end(), [&](const Item& i) {
                          return i.type == ref->type && i.name == ref->name;
                        }));
        if (!planned) {
          if (problem.empty())
            problem = "⟦" + std::string(value) + "⟧ names an item that is neither in Git nor in the workspace";
          return std::nullopt;
        }
        if (for_apply) {
          if (problem.empty()) problem = "⟦" + std::string(value) + "⟧ names an item not created yet";
          return std::nullopt;
        }
        return marker(value);
      });
      if (!text) {
        errors.push_back(item.dir + "/" + part.path + ": " + (problem.empty() ? text.error().message : problem));
        out.push_back(part);
        continue;
      }
      out.push_back({part.path, std::move(*text)});
    }
    return out;
  }

  // Turns this workspace's values back into the repository's: an item's id into its
  // logical id, the workspace's id into fabric-cicd's all-zero placeholder, and a
  // literal parameter's value for this environment into its find_value.
  Reverse reverser(const std::vector<Item>& sources) {
    std::vector<std::pair<std::string, std::string>> pairs;
    for (const auto& item : sources) {
      auto remote = remote_.find(item.key());
      if (remote != remote_.end() && !item.logical_id.empty() && !remote->second.id.empty())
        pairs.emplace_back(remote->second.id, item.logical_id);
    }
    if (!workspace_id_.empty()) pairs.emplace_back(workspace_id_, "00000000-0000-0000-0000-000000000000");
    const std::string file = parameter_file();
    if (!file.empty())
      if (auto parameters = load_parameters(spec_.repo_root / file, file))
        for (const auto& entry : parameters->find_replace) {
          if (entry.is_regex) continue;
          for (const auto& [environment, value] : entry.replace_value)
            if ((environment == options_.parameter_environment || environment == "_ALL_") && value.size() >= 4 &&
                value.find(kMarkerOpen) == std::string::npos && value != entry.find_value)
              pairs.emplace_back(value, entry.find_value);
        }
    // Longer values first: one that contains another is turned back whole.
    std::stable_sort(pairs.begin(), pairs.end(),
                     [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
    return [pairs](std::string_view line) {
      std::string out(line);
      for (const auto& [from, to] : pairs)
        for (std::size_t at = out.find(from); at != std::string::npos; at = out.find(from, at + to.size()))
          out.replace(at, from.size(), to);
      return out;
    };
  }

  json creation_payload(const Item& item) const {
    if (item.type != "Lakehouse") return nullptr;
    for (const auto& part : item.parts)
      if (part.path == "lakehouse.metadata.json") {
        auto metadata = json::parse(part.bytes, nullptr, false);
        if (metadata.is_object() && metadata.contains("defaultSchema")) return json{{"enableSchemas", true}};
      }
    return nullptr;
  }

  Expected<void> apply_one(const plan::Change& change, const std::map<std::string, const Item*>& items) {
    static const std::string kPlanAgain = "; plan again";
    if (change.kind == kWorkspaceKind) return ensure_workspace();
    if (change.action == plan::Action::remove) {
      auto remote = remote_.find(change.key);
      if (remote == remote_.end()) return fail(Error::runtime("the item is not in the workspace" + kPlanAgain));
      auto removed = api_.delete_item(remote->second.id);
      if (!removed) return fail(removed.error());
      remote_.erase(remote);
      return {};
    }
    auto it = items.find(change.key);
    if (it == items.end()) return fail(Error::runtime("the item is not in the compiled bundle" + kPlanAgain));
    const Item& item = *it->second;
    std::vector<std::string> errors;
    auto parts = resolved_parts(item, /*for_apply=*/true, errors);
    if (!errors.empty()) return fail(Error::runtime(errors.front()));

    if (change.action == plan::Action::create && remote_.contains(change.key)) {
      // The workspace's Git update (feature workspaces) made it since the plan: it gets
      // the rendered definition, description and folder.
      differences_[change.key] = Difference{!shell_type(item.type), true, true};
      return apply_one(plan::Change{plan::Action::update, change.kind, change.key, nullptr, nullptr, change.title},
                       items);
    }
    if (change.action == plan::Action::create) {
      auto folder = folder_id(item.folder);
      if (!folder) return fail(folder.error());
      // Fabric makes an eventhouse's KQL database of the eventhouse's name with it: the
      // repository's `.children/<that name>.KQLDatabase` then updates that one.
      if (item.type == "KQLDatabase")
        if (auto made = made_by_parent(item.key())) {
          if (auto ok = api_.update_definition(made->id, parts); !ok) return fail(ok.error());
          if (made->description != item.description)
            if (auto ok = api_.update_item(made->id, json{{"description", item.description}}); !ok)
              return fail(ok.error());
          if (made->folder_id != *folder)
            if (auto ok = api_.move_item(made->id, *folder); !ok) return fail(ok.error());
          made->description = item.description;
          made->folder_id = *folder;
          remote_[item.key()] = *made;
          return {};
        }
      std::optional<std::vector<Part>> definition;
      if (!shell_type(item.type)) definition = parts;
      auto created = api_.create_item(item.type, item.name, item.description, *folder, definition,
                                      creation_payload(item));
      if (!created) return fail(created.error());
      RemoteItem made = *created;
      if (made.id.empty()) return fail(Error::runtime("the workspace answered the create without the item's id"));
      made.type = item.type;
      made.name = item.name;
      made.description = item.description;
      made.folder_id = *folder;
      remote_[item.key()] = std::move(made);
      return {};
    }
    if (change.action != plan::Action::update)
      return fail(Error::runtime("the fabric provider does not plan '" + std::string(plan::to_string(change.action)) +
                                 "' changes"));
    auto remote = remote_.find(change.key);
    auto difference = differences_.find(change.key);
    if (remote == remote_.end() || difference == differences_.end())
      return fail(Error::runtime("the item is not in the workspace as planned" + kPlanAgain));
    const Difference& d = difference->second;
    if (d.definition)
      if (auto ok = api_.update_definition(remote->second.id, parts); !ok) return fail(ok.error());
    if (d.description)
      if (auto ok = api_.update_item(remote->second.id, json{{"description", item.description}}); !ok)
        return fail(ok.error());
    if (d.folder) {
      auto folder = folder_id(item.folder);
      if (!folder) return fail(folder.error());
      if (auto ok = api_.move_item(remote->second.id, *folder); !ok) return fail(ok.error());
      remote->second.folder_id = *folder;
    }
    return {};
  }

  // promote_via: deployment-pipeline. The plan's creates and updates come from the
  // source stage in ONE deploy of the pipeline (every supported item of the stage: the
  // plan compared the workspace with the bundle the source stage runs, which the
  // steps' promote_from check verified); the workspace is read again after it. Fabric's
  // deploy never deletes, so the plan's deletes are then made as from Git.
  void promote(const plan::TargetPlan& changes, std::set<std::string>& managed, ApplyReport& report) {
    std::vector<std::string> written, removed;
    for (const auto& change : changes.changes)
      (change.action == plan::Action::remove ? removed : written).push_back(change.key);
    if (!written.empty()) {
      const std::string key = "deploymentPipeline/" + options_.deployment_pipeline;
      Expected<void> done;
      run_change(key, [&] {
        std::string note = "converge";
        if (context_ && !context_->git_sha.empty()) note += " " + context_->git_sha;
        if (context_ && !context_->git_tag.empty()) note += " (" + context_->git_tag + ")";
        done = api_.deploy_stage(options_.deployment_pipeline, options_.source_stage, options_.target_stage, note);
        if (done) done = read_workspace();
        return done.has_value();
      });
      if (!done) {
        report.failed_key = written.front();
        report.error = "promotion through deployment pipeline " + options_.deployment_pipeline + " from stage " +
                       options_.source_stage + ": " + done.error().message;
        // What a partly done deploy created is converge's to manage (one listing).
        if (auto now = api_.items())
          for (const auto& item : *now)
            if (std::find(written.begin(), written.end(), item.type + "/" + item.name) != written.end())
              managed.insert(item.type + "/" + item.name);
        return;
      }
      for (const auto& k : written) {
        if (!remote_.contains(k)) {
          report.failed_key = k;
          report.error = "the deployment pipeline's deploy succeeded but the workspace has no " + k +
                         " (is it a type deployment pipelines support, and is it in the source stage?)";
          return;
        }
        report.applied.push_back(k);
        managed.insert(k);
      }
      report.managed_keys = std::vector<std::string>(managed.begin(), managed.end());
      report_progress(report);
    }
    for (const auto& k : removed) {
      auto remote = remote_.find(k);
      Expected<bool> gone = remote == remote_.end() ? Expected<bool>(false) : api_.delete_item(remote->second.id);
      if (!gone) {
        report.failed_key = k;
        report.error = gone.error().message;
        return;
      }
      if (remote != remote_.end()) remote_.erase(remote);
      report.applied.push_back(k);
      managed.erase(k);
      report.managed_keys = std::vector<std::string>(managed.begin(), managed.end());
      report_progress(report);
    }
  }

  // The item of `key` when the workspace has one now (made with its parent since the plan).
  std::optional<RemoteItem> made_by_parent(const std::string& key) {
    auto items = api_.items();
    if (!items) return std::nullopt;
    for (const auto& item : *items)
      if (item.type + "/" + item.name == key) return item;
    return std::nullopt;
  }

  // After a failed create: whether the item exists now (its answer was lost).
  bool created_now(const std::string& key) {
    auto items = api_.items();
    if (!items) return false;
    for (const auto& item : *items)
      if (item.type + "/" + item.name == key) {
        remote_[key] = item;
        return true;
      }
    return false;
  }

  // Feature workspaces. The plan's change of the workspace itself: create it (on the
  // capacity, connected to the branch when `git` asks), or assign the capacity or
  // connect it when it is not (yet). nullopt when it is as the settings say.
  std::string feature_mark() const { return "converge feature workspace of branch " + options_.branch; }

  // Whether `description` has feature_mark() as one of its lines (exactly: the mark of
  // branch a/b is a prefix of a/b-c's).
  bool made_for_branch(const std::string& description) const {
    const std::string mark = feature_mark();
    std::size_t start = 0;
    while (start <= description.size()) {
      std::size_t end = description.find('\n', start);
      if (end == std::string::npos) end = description.size();
      std::string_view line(description.data() + start, end - start);
      if (line.ends_with('\r')) line.remove_suffix(1);
      if (line == mark) return true;
      start = end + 1;
    }
    return false;
  }

  std::string git_text() const {
    const auto& f = *options_.feature;
    if (f.git_provider.empty()) return "";
    const std::string where = f.git_provider == "GitHub" ? f.owner + "/" + f.repository
                                                         : f.organization + "/" + f.project + "/" + f.repository;
    return "git: " + f.git_provider + " " + where + " branch " + options_.branch + " directory " + f.directory + "\n";
  }

  std::optional<plan::Change> workspace_change() const {
    const auto& f = *options_.feature;
    const std::string key = std::string(kWorkspaceKind) + "/" + options_.workspace_name;
    if (!workspace_) {
      const std::string after = "name: " + options_.workspace_name + "\ncapacity: " + f.capacity_id + "\n" + git_text();
      return plan::Change{plan::Action::create, kWorkspaceKind, key, nullptr, after, options_.workspace_name};
    }
    std::string before, after;
    const std::string capacity = workspace_->value("capacityId", std::string());
    if (capacity != f.capacity_id) {
      before += "capacity: " + (capacity.empty() ? "none" : capacity) + "\n";
      after += "capacity: " + f.capacity_id + "\n";
    }
    if (!f.git_provider.empty() && git_state_ == "NotConnected") {
      before += "git: not connected\n";
      after += git_text();
    }
    if (after.empty()) return std::nullopt;
    return plan::Change{plan::Action::update, kWorkspaceKind, key, before, after, options_.workspace_name};
  }

  // Applies workspace_change(): made (or found, when an earlier run made it), on the
  // capacity, connected to the branch and updated from it; then the workspace is read
  // again, so the items the Git update made are updated rather than created twice.
  Expected<void> ensure_workspace() {
    const auto& f = *options_.feature;
    if (!workspace_) {
      // The line that lets destroy() tell this workspace from one it must not delete.
      const std::string mark = feature_mark();
      std::string description = f.description.substr(0, 4000 - std::min<std::size_t>(4000, mark.size() + 1));
      description += (description.empty() ? "" : "\n") + mark;
      auto made = api_.create_workspace(options_.workspace_name, description, f.capacity_id);
      if (!made) return fail(made.error());
      workspace_ = std::move(*made);
      workspace_id_ = workspace_->value("id", std::string());
    }
    if (workspace_->value("capacityId", std::string()) != f.capacity_id) {
      if (auto ok = api_.assign_capacity(f.capacity_id); !ok) return fail(ok.error());
      (*workspace_)["capacityId"] = f.capacity_id;
    }
    if (!f.git_provider.empty()) {
      auto connection = api_.git_connection();
      if (!connection) return fail(connection.error());
      if (connection->value("gitConnectionState", std::string("NotConnected")) == "NotConnected") {
        json details{{"gitProviderType", f.git_provider},
                     {"repositoryName", f.repository},
                     {"branchName", options_.branch},
                     {"directoryName", f.directory}};
        if (f.git_provider == "GitHub") {
          details["ownerName"] = f.owner;
        } else {
          details["organizationName"] = f.organization;
          details["projectName"] = f.project;
        }
        json credentials = f.connection_id.empty()
                               ? json(nullptr)
                               : json{{"source", "ConfiguredConnection"}, {"connectionId", f.connection_id}};
        auto updated = api_.git_connect_and_update(details, credentials);
        if (!updated) return fail(updated.error());
      }
      git_state_ = "ConnectedAndInitialized";
    }
    // What the Git update made, and the folders, as the workspace has them now.
    auto items = api_.items();
    if (!items) return fail(items.error());
    for (auto& item : *items) remote_[item.type + "/" + item.name] = std::move(item);
    auto folders = api_.folders();
    if (!folders) return fail(folders.error());
    for (auto& folder : *folders) folders_[folder.id] = std::move(folder);
    return {};
  }

  Expected<void> write_stamp() {
    auto ws = api_.workspace();
    if (!ws) return fail(ws.error());
    std::string description = ws->value("description", std::string());
    std::string next = stamped(description, context_->git_sha, context_->git_tag, now_utc());
    if (next == description) return {};
    return api_.set_description(next);
  }

  TargetSpec spec_;
  Options options_;
  FabricApi api_;
  std::optional<PlanContext> context_;
  // From plan(): the workspace as read, and what apply() changes of each item.
  bool planned_ = false;
  std::string workspace_id_;
  std::vector<Item> desired_;
  std::map<std::string, RemoteItem> remote_;
  std::map<std::string, RemoteFolder> folders_;
  std::map<std::string, json> properties_;
  std::map<std::string, Difference> differences_;
  std::string planned_hash_;
  // Feature workspaces: the workspace as read (nullopt: it does not exist yet) and its
  // Git connection state ("" when `git` is not asked for).
  std::optional<json> workspace_;
  std::string git_state_;
};

}  // namespace

Expected<std::unique_ptr<Provider>> make_provider(const TargetSpec& spec) {
  auto options = read_options(spec.settings, spec.environment, spec.branch);
  if (!options) return fail(options.error());
  return std::make_unique<FabricProvider>(spec, std::move(*options));
}

}  // namespace converge::providers::fabric
