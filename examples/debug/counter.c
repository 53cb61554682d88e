/* A guest for the debugger examples and tests: a global written in a loop, a call chain
   for backtraces, floating point for the x87 registers. Built -O0 so each
   source statement is its own instructions. */
volatile int counter;
volatile double ratio;

int add(int a, int b) {
  return a + b;
}

int twice(int x) {
  return add(x, x);
}

int main(void) {
  for (int i = 0; i < 5; i++) {
    counter = twice(counter) + 1;
    ratio = counter / 3.0;
  }
  return counter & 0x7f;
}
