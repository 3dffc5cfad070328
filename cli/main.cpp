#include <cstdio>
int main() { std::puts("wasmdeploy"); return 0; }
