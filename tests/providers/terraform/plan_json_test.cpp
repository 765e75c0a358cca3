// Placeholder (h1 writes the tests of the plan reader).
#include <gtest/gtest.h>
