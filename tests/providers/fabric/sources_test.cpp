// Reading items in Fabric's Git layout (providers/fabric/sources.hpp), on the real
// fabric-cicd sample workspace and on hostile repositories.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "converge/providers/fabric/sources.hpp"
#include "support/temp_dir.hpp"

namespace converge::providers::fabric {
namespace {

namespace fs = std::filesystem;

const fs::path kSampleRepo = fs::path(CONVERGE_SHARED_TESTDATA) / "fabric-items/fabric-cicd/sample";

const Item* find(const std::vector<Item>& items, const std::string& key) {
  auto it = std::find_if(items.begin(), items.end(), [&](const Item& i) { return i.key() == key; });
  return it == items.end() ? nullptr : &*it;
}

void write(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << text;
}

std::string platform(const std::string& type, const std::string& name, const std::string& logical_id = "") {
  return R"({"metadata": {"type": ")" + type + R"(", "displayName": ")" + name + R"("}, "config": {"logicalId": ")" +
         logical_id + R"("}})";
}

TEST(FabricSources, TheSampleWorkspaceReadsAsFabricCicdReadsIt) {
  auto items = read_items(kSampleRepo, "workspace");
  ASSERT_TRUE(items) << items.error().to_string();
  // 40 .platform files: 38 item folders and 2 KQL databases under an eventhouse's .children.
  EXPECT_EQ(items->size(), 40u);
  const Item* notebook = find(*items, "Notebook/Hello World");
  ASSERT_NE(notebook, nullptr);
  EXPECT_EQ(notebook->description, "Sample notebook");
  EXPECT_EQ(notebook->logical_id, "99b570c5-0c79-9dc4-4c9b-fa16c621384c");
  EXPECT_EQ(notebook->folder, "");
  ASSERT_EQ(notebook->parts.size(), 1u);  // .platform is not a part
  EXPECT_EQ(notebook->parts[0].path, "notebook-content.py");

  const Item* nested = find(*items, "Notebook/Hello World SubfolderSubfolder");
  ASSERT_NE(nested, nullptr);
  EXPECT_EQ(nested->folder, "subfolder/subfolder");
  EXPECT_EQ(nested->dir, "workspace/subfolder/subfolder/Hello World SubfolderSubfolder.Notebook");

  const Item* eventhouse = find(*items, "Eventhouse/SampleEventhouse");
  ASSERT_NE(eventhouse, nullptr);
  for (const auto& part : eventhouse->parts) EXPECT_FALSE(part.path.starts_with(".children")) << part.path;
  const Item* database = find(*items, "KQLDatabase/TaxiDB");
  ASSERT_NE(database, nullptr);
  EXPECT_EQ(database->folder, eventhouse->folder);
  EXPECT_EQ(database->dir, "workspace/SampleEventhouse.Eventhouse/.children/TaxiDB.KQLDatabase");

  // Binary files are parts, byte for byte; nested paths use '/'.
  const Item* environment = find(*items, "Environment/World");
  ASSERT_NE(environment, nullptr);
  bool wheel = false;
  for (const auto& part : environment->parts)
    if (part.path.ends_with(".whl")) {
      wheel = true;
      EXPECT_EQ(part.path.rfind("Libraries/CustomLibraries/", 0), 0u) << part.path;
      std::ifstream in(kSampleRepo / "workspace/World.Environment" / part.path, std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(in)), {});
      EXPECT_EQ(part.bytes, bytes);
    }
  EXPECT_TRUE(wheel);
  // Parts are sorted, and the items by key.
  for (const auto& item : *items)
    EXPECT_TRUE(std::is_sorted(item.parts.begin(), item.parts.end(),
                               [](const Part& a, const Part& b) { return a.path < b.path; }));
  EXPECT_TRUE(std::is_sorted(items->begin(), items->end(),
                             [](const Item& a, const Item& b) { return a.key() < b.key(); }));
}

TEST(FabricSources, TwoFoldersForOneItemAreAnErrorNamingBoth) {
  testing::TempDir dir;
  write(dir.path() / "ws/A.Notebook/.platform", platform("Notebook", "Same"));
  write(dir.path() / "ws/sub/B.Notebook/.platform", platform("Notebook", "Same"));
  auto items = read_items(dir.path(), "ws");
  ASSERT_FALSE(items);
  EXPECT_NE(items.error().to_string().find("ws/A.Notebook"), std::string::npos) << items.error().to_string();
  EXPECT_NE(items.error().to_string().find("ws/sub/B.Notebook"), std::string::npos) << items.error().to_string();
}

TEST(FabricSources, ADuplicatedLogicalIdIsAnError) {
  testing::TempDir dir;
  write(dir.path() / "ws/A.Notebook/.platform", platform("Notebook", "A", "11111111-1111-1111-1111-111111111111"));
  write(dir.path() / "ws/B.Notebook/.platform", platform("Notebook", "B", "11111111-1111-1111-1111-111111111111"));
  auto items = read_items(dir.path(), "ws");
  ASSERT_FALSE(items);
  EXPECT_NE(items.error().message.find("logicalId"), std::string::npos) << items.error().message;
}

TEST(FabricSources, HostileNamesAndFilesAreRefused) {
  {
    testing::TempDir dir;  // a display name that would name a path outside the bundle
    write(dir.path() / "ws/A.Notebook/.platform", platform("Notebook", "../../etc"));
    auto items = read_items(dir.path(), "ws");
    ASSERT_FALSE(items);
    EXPECT_NE(items.error().to_string().find("ws/A.Notebook/.platform"), std::string::npos);
  }
  {
    testing::TempDir dir;  // a symbolic link could pull a file from outside the repository
    write(dir.path() / "ws/A.Notebook/.platform", platform("Notebook", "A"));
    fs::create_symlink("/etc/passwd", dir.path() / "ws/A.Notebook/notebook-content.py");
    auto items = read_items(dir.path(), "ws");
    ASSERT_FALSE(items);
    EXPECT_NE(items.error().to_string().find("symbolic link"), std::string::npos);
  }
  {
    testing::TempDir dir;  // a .platform that is not JSON names the file and line
    write(dir.path() / "ws/A.Notebook/.platform", "{\n  \"metadata\": {\n    \"type\": \"Notebook\",,\n");
    auto items = read_items(dir.path(), "ws");
    ASSERT_FALSE(items);
    EXPECT_NE(items.error().to_string().find("ws/A.Notebook/.platform:3"), std::string::npos)
        << items.error().to_string();
  }
  {
    testing::TempDir dir;  // a folder name Fabric refuses
    write(dir.path() / "ws/a.b/A.Notebook/.platform", platform("Notebook", "A"));
    auto items = read_items(dir.path(), "ws");
    ASSERT_FALSE(items);
    EXPECT_NE(items.error().message.find("Fabric folder name"), std::string::npos);
  }
  {
    testing::TempDir dir;  // a missing type
    write(dir.path() / "ws/A.Notebook/.platform", R"({"metadata": {"displayName": "A"}})");
    auto items = read_items(dir.path(), "ws");
    ASSERT_FALSE(items);
    EXPECT_NE(items.error().message.find("metadata.type"), std::string::npos);
  }
}

TEST(FabricSources, BudgetsBoundWhatIsRead) {
  testing::TempDir dir;
  write(dir.path() / "ws/A.Notebook/.platform", platform("Notebook", "A"));
  write(dir.path() / "ws/A.Notebook/big.bin", std::string(4096, 'x'));
  SourceBudget budget;
  budget.max_part_bytes = 1024;
  auto items = read_items(dir.path(), "ws", budget);
  ASSERT_FALSE(items);
  EXPECT_NE(items.error().to_string().find("big.bin"), std::string::npos) << items.error().to_string();
  budget = {};
  budget.max_items = 0;
  EXPECT_FALSE(read_items(dir.path(), "ws", budget));
  EXPECT_FALSE(read_items(dir.path(), "missing"));
}

TEST(FabricSources, PowerBiLocalStateIsNotAPart) {
  testing::TempDir dir;
  write(dir.path() / "ws/R.Report/.platform", platform("Report", "R"));
  write(dir.path() / "ws/R.Report/definition.pbir", "{}");
  write(dir.path() / "ws/R.Report/.pbi/localSettings.json", "{}");
  auto items = read_items(dir.path(), "ws");
  ASSERT_TRUE(items) << items.error().to_string();
  ASSERT_EQ(items->size(), 1u);
  ASSERT_EQ((*items)[0].parts.size(), 1u);
  EXPECT_EQ((*items)[0].parts[0].path, "definition.pbir");
}

}  // namespace
}  // namespace converge::providers::fabric
