// A program that leaks on purpose (and nothing else), for leak_check_test.
#include <cstdio>
#include <cstdlib>

void* volatile sink;

int main() {
  sink = std::malloc(4242);
  sink = nullptr;
  std::fputs("leaked 4242 bytes\n", stderr);  // unbuffered: the abort does not lose it
  return 0;
}
