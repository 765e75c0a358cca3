// multipart/form-data bodies (RFC 7578) for uploads such as Superset's asset import:
// text fields and files, with a boundary that does not occur in any part.
#pragma once

#include <string>
#include <vector>

namespace converge::http {

struct FormPart {
  std::string name;
  std::string content;
  std::string filename = {};      // set for a file part
  std::string content_type = {};  // a file part's type ("application/octet-stream" when empty)
};

struct FormBody {
  std::string content_type;  // "multipart/form-data; boundary=…", for the Content-Type header
  std::string body;
};

// The body of `parts` in order. Names and filenames are sent as given but for '"',
// CR and LF, which are percent-encoded as browsers do.
FormBody multipart_form(const std::vector<FormPart>& parts);

}  // namespace converge::http
