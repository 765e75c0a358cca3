// The json-server test fixture (see json_server.hpp).
#include "json_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "converge/http/client.hpp"

extern char** environ;

namespace converge::testing {
namespace {

namespace fs = std::filesystem;

const fs::path kServerDir = fs::path(CONVERGE_SOURCE_DIR) / "tests/providers/assets/server";

int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    throw std::runtime_error("no free port");
  int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

http::Response request(const std::string& method, const std::string& url, const std::string& body = "") {
  auto transport = http::make_curl_transport(std::chrono::seconds(5));
  http::Request r;
  r.method = method;
  r.url = url;
  r.body = body;
  if (!body.empty()) r.headers["Content-Type"] = "application/json";
  auto response = transport->send(r);
  if (!response) throw std::runtime_error(response.error().to_string());
  return *response;
}

}  // namespace

JsonServer::JsonServer(const nlohmann::json& database, const std::string& id_field) {
  fs::path bin = kServerDir / "node_modules/json-server/lib/cli/bin.js";
  if (!fs::exists(bin))
    throw std::runtime_error(bin.string() + " is missing: run tests/providers/assets/server/install.sh");
  const std::string text = database.dump(2);
  std::ofstream(dir_ / "db.json") << text;
  std::ofstream(dir_ / "requests.log").flush();
  int port = free_port();
  url_ = "http://127.0.0.1:" + std::to_string(port);

  // The database file goes first: --middlewares takes every argument after it.
  std::vector<std::string> args = {"node", bin.string(), (dir_ / "db.json").string(), "--quiet", "--host",
                                   "127.0.0.1", "--port", std::to_string(port), "--id", id_field,
                                   "--middlewares", (kServerDir / "middleware.js").string()};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::string log_env = "CONVERGE_ASSETS_REQUEST_LOG=" + (dir_ / "requests.log").string();
  std::string faults_env = "CONVERGE_ASSETS_FAULTS=" + (dir_ / "faults.json").string();
  std::vector<char*> envp;
  for (char** e = environ; *e; ++e) envp.push_back(*e);
  envp.push_back(log_env.data());
  envp.push_back(faults_env.data());
  envp.push_back(nullptr);

  std::string out = (dir_ / "server.out").string();
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork: " + std::string(strerror(errno)));
  if (pid_ == 0) {
    // The server dies with the test process, even when a test aborts.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    int fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    execvpe("node", argv.data(), envp.data());
    _exit(127);
  }

  // json-server reads and parses the whole file before it listens: a bench's runtime
  // of 100,000 charts (~70 MB) takes seconds of that, so the wait grows with it.
  const auto allowed = std::chrono::seconds(20 + text.size() / (1 << 20));
  auto deadline = std::chrono::steady_clock::now() + allowed;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("json-server exited: " + read_text(out));
    }
    auto transport = http::make_curl_transport(std::chrono::seconds(1));
    // A path json-server holds nothing at: its 404 is quick whatever the database
    // holds (GET /db, the whole database, took over the probe's second at 100,000 charts).
    auto response = transport->send(http::Request{.method = "GET", .url = url_ + "/__converge_ready", .headers = {},
                                                  .body = {}, .label = {}});
    if (response && response->status == 404) {
      clear_log();
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  throw std::runtime_error("json-server did not answer within " + std::to_string(allowed.count()) +
                           " s: " + read_text(out));
}

JsonServer::~JsonServer() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  for (int i = 0; i < 50; ++i) {
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
}

nlohmann::json JsonServer::database() const {
  auto response = request("GET", url_ + "/db");
  return nlohmann::json::parse(response.body);
}

long JsonServer::send(const std::string& method, const std::string& path, const nlohmann::json& body) const {
  return request(method, url_ + path, body.is_null() ? "" : body.dump()).status;
}

std::vector<std::string> JsonServer::log() const {
  std::vector<std::string> lines;
  std::ifstream in(dir_ / "requests.log");
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

void JsonServer::clear_log() const { std::ofstream(dir_ / "requests.log", std::ios::trunc).flush(); }

void JsonServer::set_faults(const nlohmann::json& rules) const {
  // Written whole and renamed: the server never reads half a file.
  std::ofstream(dir_ / "faults.json.tmp", std::ios::trunc) << rules.dump();
  std::filesystem::rename(dir_ / "faults.json.tmp", dir_ / "faults.json");
}

nlohmann::json JsonServer::faults() const {
  auto rules = nlohmann::json::parse(read_text(dir_ / "faults.json"), nullptr, false);
  return rules.is_array() ? rules : nlohmann::json::array();
}

nlohmann::json JsonServer::empty_bi() {
  const auto none = nlohmann::json::array();
  return {{"databases", none}, {"datasets", none}, {"charts", none}, {"dashboards", none}};
}

}  // namespace converge::testing
