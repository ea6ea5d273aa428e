// Proof that a -DLABKEEPER_SANITIZE=ON build really checks: an out-of-range double cast to an
// integer (what float-cast-overflow catches, the class of bug found in NumberValue) must abort
// with UBSan's report, and a read past a heap block with ASan's. ctest expects both reports.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

int main(int argc, char** argv) {
  const std::string what = argc > 1 ? argv[1] : "";
  if (what == "float-cast") {
    volatile double huge = std::strtod("1e30", nullptr);
    long long n = static_cast<long long>(huge);
    std::printf("%lld\n", n);
  } else if (what == "heap-overflow") {
    char* block = static_cast<char*>(std::malloc(8));
    std::memset(block, 0, 8);
    volatile char past = block[8 + (argc > 2 ? 1 : 0)];
    std::printf("%d\n", past);
    std::free(block);
  }
  return 0;
}
