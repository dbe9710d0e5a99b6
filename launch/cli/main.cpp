// The `lathe` command line: dispatches to one command per file in this folder.
#include <iostream>

int main() {
  std::cout << "lathe " << LATHE_VERSION << "\n";
  return 0;
}
