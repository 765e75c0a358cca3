// multipart/form-data bodies (see multipart.hpp).
#include "converge/http/multipart.hpp"

#include "converge/util/sha256.hpp"

namespace converge::http {
namespace {

std::string quoted(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '"') out += "%22";
    else if (c == '\r') out += "%0D";
    else if (c == '\n') out += "%0A";
    else out += c;
  }
  return out;
}

}  // namespace

FormBody multipart_form(const std::vector<FormPart>& parts) {
  // A boundary from the parts' hash: the same parts give the same body; one that
  // occurs in a part (possible only on purpose) is hashed again until it does not.
  std::string seed;
  for (const auto& p : parts) seed += util::sha256_hex(p.name + '\0' + p.filename + '\0' + p.content);
  std::string boundary;
  for (int round = 0;; ++round) {
    boundary = "converge-" + util::sha256_hex(seed + std::to_string(round)).substr(0, 32);
    bool inside = false;
    for (const auto& p : parts) inside = inside || p.content.find(boundary) != std::string::npos;
    if (!inside) break;
  }
  FormBody out;
  out.content_type = "multipart/form-data; boundary=" + boundary;
  for (const auto& p : parts) {
    out.body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + quoted(p.name) + "\"";
    if (!p.filename.empty()) {
      out.body += "; filename=\"" + quoted(p.filename) + "\"\r\nContent-Type: " +
                  (p.content_type.empty() ? std::string("application/octet-stream") : p.content_type);
    }
    out.body += "\r\n\r\n" + p.content + "\r\n";
  }
  out.body += "--" + boundary + "--\r\n";
  return out;
}

}  // namespace converge::http
