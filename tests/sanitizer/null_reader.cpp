// A program that reads through a null pointer, for null_check_test: the sanitizer
// build leaves out UBSan's null check (CMakeLists.txt), so ASan must be what stops
// it. The pointer is null only at run time (argc), so the compiler cannot see it.
#include <cstdio>

int main(int argc, char**) {
  volatile int* value = argc > 5 ? &argc : nullptr;
  std::printf("read %d\n", *value);
  return 0;
}
