// read_plan: `terraform show -json` (format 0.x and 1.x) to converge changes.
//
// The document is parsed within a budget (util/bounded_json.hpp) that builds only the
// members read here (resource_changes and resource_drift one entry at a time): format_version, terraform_version, resource_changes,
// output_changes, resource_drift, checks, errored, complete, and whether there is a
// planned_values (a plan has one, a state does not). Variables, prior state and
// configuration are never built, so their secrets cannot reach a change, note or
// error.
//
// Each resource change becomes a plan::Change keyed by its address: Terraform's
// actions give the converge action, and whatever else Terraform says of the change
// (moved, imported, create before destroy, forgotten, read during apply, deposed) goes
// in the kind's parenthetical, so the hash covers it. Values are shown through their
// sensitive and unknown markers (plan_values.hpp). No-ops are dropped unless they move
// or import. An update whose only difference is in volatile attributes is dropped with
// a note. Changes are ordered replacements, deletions, the rest, each by address,
// outputs after resources: the order is independent of the document's. Drift and
// checks become notes and errors, never changes, so refresh noise leaves the hash alone.
#include "converge/providers/terraform/plan_json.hpp"

#include <algorithm>
#include <exception>
#include <optional>
#include <tuple>

#include "converge/plan/markdown.hpp"
#include "converge/providers/terraform/plan_values.hpp"
#include "converge/util/bounded_json.hpp"
#include "converge/util/join.hpp"

namespace converge::providers::terraform {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxBytes = std::size_t{256} * 1024 * 1024;
constexpr int kMaxDepth = 64;
// Values built from the members read (each at least ~16 bytes in memory).
constexpr std::size_t kMaxValues = std::size_t{8} * 1024 * 1024;
// Paths named in one drift note.
constexpr std::size_t kDriftPathsShown = 10;

// A name from the document inside a message: one line, bounded.
std::string shown(std::string_view text) { return plan::visible(plan::clip(text, 200)); }

// The reading of one document: its origin for errors and the options.
struct Reader {
  std::string origin;
  const ReadOptions& options;
  ReadPlan out;
  std::vector<plan::Change> outputs;

  Error wrong(const std::string& field, std::string_view what) const {
    return Error::runtime(origin + ": " + field + ": " + std::string(what) + " (not a Terraform plan)");
  }
};

const json* find(const json& object, const char* key) {
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}
json* find(json& object, const char* key) {
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

// The string member `key` of `object`; "" when absent (an Error when `required`).
Expected<std::string> string_member(const Reader& r, const json& object, const char* key, const std::string& where,
                                    bool required = false) {
  const json* v = find(object, key);
  if (v == nullptr || (v->is_null() && !required)) {
    if (required) return fail(r.wrong(where + "." + key, "missing"));
    return std::string();
  }
  if (!v->is_string()) return fail(r.wrong(where + "." + key, "expected a string"));
  return v->get<std::string>();
}

// What Terraform's actions list means in converge's terms.
struct Verb {
  std::optional<plan::Action> action;  // nullopt: no-op
  std::string detail;                  // for the kind's parenthetical
};

Expected<Verb> verb_of(const Reader& r, const json& change, const std::string& where) {
  const json* actions = find(change, "actions");
  const std::string field = where + ".actions";
  if (actions == nullptr || !actions->is_array() || actions->empty())
    return fail(r.wrong(field, "expected a non-empty array of strings"));
  std::vector<std::string> words;
  for (const auto& a : *actions) {
    if (!a.is_string()) return fail(r.wrong(field, "expected a non-empty array of strings"));
    if (words.size() == 2) return fail(r.wrong(field, "more than two actions"));
    words.push_back(a.get<std::string>());
  }
  using A = plan::Action;
  const auto is = [&](std::initializer_list<std::string_view> list) {
    return std::equal(words.begin(), words.end(), list.begin(), list.end());
  };
  if (is({"no-op"})) return Verb{};
  if (is({"create"})) return Verb{A::create, ""};
  if (is({"update"})) return Verb{A::update, ""};
  if (is({"read"})) return Verb{A::update, "read during apply"};
  if (is({"delete"})) return Verb{A::remove, ""};
  if (is({"forget"})) return Verb{A::remove, "forget: removed from state, kept in the cloud"};
  if (is({"delete", "create"})) return Verb{A::replace, ""};
  if (is({"create", "delete"})) return Verb{A::replace, "create before destroy"};
  std::vector<std::string> quoted;
  for (const auto& w : words) quoted.push_back("\"" + shown(w) + "\"");
  return fail(r.wrong(field, "unknown actions [" + util::join(quoted, ", ") + "]"));
}

// action_reason in words, for the title.
std::string reason_words(const std::string& reason) {
  static const std::pair<const char*, const char*> kWords[] = {
      {"replace_because_tainted", "replaced because it is tainted"},
      {"replace_because_cannot_update", "replaced because it cannot be updated in place"},
      {"replace_by_request", "replaced because the plan asked for it (-replace)"},
      {"replace_by_triggers", "replaced because of its replace_triggered_by"},
      {"delete_because_no_resource_config", "deleted because its configuration is gone"},
      {"delete_because_wrong_repetition", "deleted because count or for_each changed how it repeats"},
      {"delete_because_count_index", "deleted because count no longer reaches its index"},
      {"delete_because_each_key", "deleted because for_each no longer has its key"},
      {"delete_because_no_module", "deleted because its module is gone"},
      {"delete_because_no_move_target", "deleted because its moved block's target does not exist"},
      {"read_because_config_unknown", "read during apply because its configuration is known only then"},
      {"read_because_dependency_pending", "read during apply because something it depends on changes"},
      {"read_because_check_nested", "read during apply because a check block holds it"},
  };
  for (const auto& [word, words] : kWords)
    if (reason == word) return words;
  std::string out = shown(reason);
  std::replace(out.begin(), out.end(), '_', ' ');
  return out;
}

std::string kind_with(std::string kind, const std::vector<std::string>& details) {
  if (details.empty()) return kind;
  return kind + " (" + util::join(details, "; ") + ")";
}

// A change's markers beside its values (plan_values.hpp).
struct Markers {
  json before_sensitive, after_sensitive, after_unknown;
};

Expected<Markers> markers_of(const Reader& r, const json& change, const std::string& where) {
  Markers m;
  for (auto [key, slot] : {std::pair{"before_sensitive", &m.before_sensitive},
                           std::pair{"after_sensitive", &m.after_sensitive},
                           std::pair{"after_unknown", &m.after_unknown}}) {
    const json* v = find(change, key);
    if (v == nullptr) continue;
    if (!v->is_null() && !v->is_boolean() && !v->is_structured())
      return fail(r.wrong(where + "." + key, "expected true, false, an object or an array"));
    *slot = *v;
  }
  return m;
}

const json& member_or_null(const json& object, const char* key) {
  static const json null;
  const json* v = find(object, key);
  return v == nullptr ? null : *v;
}

// One entry of resource_changes or resource_drift, its shape checked.
struct Entry {
  std::string address, mode, type, reason, deposed, previous;
  const json* change = nullptr;
  Verb verb;
  Markers markers;
};

Expected<Entry> entry_of(const Reader& r, const json& rc, const std::string& where) {
  Entry e;
  // previous_address sits beside the change (Terraform 1.1 and later).
  for (auto [key, slot] : {std::pair{"address", &e.address}, std::pair{"mode", &e.mode}, std::pair{"type", &e.type},
                           std::pair{"action_reason", &e.reason}, std::pair{"deposed", &e.deposed},
                           std::pair{"previous_address", &e.previous}}) {
    auto value = string_member(r, rc, key, where, std::string_view(key) == "address");
    if (!value) return fail(value.error());
    *slot = std::move(*value);
  }
  if (e.address.empty()) return fail(r.wrong(where + ".address", "empty"));
  if (!e.mode.empty() && e.mode != "managed" && e.mode != "data")
    return fail(r.wrong(where + ".mode", "expected \"managed\" or \"data\""));
  e.change = find(rc, "change");
  const std::string cwhere = where + ".change";
  if (e.change == nullptr || !e.change->is_object()) return fail(r.wrong(cwhere, "expected an object"));
  auto verb = verb_of(r, *e.change, cwhere);
  if (!verb) return fail(verb.error());
  e.verb = std::move(*verb);
  auto markers = markers_of(r, *e.change, cwhere);
  if (!markers) return fail(markers.error());
  e.markers = std::move(*markers);
  return e;
}

// The values of a change as shown: sensitive and unknown parts masked. `change` is
// taken by value: a streamed entry's is moved in (it is dropped once read, and in a
// large plan copying its values was a fifth of the read), a kept one's copied.
std::pair<json, json> shown_values(json change, const Markers& m) {
  auto take = [&change](const char* key) {
    json* v = find(change, key);
    return v == nullptr ? json() : std::move(*v);
  };
  json before = take("before");
  json after = take("after");
  return {shown_value(std::move(before), m.before_sensitive, json()),
          shown_value(std::move(after), m.after_sensitive, m.after_unknown)};
}

// One resource_changes entry: a change, nothing (a no-op), or a note (an update
// of volatile attributes only).
Expected<void> read_resource_change(Reader& r, json& rc, const std::string& where) {
  auto e = entry_of(r, rc, where);
  if (!e) return fail(e.error());
  const std::string cwhere = where + ".change";
  const json* importing = find(*e->change, "importing");
  if (importing != nullptr && !importing->is_null() && !importing->is_object())
    return fail(r.wrong(cwhere + ".importing", "expected an object"));
  const bool imports = importing != nullptr && importing->is_object();
  std::string import_id;
  if (imports) {
    auto id = string_member(r, *importing, "id", cwhere + ".importing");
    if (!id) return fail(id.error());
    import_id = *id;
  }

  const bool moves = !e->previous.empty() && e->previous != e->address;
  std::vector<std::string> details;
  if (moves) details.push_back("moved from " + e->previous);
  if (imports) details.push_back(import_id.empty() ? "import" : "import, id " + import_id);
  if (!e->verb.detail.empty()) details.push_back(e->verb.detail);
  if (!e->deposed.empty()) details.push_back("deposed object " + e->deposed);

  plan::Change c;
  c.key = e->address;
  c.kind = kind_with(e->mode == "data" ? "data source" : "resource", details);
  if (!e->reason.empty()) c.title = e->address + ": " + reason_words(e->reason);
  auto [before, after] = shown_values(std::move(*find(rc, "change")), e->markers);
  if (!e->verb.action) {
    if (!moves && !imports) return {};
    // Only Terraform's state changes: an update of what it records.
    c.action = plan::Action::update;
    if (imports) {
      before = nullptr;
    } else {
      before = {{"address", e->previous}};
      after = {{"address", e->address}};
    }
  } else {
    c.action = *e->verb.action;
  }
  if (c.action == plan::Action::create) before = nullptr;
  if (c.action == plan::Action::remove) after = nullptr;
  const bool values_differ = before != after;
  mark_volatile(before, e->type, r.options.volatile_attributes);
  mark_volatile(after, e->type, r.options.volatile_attributes);
  if (c.action == plan::Action::update && details.empty() && values_differ && before == after) {
    r.out.notes.push_back(shown(e->address) + ": only volatile attributes change; not shown as a change");
    return {};
  }
  c.before = std::move(before);
  c.after = std::move(after);
  r.out.changes.push_back(std::move(c));
  return {};
}

Expected<void> read_output_change(Reader& r, const std::string& name, const json& oc, const std::string& where) {
  if (!oc.is_object()) return fail(r.wrong(where, "expected an object"));
  auto verb = verb_of(r, oc, where);
  if (!verb) return fail(verb.error());
  if (!verb->action) return {};
  auto markers = markers_of(r, oc, where);
  if (!markers) return fail(markers.error());
  auto [before, after] = shown_values(oc, *markers);
  plan::Change c;
  c.action = *verb->action;
  c.key = "output." + name;
  c.kind = kind_with("output", verb->detail.empty() ? std::vector<std::string>{} : std::vector{verb->detail});
  c.before = c.action == plan::Action::create ? json() : std::move(before);
  c.after = c.action == plan::Action::remove ? json() : std::move(after);
  r.outputs.push_back(std::move(c));
  return {};
}

// resource_drift: one ReadPlan::Drift per resource changed outside Terraform.
Expected<void> read_drift(Reader& r, const json& entry, const std::string& where) {
  auto e = entry_of(r, entry, where);
  if (!e) return fail(e.error());
  if (!e->verb.action) return {};
  plan::Change c;
  c.key = e->address;
  auto [before, after] = shown_values(*e->change, e->markers);
  c.before = std::move(before);
  if (*e->verb.action == plan::Action::remove) {
    c.action = plan::Action::remove;
    c.kind = kind_with(e->mode == "data" ? "data source" : "resource", {"deleted outside Terraform"});
    r.out.drift.push_back({std::move(c), "deleted outside Terraform: " + shown(e->address)});
    return {};
  }
  auto paths = differing_paths(member_or_null(*e->change, "before"), member_or_null(*e->change, "after"),
                               e->markers.before_sensitive, e->markers.after_sensitive);
  std::string note = "changed outside Terraform: " + shown(e->address);
  if (!paths.empty()) {
    const std::size_t more = paths.size() > kDriftPathsShown ? paths.size() - kDriftPathsShown : 0;
    paths.resize(paths.size() - more);
    for (auto& p : paths) p = shown(p);
    const std::string named = util::join(paths, ", ") + (more ? ", and " + std::to_string(more) + " more" : "");
    note += " (" + named + ")";
    c.title = "changed: " + named;
  }
  c.action = plan::Action::update;
  c.kind = kind_with(e->mode == "data" ? "data source" : "resource", {"changed outside Terraform"});
  c.after = std::move(after);
  r.out.drift.push_back({std::move(c), std::move(note)});
  return {};
}

// The to_display of a check's or instance's address; `fallback` when there is none.
Expected<std::string> display_of(const Reader& r, const json& object, const std::string& where,
                                 const std::string& fallback) {
  const json* address = find(object, "address");
  if (address == nullptr || address->is_null()) return fallback;
  if (!address->is_object()) return fail(r.wrong(where + ".address", "expected an object"));
  auto display = string_member(r, *address, "to_display", where + ".address");
  if (!display) return fail(display.error());
  return display->empty() ? fallback : shown(*display);
}

// Calls `read(entry, where)` for each entry of the array member `key` of `object`
// (none when absent or null); each entry must be an object.
template <class Json, class Read>
Expected<void> for_each_entry(const Reader& r, Json& object, const char* key, const std::string& where, Read read) {
  auto* entries = find(object, key);
  if (entries == nullptr || entries->is_null()) return {};
  const std::string field = where.empty() ? key : where + "." + key;
  if (!entries->is_array()) return fail(r.wrong(field, "expected an array"));
  for (std::size_t i = 0; i < entries->size(); ++i) {
    const std::string at = field + "[" + std::to_string(i) + "]";
    if (!(*entries)[i].is_object()) return fail(r.wrong(at, "expected an object"));
    if (auto ok = read((*entries)[i], at); !ok) return ok;
  }
  return {};
}

std::string failure_words(const std::string& status) {
  return status == "fail" ? "check failed: " : "check could not be evaluated: ";
}

// checks: failed and errored ones are errors (one per problem of each failing
// instance, with its message), unknown ones notes.
Expected<void> read_check(Reader& r, const json& check, const std::string& where) {
  auto status = string_member(r, check, "status", where, true);
  if (!status) return fail(status.error());
  auto display = display_of(r, check, where, "a check");
  if (!display) return fail(display.error());
  if (*status == "unknown") {
    r.out.notes.push_back("check known only after apply: " + *display);
    return {};
  }
  if (*status != "fail" && *status != "error") return {};
  const std::size_t errors_before = r.out.errors.size();
  auto instances = for_each_entry(r, check, "instances", where, [&](const json& instance, const std::string& at) {
    auto istatus = string_member(r, instance, "status", at);
    if (!istatus) return Expected<void>(fail(istatus.error()));
    if (*istatus != "fail" && *istatus != "error") return Expected<void>();
    auto idisplay = display_of(r, instance, at, *display);
    if (!idisplay) return Expected<void>(fail(idisplay.error()));
    const std::string line = failure_words(*istatus) + *idisplay;
    bool any = false;
    auto problems = for_each_entry(r, instance, "problems", at, [&](const json& problem, const std::string& pat) {
      auto message = string_member(r, problem, "message", pat);
      if (!message) return Expected<void>(fail(message.error()));
      if (!message->empty()) {
        r.out.errors.push_back(line + ": " + plan::clip(*message, 1000));
        any = true;
      }
      return Expected<void>();
    });
    if (!problems) return problems;
    if (!any) r.out.errors.push_back(line);
    return Expected<void>();
  });
  if (!instances) return instances;
  if (r.out.errors.size() == errors_before) r.out.errors.push_back(failure_words(*status) + *display);
  return {};
}

// Replacements, then deletions, then the rest; by address within each; ties (never
// in Terraform's output) by the rest of the change, so the order is the document's
// in no case.
void order(std::vector<plan::Change>& changes) {
  const auto group = [](plan::Action a) { return a == plan::Action::replace ? 0 : a == plan::Action::remove ? 1 : 2; };
  std::sort(changes.begin(), changes.end(), [&](const plan::Change& a, const plan::Change& b) {
    const auto ka = std::tie(a.key, a.kind), kb = std::tie(b.key, b.kind);
    if (group(a.action) != group(b.action)) return group(a.action) < group(b.action);
    if (ka != kb) return ka < kb;
    if (a.action != b.action) return a.action < b.action;
    return std::pair(a.before.dump(), a.after.dump()) < std::pair(b.before.dump(), b.after.dump());
  });
}

Expected<ReadPlan> read(std::string_view json_text, std::string_view origin, const ReadOptions& options) {
  // planned_values (a fifth of a real plan) is parsed but not built: only whether it is
  // there is read (a member left out reads as null, its key present).
  Reader r{std::string(origin), options, {}, {}};
  // resource_changes and resource_drift are read entry by entry as the parse reaches
  // them, each entry dropped once read: the document is never in memory whole.
  util::JsonBudget budget{kMaxBytes, kMaxDepth, kMaxValues,
                          {"format_version", "terraform_version", "resource_changes", "output_changes",
                           "resource_drift", "checks", "errored", "complete"}};
  budget.streamed = {"resource_changes", "resource_drift"};
  budget.each = [&r](std::string_view member, std::size_t index, json&& entry) -> Expected<void> {
    const std::string at = std::string(member) + "[" + std::to_string(index) + "]";
    if (!entry.is_object()) return fail(r.wrong(at, "expected an object"));
    return member == "resource_changes" ? read_resource_change(r, entry, at) : read_drift(r, entry, at);
  };
  auto doc = util::parse_json_within(json_text, origin, budget);
  if (!doc) return fail(doc.error());
  if (!doc->is_object()) return fail(r.wrong("the document", "expected an object"));
  auto format = string_member(r, *doc, "format_version", "the document", true);
  if (!format) return fail(format.error());
  if (!format->starts_with("0.") && !format->starts_with("1."))
    return fail(Error::runtime(r.origin + ": format_version \"" + shown(*format) +
                               "\" is not one converge reads (0.x and 1.x)"));
  if (!doc->contains("planned_values"))
    return fail(r.wrong("planned_values", "missing (a state file, or not Terraform's output)"));
  auto version = string_member(r, *doc, "terraform_version", "the document");
  if (!version) return fail(version.error());
  r.out.format_version = *format;
  r.out.terraform_version = *version;

  // (Streamed arrays read as empty here; a member of another type is refused here.)
  auto changes = for_each_entry(r, *doc, "resource_changes", "",
                                [&](json& e, const std::string& at) { return read_resource_change(r, e, at); });
  if (!changes) return fail(changes.error());
  using ReadEntry = Expected<void> (*)(Reader&, const json&, const std::string&);
  for (auto [key, read_entry] : {std::pair<const char*, ReadEntry>{"resource_drift", read_drift}, {"checks", read_check}}) {
    auto ok = for_each_entry(r, *doc, key, "", [&](const json& e, const std::string& at) { return read_entry(r, e, at); });
    if (!ok) return fail(ok.error());
  }
  const json* outputs = find(*doc, "output_changes");
  if (outputs != nullptr && !outputs->is_null()) {
    if (!outputs->is_object()) return fail(r.wrong("output_changes", "expected an object"));
    for (const auto& [name, oc] : outputs->items())
      if (auto ok = read_output_change(r, name, oc, "output_changes." + shown(name)); !ok) return fail(ok.error());
  }
  auto flag = [&](const char* key, bool absent) -> Expected<bool> {
    const json* v = find(*doc, key);
    if (v == nullptr || v->is_null()) return absent;
    if (!v->is_boolean()) return fail(r.wrong(key, "expected true or false"));
    return v->get<bool>();
  };
  auto errored = flag("errored", false);
  if (!errored) return fail(errored.error());
  auto complete = flag("complete", true);
  if (!complete) return fail(complete.error());
  if (*errored)
    r.out.errors.push_back("Terraform stopped planning with an error (errored: true): the plan cannot be applied");
  if (!*complete)
    r.out.notes.push_back("the plan is incomplete (complete: false): another plan and apply will be needed after this one");

  order(r.out.changes);
  std::sort(r.out.drift.begin(), r.out.drift.end(),
            [](const ReadPlan::Drift& a, const ReadPlan::Drift& b) { return a.change.key < b.change.key; });
  order(r.outputs);
  std::move(r.outputs.begin(), r.outputs.end(), std::back_inserter(r.out.changes));
  return std::move(r.out);
}

}  // namespace

Expected<ReadPlan> read_plan(std::string_view json_text, std::string_view origin, const ReadOptions& options) {
  try {
    return read(json_text, origin, options);
  } catch (const std::exception& e) {  // memory exhausted, or a bug: never an exception out of here
    return fail(Error::runtime(std::string(origin) + ": could not read the plan: " + e.what()));
  }
}

plan::TargetPlan target_plan(ReadPlan read, std::string target) {
  plan::TargetPlan out;
  out.target = std::move(target);
  out.provider = "terraform";
  out.changes = std::move(read.changes);
  out.notes = std::move(read.notes);
  for (auto& d : read.drift) out.observations.push_back(std::move(d.note));
  out.errors = std::move(read.errors);
  return out;
}

}  // namespace converge::providers::terraform
