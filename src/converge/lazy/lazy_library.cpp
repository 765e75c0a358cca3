// The resolver behind every lazily loaded library's trampolines, and load_all().
#include "converge/lazy/lazy_library.hpp"

#include <dlfcn.h>
#include <link.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <mutex>
#include <string_view>

using converge::lazy::LazyLibrary;

// The linker's bounds of the section each stub library puts its record's address in;
// weak, so an executable without any lazily loaded library links too.
extern "C" {
extern LazyLibrary* const __start_converge_lazy_libraries[] __attribute__((weak));
extern LazyLibrary* const __stop_converge_lazy_libraries[] __attribute__((weak));
}

namespace converge::lazy {
namespace {

std::mutex& load_mutex() {
  static std::mutex mutex;
  return mutex;
}

// The handle, loading the library the first time; nullptr with dlerror()'s text.
void* handle_of(LazyLibrary& library, std::string& error) {
  std::atomic_ref<void*> handle(library.handle);
  if (void* loaded = handle.load(std::memory_order_acquire)) return loaded;
  std::lock_guard lock(load_mutex());
  if (void* loaded = handle.load(std::memory_order_acquire)) return loaded;
  void* opened = ::dlopen(library.soname, RTLD_LAZY | RTLD_LOCAL);
  if (!opened) {
    const char* why = ::dlerror();
    error = why ? why : "unknown dlopen error";
    return nullptr;
  }
  handle.store(opened, std::memory_order_release);
  return opened;
}

// One line on stderr and exit code 3 (a runtime failure), without running the
// process's exit handlers: this is in the middle of whatever call needed the library.
[[noreturn]] void die(std::string_view what, std::string_view soname, std::string_view why) {
  std::string line = "converge: cannot ";
  line.append(what).append(" (").append(soname).append("): ").append(why).append("\n");
  ssize_t written = ::write(STDERR_FILENO, line.data(), line.size());
  (void)written;
  ::_exit(3);
}

}  // namespace

std::vector<Loaded> load_all() {
  std::vector<Loaded> loaded;
  if (!__start_converge_lazy_libraries) return loaded;
  for (auto* record = __start_converge_lazy_libraries; record != __stop_converge_lazy_libraries; ++record) {
    Loaded entry{.soname = (*record)->soname, .path = {}, .error = {}};
    if (void* handle = handle_of(**record, entry.error)) {
      const link_map* map = nullptr;
      if (::dlinfo(handle, RTLD_DI_LINKMAP, &map) == 0 && map && map->l_name) entry.path = map->l_name;
    }
    loaded.push_back(std::move(entry));
  }
  return loaded;
}

}  // namespace converge::lazy

extern "C" void* converge_lazy_resolve(LazyLibrary* library, std::size_t index) {
  const int saved_errno = errno;
  std::string error;
  void* handle = converge::lazy::handle_of(*library, error);
  if (!handle) converge::lazy::die("load a shared library", library->soname, error);
  void* function = ::dlsym(handle, library->names[index]);
  if (!function) converge::lazy::die(std::string("find ") + library->names[index], library->soname, "not exported");
  std::atomic_ref<void*>(library->table[index]).store(function, std::memory_order_release);
  errno = saved_errno;
  return function;
}
