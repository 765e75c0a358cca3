// The `assets` provider: desired state = the items under <sources>/<kind>/ rendered
// for the environment; actual state = the REST item API's collections.
//
// Bundle content (format 1): {"format": 1, "kinds": [kind names in apply order],
// "items": {kind: {id: item}}}; an item is the JSON of its rendered YAML with the
// kind's ignored fields removed and secrets left as ${NAME}. The bundle hash is the
// SHA-256 of "converge-assets-bundle-1\n" + that JSON dumped canonically (keys sorted,
// no whitespace), so equal items hash equal on every machine whatever their files.
//
// Plan: per kind in order, items missing from the runtime are created and items
// whose non-ignored fields differ are updated (before/after hold only the differing
// top-level fields; a field absent on one side is null there); then, kinds in
// reverse order, runtime items not in the bundle are deleted when converge manages
// them (PlanContext::managed_keys) or `prune: true`; others get a note. Change keys
// are "<kind>/<id>", titles the items' names (titles.hpp). Apply runs the changes in
// that order and stops at the first failure; before an update or delete it reads the
// item again, refuses when it changed since the plan, and writes with If-Match when
// the server gave an ETag.
#include "converge/providers/assets/assets_provider.hpp"

#include <algorithm>

#include "converge/providers/assets/export.hpp"
#include "converge/providers/assets/options.hpp"
#include "converge/providers/assets/references.hpp"
#include "converge/providers/assets/rest.hpp"
#include "converge/providers/assets/secrets.hpp"
#include "converge/providers/assets/sources.hpp"
#include "converge/providers/assets/superset_export.hpp"
#include "converge/providers/assets/superset_normalise.hpp"
#include "converge/providers/assets/superset_runtime.hpp"
#include "converge/providers/assets/titles.hpp"
#include "converge/providers/assets/yaml_json.hpp"
#include "converge/util/sha256.hpp"

namespace converge::providers::assets {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxListedUnmanaged = 20;

// Runtime items per key "<kind>/<id>", normalised (ignored fields dropped, numbers).
using RuntimeItems = std::map<std::string, json>;

class AssetsProvider final : public Provider {
 public:
  AssetsProvider(TargetSpec spec, Options options)
      : spec_(std::move(spec)), options_(std::move(options)), api_(options_) {
    if (options_.runtime != Runtime::rest) superset_ = std::make_unique<SupersetRuntime>(options_);
  }

  Expected<Bundle> compile() override {
    auto sources = load_sources(options_, spec_.repo_root);
    if (!sources) return fail(sources.error());
    json items = json::object();
    json kinds = json::array();
    for (const auto& kind : options_.kinds) {
      kinds.push_back(kind.name);
      items[kind.name] = json::object();
    }
    json files = json::object();
    for (auto& [key, source] : sources->items) {
      if (superset_) {
        if (auto ok = check_superset_fields(source); !ok) return fail(ok.error());
        files[key] = source.file;
      }
      items[source.kind][source.id] = std::move(source.item);
    }
    json content{{"format", 1}, {"kinds", std::move(kinds)}, {"items", std::move(items)}};
    // The superset runtimes name each item's file in Superset's import (its errors
    // then name the repository's file) and in external_url.
    if (superset_) content["files"] = std::move(files);
    return Bundle{util::sha256_hex("converge-assets-bundle-1\n" + content.dump()), std::move(content)};
  }

  bool uses_managed_keys() const override { return true; }

  std::vector<std::filesystem::path> source_paths() const override {
    std::vector<std::filesystem::path> paths{spec_.repo_root / options_.sources};
    if (!options_.vars.empty()) paths.push_back(spec_.repo_root / options_.vars);
    return paths;
  }

  std::map<std::string, std::string> bundle_files(const Bundle& bundle) const override {
    std::map<std::string, std::string> files;
    for (const auto& [kind, items] : bundle.content.at("items").items())
      for (const auto& [id, item] : items.items()) files[kind + "/" + file_name_for(id) + ".yaml"] = to_yaml(item);
    return files;
  }

  Expected<plan::TargetPlan> plan(const Bundle& desired, const PlanContext& context) override {
    context_ = context;
    plan::TargetPlan out;  // the other fields start empty
    out.target = spec_.name;
    out.provider = "assets";
    out.bundle_hash = desired.hash;
    auto runtime = read_runtime(out.notes);
    if (!runtime) return fail(runtime.error());
    const json& items = desired.content.at("items");

    for (const auto& kind : options_.kinds) {
      if (!items.contains(kind.name)) continue;
      for (const auto& [id, raw] : items[kind.name].items()) {
        std::string key = kind.name + "/" + id;
        const json item = desired_view(kind.name, raw);
        auto actual = runtime->find(key);
        if (actual == runtime->end()) {
          out.changes.push_back({plan::Action::create, kind.name, key, nullptr, item});
          continue;
        }
        auto [before, after] = difference(actual->second, item);
        if (!after.empty())
          out.changes.push_back({plan::Action::update, kind.name, key, std::move(before), std::move(after)});
      }
    }

    std::vector<std::string> unmanaged;
    for (auto kind = options_.kinds.rbegin(); kind != options_.kinds.rend(); ++kind) {
      for (const auto& [key, actual] : *runtime) {
        if (!key.starts_with(kind->name + "/")) continue;
        std::string id = key.substr(kind->name.size() + 1);
        if (items.contains(kind->name) && items[kind->name].contains(id)) continue;
        if (options_.prune || context.managed_keys.contains(key)) {
          if (std::string user = still_used_by(key, items, *runtime); !user.empty()) {
            out.notes.push_back(key + " is not in Git but " + user + " still uses it, so it is not deleted");
            continue;
          }
          out.changes.push_back({plan::Action::remove, kind->name, key, hide_runtime_secrets(actual), nullptr});
        } else {
          unmanaged.push_back(key);
        }
      }
    }
    if (!unmanaged.empty()) {
      std::string list;
      for (std::size_t i = 0; i < unmanaged.size() && i < kMaxListedUnmanaged; ++i)
        list += (i ? ", " : "") + unmanaged[i];
      if (unmanaged.size() > kMaxListedUnmanaged)
        list += " and " + std::to_string(unmanaged.size() - kMaxListedUnmanaged) + " more";
      out.notes.push_back(std::to_string(unmanaged.size()) + " item(s) in the runtime are not in Git and were not " +
                          "created by converge, so they are left alone (set `prune: true` to delete them): " + list);
    }

    title_changes(out, items);
    if (superset_) {
      attribute_changes(out);
      refuse_new_databases_without_password(out, items);
    }

    // What converge manages that still exists somewhere (the rest is forgotten).
    seen_keys_.clear();
    for (const auto& [key, actual] : *runtime) seen_keys_.insert(key);
    for (const auto& [kind, list] : items.items())
      for (const auto& [id, item] : list.items()) seen_keys_.insert(kind + "/" + id);
    return out;
  }

  Expected<ApplyReport> apply(const Bundle& desired, const plan::TargetPlan& changes) override {
    if (auto ok = refuse_plan_errors(changes, spec_.name); !ok) return fail(ok.error());
    std::set<std::string> managed;
    if (context_)
      for (const auto& key : context_->managed_keys)
        if (seen_keys_.contains(key)) managed.insert(key);
    if (superset_) return apply_superset(desired, changes, std::move(managed));

    // A create whose answer was lost (a 5xx after the write, a dropped connection) may
    // have created the item: when it exists now, it is converge's.
    return apply_in_order(
        changes, std::move(managed),
        [&](const plan::Change& change, ApplyReport& report) { return apply_one(desired, change, report); },
        [&](const plan::Change& change) { return exists_now(change); });
  }

  // A REST item API has no deployment version; the manifest records the bundle hash.
  Expected<std::string> runtime_version() override { return std::string(); }

  Expected<ExportedSources> export_sources() override {
    auto sources = load_sources(options_, spec_.repo_root);
    if (!sources) return fail(sources.error());
    std::vector<std::string> notes;
    if (superset_) {
      auto assets = superset_->read(notes);
      if (!assets) return fail(assets.error().with_context("assets target '" + spec_.name + "'"));
      return export_superset(options_, spec_.repo_root, *sources, *assets, *superset_);
    }
    auto runtime = read_runtime(notes);
    if (!runtime) return fail(runtime.error());
    for (auto& [key, item] : *runtime) {
      if (auto source = sources->items.find(key); source != sources->items.end())
        item = restore_secret_references(item, source->second.item, options_.secrets);
      // An item with no source (or a secret its source does not place) must not carry
      // the secret into Git: known secret values go back to ${NAME}.
      item = reference_known_secrets(item, options_.secrets);
    }
    return export_items(options_, *sources, *runtime);
  }

 private:
  const KindSpec& kind_of(const std::string& name) const {
    const KindSpec* kind = options_.kind(name);
    if (!kind) throw Failure("assets: the plan names kind '" + name + "', which is not configured");
    return *kind;
  }

  json normalise(const KindSpec& kind, json item) const {
    for (const auto& field : kind.ignore) item.erase(field);
    normalise_numbers(item);
    return item;
  }

  Expected<RuntimeItems> read_runtime(std::vector<std::string>& notes) {
    RuntimeItems out;
    if (superset_) {
      auto assets = superset_->read(notes);
      if (!assets) return fail(assets.error().with_context("assets target '" + spec_.name + "'"));
      assets_ = std::move(*assets);
      for (const auto& [key, asset] : assets_) {
        json view = superset_->runtime_view(asset);
        normalise_numbers(view);
        out[key] = std::move(view);
      }
      return out;
    }
    for (const auto& kind : options_.kinds) {
      auto items = api_.list(kind);
      if (!items) return fail(items.error().with_context("assets target '" + spec_.name + "'"));
      int without_id = 0;
      for (auto& item : *items) {
        std::string id = item.contains(kind.id_field) ? id_text(item[kind.id_field]) : "";
        if (id.empty()) {
          ++without_id;
          continue;
        }
        out[kind.name + "/" + id] = normalise(kind, std::move(item));
      }
      if (without_id)
        notes.push_back(std::to_string(without_id) + " item(s) in " + kind.path + " have no '" + kind.id_field +
                        "' and are left alone");
    }
    return out;
  }

  // The top-level fields where `actual` differs from `desired`: before (masked where
  // desired holds a secret, and where hide_runtime_secrets() hides) and after; absent
  // fields are null.
  std::pair<json, json> difference(const json& actual, const json& desired) const {
    json before = json::object(), after = json::object();
    std::set<std::string> fields;
    for (const auto& [k, v] : actual.items()) fields.insert(k);
    for (const auto& [k, v] : desired.items()) fields.insert(k);
    for (const auto& field : fields) {
      bool in_actual = actual.contains(field), in_desired = desired.contains(field);
      if (in_actual && in_desired && same_value(desired[field], actual[field], options_.secrets)) continue;
      json want = in_desired ? desired[field] : json(nullptr);
      before[field] = in_actual ? hide_runtime_secrets(json{{field, mask_secrets(actual[field], want, options_.secrets)}})[field]
                                : json(nullptr);
      after[field] = want;
    }
    return {before, after};
  }

  bool exists_now(const plan::Change& change) {
    const KindSpec& kind = kind_of(change.kind);
    auto found = api_.get(kind, change.key.substr(kind.name.size() + 1));
    return found && *found;
  }

  Expected<void> apply_one(const Bundle& desired, const plan::Change& change, ApplyReport& report) {
    const KindSpec& kind = kind_of(change.kind);
    std::string id = change.key.substr(kind.name.size() + 1);
    const json& items = desired.content.at("items");
    const json* item = items.contains(kind.name) && items[kind.name].contains(id) ? &items[kind.name][id] : nullptr;
    static const std::string kPlanAgain = "; plan again";

    if (change.action == plan::Action::create) {
      if (!item || *item != change.after)
        return fail(Error::runtime("the plan's item does not match the compiled bundle" + kPlanAgain));
      auto body = expand_secrets(*item, options_.secrets);
      if (!body) return fail(body.error());
      return api_.create(kind, *body);
    }

    auto current = api_.get(kind, id);
    if (!current) return fail(current.error());
    if (change.action == plan::Action::remove) {
      if (!*current) {
        report.warnings.push_back(change.key + " was already gone from the runtime");
        return {};
      }
      auto removed = api_.remove(kind, id, (*current)->etag);
      if (!removed) return fail(removed.error());
      if (!*removed) report.warnings.push_back(change.key + " was already gone from the runtime");
      return {};
    }
    if (change.action != plan::Action::update)
      return fail(Error::runtime("the assets provider does not plan '" + std::string(plan::to_string(change.action)) +
                                 "' changes"));
    if (!*current) return fail(Error::runtime("the item is gone from the runtime since the plan" + kPlanAgain));
    if (!item) return fail(Error::runtime("the item is not in the compiled bundle" + kPlanAgain));
    auto [before, after] = difference(normalise(kind, (*current)->item), *item);
    if (before != change.before || after != change.after)
      return fail(Error::runtime("the item changed in the runtime since the plan" + kPlanAgain));
    // PUT sends the whole desired item; PATCH only the differing fields (removed ones as null).
    auto body = expand_secrets(options_.update_method == "PUT" ? *item : change.after, options_.secrets);
    if (!body) return fail(body.error());
    return api_.update(kind, id, *body, (*current)->etag);
  }

  // How a desired item compares: as it is, or (superset) as superset_comparable says.
  json desired_view(const std::string& kind, const json& item) const {
    if (!superset_) return item;
    json view = superset_->desired_view(kind, item);
    normalise_numbers(view);
    return view;
  }

  // Superset's import refuses a file without these (its v1 schemas); since Superset 4.1
  // it says only "Import failed for an unknown reason", so converge names the file.
  Expected<void> check_superset_fields(const SourceItem& source) const {
    std::string missing;
    for (const auto& field : required_fields(source.kind))
      if (!source.item.contains(field) || source.item[field].is_null()) missing += (missing.empty() ? "" : ", ") + field;
    if (missing.empty()) return {};
    return fail(Error::config("Superset imports a " + api_kind(source.kind) + " only with " + missing +
                                  " (its import schema requires them)",
                              SourceLocation{source.file, 1, 1}));
  }

  // superset: a dataset or database that an asset converge keeps (in Git, or in the
  // runtime and not deleted by this plan) still uses: "charts/<uuid> (title)"; "" when none.
  std::string still_used_by(const std::string& key, const json& items, const RuntimeItems& runtime) const {
    if (!superset_ || !(key.starts_with("datasets/") || key.starts_with("databases/"))) return "";
    const std::string user_kind = key.starts_with("datasets/") ? "charts" : "datasets";
    auto uses = [&](const json& item) {
      const auto keys = referenced_keys(options_, user_kind, item);
      return std::find(keys.begin(), keys.end(), key) != keys.end();
    };
    if (items.contains(user_kind))
      for (const auto& [id, item] : items[user_kind].items())
        if (uses(item)) return user_kind + "/" + id + " (in Git)";
    for (const auto& [other, item] : runtime) {
      if (!other.starts_with(user_kind + "/") || !uses(item)) continue;
      std::string id = other.substr(other.find('/') + 1);
      if (items.contains(user_kind) && items[user_kind].contains(id)) continue;
      // Converge deletes a user it manages in the same plan (charts before datasets),
      // unless that one is kept for a user of its own.
      const bool deletable = options_.prune || (context_ && context_->managed_keys.contains(other));
      if (deletable && still_used_by(other, items, runtime).empty()) continue;
      std::string title = item_title(item);
      return other + (title.empty() ? "" : " (" + title + ")") +
             (deletable ? ", which is kept for what uses it" : ", which converge does not manage");
    }
    return "";
  }

  // superset: a database the plan creates whose URI carries Superset's password mask
  // (as exports write it) and no password from `passwords`: Superset would refuse the
  // whole import, so the plan says it first (an error: it cannot be applied).
  void refuse_new_databases_without_password(plan::TargetPlan& out, const json& items) const {
    for (const auto& change : out.changes) {
      if (change.action != plan::Action::create || change.kind != "databases") continue;
      const json& item = items["databases"][change.key.substr(change.kind.size() + 1)];
      std::string uri = item.value("sqlalchemy_uri", json("")).is_string() ? item.value("sqlalchemy_uri", "") : "";
      std::string name = item.value("database_name", json("")).is_string() ? item.value("database_name", "") : "";
      if (uri_password(uri) != kSupersetPasswordMask || options_.superset.passwords.contains(name)) continue;
      out.errors.push_back(change.key + " (" + name + ") is new to Superset and its sqlalchemy_uri has the password " +
                           "mask " + kSupersetPasswordMask + ": set passwords." + name +
                           " (as ${NAME}) so the import can send it; Superset refuses a new database without one");
    }
  }

  // superset: who last changed each asset an update or a delete touches, as Superset
  // records it (observations: outside the plan hash, shown in logs and drift issues).
  void attribute_changes(plan::TargetPlan& out) const {
    for (const auto& change : out.changes) {
      if (change.action == plan::Action::create) continue;
      auto asset = assets_.find(change.key);
      if (asset == assets_.end()) continue;
      std::string who = SupersetRuntime::changed_by(asset->second);
      if (!who.empty())
        out.observations.push_back(change.key + (change.title.empty() ? "" : " (" + change.title + ")") +
                                   " was last " + who + " in Superset");
    }
  }

  // superset: the creates and updates as one import (Superset's import is one
  // transaction: all of them or none), then the deletes by id, dashboards first.
  Expected<ApplyReport> apply_superset(const Bundle& desired, const plan::TargetPlan& changes,
                                       std::set<std::string> managed) {
    std::vector<std::string> imports;
    for (const auto& change : changes.changes) {
      if (change.action == plan::Action::create || change.action == plan::Action::update) {
        imports.push_back(change.key);
      } else if (change.action != plan::Action::remove) {
        return fail(Error::runtime("the assets provider does not plan '" +
                                   std::string(plan::to_string(change.action)) + "' changes"));
      }
    }
    // What the plan saw must still be what Superset holds: one more read, compared.
    std::vector<std::string> ignored;
    auto now = read_runtime(ignored);
    if (!now) return fail(now.error());
    for (const auto& change : changes.changes) {
      auto actual = now->find(change.key);
      bool same = true;
      if (change.action == plan::Action::create) {
        same = actual == now->end();
      } else if (change.action == plan::Action::remove) {
        same = actual != now->end() && hide_runtime_secrets(actual->second) == change.before;
      } else {
        const json item = desired_view(
            change.kind, desired.content.at("items").at(change.kind).at(change.key.substr(change.kind.size() + 1)));
        same = actual != now->end() && difference(actual->second, item) == std::pair<json, json>(change.before, change.after);
      }
      if (!same) {
        ApplyReport report;
        report.failed_key = change.key;
        report.error = "the asset changed in Superset since the plan; plan again (nothing was applied)";
        report.managed_keys = std::vector<std::string>(managed.begin(), managed.end());
        return report;
      }
    }
    bool imported = false;
    auto apply_one = [&](const plan::Change& change, ApplyReport& report) -> Expected<void> {
      if (change.action != plan::Action::remove) {
        if (imported) return {};
        imported = true;
        bool lost = false;
        auto done = superset_->import(desired.content, imports, &lost);
        if (done) return {};
        if (!lost) return done;
        // No answer came: the import may have run. Superset's own state says which.
        std::vector<std::string> unused;
        auto after = read_runtime(unused);
        if (!after) return done;
        for (const auto& key : imports) {
          auto kind = key.substr(0, key.find('/'));
          auto actual = after->find(key);
          const json item = desired_view(kind, desired.content.at("items").at(kind).at(key.substr(kind.size() + 1)));
          if (actual == after->end() || !difference(actual->second, item).second.empty()) return done;
        }
        report.warnings.push_back("the import's answer was lost (" + done.error().message +
                                  "); Superset holds every imported asset as planned, so it ran");
        return {};
      }
      auto asset = assets_.find(change.key);
      if (asset == assets_.end() || asset->second.row.id == 0)
        return fail(Error::runtime(change.key + " has no id in Superset's lists; plan again"));
      auto removed = superset_->api().remove(api_kind(change.kind), asset->second.row.id);
      if (!removed) return fail(removed.error());
      if (!*removed) report.warnings.push_back(change.key + " was already gone from Superset");
      return {};
    };
    return apply_in_order(changes, std::move(managed), apply_one, [](const plan::Change&) { return false; });
  }

  TargetSpec spec_;
  Options options_;
  ItemApi api_;
  std::unique_ptr<SupersetRuntime> superset_;  // runtime superset or preset
  SupersetAssets assets_;                      // superset: the runtime as the last read saw it
  // From plan(): apply() computes the managed set after what it did from these.
  std::optional<PlanContext> context_;
  std::set<std::string> seen_keys_;
};

}  // namespace

Expected<std::unique_ptr<Provider>> make_provider(const TargetSpec& spec) {
  auto options = parse_options(spec);
  if (!options) return fail(options.error());
  return std::make_unique<AssetsProvider>(spec, std::move(*options));
}

}  // namespace converge::providers::assets
