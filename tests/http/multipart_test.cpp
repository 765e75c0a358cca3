// multipart/form-data bodies: the shape RFC 7578 gives (each part between boundary
// lines, a file part's filename and type, the closing boundary), and a boundary that
// never occurs in a part, even in one made to hold the first choice.
#include <gtest/gtest.h>

#include "converge/http/multipart.hpp"

namespace converge::http {
namespace {

std::string boundary_of(const FormBody& form) {
  const std::string key = "boundary=";
  return form.content_type.substr(form.content_type.find(key) + key.size());
}

TEST(MultipartForm, PartsSitBetweenBoundaryLinesWithTheirNamesAndFileFields) {
  auto form = multipart_form({{"bundle", "PK\x03\x04zip", "bundle.zip", "application/zip"}, {"overwrite", "true"}});
  ASSERT_TRUE(form.content_type.starts_with("multipart/form-data; boundary="));
  const std::string b = boundary_of(form);
  EXPECT_EQ(form.body, "--" + b + "\r\nContent-Disposition: form-data; name=\"bundle\"; filename=\"bundle.zip\"\r\n"
                       "Content-Type: application/zip\r\n\r\nPK\x03\x04zip\r\n--" + b +
                       "\r\nContent-Disposition: form-data; name=\"overwrite\"\r\n\r\ntrue\r\n--" + b + "--\r\n");
  // The same parts, the same bytes.
  EXPECT_EQ(multipart_form({{"bundle", "PK\x03\x04zip", "bundle.zip", "application/zip"}, {"overwrite", "true"}}).body,
            form.body);
}

TEST(MultipartForm, ABoundaryPlantedInAPartIsNotUsed) {
  auto first = multipart_form({{"passwords", "{}"}});
  const std::string planted = boundary_of(first);
  auto form = multipart_form({{"passwords", "x\r\n--" + planted + "\r\nContent-Disposition: form-data; name=\"evil\""}});
  EXPECT_NE(boundary_of(form), planted);
  EXPECT_EQ(form.body.find("--" + boundary_of(form)), 0u);
  // The boundary occurs only at the part's start and the end.
  std::size_t count = 0;
  for (auto at = form.body.find(boundary_of(form)); at != std::string::npos; at = form.body.find(boundary_of(form), at + 1))
    ++count;
  EXPECT_EQ(count, 2u);
}

TEST(MultipartForm, QuotesAndLineBreaksInNamesCannotEndTheHeader) {
  auto form = multipart_form({{"a\"b\r\nX-Injected: 1", "v", "f\".zip"}});
  EXPECT_EQ(form.body.find("\r\nX-Injected"), std::string::npos);
  EXPECT_NE(form.body.find("name=\"a%22b%0D%0AX-Injected: 1\"; filename=\"f%22.zip\""), std::string::npos) << form.body;
}

}  // namespace
}  // namespace converge::http
