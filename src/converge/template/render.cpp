// render(): lex, parse and evaluate a template, turning the internal TemplateError
// into an Error located at the template's file, line and column.
#include "converge/template/render.hpp"

#include "converge/template/budget.hpp"
#include "converge/template/evaluator.hpp"
#include "converge/util/fs.hpp"

namespace converge::tmpl {

Expected<std::string> render(std::string_view source, const nlohmann::ordered_json& variables,
                             std::string_view file_label, const RenderOptions& options) {
  try {
    if (!variables.is_object() && !variables.is_null()) {
      return fail(Error::config("template variables must be a mapping", SourceLocation{std::string(file_label)}));
    }
    Value vars = variables.is_null() ? Value::dict({}) : Value::from_json(variables);
    std::vector<Node> nodes = parse(source);
    std::string out;
    Budget budget(options.limits);
    Evaluator(vars, Semantics{options.strict_undefined, &budget}).render(nodes, out);
    return out;
  } catch (const TemplateError& e) {
    return fail(Error::config(e.what(), SourceLocation{std::string(file_label), e.line, e.column}));
  }
}

Expected<std::string> render(std::string_view source, const nlohmann::json& variables, std::string_view file_label,
                             const RenderOptions& options) {
  return render(source, nlohmann::ordered_json::parse(variables.dump()), file_label, options);
}

Expected<std::string> render_file(const std::filesystem::path& template_path, const std::filesystem::path& vars_yaml,
                                  const RenderOptions& options) {
  auto vars = load_yaml_variables(vars_yaml);
  if (!vars) return fail(vars.error());
  auto source = util::read_file(template_path);
  if (!source) return fail(source.error());
  return render(*source, *vars, template_path.string(), options);
}

}  // namespace converge::tmpl
