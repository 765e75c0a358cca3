// The plan's canonical text and hash (plan.hpp): the canonical JSON written straight
// into its consumer, a string or the SHA-256, with the same bytes nlohmann's dump of
// the canonical document gives (keys sorted at every depth, no whitespace, invalid
// UTF-8 replaced) but without building that document: a 50 MB Terraform plan is not
// copied whole to be hashed (issue 15). Each change's before/after value is written
// as nlohmann's dump writes it (util::append_compact_json), so values read exactly as
// they did. A test keeps the text equal
// to plan.json's canonical part (plan_test, CanonicalText.*).
#include <functional>

#include "converge/plan/plan.hpp"
#include "converge/util/json_text.hpp"
#include "converge/util/sha256.hpp"

namespace converge::plan {
namespace {

class CanonicalWriter {
 public:
  explicit CanonicalWriter(std::function<void(std::string_view)> sink) : sink_(std::move(sink)) {}
  ~CanonicalWriter() { flush(); }
  CanonicalWriter(const CanonicalWriter&) = delete;
  CanonicalWriter& operator=(const CanonicalWriter&) = delete;

  void raw(std::string_view text) {
    buffer_ += text;
    if (buffer_.size() >= kChunk) flush();
  }
  // nlohmann's dump(-1, ' ', false, replace), written into the buffer (json_text.hpp).
  void value(const nlohmann::json& v) {
    util::append_compact_json(buffer_, v);
    if (buffer_.size() >= kChunk) flush();
  }
  void string(std::string_view s) {
    util::append_json_string(buffer_, s);
    if (buffer_.size() >= kChunk) flush();
  }
  // `"name":` (names are converge's own, plain ASCII), after a comma unless `first`.
  void key(std::string_view name, bool first = false) {
    if (!first) raw(",");
    raw("\"");
    raw(name);
    raw("\":");
  }
  void strings(const std::vector<std::string>& list) {
    raw("[");
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (i) raw(",");
      string(list[i]);
    }
    raw("]");
  }
  // `[{…},{…}]`: each of `items` as an object whose members `write_members` writes.
  template <class Item, class Write>
  void objects(const std::vector<Item>& items, Write write_members) {
    raw("[");
    for (std::size_t i = 0; i < items.size(); ++i) {
      raw(i ? ",{" : "{");
      write_members(*this, items[i]);
      raw("}");
    }
    raw("]");
  }
  void flush() {
    if (buffer_.empty()) return;
    sink_(buffer_);
    buffer_.clear();
  }

 private:
  static constexpr std::size_t kChunk = 64 * 1024;
  std::function<void(std::string_view)> sink_;
  std::string buffer_;
};

void write_change(CanonicalWriter& w, const Change& c) {
  w.key("action", true), w.string(to_string(c.action));
  w.key("after"), w.value(c.after);
  w.key("before"), w.value(c.before);
  w.key("key"), w.string(c.key);
  w.key("kind"), w.string(c.kind);
}

void write_finding(CanonicalWriter& w, const Finding& f) {
  w.key("destructive", true), w.raw(f.destructive ? "true" : "false");
  w.key("doc"), w.string(f.doc);
  w.key("file"), w.string(f.file);
  w.key("line"), w.raw(std::to_string(f.line));
  w.key("message"), w.string(f.message);
  w.key("rule"), w.string(f.rule);
  w.key("severity"), w.string(to_string(f.severity));
}

void write_target(CanonicalWriter& w, const TargetPlan& t) {
  w.key("bundle_hash", true), w.string(t.bundle_hash);
  w.key("changes"), w.objects(t.changes, write_change);
  w.key("errors"), w.strings(t.errors);
  // Only when there are any: a plan without findings hashes as it did before them.
  if (!t.findings.empty()) w.key("findings"), w.objects(t.findings, write_finding);
  w.key("provider"), w.string(t.provider);
  w.key("target"), w.string(t.target);
}

void write_canonical(const Plan& plan, std::function<void(std::string_view)> sink) {
  CanonicalWriter w(std::move(sink));
  w.raw("{");
  w.key("environment", true), w.string(plan.environment);
  w.key("format"), w.raw(std::to_string(Plan::kFormat));
  // Only when set: a whole environment's plan hashes as it did before partial plans.
  if (plan.partial) w.key("partial"), w.raw("true");
  w.key("targets"), w.objects(plan.targets, write_target);
  w.raw("}");
}

}  // namespace

std::string canonical_text(const Plan& plan) {
  std::string out;
  write_canonical(plan, [&](std::string_view chunk) { out += chunk; });
  return out;
}

std::string hash(const Plan& plan) {
  util::Sha256 sha;
  write_canonical(plan, [&](std::string_view chunk) { sha.update(chunk); });
  return sha.hex();
}

}  // namespace converge::plan
