// Standard output for one machine-readable document (see data_out.hpp).
#include "converge/steps/data_out.hpp"

#include "converge/util/fs.hpp"

namespace converge::steps {

Expected<void> DataOut::claim(std::string_view flag) {
  if (owner_ == flag) return {};
  if (!owner_.empty())
    return fail(Error::usage(owner_ + " and " + std::string(flag) +
                             " both write to standard output: give one of them a file"));
  owner_ = flag;
  console_.text_to_stderr();
  return {};
}

Expected<void> DataOut::claim_path(std::string_view flag, const std::string& path) {
  if (path != "-") return {};
  return claim(std::string(flag) + " -");
}

Expected<void> DataOut::write(const nlohmann::json& document) {
  if (written_) throw Failure("a step wrote its JSON document twice");
  written_ = true;
  // Invalid UTF-8 (a file name, a database's text) is replaced, never a throw mid-document.
  const auto text = document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  return util::write_output("-", console_.redact(text) + "\n");
}

void DataOut::error(const Error& error) {
  if (!json() || written_) return;
  (void)write(error_document(error));  // a failed write has nowhere left to be reported
}

nlohmann::json error_document(const Error& error) {
  const auto where = error.where.value_or(SourceLocation{});
  return {{"format", 1},
          {"error",
           {{"message", error.message},
            {"exit_code", static_cast<int>(error.code)},
            {"file", where.file},
            {"line", where.line}}}};
}

}  // namespace converge::steps
