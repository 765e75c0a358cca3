// Plan model: counts, plan.json in and out (the canonical text and hash: canonical.cpp).
#include "converge/plan/plan.hpp"

#include <algorithm>
#include <limits>

#include "converge/util/bounded_json.hpp"


namespace converge::plan {

std::string_view to_string(Action action) {
  switch (action) {
    case Action::create: return "create";
    case Action::update: return "update";
    case Action::remove: return "delete";
    case Action::replace: return "replace";
  }
  return "?";
}

std::optional<Action> action_from_string(std::string_view word) {
  for (auto a : kActions)
    if (to_string(a) == word) return a;
  return std::nullopt;
}

std::string_view to_string(Severity severity) {
  switch (severity) {
    case Severity::notice: return "notice";
    case Severity::warning: return "warning";
    case Severity::error: return "error";
  }
  return "?";
}

std::optional<Severity> severity_from_string(std::string_view word) {
  for (auto s : {Severity::notice, Severity::warning, Severity::error})
    if (to_string(s) == word) return s;
  return std::nullopt;
}

bool TargetPlan::has_errors() const {
  return !errors.empty() ||
         std::any_of(findings.begin(), findings.end(), [](const Finding& f) { return f.severity == Severity::error; });
}

bool TargetPlan::destructive() const {
  return std::any_of(findings.begin(), findings.end(), [](const Finding& f) { return f.destructive; });
}

bool Plan::destructive() const {
  return std::any_of(targets.begin(), targets.end(), [](const TargetPlan& t) { return t.destructive(); });
}

bool Plan::has_changes() const {
  for (const auto& t : targets)
    if (!t.changes.empty()) return true;
  return false;
}

bool Plan::has_errors() const {
  return std::any_of(targets.begin(), targets.end(), [](const TargetPlan& t) { return t.has_errors(); });
}

int Counts::of(Action action) const {
  switch (action) {
    case Action::create: return create;
    case Action::update: return update;
    case Action::remove: return remove;
    case Action::replace: return replace;
  }
  return 0;
}

Counts count(const TargetPlan& target) {
  Counts c;
  for (const auto& change : target.changes) {
    switch (change.action) {
      case Action::create: ++c.create; break;
      case Action::update: ++c.update; break;
      case Action::remove: ++c.remove; break;
      case Action::replace: ++c.replace; break;
    }
  }
  return c;
}

Counts count(const Plan& plan) {
  Counts total;
  for (const auto& t : plan.targets) {
    auto c = count(t);
    total.create += c.create;
    total.update += c.update;
    total.remove += c.remove;
    total.replace += c.replace;
  }
  return total;
}

namespace {

nlohmann::json change_json(const Change& c) {
  return {{"action", to_string(c.action)}, {"kind", c.kind}, {"key", c.key}, {"before", c.before}, {"after", c.after}};
}

nlohmann::json finding_json(const Finding& f) {
  return {{"rule", f.rule},       {"severity", to_string(f.severity)}, {"file", f.file},
          {"line", f.line},       {"message", f.message},              {"destructive", f.destructive},
          {"doc", f.doc}};
}

// The hashed part of a plan as plan.json writes it. nlohmann's default object is an
// ordered std::map, so dump() emits sorted keys at every depth: the text is
// independent of insertion order. canonical.cpp writes the same text without this copy.
nlohmann::json canonical_json(const Plan& plan) {
  auto targets = nlohmann::json::array();
  for (const auto& t : plan.targets) {
    auto changes = nlohmann::json::array();
    for (const auto& c : t.changes) changes.push_back(change_json(c));
    nlohmann::json target = {{"target", t.target},
                             {"provider", t.provider},
                             {"bundle_hash", t.bundle_hash},
                             {"changes", std::move(changes)},
                             {"errors", t.errors}};
    // Only when there are any: a plan without findings hashes as it did before them.
    for (const auto& f : t.findings) target["findings"].push_back(finding_json(f));
    targets.push_back(std::move(target));
  }
  nlohmann::json json = {{"format", Plan::kFormat}, {"environment", plan.environment}, {"targets", std::move(targets)}};
  // Only when set: a whole environment's plan hashes as it did before partial plans.
  if (plan.partial) json["partial"] = true;
  return json;
}

}  // namespace

nlohmann::json to_json(const Plan& plan) {
  auto json = canonical_json(plan);
  json["git_sha"] = plan.git_sha;
  json["plan_hash"] = hash(plan);
  json["destructive"] = plan.destructive();
  for (size_t i = 0; i < plan.targets.size(); ++i) {
    for (size_t k = 0; k < plan.targets[i].changes.size(); ++k)
      if (const auto& title = plan.targets[i].changes[k].title; !title.empty())
        json["targets"][i]["changes"][k]["title"] = title;
    json["targets"][i]["notes"] = plan.targets[i].notes;
    if (!plan.targets[i].observations.empty()) json["targets"][i]["observations"] = plan.targets[i].observations;
    json["targets"][i]["destructive"] = plan.targets[i].destructive();
    if (!plan.targets[i].schema_preview.empty()) json["targets"][i]["schema_preview"] = to_json(plan.targets[i].schema_preview);
  }
  return json;
}

namespace {

Expected<std::string> string_field(const nlohmann::json& j, const char* key, const std::string& where) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_string())
    return fail(Error::usage(where + ": '" + key + "' must be a string"));
  return j[key].get<std::string>();
}

Expected<std::vector<std::string>> strings_field(const nlohmann::json& j, const char* key, const std::string& where) {
  std::vector<std::string> out;
  if (!j.contains(key)) return out;
  if (!j[key].is_array()) return fail(Error::usage(where + ": '" + key + "' must be a list of strings"));
  for (const auto& s : j[key]) {
    if (!s.is_string()) return fail(Error::usage(where + ": '" + key + "' must be a list of strings"));
    out.push_back(s.get<std::string>());
  }
  return out;
}

// The target's "findings" (absent = none), each field checked.
Expected<std::vector<Finding>> findings_field(const nlohmann::json& jt, const std::string& where) {
  std::vector<Finding> out;
  if (!jt.contains("findings")) return out;
  if (!jt["findings"].is_array()) return fail(Error::usage(where + ": 'findings' must be a list"));
  for (size_t k = 0; k < jt["findings"].size(); ++k) {
    const auto& jf = jt["findings"][k];
    const std::string fwhere = where + ".findings[" + std::to_string(k) + "]";
    Finding f;
    for (auto [field, dest] : {std::pair{"rule", &f.rule}, {"file", &f.file}, {"message", &f.message}, {"doc", &f.doc}}) {
      auto v = string_field(jf, field, fwhere);
      if (!v) return fail(v.error());
      *dest = *v;
    }
    auto word = string_field(jf, "severity", fwhere);
    if (!word) return fail(word.error());
    auto severity = severity_from_string(*word);
    if (!severity) return fail(Error::usage(fwhere + ": unknown severity '" + *word + "'"));
    f.severity = *severity;
    if (!jf.contains("line") || !jf["line"].is_number_integer() || jf["line"].get<std::int64_t>() < 0 ||
        jf["line"].get<std::int64_t>() > std::numeric_limits<int>::max())
      return fail(Error::usage(fwhere + ": 'line' must be a line number"));
    f.line = jf["line"].get<int>();
    if (!jf.contains("destructive") || !jf["destructive"].is_boolean())
      return fail(Error::usage(fwhere + ": 'destructive' must be true or false"));
    f.destructive = jf["destructive"].get<bool>();
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace

Expected<Plan> from_json(const nlohmann::json& json, std::string_view origin) {
  const std::string o(origin);
  if (!json.is_object()) return fail(Error::usage(o + ": a plan must be a JSON object"));
  if (!json.contains("format") || json["format"] != Plan::kFormat)
    return fail(Error::usage(o + ": unsupported plan format (this converge reads format " +
                             std::to_string(Plan::kFormat) + ")"));
  Plan plan;
  auto env = string_field(json, "environment", o);
  if (!env) return fail(env.error());
  plan.environment = *env;
  if (json.contains("git_sha")) {
    auto sha = string_field(json, "git_sha", o);
    if (!sha) return fail(sha.error());
    plan.git_sha = *sha;
  }
  if (json.contains("partial")) {
    if (!json["partial"].is_boolean()) return fail(Error::usage(o + ": 'partial' must be true or false"));
    plan.partial = json["partial"].get<bool>();
  }
  if (!json.contains("targets") || !json["targets"].is_array())
    return fail(Error::usage(o + ": 'targets' must be a list"));
  for (size_t i = 0; i < json["targets"].size(); ++i) {
    const auto& jt = json["targets"][i];
    const std::string where = o + ": targets[" + std::to_string(i) + "]";
    TargetPlan t;
    for (auto [field, dest] : {std::pair{"target", &t.target}, {"provider", &t.provider}, {"bundle_hash", &t.bundle_hash}}) {
      auto v = string_field(jt, field, where);
      if (!v) return fail(v.error());
      *dest = *v;
    }
    auto errors = strings_field(jt, "errors", where);
    if (!errors) return fail(errors.error());
    t.errors = *errors;
    auto notes = strings_field(jt, "notes", where);
    if (!notes) return fail(notes.error());
    t.notes = *notes;
    auto observations = strings_field(jt, "observations", where);
    if (!observations) return fail(observations.error());
    t.observations = *observations;
    auto findings = findings_field(jt, where);
    if (!findings) return fail(findings.error());
    t.findings = std::move(*findings);
    if (jt.contains("schema_preview")) {
      auto preview = schema_preview_from_json(jt["schema_preview"], where + ".schema_preview");
      if (!preview) return fail(preview.error());
      t.schema_preview = std::move(*preview);
    }
    if (!jt.contains("changes") || !jt["changes"].is_array())
      return fail(Error::usage(where + ": 'changes' must be a list"));
    for (size_t k = 0; k < jt["changes"].size(); ++k) {
      const auto& jc = jt["changes"][k];
      const std::string cwhere = where + ".changes[" + std::to_string(k) + "]";
      auto action_word = string_field(jc, "action", cwhere);
      if (!action_word) return fail(action_word.error());
      auto action = action_from_string(*action_word);
      if (!action) return fail(Error::usage(cwhere + ": unknown action '" + *action_word + "'"));
      Change c;
      c.action = *action;
      auto kind = string_field(jc, "kind", cwhere);
      if (!kind) return fail(kind.error());
      auto key = string_field(jc, "key", cwhere);
      if (!key) return fail(key.error());
      c.kind = *kind;
      c.key = *key;
      if (jc.contains("title")) {
        auto title = string_field(jc, "title", cwhere);
        if (!title) return fail(title.error());
        c.title = *title;
      }
      c.before = jc.value("before", nlohmann::json());
      c.after = jc.value("after", nlohmann::json());
      t.changes.push_back(std::move(c));
    }
    plan.targets.push_back(std::move(t));
  }
  if (json.contains("plan_hash") && json["plan_hash"].is_string() && json["plan_hash"] != hash(plan))
    return fail(Error::usage(o + ": plan_hash does not match the plan's content (the file was edited or damaged)"));
  return plan;
}

// Invalid UTF-8 (a migration in Latin-1, say) is replaced, not thrown on.
Expected<Plan> parse_plan_json(std::string_view text, std::string_view origin) {
  const util::JsonBudget budget{std::size_t{256} * 1024 * 1024, 128, std::size_t{16} * 1024 * 1024, {}};
  auto json = util::parse_json_within(text, origin, budget);
  if (!json) return fail(Error::usage(json.error().message));
  return from_json(*json, origin);
}

}  // namespace converge::plan
