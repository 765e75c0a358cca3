// Shared libraries loaded on first use (cmake/LazyLibraries.cmake): the record each
// generated stub library holds, the resolver its trampolines call, and the list of
// the libraries this executable may load (the image takes them in, and checks that
// each loads, from it: `converge-steps --lazy-libraries`).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace converge::lazy {

// Laid out as the generated assembly writes it; one per library.
struct LazyLibrary {
  const char* soname;        // what dlopen() is given, e.g. "libpq.so.5"
  std::size_t count;         // functions
  const char* const* names;  // their names, by index
  void** table;              // where each trampoline jumps: the resolver, then the function
  void* handle;              // dlopen()'s handle once loaded (atomic access)
};

struct Loaded {
  std::string soname;
  std::string path;   // where the loader found it; empty when it could not be loaded
  std::string error;  // dlerror()'s text when it could not be loaded
};

// Every library of this executable that loads on first use, loaded now.
std::vector<Loaded> load_all();

}  // namespace converge::lazy

// Called by a trampoline's first use: loads the library (once, whichever thread
// comes first), finds function `index` and puts it in the table. A library or
// function that cannot be found ends the process with exit code 3 and one line
// naming both, since the call that needed it cannot be made.
extern "C" void* converge_lazy_resolve(converge::lazy::LazyLibrary* library, std::size_t index);
