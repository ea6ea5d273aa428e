// The live topology page's files, as the controller's listener serves them: from the binary,
// with their types and a policy that keeps every request on this listener; the vendored
// libraries with their licences.
#include "controller/ui_server.h"

#include <gtest/gtest.h>

#include "api/ui_assets.h"

namespace lk {
namespace {

HttpRequest Get(const std::string& path, const std::string& method = "GET") {
  HttpRequest r;
  r.method = method;
  r.path = path;
  return r;
}

TEST(UiServer, ThePageAndItsFilesComeFromTheBinaryWithTheirTypes) {
  auto root = ServeUi(Get("/"));
  ASSERT_TRUE(root);
  EXPECT_EQ(root->status, 302);
  EXPECT_EQ(root->headers["Location"], "/ui/");
  HttpRequest with_lab = Get("/");
  with_lab.query = "lab=x";
  EXPECT_EQ(ServeUi(with_lab)->headers["Location"], "/ui/?lab=x") << "the lab asked for is kept";
  auto index = ServeUi(Get("/ui/"));
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_EQ(index->content_type, "text/html; charset=utf-8");
  EXPECT_NE(index->body.find("<script src=\"app.js\""), std::string::npos);
  EXPECT_NE(index->headers["Content-Security-Policy"].find("default-src 'self'"), std::string::npos);
  auto js = ServeUi(Get("/ui/vendor/cytoscape.min.js"));
  ASSERT_TRUE(js);
  EXPECT_EQ(js->status, 200);
  EXPECT_EQ(js->content_type, "text/javascript; charset=utf-8");
  EXPECT_GT(js->body.size(), 100000u);
  EXPECT_NE(ServeUi(Get("/ui/app.js"))->body.find("window.labkeeper = { model }"), std::string::npos)
      << "the page's data model, kept for tests";
  EXPECT_EQ(ServeUi(Get("/ui/style.css"))->content_type, "text/css; charset=utf-8");
}

TEST(UiServer, EveryVendoredLibraryHasItsLicenceAndNothingElseIsServed) {
  for (const char* lib : {"cytoscape", "layout-base", "cose-base", "cytoscape-fcose"}) {
    auto l = ServeUi(Get(std::string("/ui/vendor/LICENSE.") + lib));
    ASSERT_TRUE(l) << lib;
    EXPECT_EQ(l->status, 200) << lib;
    EXPECT_NE(l->body.find("MIT"), std::string::npos) << lib << ": " << l->body.substr(0, 80);
  }
  EXPECT_EQ(ServeUi(Get("/ui/nope.js"))->status, 404);
  EXPECT_EQ(ServeUi(Get("/ui/../CMakeLists.txt"))->status, 404) << "only the embedded files";
  EXPECT_EQ(ServeUi(Get("/ui/", "POST"))->status, 405);
  EXPECT_FALSE(ServeUi(Get("/api/v1/labs"))) << "the API's";
  EXPECT_FALSE(ServeUi(Get("/uix"))) << "not the page's";
  for (const auto& a : UiAssets()) EXPECT_FALSE(a.bytes.empty()) << a.path;
}

}  // namespace
}  // namespace lk
